"""Mapping answers to reviewed themes: a calibrated classifier, several themes per answer, Other for none."""

import json

import numpy as np
import pytest

from consult.analysis.embedding import load_embedder
from consult.analysis.mapping import (
    Classifier,
    ThemeEvidence,
    estimate_accuracy,
    least_sure,
    map_to_themes,
    random_rows,
)

AXES = np.eye(16, dtype=np.float32)


def _around(direction: np.ndarray, count: int, spread: float, seed: int) -> np.ndarray:
    """`count` unit vectors scattered around a direction."""
    rng = np.random.default_rng(seed)
    vectors = direction + spread * rng.standard_normal((count, len(direction)))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _rows(start: int, count: int) -> tuple[int, ...]:
    return tuple(range(start, start + count))


def _keys(mapping_matches: list) -> list[list[int]]:
    return [[match.key for match in found] for found in mapping_matches]


def _two_themes() -> tuple[np.ndarray, list[ThemeEvidence]]:
    """Rows 0-19 speed members, 20-39 privacy members, 40-44 and 45-49 unlabelled answers like
    them, 50-52 strangers like neither."""
    answers = np.vstack(
        [
            _around(AXES[0], 20, 0.15, 1),
            _around(AXES[1], 20, 0.15, 2),
            _around(AXES[0], 5, 0.05, 3),
            _around(AXES[1], 5, 0.05, 4),
            _around(AXES[7], 3, 0.15, 5),
        ]
    )
    return answers, [ThemeEvidence(10, _rows(0, 20)), ThemeEvidence(20, _rows(20, 20))]


def test_answers_join_the_theme_their_members_resemble_and_strangers_go_to_other() -> None:
    answers, themes = _two_themes()
    mapping = map_to_themes(answers, themes)

    assert _keys(mapping.matches[40:]) == [[10]] * 5 + [[20]] * 5 + [[]] * 3
    assert mapping.other_share == pytest.approx(sum(1 for found in mapping.matches if not found) / 53)
    assert mapping.other_share < 0.15
    assert all(0.5 < found[0].probability <= 1 for found in mapping.matches[40:50])
    assert mapping.undescribed == []


def test_probabilities_are_calibrated_to_how_often_the_examples_belong() -> None:
    # Two overlapping themes: where they overlap, a model that never saw the example cannot be
    # sure, and the calibrated probability must say so instead of claiming certainty.
    answers = np.vstack([_around(AXES[0] + 0.6 * AXES[1], 40, 0.6, 1), _around(AXES[1] + 0.6 * AXES[0], 40, 0.6, 2)])
    themes = [ThemeEvidence(1, _rows(0, 40)), ThemeEvidence(2, _rows(40, 40))]
    mapping = map_to_themes(answers, themes)
    probabilities = mapping.classifier.probabilities(answers)

    assert probabilities.shape == (80, 2)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    right = np.concatenate([probabilities[:40, 0], probabilities[40:, 1]])
    # Calibrated: the examples' mean probability for their own theme is neither 0.5 nor certainty.
    assert 0.6 < right.mean() < 0.97


def test_an_answer_like_those_officials_placed_in_two_themes_carries_both_best_first() -> None:
    # Officials placed rows 40-49 (leaning to axis 0) in both themes; a new answer like them gets
    # both, the closer first, while answers like either theme alone get one.
    answers = np.vstack(
        [
            _around(AXES[0], 20, 0.3, 1),
            _around(AXES[1], 20, 0.3, 2),
            _around(AXES[0] + AXES[1], 10, 0.2, 3),
            _around(AXES[0] + 0.9 * AXES[1], 1, 0.0, 4),
            _around(AXES[0], 1, 0.1, 5),
            _around(AXES[1], 1, 0.1, 6),
        ]
    )
    themes = [ThemeEvidence(1, _rows(0, 20) + _rows(40, 10)), ThemeEvidence(2, _rows(20, 30))]
    mapping = map_to_themes(answers, themes)

    first = mapping.matches[50]
    assert [m.key for m in first] == [1, 2]
    assert first[0].probability >= first[1].probability >= 0.5
    assert _keys(mapping.matches[51:]) == [[1], [2]]


