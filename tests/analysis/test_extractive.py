"""Offline labels and summaries: phrases cut from the answers, quoted verbatim and cited."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from consult.analysis.embedding import load_embedder
from consult.analysis.evidence import is_verbatim, normalise_quoted
from consult.analysis.extractive import (
    excerpt,
    excerpt_making,
    extractive_label,
    extractive_labels,
    extractive_summary,
    theme_text,
)
from consult.analysis.labels import MAX_LABEL_WORDS, label_problems, same_word
from consult.analysis.phrases import candidate_phrases, has_negation, is_stance, normalise_label
from consult.analysis.types import AnswerText, TextSource, Theme
from tests.analysis.theme_answers import CHATBOT_MISUNDERSTOOD, NOTHING_TO_IMPROVE

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
    "nothing to improve": ["The forms were long.", *NOTHING_TO_IMPROVE],
    "damp and mould": [
        "I completely disagree with this.",
        "There is damp and mould in my bedroom and the council has done nothing.",
        "The mould keeps coming back after they paint over it.",
        "Damp in the children's room is making them ill.",
        "We have had black mould on the walls for years.",
        "Damp and mould everywhere, the repairs never fixed it.",
        "Mould on the walls and ceilings, nobody came to look at the damp.",
    ],
    "chatbot misunderstood": ["Buses should run later.", *CHATBOT_MISUNDERSTOOD],
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


def test_every_example_makes_its_labels_point_never_an_off_point_opener(embedder) -> None:
    answers, themes = _question()
    vectors = dict(zip(answers, embedder.encode([answer.text for answer in answers.values()]), strict=True))

    chosen = extractive_labels(themes, answers, vectors=vectors, encode=embedder.encode)

    for theme, (label, description) in zip(themes, chosen, strict=True):
        [said, example] = _quotes(description)
        assert said == label
        members = [answers[answer_id].text for answer_id in theme.member_ids]
        assert any(normalise_quoted(example.strip("\u2026")) in normalise_quoted(text) for text in members)
        # Each theme opens with an answer off its point; none is ever the example.
        assert example not in {"I completely disagree with this.", "The forms were long.", "Buses should run later."}
        [label_vector, example_vector] = embedder.encode([label, example])
        assert float(label_vector @ example_vector) >= 0.6, (label, example)


# A theme as real answers make one: each answer makes the shared point (the council's phone goes
# unanswered) in its own words, beside a point of its own that no other member makes.
MIXED_THEME = [
    "The website is slow and keeps logging me out. Nobody answers the phone at the council.",
    "My bins have been missed three weeks running. Nobody ever picks up the phone when I ring the council.",
    "Parking near the library is a nightmare. The council's phone line is never answered.",
    "I rang the council ten times and nobody answered the phone. The park needs more benches.",
    "Street lights on my road have been broken since March. No one answers the council phone line.",
    "The bus to the town centre is always late. Nobody answers when you phone the council.",
]


def test_a_mixed_theme_is_labelled_and_illustrated_by_the_point_its_members_share(embedder) -> None:
    answers = {n: AnswerText(n, text) for n, text in enumerate(MIXED_THEME, start=1)}
    vectors = dict(zip(answers, embedder.encode(MIXED_THEME), strict=True))
    theme = Theme(1, [], list(answers), list(answers))

    label, description = extractive_label(theme, answers, vectors=vectors, encode=embedder.encode)

    assert re.search(r"(?i)phone|answer", label) and has_negation(label), label
    [_, example] = _quotes(description)
    assert re.search(r"(?i)phone", example) and has_negation(example), example
    # Without embeddings the point is found by shared words, and the example still makes it.
    label, description = extractive_label(theme, answers)
    assert re.search(r"(?i)phone|answer", label), label
    assert re.search(r"(?i)phone", _quotes(description)[-1])


def test_the_example_is_a_sentence_of_the_labels_point_not_the_central_answers_other_sentence() -> None:
    # Fake embeddings on two axes: the theme is about axis 0; answer 2 is the nearest member, and its
    # first sentence is off the point.
    answers = {
        1: AnswerText(1, "Repairs take months. The council never calls back."),
        2: AnswerText(2, "I like the new website. Repairs take months to be done."),
        3: AnswerText(3, "Repairs are slow and take months."),
    }
    vectors = {1: np.array([0.6, 0.8]), 2: np.array([0.9, 0.436]), 3: np.array([1.0, 0.0])}

    def encode(texts: list[str]) -> np.ndarray:
        return np.array([[0.0, 1.0] if "website" in text or "calls back" in text else [1.0, 0.1] for text in texts])

    theme = Theme(1, [], [1, 2, 3], [1, 3, 2])

    for found in (theme_text(theme, answers, vectors=vectors, encode=encode), theme_text(theme, answers)):
        assert "months" in found.candidates[0]
        for candidate in found.candidates[:3]:
            example_id, example = found.example_for(candidate)
            assert "months" in example and example in answers[example_id].text
        # The example is more than the label said again, when another member says it differently.
        assert normalise_label(found.example_for(found.candidates[0])[1]) != normalise_label(found.candidates[0])


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
    # The first cited answer is the one quoted; the theme's representatives follow.
    assert [sorted(sentence.answer_ids) for sentence in summary.sentences] == [[3, 5], [1, 2], [6]]
    assert summary.sentences[0].text.startswith("3 of 8 answers (38%) said")
    label, description = extractive_label(themes[0], ANSWERS)
    assert (
        summary.sentences[1].text
        == f'2 of 8 answers (25%) said "{label}" or similar, for example "{_quotes(description)[1]}"'
    )

    # A label that is not the answers' words is named, not quoted.
    assert summary.sentences[2].text.startswith("1 of 8 answers (12%) fall under the theme Publish the tool's accuracy")
    for sentence in summary.sentences:
        quoted_answer = ANSWERS[sentence.answer_ids[0]].text
        assert normalise_quoted(_quotes(sentence.text)[-1].strip("\u2026")) in normalise_quoted(quoted_answer)


def test_summary_uses_given_counts_keeps_six_themes_and_skips_themes_without_answers() -> None:
    themes = [Theme(key, [f"word{key}"], [key], [key]) for key in range(1, 9)]
    counts = {key: key for key in range(1, 9)}

    summary = extractive_summary("Title", themes, ANSWERS, counts)

    # The six largest by count are themes 8 to 3; theme 7 has nothing to quote or cite, so it is left out.
    assert [sentence.answer_ids for sentence in summary.sentences] == [[8], [6], [5], [4], [3]]
    assert summary.sentences[0].text.startswith("8 of 8 answers (100%) said")
    assert extractive_summary("Title", themes, ANSWERS, counts) == summary
    assert extractive_summary("Title", [], ANSWERS).sentences == []


@pytest.mark.parametrize(
    ("sentence", "wrong"),
    [
        # A clause cut before its condition can say the opposite of the sentence.
        ("Make sure no one meets the assistant on the phone line unless they choose to.", "no one meets"),
        ("Keep the office open except on Sundays when nobody comes.", "keep the office open"),
        # Words that link points make none.
        ("Having said that, chatbots are often a nightmare with screen readers.", "having said"),
        ("The forms are long, that said, the staff are kind.", "said"),
        ("To be fair, keeping everything in UK data centres is right.", "to be fair"),
        ("I can see that keeping everything in UK data centres is the right thing to do.", "can see that"),
        # Openings cut where the meaning is not finished.
        ("I don't like the idea of a computer looking at photos of the inside of my home.", "looking"),
        ("Make the Welsh version as good as the English one, please, for everyone.", "as good"),
        # "I'd" is "would", never "D".
        ("I'm autistic and I find talking on the phone really hard, so I'd use the chat.", "d use"),
    ],
)
def test_label_candidates_never_cut_a_sentence_where_it_changes_or_loses_its_meaning(sentence: str, wrong: str) -> None:
    for phrase in candidate_phrases(sentence, MAX_LABEL_WORDS):
        assert not normalise_label(phrase).endswith(wrong) and normalise_label(phrase) != wrong, phrase
        assert not normalise_label(phrase).startswith(wrong), phrase


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Damp and mould get reported as routine and then left for months.", "Damp and mould get reported as routine"),
        ("Nothing would make me trust it.", "Nothing would make me trust it"),
        ("I don't think anything would.", "Don't think anything would"),
        ("Only if it was run by the department and not outsourced.", "Run by the department and not outsourced"),
        ("I'm autistic and I find talking on the phone really hard, so I'd use the chat.", "Would use the chat"),
    ],
)
def test_label_candidates_keep_whole_points(sentence: str, expected: str) -> None:
    assert expected in candidate_phrases(sentence, MAX_LABEL_WORDS)


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("We do not support the proposal.", True),
        ("We have serious reservations about the proposal and cannot support it as it stands.", True),
        ("I strongly agree.", True),
        ("Good idea", True),
        ("No more staff cuts.", False),
        ("Not enough staff", False),
        ("I support keeping the phone line open.", False),
        ("The proposal ignores people without internet.", False),
    ],
)
def test_a_stance_is_told_apart_from_a_point(text: str, stance: bool) -> None:
    assert is_stance(text) is stance


def test_a_stance_is_never_a_themes_point_when_its_answers_give_reasons(embedder) -> None:
    texts = [
        "We do not support the proposal. Older people will be left without help.",
        "I do not support this proposal. Older people will struggle to use it.",
        "We cannot support the proposal. Many older people have no internet.",
        "Do not support the proposal. My elderly mother could never use a chatbot.",
        "We oppose the proposal. Older residents need to talk to a person.",
    ]
    answers = {n: AnswerText(n, text) for n, text in enumerate(texts, start=1)}
    vectors = dict(zip(answers, embedder.encode(texts), strict=True))

    label, description = extractive_label(
        Theme(1, [], list(answers), list(answers)), answers, vectors=vectors, encode=embedder.encode
    )

    assert not is_stance(label) and "support" not in label.lower(), label
    assert "support" not in _quotes(description)[-1].lower()


def test_a_theme_whose_members_mostly_make_other_points_is_described_as_several_points(embedder) -> None:
    texts = [
        "The website keeps crashing.",
        "Nobody answers the phone.",
        "Bins are never collected on time.",
        "Parking in town is impossible.",
        "Street lights are broken.",
        "Nobody ever answers the phone line.",
    ]
    answers = {n: AnswerText(n, text) for n, text in enumerate(texts, start=1)}
    vectors = dict(zip(answers, embedder.encode(texts), strict=True))
    theme = Theme(1, [], list(answers), list(answers))

    label, description = extractive_label(theme, answers, vectors=vectors, encode=embedder.encode)

    assert description.startswith(f'Answers on several points, most often "{label}"'), description
    summary = extractive_summary("Council services", [replace(theme, label=label)], answers)
    assert "made several points, most often" in summary.sentences[0].text


def test_a_label_is_spelt_as_most_of_its_answers_spell_it() -> None:
    texts = [
        "Older poeple need to sit down with someone who can see their letters.",
        "Older people need to sit down with someone who can see their letters.",
        "Older people need to sit down with someone, whatever the computer says.",
        "Older people need to sit down with someone face to face.",
    ]
    answers = {n: AnswerText(n, text) for n, text in enumerate(texts, start=1)}
    # The misspelt answer is the most central (the first representative).
    found = theme_text(Theme(1, [], [1, 2, 3, 4], [1, 2, 3, 4]), answers)

    assert found.candidates[0] == "Older people need to sit down"
    assert not any("poeple" in candidate for candidate in found.candidates)
    assert same_word("people", "poeple") and same_word("advisers", "advisors")
    assert not same_word("form", "from") and not same_word("people", "purple")


def test_a_long_sentences_example_shows_the_words_of_its_point() -> None:
    sentence = (
        "No, just no, and nobody who is frightened about their rent wants to type into a chat box "
        "at midnight, and I have anxiety so I ring instead."
    )

    shown = excerpt_making(sentence, "Have anxiety")

    assert shown.startswith("\u2026") and "I have anxiety" in shown
    assert is_verbatim(shown, [sentence])
    assert excerpt_making("I have anxiety.", "Have anxiety") == "I have anxiety."
    assert excerpt_making(sentence, "No point anywhere") == excerpt(sentence)
