"""Personal data is replaced by placeholders before any text is analysed or sent to a model."""

import csv
import random
from pathlib import Path

import pytest

from consult.analysis.redaction import REDACTION_VERSION, Finding, Redacted, redact

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

PERSONAL_DATA = [
    # (kind, as written, placeholder)
    ("email", "jo.bloggs@example.com", "[email address]"),
    ("email", "jo.bloggs+consult@example.co.uk", "[email address]"),
    ("email", "J_Parry-Rowe99@mail.example.org", "[email address]"),
    ("phone", "07700 900123", "[phone number]"),
    ("phone", "07700900123", "[phone number]"),
    ("phone", "07700 900 123", "[phone number]"),
    ("phone", "+44 7700 900123", "[phone number]"),
    ("phone", "+447700900123", "[phone number]"),
    ("phone", "+44 (0)7700 900123", "[phone number]"),
    ("phone", "0044 7700 900123", "[phone number]"),
    ("phone", "(020) 7946 0321", "[phone number]"),
    ("phone", "020 7946 0321", "[phone number]"),
    ("phone", "020-7946-0321", "[phone number]"),
    ("phone", "+44 20 7946 0321", "[phone number]"),
    ("phone", "0117 496 0123", "[phone number]"),
    ("phone", "(0117) 496 0123", "[phone number]"),
    ("phone", "01632 960123", "[phone number]"),
    ("phone", "0800 123 4567", "[phone number]"),
    ("phone", "0800 123 456", "[phone number]"),
    ("postcode", "SW1A 1AA", "[postcode]"),
    ("postcode", "m1 1ae", "[postcode]"),
    ("postcode", "EC1A1BB", "[postcode]"),
    ("postcode", "GIR 0AA", "[postcode]"),
    ("postcode", "B33 8TH", "[postcode]"),
    ("postcode", "DN55 1PT", "[postcode]"),
    ("postcode", "cr2 6xh", "[postcode]"),
    ("ni_number", "QQ 12 34 56 C", "[National Insurance number]"),
    ("ni_number", "QQ123456C", "[National Insurance number]"),
    ("ni_number", "AB 123456 C", "[National Insurance number]"),
    ("ni_number", "JG103759A", "[National Insurance number]"),
    ("ni_number", "ab123456d", "[National Insurance number]"),
    ("nhs_number", "943 476 5919", "[NHS number]"),
    ("nhs_number", "9434765919", "[NHS number]"),
    ("nhs_number", "943-476-5919", "[NHS number]"),
    ("card_number", "4111 1111 1111 1111", "[card number]"),
    ("card_number", "4111111111111111", "[card number]"),
    ("card_number", "5500-0000-0000-0004", "[card number]"),
    ("card_number", "3782 822463 10005", "[card number]"),
    ("card_number", "4222222222222", "[card number]"),
    ("street_address", "45 High Street", "[street address]"),
    ("street_address", "Flat 3, 45 High Street", "[street address]"),
    ("street_address", "12a Acacia Avenue", "[street address]"),
    ("street_address", "7 Old Mill Lane", "[street address]"),
    ("street_address", "2 St Mary's Road", "[street address]"),
    ("street_address", "10 Chestnut Close", "[street address]"),
    ("street_address", "3 Harbour Mews", "[street address]"),
    ("street_address", "23 Stryd Fawr", "[street address]"),
    ("street_address", "7 Heol y Bont", "[street address]"),
]


@pytest.mark.parametrize(("kind", "value", "placeholder"), PERSONAL_DATA)
def test_each_kind_of_personal_data_is_replaced_by_its_placeholder(kind: str, value: str, placeholder: str) -> None:
    text = f"Please contact me: {value}, thanks."

    result = redact(text)

    assert result.text == f"Please contact me: {placeholder}, thanks."
    assert result.findings == [Finding(kind, 19, 19 + len(value))]
    assert result.has_personal_data


@pytest.mark.parametrize(("kind", "value", "placeholder"), PERSONAL_DATA)
def test_personal_data_is_found_at_the_start_and_end_of_the_text(kind: str, value: str, placeholder: str) -> None:
    assert redact(value).text == placeholder
    assert redact(f"{value}\n").text == f"{placeholder}\n"
    assert redact(f"({value})").text == f"({placeholder})"