def test_an_answer_carries_at_most_max_themes() -> None:
    middle = AXES[:4].sum(axis=0)
    everywhere = _around(middle, 12, 0.1, 9)
    answers = np.vstack([_around(middle, 1, 0.0, 0), *[_around(AXES[k], 10, 0.3, k) for k in range(4)], everywhere])
    themes = [ThemeEvidence(k, _rows(1 + 10 * k, 10) + _rows(41, 12)) for k in range(4)]

    wide = map_to_themes(answers, themes, max_themes=4)
    assert (wide.classifier.probabilities(answers[:1]) >= 0.5).sum() == 4
    assert len(wide.matches[0]) == 4
    assert len(map_to_themes(answers, themes).matches[0]) == 3  # the default
    assert len(map_to_themes(answers, themes, max_themes=1).matches[0]) == 1


def test_answers_officials_took_out_of_a_theme_teach_it_what_does_not_belong() -> None:
    # Theme 1's members sit around axis 0; officials took out six answers leaning to axis 2. Answers
    # like those stay out of theme 1, while without the exclusions they would join it.
    members = _around(AXES[0], 15, 0.3, 1)
    taken_out = _around(AXES[0] + 0.8 * AXES[2], 6, 0.1, 2)
    like_taken_out = _around(AXES[0] + 0.8 * AXES[2], 5, 0.1, 3)
    others = _around(AXES[5], 15, 0.3, 4)
    answers = np.vstack([members, taken_out, like_taken_out, others])
    plain = [ThemeEvidence(1, _rows(0, 15)), ThemeEvidence(2, _rows(26, 15))]
    corrected = [ThemeEvidence(1, _rows(0, 15), excluded_indexes=_rows(15, 6)), ThemeEvidence(2, _rows(26, 15))]

    before = map_to_themes(answers, plain)
    after = map_to_themes(answers, corrected)
    assert _keys(before.matches[21:26]) == [[1]] * 5
    assert _keys(after.matches[15:26]) == [[]] * 11
    assert _keys(after.matches[:15]) == [[1]] * 15


def test_a_theme_officials_created_from_a_label_alone_takes_the_answers_close_to_its_label() -> None:
    answers = np.vstack([_around(AXES[3], 4, 0.1, 1), _around(AXES[5], 40, 0.1, 2)])
    mapping = map_to_themes(answers, [ThemeEvidence(7, label_vector=AXES[3])])
    assert [bool(found) for found in mapping.matches] == [True] * 4 + [False] * 40
    assert mapping.classifier.kinds == ["label"]


def test_a_label_only_theme_works_beside_themes_with_examples() -> None:
    answers = np.vstack([_around(AXES[0], 20, 0.2, 1), _around(AXES[1], 20, 0.2, 2), _around(AXES[4], 5, 0.1, 3)])
    themes = [
        ThemeEvidence(1, _rows(0, 20), label_vector=AXES[0]),
        ThemeEvidence(2, _rows(20, 20), label_vector=AXES[1]),
        ThemeEvidence(3, label_vector=AXES[4]),
    ]
    mapping = map_to_themes(answers, themes)
    assert mapping.classifier.kinds == ["examples", "examples", "label"]
    assert _keys(mapping.matches[40:]) == [[3]] * 5
    assert not any(3 in keys for keys in _keys(mapping.matches[:40]))


def test_a_label_nothing_resembles_takes_no_answers_however_close_its_nearest_stranger() -> None:
    mapping = map_to_themes(_around(AXES[5], 20, 0.1, 2), [ThemeEvidence(7, label_vector=AXES[3])])
    assert mapping.other_share == 1.0


def test_a_theme_with_neither_members_nor_label_is_reported_and_takes_nothing() -> None:
    answers = _around(AXES[0], 10, 0.1, 1)
    mapping = map_to_themes(answers, [ThemeEvidence(1, _rows(0, 10)), ThemeEvidence(2, excluded_indexes=(3,))])
    assert mapping.undescribed == [2]
    assert {m.key for found in mapping.matches for m in found} == {1}


def test_no_answers_or_no_themes_give_empty_mappings() -> None:
    empty = map_to_themes(np.zeros((0, 16)), [ThemeEvidence(1, label_vector=AXES[0])])
    assert empty.matches == [] and empty.other_share == 0.0
    # Still a classifier, ready for the answers that arrive later.
    assert empty.undescribed == [] and empty.classifier.predict(AXES[:1]) != [[]]
    assert map_to_themes(np.zeros(0), [ThemeEvidence(1, label_vector=AXES[0])]).classifier.keys == [1]
    nothing = map_to_themes(AXES[:3], [])
    assert nothing.matches == [[], [], []] and nothing.classifier is None
    assert list(nothing.uncertainty) == [0.0, 0.0, 0.0]


