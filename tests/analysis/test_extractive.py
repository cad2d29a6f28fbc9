"""Offline labels and summaries: phrases cut from the answers, quoted verbatim and cited."""

from __future__ import annotations

import re

import numpy as np
import pytest

from consult.analysis.embedding import load_embedder
from consult.analysis.evidence import is_verbatim, normalise_quoted
from consult.analysis.extractive import excerpt, extractive_label, extractive_labels, extractive_summary, theme_text
from consult.analysis.labels import label_problems
from consult.analysis.phrases import has_negation, normalise_label
from consult.analysis.types import AnswerText, TextSource, Theme

LONG_ANSWER = (
    "When my housing benefit claim went wrong I phoned the council every day for three weeks, waiting on hold "
    "for an hour each time, and nobody could tell me what the computer had decided or why it had decided it."
)

ANSWERS = {
    answer.id: answer
    for answer in [
        AnswerText(1, "  I waited an hour on the phone.   Then the line went dead. ", "R-0001"),
        AnswerText(2, "I want to speak to a person, not a machine.", "R-0002"),
        AnswerText(3, LONG_ANSWER, "R-0003"),
        AnswerText(4, 'The letter said "computer says no" and nothing else.', "R-0004"),
        AnswerText(5, "There must be a clear way to appeal to a human.", "R-0005"),
        AnswerText(6, "Please publish how accurate the tool is.", "R-0006"),
        AnswerText(7, "", "R-0007"),
        AnswerText(8, "NHS staff should be consulted too.", "R-0008"),
    ]
}

# One question's answers, by theme, as a consultation on council services might get them. Each
# theme opens with an answer that is off its point, to show the example is chosen by closeness to
# the centre and not by position.
QUESTION_THEMES = {
    # "Did not answer" itself is a non-answer and never reaches a theme now; the same trap (stop
    # words dropping "not") on answers with something to say.
    "not told why": [
        "I completely disagree with this.",
        "I was not told why my claim was refused",
        "Not told why the claim was refused.",
        "They did not tell me why my claim was refused.",
        "I wasn't told why it was refused",
        "Never told the reason my claim was refused",
        "Nobody told me why they refused it",
    ],
    "nothing to improve": [
        "The forms were long.",
        "Nothing could have been improved.",
        "Nothing, it was all fine",
        "I can't think of anything that could have been improved",
        "Nothing really, the staff were great",
        "Nothing could be improved, very happy with the service",
        "Honestly nothing needed improving",
    ],
    "damp and mould": [
        "I completely disagree with this.",
        "There is damp and mould in my bedroom and the council has done nothing.",
        "The mould keeps coming back after they paint over it.",
        "Damp in the children's room is making them ill.",
        "We have had black mould on the walls for years.",
        "Damp and mould everywhere, the repairs never fixed it.",
        "Mould on the walls and ceilings, nobody came to look at the damp.",
    ],
    "chatbot misunderstood": [
        "Buses should run later.",
        "The chatbot did not understand my question.",
        "It didn't understand what I was asking about my rent.",
        "The chatbot could not understand my question about housing benefit.",
        "The bot did not understand simple questions.",
        "I asked three times and it never understood my question.",
        "It answered a question I had not asked and didn't understand mine.",
    ],
    "want a person": [
        "The forms were long.",
        "I want to speak to a person, not a machine.",
        "Please let me speak to a real person on the phone.",
        "I would rather speak to a person who understands my situation.",
        "Speaking to a person is better than a computer.",
        "A real person on the phone understands me better than a chatbot.",
    ],
    "gp appointments": [
        "Buses should run later.",
        "It is impossible to get a GP appointment before eight in the morning.",
        "I could not get an appointment at my GP surgery for weeks.",
        "You ring at eight and all the appointments are gone.",
        "Getting a GP appointment is a nightmare.",
        "No appointments available when I need one.",
    ],
}


def _question() -> tuple[dict[int, AnswerText], list[Theme]]:
    answers: dict[int, AnswerText] = {}
    themes: list[Theme] = []
    for key, texts in enumerate(QUESTION_THEMES.values(), start=1):
        ids = [100 * key + n for n in range(len(texts))]
        answers.update({answer_id: AnswerText(answer_id, text) for answer_id, text in zip(ids, texts, strict=True)})
        # As themes.py would if the off-topic answer were nearest the centre: representatives first.
        themes.append(Theme(key, ["stem", "list"], ids, ids[:5]))
    return answers, themes


@pytest.fixture(scope="module")
def embedder():
    return load_embedder(None)