@pytest.mark.parametrize(
    "text",
    [
        "It went wrong in 2019 and again in 2021.",
        "The pilot costs £1,200,000, about £1,200 per adviser.",
        "I waited from 12:30 until 14:45 on 14/03/2026.",
        "It took 3 weeks, then another 2 weeks, then 10 days.",
        "About 6,000 repair requests a month, 72,000 a year.",
        "91% of answers were right, 6% incomplete and 3% wrong; 0.5% complained.",
        "Keep the reference R-7KX4-M9PT-2HQD for your records.",
        "Under section 12(3) of the Data Protection Act 2018 and Article 8, see s. 149 and paragraph 4.2.1.",
        "Regulation 2019/1234 and sections 20 to 24 apply.",
        "The case number was 12345678 and the claim number 87654321.",
        "Call between 9am and 5pm, or after 6pm.",
        "In 2019 Downing Street promised change.",
        "There were 3 Crown Court hearings and 2 High Court cases.",
        "The outward codes SW1A and M1 cover whole districts.",
        "I bought a ps5 2nd hand; take the M4 3rd exit.",
        "Numbers 1 2 3 4 5 6 7 8 9 10 in a list.",
        "The years 2019 2020 2021 2022 were hard.",
        "My payment of 4111 1111 1111 1112 went astray.",  # fails the Luhn check
        "NHS number 943 476 5918 is not valid.",  # fails the modulus 11 check
        "DA 12 34 56 C and GB 12 34 56 A are never issued.",
        "I was at 5 o'clock on the 3rd Floor.",
        "Only 1 in 4 people, 25 out of 100, said yes.",
        "Version 2.3.1 was released on 2024-05-01.",
    ],
)
def test_ordinary_consultation_text_is_left_alone(text: str) -> None:
    result = redact(text)

    assert result == Redacted(text, [])
    assert not result.has_personal_data


@pytest.mark.parametrize(
    "text",
    [
        "Mae'r Gymraeg yn bwysig i mi ac i fy nheulu.",
        "Rwy'n byw yng Nghaerdydd ers blynyddoedd, ac rwy'n defnyddio'r ffôn bob dydd.",
        "Dylai pawb gael siarad â pherson, nid peiriant. Diolch yn fawr.",
        "Mae 3 o blant gyda fi ac rwy'n aros 6 wythnos am ateb.",
        "Ŵyr, ŷd, tŷ, café, naïve, Zürich, Łódź, こんにちは, مرحبا.",
        "Emoji are fine 👍 and so are “curly quotes” and — dashes.",
    ],
)
def test_welsh_and_other_non_ascii_text_is_left_alone(text: str) -> None:
    assert redact(text) == Redacted(text, [])


def test_empty_text_has_no_personal_data() -> None:
    result = redact("")

    assert result == Redacted("", [])
    assert not result.has_personal_data


def test_findings_point_into_the_original_text_when_there_are_several_kinds() -> None:
    text = (
        "I'm at Flat 3, 45 High Street, Leeds LS1 4AB. Ring 07700 900123 or email jo@example.com.\n"
        "NI number QQ 12 34 56 C, NHS number 943 476 5919, card 4111 1111 1111 1111."
    )

    result = redact(text)

    assert [(finding.kind, text[finding.start : finding.end]) for finding in result.findings] == [
        ("street_address", "Flat 3, 45 High Street"),
        ("postcode", "LS1 4AB"),
        ("phone", "07700 900123"),
        ("email", "jo@example.com"),
        ("ni_number", "QQ 12 34 56 C"),
        ("nhs_number", "943 476 5919"),
        ("card_number", "4111 1111 1111 1111"),
    ]
    assert result.text == (
        "I'm at [street address], Leeds [postcode]. Ring [phone number] or email [email address].\n"
        "NI number [National Insurance number], NHS number [NHS number], card [card number]."
    )


def test_overlapping_matches_keep_the_longest() -> None:
    # The postcode and phone number inside the email addresses are part of them.
    text = "Write to sw1a1aa@example.com or 07700900123@example.org."

    result = redact(text)

    assert result.text == "Write to [email address] or [email address]."
    assert [finding.kind for finding in result.findings] == ["email", "email"]


def test_a_number_that_fits_two_kinds_is_reported_as_the_more_specific() -> None:
    # Shaped like a phone number, and its last digit is a valid NHS check digit.
    assert redact("Number 012 345 6789 here.").text == "Number [NHS number] here."


