"""Offline labels and summaries: keywords and real answers, quoted verbatim and cited."""

from __future__ import annotations

import re

from consult.analysis.extractive import excerpt, extractive_label, extractive_summary, normalise_quoted
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


def _quotes(text: str) -> list[str]:
    return re.findall(r'"([^"]+)"', text)


def test_label_is_the_top_keywords_and_the_description_quotes_a_representative_answer() -> None:
    theme = Theme(1, ["phone", "Phone", "person", "wait", "hold"], [1, 2, 3], [7, 1, 2])

    label, description = extractive_label(theme, ANSWERS)

    assert label == "Phone, person, wait"
    # Answer 7 is empty, so the first representative with text (answer 1) is quoted, first sentence only.
    assert description == 'Answers mentioning phone, person and wait, such as "I waited an hour on the phone."'
    assert extractive_label(theme, ANSWERS) == (label, description)


def test_label_keeps_acronyms_and_copes_without_keywords_or_answers() -> None:
    assert extractive_label(Theme(2, ["NHS", "staff"], [8], [8]), ANSWERS)[0] == "NHS, staff"
    assert extractive_label(Theme(3, [], [7], [7]), ANSWERS) == ("Theme 3", "Answers grouped together.")


def test_excerpts_are_verbatim_openings_cut_at_a_word() -> None:
    cut = excerpt(LONG_ANSWER)

    assert cut.endswith("\u2026")
    assert len(cut[:-1].split()) == 20
    assert normalise_quoted(cut[:-1]) in normalise_quoted(LONG_ANSWER)
    # An answer's own double quotes become single ones, so the excerpt can sit inside a quotation.
    assert excerpt(ANSWERS[4].text) == "The letter said 'computer says no' and nothing else."
    assert normalise_quoted(excerpt(ANSWERS[4].text)) in normalise_quoted(ANSWERS[4].text)


def test_summary_has_one_cited_sentence_per_largest_theme_with_its_share() -> None:
    themes = [
        Theme(1, ["phone", "wait"], [1, 2], [1]),
        Theme(2, ["appeal", "human"], [3, 4, 5], [3, 5]),
        Theme(3, ["accuracy"], [6], [6]),
    ]

    summary = extractive_summary("Housing benefit chatbot", themes, ANSWERS)

    assert summary.source == TextSource.EXTRACTIVE
    assert summary.dropped_quotes == 0
    assert [sentence.answer_ids for sentence in summary.sentences] == [[3, 5], [1], [6]]
    assert summary.sentences[0].text.startswith("3 of 8 answers (38%) mention appeal and human, for example")
    assert (
        summary.sentences[1].text
        == '2 of 8 answers (25%) mention phone and wait, for example "I waited an hour on the phone."'
    )
    for sentence in summary.sentences:
        [quote] = _quotes(sentence.text)
        quoted_answer = ANSWERS[sentence.answer_ids[0]].text
        assert normalise_quoted(quote.rstrip("\u2026")) in normalise_quoted(quoted_answer)


def test_summary_uses_given_counts_keeps_six_themes_and_skips_themes_without_answers() -> None:
    themes = [Theme(key, [f"word{key}"], [key], [key]) for key in range(1, 9)]
    counts = {key: key for key in range(1, 9)}

    summary = extractive_summary("Title", themes, ANSWERS, counts)

    # The six largest by count are themes 8 to 3; theme 7 has nothing to quote or cite, so it is left out.
    assert [sentence.answer_ids for sentence in summary.sentences] == [[8], [6], [5], [4], [3]]
    assert summary.sentences[0].text.startswith("8 of 8 answers (100%) mention word8")
    assert extractive_summary("Title", themes, ANSWERS, counts) == summary
    assert extractive_summary("Title", [], ANSWERS).sentences == []