def test_the_same_input_gives_the_same_mapping_whatever_the_order_of_themes() -> None:
    answers = np.vstack([_around(AXES[k], 30, 0.5, k) for k in range(5)])
    themes = [ThemeEvidence(k, _rows(30 * k, 25), label_vector=AXES[k]) for k in range(5)]
    first = map_to_themes(answers, themes)
    again = map_to_themes(answers.copy(), list(reversed(themes)))
    assert first.matches == again.matches
    assert first.classifier.to_dict() == again.classifier.to_dict()
    assert np.array_equal(first.uncertainty, again.uncertainty)
    assert 0 < first.other_share < 0.5


def test_the_stored_classifier_places_answers_as_the_mapping_did() -> None:
    answers = np.vstack([_around(AXES[k], 30, 0.5, k) for k in range(4)] + [_around(AXES[9], 3, 0.2, 9)])
    themes = [ThemeEvidence(k, _rows(30 * k, 10), label_vector=AXES[k]) for k in range(3)]
    themes.append(ThemeEvidence(3, label_vector=AXES[3]))
    mapping = map_to_themes(answers, themes)

    stored = json.loads(json.dumps(mapping.classifier.to_dict()))
    restored = Classifier.from_dict(stored)
    assert restored.keys == [0, 1, 2, 3]
    assert restored.predict(answers) == mapping.matches
    # A late answer is placed one at a time exactly as among all the others.
    assert [restored.predict(answers[row : row + 1])[0] for row in (5, 100, 121)] == [
        mapping.matches[row] for row in (5, 100, 121)
    ]


def test_the_least_sure_answers_are_those_between_themes_and_checked_ones_are_not_asked_again() -> None:
    between = np.vstack([_around(AXES[0] + AXES[1], 1, 0.05, n) for n in range(3)])
    answers = np.vstack([_around(AXES[0], 30, 0.2, 1), _around(AXES[1], 30, 0.2, 2), between])
    mapping = map_to_themes(answers, [ThemeEvidence(1, _rows(0, 20)), ThemeEvidence(2, _rows(30, 20))])

    assert mapping.uncertainty.shape == (63,)
    assert ((mapping.uncertainty >= 0) & (mapping.uncertainty <= 1)).all()
    evidence = set(_rows(0, 20) + _rows(30, 20))
    assert set(least_sure(mapping, 3, exclude=evidence)) == {60, 61, 62}
    ranked = least_sure(mapping, 4, exclude=evidence)
    assert least_sure(mapping, 3, exclude=evidence | {60}) == [row for row in ranked if row != 60][:3]
    assert len(least_sure(mapping, 100)) == 63


def test_random_rows_are_seeded_distinct_and_skip_the_excluded() -> None:
    drawn = random_rows(100, 20, seed=7, exclude={0, 1, 2})
    assert drawn == random_rows(100, 20, seed=7, exclude={0, 1, 2})
    assert drawn != random_rows(100, 20, seed=8, exclude={0, 1, 2})
    assert len(set(drawn)) == 20 and not {0, 1, 2} & set(drawn) and all(0 <= row < 100 for row in drawn)
    assert random_rows(5, 20, seed=1, exclude={4}) == [0, 1, 2, 3]


def test_accuracy_is_estimated_with_a_wilson_interval() -> None:
    assert estimate_accuracy([]) is None
    estimate = estimate_accuracy([True] * 16 + [False] * 4)
    assert (estimate.correct, estimate.checked, estimate.accuracy) == (16, 20, 0.8)
    # Wilson 95% for 16 of 20: 0.584 to 0.919.
    assert estimate.low == pytest.approx(0.5840, abs=1e-4) and estimate.high == pytest.approx(0.9193, abs=1e-4)
    perfect = estimate_accuracy([True] * 10)
    assert perfect.high == 1.0 and perfect.low == pytest.approx(0.7225, abs=1e-4)