def test_a_number_written_right_before_another_is_found_too() -> None:
    text = "943 476 5919 07700 900123 4111 1111 1111 1111 943 476 5919"

    result = redact(text)

    assert result.text == "[NHS number] [phone number] [card number] [NHS number]"
    assert [text[finding.start : finding.end] for finding in result.findings] == [
        "943 476 5919",
        "07700 900123",
        "4111 1111 1111 1111",
        "943 476 5919",
    ]


def test_a_bracketed_phone_number_loses_only_the_number() -> None:
    assert redact("Call me (07700 900123) any time.").text == "Call me ([phone number]) any time."


def test_placeholders_are_never_redacted() -> None:
    text = (
        "[email address] [phone number] [postcode] [National Insurance number] [NHS number] [card number] "
        "[street address]"
    )

    assert redact(text) == Redacted(text, [])


IDEMPOTENCE_PIECES = [
    "07700 900123",
    "0117 496 0123",
    "(020) 7946 0321",
    "+44 7700 900123",
    "SW1A 1AA",
    "m1 1ae",
    "QQ 12 34 56 C",
    "943 476 5919",
    "4111 1111 1111 1111",
    "45 High Street",
    "Flat 3,",
    "jo@example.com",
    "in 2019",
    "£1,200",
    "12:30",
    "14/03/2026",
    "R-7KX4-M9PT-2HQD",
    "12",
    "0",
    "-",
    "(",
    ")",
    "+44",
    "Road",
    "High",
    "Court",
    "the",
    "07",
    "700",
    "1AA",
    "@",
    "example.com",
    "Heol",
    "ŵ",
    ",",
    ".",
    "\n",
    "[phone number]",
]


def test_redacting_twice_changes_nothing_more() -> None:
    rng = random.Random(7)
    texts = [" ".join(rng.choice(IDEMPOTENCE_PIECES) for _ in range(rng.randint(1, 20))) for _ in range(3000)] + [
        "".join(rng.choice(IDEMPOTENCE_PIECES) for _ in range(rng.randint(1, 6))) for _ in range(1000)
    ]

    for text in texts:
        once = redact(text).text
        assert redact(once).text == once, text


def test_redacting_twice_changes_nothing_more_when_numbers_touch() -> None:
    text = "943 476 5919 0117 496 0123 café 4111 1111 1111 1111 943 476 5919"

    once = redact(text)

    assert redact(once.text) == Redacted(once.text, [])


def test_redaction_handles_twenty_thousand_answers() -> None:
    rng = random.Random(11)
    templates = [
        "I do not agree with this, a person should answer the phone.",
        "Ring me on 07700 900{n:03d} if you want to talk about it.",
        "I live at {n} Station Road and the office there closed in 2019.",
        "It took {n} weeks and cost me £1,{n:03d} in calls.",
        "Email me at person{n}@example.com please.",
    ]
    texts = [rng.choice(templates).format(n=rng.randint(1, 999)) for _ in range(20_000)]

    results = [redact(text) for text in texts]

    assert sum(result.has_personal_data for result in results) > 10_000
    assert all("07700" not in result.text and "@" not in result.text for result in results)


def test_the_demo_personal_data_is_redacted() -> None:
    from consult.demo.benefit_phrases import PERSONAL_DATA as DEMO_PERSONAL_DATA

    # Names are not detected by design; every other planted detail carries a digit or an @.
    planted = [
        text for text in DEMO_PERSONAL_DATA if any(character.isdigit() or character == "@" for character in text)
    ]
    assert planted

    for text in planted:
        result = redact(text)
        assert result.has_personal_data, text
        assert not any(character.isdigit() or character == "@" for character in result.text), result.text


def _shared_texts() -> list[str]:
    texts = []
    for folder, column in (
        ("polis_bowling_green", "comment-body"),
        ("polis_scoop_biodiversity", "comment-body"),
        ("banking77", "text"),
    ):
        path = SHARED_DATA / folder / ("banking77_all.csv" if folder == "banking77" else "comments.csv")
        if path.exists():
            with path.open(newline="", encoding="utf-8") as file:
                texts.extend(row[column] for row in csv.DictReader(file))
    return texts


def test_real_public_comments_and_queries_raise_no_false_alarms() -> None:
    texts = _shared_texts()
    if not texts:
        pytest.skip("../shared/data is not present")

    flagged = [text for text in texts if redact(text).has_personal_data]

    assert flagged == []


def test_the_redaction_version_fits_its_database_column() -> None:
    assert 0 < len(REDACTION_VERSION) <= 20
