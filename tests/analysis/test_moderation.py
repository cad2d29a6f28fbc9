"""The moderation detectors find abuse, spam and generated text, say what they found, and leave
ordinary answers alone."""

import pytest

from consult.analysis.moderation import (
    Concern,
    describe_personal_data,
    find_abuse,
    find_generated,
    find_spam,
    screen,
)

ORDINARY_ANSWERS = [
    "I want to speak to a real person on the phone when my claim goes wrong.",
    "I live in Scunthorpe and my adviser helped me assess what I could claim.",
    "This is a bloody stupid idea and a waste of money, frankly crap.",
    "The plan is half-baked. Please read https://www.gov.uk/guidance/benefits before you decide.",
    "My daughter is deaf and needs answers in BSL, not a chatbot.",
    "Mae angen gwasanaeth Cymraeg arnom ni yn y cwm.",
    "We will find them a better service if staff stay on the phones.",
    "I hope this helps. Furthermore, it would be cheaper to hire more staff.",
    "Price comparison sites are cheaper; the assistant should link to the £20 crisis fund.",
    "No no no. Keep people.",
]


@pytest.mark.parametrize("text", ORDINARY_ANSWERS)
def test_ordinary_answers_raise_no_concern(text: str) -> None:
    assert screen(text) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("You are all idiots.", "idiots"),
        ("The minister is a m0r0n.", "moron"),
        ("What a load of bullshit", "bullshit"),
        ("f*ck this plan", "fuck"),
        ("This is fuuuucking ridiculous", "fucking"),
        ("Whoever wrote this is a SCUMBAG", "scumbag"),
    ],
)
def test_swearing_and_name_calling_are_abuse_even_when_disguised(text: str, found: str) -> None:
    finding = find_abuse(text)
    assert finding is not None
    assert finding.concern == Concern.ABUSE
    assert f'"{found}"' in finding.detail


@pytest.mark.parametrize("text", ["I hope you die.", "You should be shot for this", "I'll find you", "kys"])
def test_threats_are_abuse(text: str) -> None:
    finding = find_abuse(text)
    assert finding is not None
    assert finding.detail.startswith("Threatening words")


def test_words_that_contain_a_swear_word_are_not_abuse() -> None:
    assert find_abuse("Scunthorpe, Penistone and Cockermouth assess the shiitake harvest in class.") is None


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Buy now at cheapdeals.com for the lowest prices", "Selling phrases"),
        ("Great casino bonus, use promo code WIN", "Selling phrases"),
        ("see a.com and b.net and c.xyz", "3 links"),
        ("test test test test test test test", 'the word "test" repeated 7 times'),
        ("asdfghjk", "Keyboard mashing"),
        ("qwerty zxcvbn plan", "Keyboard mashing"),
    ],
)
def test_selling_links_repetition_and_mashing_are_likely_spam(text: str, signal: str) -> None:
    finding = find_spam(text)
    assert finding is not None
    assert finding.concern == Concern.SPAM
    assert signal.lower() in finding.detail.lower()


def test_one_link_or_one_price_alone_is_not_spam() -> None:
    assert find_spam("I read about this on example.com and think it is wrong.") is None
    assert find_spam("The special offer for pensioners should stay.") is None


def test_links_to_public_bodies_are_not_counted_as_spam() -> None:
    text = "See https://www.gov.uk/a, https://gov.wales/b, www.nhs.uk/c and www.ox.ac.uk/d."
    assert find_spam(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "As an AI language model, I do not have personal views on benefits.",
        "Certainly! Here is a response you could send to the consultation.",
        "I support this. Yours sincerely, [Your Name]",
    ],
)
def test_words_only_a_chat_assistant_writes_mark_text_as_likely_generated(text: str) -> None:
    finding = find_generated(text)
    assert finding is not None
    assert finding.concern == Concern.GENERATED
    assert finding.detail.startswith("Words only a chat assistant writes")


LONG_GENERATED = (
    "In today's digital age, it is important to note that artificial intelligence plays a pivotal role in "
    "public services. The proposal to deploy an assistant for benefit enquiries reflects a multifaceted "
    "challenge, and we must delve into its implications for every citizen who relies on timely, accurate "
    "information. A holistic approach would weigh speed against fairness, accessibility and trust, while "
    "making sure that people who cannot use digital channels are not left behind by the change."
)


def test_several_overused_phrases_in_a_long_answer_mark_it_as_likely_generated() -> None:
    finding = find_generated(LONG_GENERATED)
    assert finding is not None
    assert '"delve"' in finding.detail and '"multifaceted"' in finding.detail


def test_overused_phrases_in_a_short_answer_are_not_enough() -> None:
    assert find_generated("It is important to note that a multifaceted tapestry of views exists.") is None


def test_redaction_placeholders_are_described_as_personal_data() -> None:
    finding = describe_personal_data("Call me on [phone number] or [phone number], or write to [email address].")
    assert finding is not None
    assert finding.concern == Concern.PERSONAL_DATA
    assert finding.detail == "Personal data: email address, phone number (2)."
    assert describe_personal_data("Nothing personal here.") is None


def test_screen_returns_one_finding_per_concern() -> None:
    findings = screen("You idiots. Buy now at cheapdeals.com, free trial!")
    assert [finding.concern for finding in findings] == [Concern.ABUSE, Concern.SPAM]