# Real-looking answers to "What would make you trust a chatbot on the council's website?"
HUMAN = [
    "I want to be able to talk to a real person on the phone.",
    "Please keep human advisers available for people who need them.",
    "A chatbot cannot replace a trained member of staff.",
    "There must always be a way to reach a human being.",
    "Give me a phone number for a person when the bot gets stuck.",
    "Older people need to speak to someone, not a machine.",
]
DATA = [
    "I do not trust the government to keep my personal data safe.",
    "Who will see the questions I type into the assistant?",
    "My information could be shared with private companies.",
    "How long will my messages be stored for?",
    "Tell me where my details go and who can read them.",
    "I worry my conversations will be sold to advertisers.",
]
UNSEEN = [
    "Let me speak to a person rather than a computer.",
    "I worry about what happens to my personal details.",
    "The weather was lovely at the seaside last summer.",
    "My favourite football team won on Saturday.",
]


@pytest.fixture(scope="module")
def embedder():
    return load_embedder(None)


def test_with_the_real_model_answers_follow_the_meaning_of_reviewed_themes(embedder) -> None:
    vectors = embedder.encode(HUMAN + DATA + UNSEEN)
    labels = embedder.encode(["Keeping human advisers. People want to reach a person", "Privacy of personal data."])
    themes = [
        ThemeEvidence(1, _rows(0, 6), label_vector=labels[0]),
        ThemeEvidence(2, _rows(6, 6), label_vector=labels[1]),
    ]
    mapping = map_to_themes(vectors, themes)
    assert [keys[:1] for keys in _keys(mapping.matches[12:])] == [[1], [2], [], []]


def test_with_the_real_model_officials_evidence_beats_a_misleading_label(embedder) -> None:
    # Officials kept the privacy answers in a theme whose label is about staff: the answers they
    # placed say what the theme holds, so an unseen privacy answer follows them, not the label.
    vectors = embedder.encode(HUMAN + DATA + UNSEEN)
    misleading = embedder.encode(["Staff training. Council staff need better training."])[0]
    themes = [ThemeEvidence(1, _rows(0, 6)), ThemeEvidence(2, _rows(6, 6), label_vector=misleading)]
    mapping = map_to_themes(vectors, themes)
    assert _keys(mapping.matches[12:14]) == [[1], [2]]


def test_with_the_real_model_a_framework_of_labels_alone_places_answers(embedder) -> None:
    texts = [
        "There is nowhere to park near the surgery.",
        "The car park is always full by nine.",
        "I waited three weeks for an appointment.",
        "You can never get an appointment when you need one.",
        "The receptionist was rude to my mother.",
        "Staff were kind and listened to me.",
        "My cat likes to sleep in the sun.",
    ]
    labels = embedder.encode(
        [
            "Parking. Not enough parking spaces at the surgery.",
            "Waiting for appointments. Long waits to be seen.",
            "Staff attitude. How reception and clinical staff treat patients.",
        ]
    )
    themes = [ThemeEvidence(key, label_vector=label) for key, label in zip((1, 2, 3), labels, strict=True)]
    mapping = map_to_themes(embedder.encode(texts), themes)
    assert [keys[:1] for keys in _keys(mapping.matches)] == [[1], [1], [2], [2], [3], [3], []]


