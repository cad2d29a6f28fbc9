"""Mapping answers to reviewed themes: several themes per answer, Other for none, deterministic."""

import numpy as np
import pytest

from consult.analysis.embedding import load_embedder
from consult.analysis.mapping import MIN_SIMILARITY, ThemeEvidence, map_to_themes

AXES = np.eye(16, dtype=np.float32)


def _around(direction: np.ndarray, count: int, spread: float, seed: int) -> np.ndarray:
    """`count` unit vectors scattered around a direction."""
    rng = np.random.default_rng(seed)
    vectors = direction + spread * rng.standard_normal((count, len(direction)))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _rows(start: int, count: int) -> tuple[int, ...]:
    return tuple(range(start, start + count))


def test_answers_join_the_theme_their_members_resemble_and_strangers_go_to_other() -> None:
    # Rows 0-19 speed members, 20-39 privacy members, 40-44 and 45-49 unlabelled, 50-52 strangers.
    answers = np.vstack(
        [
            _around(AXES[0], 20, 0.15, 1),
            _around(AXES[1], 20, 0.15, 2),
            _around(AXES[0], 5, 0.15, 3),
            _around(AXES[1], 5, 0.15, 4),
            _around(AXES[7], 3, 0.15, 5),
        ]
    )
    mapping = map_to_themes(answers, [ThemeEvidence(10, _rows(0, 20)), ThemeEvidence(20, _rows(20, 20))])

    keys = [[m.key for m in found] for found in mapping.matches]
    assert keys[40:] == [[10]] * 5 + [[20]] * 5 + [[]] * 3
    assert keys[:40] == [[10]] * 20 + [[20]] * 20
    assert mapping.other_share == pytest.approx(3 / 53)
    assert all(found[0].similarity >= mapping.thresholds[found[0].key] for found in mapping.matches if found)


def test_an_answer_between_two_themes_carries_both_best_first() -> None:
    both = _around(0.72 * AXES[0] + 0.69 * AXES[1], 1, 0.0, 0)
    answers = np.vstack([both, _around(AXES[0], 20, 0.05, 1), _around(AXES[1], 20, 0.05, 2)])
    mapping = map_to_themes(answers, [ThemeEvidence(1, _rows(1, 20)), ThemeEvidence(2, _rows(21, 20))])

    first = mapping.matches[0]
    assert [m.key for m in first] == [1, 2]
    assert first[0].similarity > first[1].similarity


def test_an_answer_carries_at_most_max_themes() -> None:
    middle = _around(AXES[:4].sum(axis=0), 1, 0.0, 0)
    answers = np.vstack([middle, *[_around(AXES[k], 10, 0.3, k) for k in range(4)]])
    themes = [ThemeEvidence(k, _rows(1 + 10 * k, 10)) for k in range(4)]
    assert len(map_to_themes(answers, themes, secondary_margin=1.0, max_themes=4).matches[0]) == 4
    assert len(map_to_themes(answers, themes, secondary_margin=1.0, max_themes=2).matches[0]) == 2


def test_a_theme_officials_created_from_a_label_alone_takes_the_answers_close_to_its_label() -> None:
    answers = np.vstack([_around(AXES[3], 4, 0.1, 1), _around(AXES[5], 40, 0.1, 2)])
    mapping = map_to_themes(answers, [ThemeEvidence(7, label_vector=AXES[3])])
    assert [bool(found) for found in mapping.matches] == [True] * 4 + [False] * 40


def test_a_label_nothing_resembles_takes_no_answers_however_close_its_nearest_stranger() -> None:
    mapping = map_to_themes(_around(AXES[5], 20, 0.1, 2), [ThemeEvidence(7, label_vector=AXES[3])])
    assert mapping.thresholds[7] == pytest.approx(MIN_SIMILARITY)
    assert mapping.other_share == 1.0


def test_a_theme_with_neither_members_nor_label_is_reported_and_takes_nothing() -> None:
    answers = _around(AXES[0], 10, 0.1, 1)
    mapping = map_to_themes(answers, [ThemeEvidence(1, _rows(0, 10)), ThemeEvidence(2)])
    assert mapping.undescribed == [2]
    assert {m.key for found in mapping.matches for m in found} == {1}


def test_no_answers_or_no_themes_give_empty_mappings() -> None:
    assert map_to_themes(np.zeros((0, 16)), [ThemeEvidence(1, label_vector=AXES[0])]).matches == []
    assert map_to_themes(AXES[:3], []).matches == [[], [], []]


def test_the_same_input_gives_the_same_mapping_whatever_the_order_of_themes() -> None:
    answers = np.vstack([_around(AXES[k], 30, 0.5, k) for k in range(5)])
    themes = [ThemeEvidence(k, _rows(30 * k, 25), label_vector=AXES[k]) for k in range(5)]
    first = map_to_themes(answers, themes)
    assert first == map_to_themes(answers.copy(), list(reversed(themes)))
    assert 0 < first.other_share < 0.5


def test_with_the_real_model_answers_follow_the_meaning_of_reviewed_themes() -> None:
    embedder = load_embedder()
    texts = [
        "I want to be able to talk to a real person on the phone.",
        "Please keep human advisers available for people who need them.",
        "A chatbot cannot replace a trained member of staff.",
        "There must always be a way to reach a human being.",
        "I do not trust the government to keep my personal data safe.",
        "Who will see the questions I type into the assistant?",
        "My information could be shared with private companies.",
        "How long will my messages be stored for?",
        "Let me speak to a person rather than a computer.",
        "I worry about what happens to my personal details.",
        "The weather was lovely at the seaside last summer.",
    ]
    label = embedder.encode(["Keeping human advisers: people want to reach a person"])[0]
    themes = [ThemeEvidence(1, (0, 1, 2, 3), label_vector=label), ThemeEvidence(2, (4, 5, 6, 7))]
    mapping = map_to_themes(embedder.encode(texts), themes)
    assert [[m.key for m in found][:1] for found in mapping.matches[8:]] == [[1], [2], []]