def _quotes(text: str) -> list[str]:
    return re.findall(r'"([^"]+)"', text)


def _assert_publishable(labels: list[str], answers: dict[int, AnswerText], themes: list[Theme]) -> None:
    assert len({normalise_label(label) for label in labels}) == len(labels)
    for label, theme in zip(labels, themes, strict=True):
        texts = [answers[answer_id].text for answer_id in theme.member_ids]
        assert len(label.split()) <= 8
        assert label[:1].isupper() and not label.endswith((".", ",", "!", "?"))
        assert not re.fullmatch(r"(?i)(theme|topic|cluster) \d+", label)
        assert label.count(",") == 0
        assert is_verbatim(label, texts), label  # taken from the answers themselves
        assert label_problems(label, member_texts=texts) == []


def test_offline_labels_are_phrases_from_the_answers_that_keep_their_negation() -> None:
    answers, themes = _question()

    labels = [label for label, _ in extractive_labels(themes, answers)]

    _assert_publishable(labels, answers, themes)
    by_theme = dict(zip(QUESTION_THEMES, labels, strict=True))
    assert has_negation(by_theme["not told why"]) and "refused" in by_theme["not told why"].lower()
    assert by_theme["nothing to improve"].startswith("Nothing")
    assert "damp" in by_theme["damp and mould"].lower() or "mould" in by_theme["damp and mould"].lower()
    assert has_negation(by_theme["chatbot misunderstood"]) and "understand" in by_theme["chatbot misunderstood"]
    assert not has_negation(by_theme["want a person"]) and "person" in by_theme["want a person"]
    assert "appointment" in by_theme["gp appointments"].lower()
    assert extractive_labels(themes, answers) == extractive_labels(themes, answers)


def test_labels_chosen_with_the_embedding_model_are_as_publishable_and_keep_negation(embedder) -> None:
    answers, themes = _question()
    vectors = dict(zip(answers, embedder.encode([answer.text for answer in answers.values()]), strict=True))

    chosen = extractive_labels(themes, answers, vectors=vectors, encode=embedder.encode)
    labels = [label for label, _ in chosen]

    _assert_publishable(labels, answers, themes)
    by_theme = dict(zip(QUESTION_THEMES, labels, strict=True))
    assert has_negation(by_theme["not told why"]) and "refused" in by_theme["not told why"].lower()
    assert by_theme["nothing to improve"].startswith("Nothing")
    assert has_negation(by_theme["chatbot misunderstood"])
    assert extractive_label(themes[0], answers, vectors=vectors, encode=embedder.encode)[0] == labels[0]


def test_the_example_is_the_member_nearest_the_theme_centre_not_the_first_listed(embedder) -> None:
    answers, themes = _question()
    vectors = dict(zip(answers, embedder.encode([answer.text for answer in answers.values()]), strict=True))
    damp = themes[2]
    members = np.stack([vectors[answer_id] for answer_id in damp.member_ids])
    centre = members.sum(axis=0) / np.linalg.norm(members.sum(axis=0))
    nearest = damp.member_ids[int(np.argmax(members @ centre))]

    _, description = extractive_label(damp, answers, vectors=vectors, encode=embedder.encode)

    [_, example] = _quotes(description)
    assert "disagree" not in description
    assert normalise_quoted(example.rstrip("\u2026")) in normalise_quoted(answers[nearest].text)


def test_the_example_sentence_is_the_one_nearest_the_centre_within_the_central_answer() -> None:
    # Fake embeddings on two axes: the theme is about axis 0; answer 2 is the nearest member, and its
    # second sentence is the one on the theme's point.
    answers = {
        1: AnswerText(1, "Repairs take months. The council never calls back."),
        2: AnswerText(2, "I like the new website. Repairs take months to be done."),
        3: AnswerText(3, "Repairs are slow and take months."),
    }
    vectors = {1: np.array([0.6, 0.8]), 2: np.array([0.9, 0.436]), 3: np.array([1.0, 0.0])}

    def encode(texts: list[str]) -> np.ndarray:
        return np.array([[0.0, 1.0] if "website" in text else [1.0, 0.1] for text in texts])

    theme = Theme(1, [], [1, 2, 3], [1, 3, 2])

    found = theme_text(theme, answers, vectors=vectors, encode=encode)

    assert (found.example_id, found.example) == (2, "Repairs take months to be done.")
    # Without embeddings the first representative is taken as the nearest member, and its sentence
    # sharing most words with the other members is the example.
    assert theme_text(theme, answers).example == "Repairs take months."