# Answers of our own writing to "What do you think of the council answering questions with an AI
# assistant?", on four subjects, in many shapes (short, long, questions, complaints, asides).
# The first answers of each subject are the officials' examples; the rest must follow them.
COUNCIL_THEMES = {
    "Cost to taxpayers. Whether the assistant is value for money": [
        "How much is this costing council tax payers?",
        "It is a waste of public money when services are being cut.",
        "I would rather the budget went on fixing roads than on software.",
        "Who pays the licence fees for this system every year?",
        "If it saves money, fine, but show us the figures.",
        "Spending millions on a computer programme while the libraries close is wrong.",
        "The council should publish what the contract with the tech company costs.",
        "My council tax went up again and now this. Where is the money going?",
        "Cheaper than hiring staff maybe, but the hidden costs always come later.",
        "Value for money has to be proven before it is rolled out.",
        "Another expensive IT project that will run over budget, I expect.",
        "Will the savings be passed on to residents or swallowed up?",
    ],
    "Older and disabled people left behind. People who cannot use computers": [
        "My mum is 84 and has never used a computer.",
        "Not everyone has the internet at home, especially pensioners.",
        "Blind people cannot use these chat windows with a screen reader.",
        "What about people with dementia who get confused by technology?",
        "My neighbour does not own a smartphone and never will.",
        "Elderly residents will be shut out if everything goes online.",
        "I have arthritis and typing on a small screen is painful.",
        "People with learning disabilities need someone patient to explain things.",
        "Digital by default leaves the most vulnerable behind.",
        "My dad can barely work the television remote, never mind a chatbot.",
        "Deaf residents rely on written help, but it has to be simple and clear.",
        "Those without broadband or a computer should still get the same service.",
    ],
    "Wrong answers. The assistant making mistakes or giving bad advice": [
        "It told me the wrong day for my bin collection.",
        "These systems make things up and sound very confident about it.",
        "What happens when it gives wrong information about benefits?",
        "I was given incorrect advice about my parking permit.",
        "The answers need checking because AI gets facts wrong.",
        "It said my planning application was approved when it was not.",
        "Who is responsible if the chatbot's advice costs me a fine?",
        "Bad advice about housing could leave a family homeless.",
        "I asked about school admissions and the dates it gave were last year's.",
        "It contradicted what the council website said on the same page.",
        "Errors are inevitable, so there must be a way to report them.",
        "I tested it and half the answers about council tax bands were inaccurate.",
    ],
    "Council jobs. Staff losing their jobs to automation": [
        "This will put people at the council out of work.",
        "Staff in the contact centre are worried about redundancies.",
        "Replacing local jobs with a machine is bad for the town.",
        "My sister works in customer services and fears she will be let go.",
        "Protect the jobs of the people who answer the phones now.",
        "Automation should help employees, not replace them.",
        "How many council posts will be cut because of this?",
        "Experienced officers know the area; sacking them is short-sighted.",
        "The unions should be consulted before anyone loses their job.",
        "Good local employment matters more than saving a few pounds.",
        "Redeploy the staff, do not make them redundant.",
        "Once the jobs are gone they will never come back.",
    ],
}
STRANGERS = [
    "The weather was lovely at the seaside last summer.",
    "My favourite football team won on Saturday.",
    "I made a chocolate cake for my daughter's birthday.",
    "We are going camping in Scotland next month.",
]


# Measured (2026-12-04): with 2 examples per theme 30 of 40 other answers in their own theme, 4 in
# another (all four touch two subjects or are short), 6 in Other; with 5, 23 of 28, 1 and 2 (with
# two more carrying their own theme second). The gate once sent most on-topic answers of a set
# like tests/corpus to Other and let two of these strangers in with 2 examples; what is left
# here is the classifier telling related subjects apart from so few examples.
@pytest.mark.parametrize(("examples_per_theme", "least_right", "most_wrong"), [(2, 0.7, 0.1), (5, 0.8, 0.05)])
def test_with_the_real_model_a_few_examples_and_a_label_place_answers_on_their_subject_and_strangers_in_other(
    embedder, examples_per_theme: int, least_right: float, most_wrong: float
) -> None:
    texts = [text for answers in COUNCIL_THEMES.values() for text in answers]
    subject_of = [key for key, answers in enumerate(COUNCIL_THEMES.values(), start=1) for _ in answers]
    labels = embedder.encode(list(COUNCIL_THEMES))
    themes = [
        ThemeEvidence(
            key,
            tuple(row for row, subject in enumerate(subject_of) if subject == key)[:examples_per_theme],
            label_vector=label,
        )
        for key, label in enumerate(labels, start=1)
    ]
    examples = {row for theme in themes for row in theme.member_indexes}
    mapping = map_to_themes(embedder.encode(texts + STRANGERS), themes)

    placed = _keys(mapping.matches)
    assert placed[len(texts) :] == [[]] * len(STRANGERS)
    others = [row for row in range(len(texts)) if row not in examples]
    right = [row for row in others if placed[row][:1] == [subject_of[row]]]
    wrong = [row for row in others if placed[row] and subject_of[row] not in placed[row]]
    assert len(right) >= least_right * len(others), (len(right), len(others))
    assert len(wrong) <= most_wrong * len(others), [texts[row] for row in wrong]


def test_a_classifier_stored_with_one_resemblance_threshold_for_all_themes_still_loads() -> None:
    answers, themes = _two_themes()
    stored = map_to_themes(answers, themes).classifier.to_dict()
    del stored["resemblance_thresholds"]
    stored["resemblance_threshold"] = 0.3
    older = Classifier.from_dict(stored)
    assert older.resemblance_thresholds.tolist() == [0.3, 0.3]
    assert _keys(older.predict(answers[40:])) == [[10]] * 5 + [[20]] * 5 + [[]] * 3
