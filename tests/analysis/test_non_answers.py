"""Answers with nothing substantive to say are recognised, in English and Welsh; short real answers are not."""

import pytest

from bench.non_answers import measure
from consult.analysis.non_answers import is_non_answer, non_answer_kind
from tests.analysis.non_answer_cases import CASES


def test_the_fixture_holds_many_answers_of_each_class() -> None:
    non_answers = sum(1 for _, is_labelled in CASES if is_labelled)
    assert non_answers >= 160
    assert len(CASES) - non_answers >= 160
    assert len({text for text, _ in CASES}) == len(CASES), "an answer is labelled twice"


def test_precision_and_recall_on_the_fixture_are_at_least_95_percent() -> None:
    figures = measure()
    summary = (
        f"precision {figures['precision']}, recall {figures['recall']} on {figures['answers']} answers; "
        f"flagged but substantive: {figures['false_positives']}; missed: {figures['false_negatives']}"
    )
    assert figures["precision"] >= 0.95, summary
    assert figures["recall"] >= 0.95, summary


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_an_empty_answer_is_empty(text: str) -> None:
    assert non_answer_kind(text) == "empty"


@pytest.mark.parametrize("text", ["?", "!!!", "👍", ":)", "🤷‍♀️"])
def test_punctuation_or_emoji_alone_is_a_non_answer(text: str) -> None:
    assert non_answer_kind(text) == "punctuation"


@pytest.mark.parametrize("text", ["-", "—", "...", "…", "/", "n/a", "N.A.", "xxx", "TBC", "Did not answer"])
def test_dashes_dots_and_placeholders_are_placeholders(text: str) -> None:
    assert non_answer_kind(text) == "placeholder"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Dim", "nothing to add"),
        ("Dim sylw", "nothing to add"),
        ("Dim byd i'w ychwanegu", "nothing to add"),
        ("Dim sylwadau pellach.", "nothing to add"),
        ("Dim diolch", "nothing to add"),
        ("Amherthnasol", "placeholder"),
        ("Gweler uchod", "reference"),
        ("Fel uchod", "reference"),
        ("Fel o'r blaen", "reference"),
        ("Diolch", "thanks"),
        ("Diolch yn fawr iawn!", "thanks"),
        ("Ie", "bare yes/no"),
        ("Na", "bare yes/no"),
        ("Naddo", "bare yes/no"),
        ("Dwi ddim yn siŵr", "bare yes/no"),
        ("Mae'n well gen i beidio â dweud", "refusal"),
    ],
)
def test_welsh_non_answers_are_recognised_with_their_kind(text: str, kind: str) -> None:
    assert non_answer_kind(text) == kind


@pytest.mark.parametrize(
    "text", ["Dim digon o staff", "Na, dim o gwbl i AI", "Dim ond pobl go iawn", "Diolch i'r staff am eu help"]
)
def test_welsh_answers_that_start_like_non_answers_are_substantive(text: str) -> None:
    assert non_answer_kind(text) is None


@pytest.mark.parametrize(
    "text", ["Yes", "no.", "Nooo", "nope", "Yes, thanks", "Maybe", "Not sure", "Don't know", "No, not really!"]
)
def test_a_bare_yes_no_or_dont_know_is_a_non_answer(text: str) -> None:
    assert non_answer_kind(text) == "bare yes/no"


@pytest.mark.parametrize(
    "text",
    [
        "No parking",
        "Not enough staff",
        "Nothing works",
        "No, it will make mistakes",
        "Nothing would make me trust it",
        "None of it is safe",
        "No human oversight",
        "Yes, if a person checks it",
        "Not without a right of appeal",
        "No to AI",
        "Nothing about privacy is explained",
    ],
)
def test_negation_followed_by_content_is_substantive(text: str) -> None:
    assert not is_non_answer(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("See above", "reference"),
        ("As above.", "reference"),
        ("See my answer to question 3", "reference"),
        ("Same as before", "reference"),
        ("As per previous", "reference"),
        ("I'd rather not say", "refusal"),
        ("Prefer not to answer", "refusal"),
        ("Nothing to add", "nothing to add"),
        ("No comment", "nothing to add"),
        ("No thanks", "nothing to add"),
        ("All good", "nothing to add"),
        ("Thanks for asking", "thanks"),
    ],
)
def test_references_refusals_and_nothing_to_add_are_told_apart(text: str, kind: str) -> None:
    assert non_answer_kind(text) == kind


@pytest.mark.parametrize("text", ["See a doctor faster", "Thanks to the AI my claim was late", "As a carer I worry"])
def test_see_as_and_thanks_followed_by_content_are_substantive(text: str) -> None:
    assert not is_non_answer(text)


def test_courtesy_around_a_non_answer_keeps_its_kind() -> None:
    assert non_answer_kind("N/A, thanks!") == "placeholder"
    assert non_answer_kind("Nothing further to add at this time. Many thanks.") == "nothing to add"


def test_one_typo_in_a_long_word_is_forgiven_but_a_short_word_is_not_guessed() -> None:
    assert non_answer_kind("nothign to add") == "nothing to add"
    assert non_answer_kind("thnaks") == "thanks"
    assert non_answer_kind("Nithing") == "nothing to add"
    # "nit" is one letter from "not", but short words are read as written.
    assert non_answer_kind("nit sure") is None


def test_a_real_word_one_letter_from_a_table_word_is_not_taken_for_a_typo() -> None:
    # One letter from "never", "blank" and "content", but not a neighbouring key.
    assert non_answer_kind("Fever") is None
    assert non_answer_kind("Black") is None
    assert non_answer_kind("We are context for this response to be published in full") is None


def test_padding_alone_says_something() -> None:
    assert non_answer_kind("Right now") is None
    assert non_answer_kind("Nothing right now") == "nothing to add"


def test_a_long_answer_is_never_a_non_answer() -> None:
    assert not is_non_answer(" ".join(["no"] * 30))
    assert is_non_answer(" ".join(["no"] * 3))