def test_two_themes_of_one_question_never_share_a_label() -> None:
    answers = {
        answer_id: AnswerText(answer_id, text)
        for answer_id, text in enumerate(
            [
                "The chatbot did not understand my question.",
                "The chatbot did not understand my question about rent.",
                "The chatbot did not understand my question, so I rang.",
                "The chatbot did not understand my question. It was useless for benefits.",
                "The chatbot did not understand my question. The benefits rules confused it.",
                "The chatbot did not understand my question. Benefits are complicated.",
            ],
            start=1,
        )
    }
    themes = [Theme(1, [], [1, 2, 3], [1, 2, 3]), Theme(2, [], [4, 5, 6], [4, 5, 6])]

    (first, _), (second, _) = extractive_labels(themes, answers)

    assert first == "The chatbot did not understand my question"
    assert normalise_label(second) != normalise_label(first)
    assert label_problems(second, other_labels=[first]) == []


def test_a_theme_without_usable_words_is_never_theme_n() -> None:
    label, description = extractive_label(Theme(3, [], [7], [7]), ANSWERS)

    assert not re.fullmatch(r"(?i)theme \d+", label)
    assert label_problems(label) == []
    assert description == "Answers grouped together."


def test_without_embeddings_the_first_representative_is_the_example() -> None:
    theme = Theme(1, ["phone", "person", "wait"], [1, 2, 3], [7, 1, 2])

    label, description = extractive_label(theme, ANSWERS)

    assert label == "Waited an hour on the phone"
    # Answer 7 is empty, so the first representative with text (answer 1) is quoted, one sentence.
    assert description == (
        'Answers saying "Waited an hour on the phone" or something close to it, '
        'for example "I waited an hour on the phone."'
    )
    assert extractive_label(theme, ANSWERS) == (label, description)


def test_excerpts_are_verbatim_openings_cut_at_a_word() -> None:
    cut = excerpt(LONG_ANSWER)

    assert cut.endswith("\u2026")
    assert len(cut[:-1].split()) == 20
    assert normalise_quoted(cut[:-1]) in normalise_quoted(LONG_ANSWER)
    # An answer's own double quotes become single ones, so the excerpt can sit inside a quotation.
    assert excerpt(ANSWERS[4].text) == "The letter said 'computer says no' and nothing else."
    assert normalise_quoted(excerpt(ANSWERS[4].text)) in normalise_quoted(ANSWERS[4].text)


def test_summary_has_one_cited_sentence_per_largest_theme_with_its_share_and_label() -> None:
    themes = [
        Theme(1, ["phone", "wait"], [1, 2], [1]),
        Theme(2, ["appeal", "human"], [3, 4, 5], [5, 3]),
        Theme(3, ["accuracy"], [6], [6], label="Publish the tool's accuracy"),
    ]

    summary = extractive_summary("Housing benefit chatbot", themes, ANSWERS)

    assert summary.source == TextSource.EXTRACTIVE
    assert summary.dropped_quotes == summary.dropped_figures == 0
    assert [sentence.answer_ids for sentence in summary.sentences] == [[5, 3], [1], [6]]
    assert summary.sentences[0].text.startswith("3 of 8 answers (38%) said")
    label = extractive_label(themes[0], ANSWERS)[0]
    assert summary.sentences[1].text == (
        f'2 of 8 answers (25%) said "{label}" or similar, for example "I waited an hour on the phone."'
    )
    # A label that is not the answers' words is named, not quoted.
    assert summary.sentences[2].text.startswith("1 of 8 answers (12%) fall under the theme Publish the tool's accuracy")
    for sentence in summary.sentences:
        quoted_answer = ANSWERS[sentence.answer_ids[0]].text
        assert normalise_quoted(_quotes(sentence.text)[-1].rstrip("\u2026")) in normalise_quoted(quoted_answer)


def test_summary_uses_given_counts_keeps_six_themes_and_skips_themes_without_answers() -> None:
    themes = [Theme(key, [f"word{key}"], [key], [key]) for key in range(1, 9)]
    counts = {key: key for key in range(1, 9)}

    summary = extractive_summary("Title", themes, ANSWERS, counts)

    # The six largest by count are themes 8 to 3; theme 7 has nothing to quote or cite, so it is left out.
    assert [sentence.answer_ids for sentence in summary.sentences] == [[8], [6], [5], [4], [3]]
    assert summary.sentences[0].text.startswith("8 of 8 answers (100%) said")
    assert extractive_summary("Title", themes, ANSWERS, counts) == summary
    assert extractive_summary("Title", [], ANSWERS).sentences == []
