"""Personal data redaction: what runs on every answer before it is analysed or sent to a model.

Each kind of personal data is one compiled regular expression, sometimes with a check that a
pattern alone cannot express (a Luhn or modulus-11 check digit, the National Insurance prefix
rules). Matches of every kind are collected against the original text, overlaps are resolved
longest first, and each kept match is replaced by a bracketed placeholder naming its kind.

Names of people are deliberately not detected: no pattern finds them without also redacting
place names, organisations and ordinary capitalised words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Stored with each redacted answer; answers redacted under an older version are redone. Bump it
# whenever a pattern or rule below changes what is found.
REDACTION_VERSION = "2026.1"

EMAIL = "email"
PHONE = "phone"
POSTCODE = "postcode"
NI_NUMBER = "ni_number"
NHS_NUMBER = "nhs_number"
CARD_NUMBER = "card_number"
STREET_ADDRESS = "street_address"

PLACEHOLDERS: dict[str, str] = {
    EMAIL: "[email address]",
    PHONE: "[phone number]",
    POSTCODE: "[postcode]",
    NI_NUMBER: "[National Insurance number]",
    NHS_NUMBER: "[NHS number]",
    CARD_NUMBER: "[card number]",
    STREET_ADDRESS: "[street address]",
}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind and where it was in the original text."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Redacted:
    """A text with its personal data replaced by placeholders, and what was replaced."""

    text: str
    findings: list[Finding]

    @property
    def has_personal_data(self) -> bool:
        return bool(self.findings)


# --- Patterns -----------------------------------------------------------------------------------
# Digits are written [0-9], not \d, because \d also matches other scripts' digits.

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9\-])"
)

# A UK number has 9 or 10 digits after the trunk 0 (or after +44), never starting 0, 4 or 6.
# Any single space or hyphen may sit between digits, and the area code may be in brackets.
# The 10-digit form may be followed by another number ("0117 496 0123 2 times") because no UK
# number is longer; the 9-digit form may not, or it would match the front of a longer number.
_PHONE_TAIL_10 = r"(?:\)?[ \-]?[0-9]){9}(?!\w)"
_PHONE_TAIL_9 = r"(?:\)?[ \-]?[0-9]){8}(?!\w|[ \-]?\)?[ \-]?[0-9])"
_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:"
    # Domestic: 07700 900123, (020) 7946 0321, 0117 496 0123. A bracket opens only if it closes
    # after the area code, so "(07700 900123)" is found without its brackets.
    rf"(?:\((?=0[0-9]{{2,4}}\)))?0[1235789](?:{_PHONE_TAIL_10}|{_PHONE_TAIL_9})"
    # International: +44 7700 900123, +44 (0)20 7946 0321, 0044 117 496 0123.
    r"|(?:\+44|\(\+44\)|0044)[ \-]?(?:\(0\)[ \-]?)?[1235789]"
    r"(?:(?:[ \-]?[0-9]){9}(?!\w)|(?:[ \-]?[0-9]){8}(?!\w|[ \-][0-9]))"
    r")"
)

# Full postcodes only: an outward code alone (SW1A, M1) names a district, not a home.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:GIR ?0AA|[A-PR-UWYZ](?:[A-HK-Y]?[0-9][0-9A-Z]?) ?[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# "ps5 2nd hand", "m4 3rd exit": lower-case ordinals look like inward codes.
_ORDINAL_INWARD = re.compile(r"[0-9](?:st|nd|rd|th)")

# Two prefix letters (D, F, I, Q, U, V never; O never second; some pairs never issued), six
# digits, a suffix A to D. QQ is never issued but is HMRC's documented example, so people
# copy it, and it is caught too.
_NI_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?P<prefix>QQ|(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])"
    r"[ \-]?(?:[0-9]{2}[ \-]?[0-9]{2}[ \-]?[0-9]{2}|[0-9]{3}[ \-][0-9]{3})[ \-]?[A-D]"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)

_NHS_NUMBER = re.compile(r"(?<![\w\-])[0-9]{3}[ \-]?[0-9]{3}[ \-]?[0-9]{4}(?![\w\-]|[ \-][0-9])")

# Card numbers as people write them: unbroken, in groups of four (13 to 19 digits), or in the
# 4-6-5 and 4-6-4 groups of American Express and Diners cards. Card numbers start 2 to 6.
_CARD_NUMBER = re.compile(
    r"(?<![\w\-])"
    r"(?:[2-6][0-9]{12,18}"
    r"|[2-6][0-9]{3}(?P<sep>[ \-])[0-9]{4}(?P=sep)[0-9]{4}(?:(?P=sep)[0-9]{1,4})?(?:(?P=sep)[0-9]{1,3})?"
    r"|3[0-9]{3}(?P<amex>[ \-])[0-9]{6}(?P=amex)[0-9]{4,5})"
    r"(?![\w\-]|[ \-][0-9])"
)

_STREET_TYPES = (
    "Road|Street|Avenue|Lane|Close|Drive|Way|Place|Crescent|Gardens|Terrace|Court|Grove|Hill|Square"
    "|Row|Walk|Mews|Parade|Rd|St|Ave|Ln"
)
# \u2019 is the curly apostrophe ("St Mary\u2019s"), \u2013 the en dash ("12\u201314").
_CAPITALISED = r"[A-ZÀ-ÖØ-ÞŴŶ][\w'\u2019\-]*"
_HOUSE = r"[0-9]{1,4}[A-Za-z]?(?:[\-\u2013][0-9]{1,4}[A-Za-z]?)?"
# "45 High Street", "Flat 3, 45 High Street", "12a Acacia Avenue", and Welsh forms, where the
# street word comes first: "23 Stryd Fawr", "7 Heol y Bont".
_STREET_ADDRESS = re.compile(
    r"(?<![\w£$€.,:/\-])"
    r"(?:(?:Flat|Apartment|Apt\.?|Unit|Room|Fflat)\s+[0-9]{1,4}[A-Za-z]?,?\s+)?"
    rf"(?P<house>{_HOUSE}),?\s+"
    rf"(?:(?P<name>(?:{_CAPITALISED}\s+){{1,4}})(?:{_STREET_TYPES})"
    rf"|(?:Heol|Stryd|Ffordd|Lôn|Rhodfa|Cilgant)(?:\s+(?:y|yr))?\s+{_CAPITALISED})"
    r"(?![\w'\u2019\-])"
)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _nhs_check_ok(digits: str) -> bool:
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    # A remainder giving 10 is never issued, so such a number is not an NHS number.
    return check != 10 and check == int(digits[9])


def _only_digits(text: str) -> str:
    return "".join(character for character in text if character.isascii() and character.isdigit())


def _phone_ok(match: re.Match[str]) -> bool:
    # A bracket opened around the area code must be closed exactly once.
    text = match.group()
    return text.count(")") == text.count("(")


def _postcode_ok(match: re.Match[str]) -> bool:
    text = match.group()
    return not (text[-3:].islower() and _ORDINAL_INWARD.fullmatch(text[-3:]))


def _ni_ok(match: re.Match[str]) -> bool:
    # Lower-case prefixes are accepted only unbroken ("qq123456c"): spaced lower case is too
    # often prose ("at 123456 a").
    text = match.group()
    return match.group("prefix").isupper() or not any(character in " -" for character in text)


def _nhs_ok(match: re.Match[str]) -> bool:
    return _nhs_check_ok(_only_digits(match.group()))


def _card_ok(match: re.Match[str]) -> bool:
    digits = _only_digits(match.group())
    return 13 <= len(digits) <= 19 and _luhn_ok(digits)


# "3 Crown Court hearings": courts are named like streets.
_COURTS = frozenset({"High", "Crown", "County", "Supreme", "Magistrates", "Magistrates'", "Family", "Youth", "Appeal"})


def _street_ok(match: re.Match[str]) -> bool:
    # "in 2019 Downing Street said": a year is not a house number.
    house = match.group("house")
    if len(house) == 4 and house.isdigit() and 1800 <= int(house) <= 2099:
        return False
    name = match.group("name")
    return not (name and match.group().endswith("Court") and name.split()[-1] in _COURTS)


# Most specific first: when two matches cover exactly the same span, the earlier kind wins (a
# ten-digit number with a valid NHS check digit is reported as an NHS number, not a phone number).
_DETECTORS: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], bool] | None], ...] = (
    (EMAIL, _EMAIL, None),
    (CARD_NUMBER, _CARD_NUMBER, _card_ok),
    (NHS_NUMBER, _NHS_NUMBER, _nhs_ok),
    (NI_NUMBER, _NI_NUMBER, _ni_ok),
    (PHONE, _PHONE, _phone_ok),
    (POSTCODE, _POSTCODE, _postcode_ok),
    (STREET_ADDRESS, _STREET_ADDRESS, _street_ok),
)

# Every kind needs a digit or an @, so text without either (most answers) skips the patterns.
_MAY_HAVE_PERSONAL_DATA = re.compile(r"[0-9@]")


def _candidates(text: str) -> list[tuple[int, int, int, str]]:
    """Every valid match of every kind, as (start, end, priority, kind)."""
    found: list[tuple[int, int, int, str]] = []
    for priority, (kind, pattern, is_valid) in enumerate(_DETECTORS):
        position = 0
        while match := pattern.search(text, position):
            if is_valid is None or is_valid(match):
                found.append((match.start(), match.end(), priority, kind))
                position = match.end()
            else:
                # A rejected match may hide a valid one starting inside it, which finditer
                # would skip over.
                position = match.start() + 1
    return found


def _resolve(candidates: list[tuple[int, int, int, str]]) -> list[Finding]:
    """Keep the longest of overlapping candidates, then the most specific kind."""
    kept: list[Finding] = []
    for start, end, _priority, kind in sorted(candidates, key=lambda c: (c[0] - c[1], c[2], c[0])):
        if all(end <= other.start or start >= other.end for other in kept):
            kept.append(Finding(kind, start, end))
    return kept


def _mask(text: str, findings: list[Finding]) -> str:
    # NUL is outside every pattern and every lookaround, exactly like the brackets that open and
    # close a placeholder, so masked text reads to the patterns as the redacted text would.
    for finding in findings:
        text = text[: finding.start] + "\x00" * (finding.end - finding.start) + text[finding.end :]
    return text


def find_personal_data(text: str) -> list[Finding]:
    """The personal data in `text`, in order, none overlapping another.

    Where matches overlap, the longest wins (a card number over the phone-like digits inside it),
    then the most specific kind. A number written right before another ("943 476 5919 07700
    900123") is only recognisable once its neighbour is gone, so the search repeats over the text
    with what was found masked until nothing new turns up: this is what makes redacting twice
    the same as redacting once.
    """
    if not _MAY_HAVE_PERSONAL_DATA.search(text):
        return []
    findings = _resolve(_candidates(text))
    new = findings
    while new:
        text = _mask(text, new)
        new = _resolve(_candidates(text))
        findings.extend(new)
    return sorted(findings, key=lambda finding: finding.start)


def redact(text: str) -> Redacted:
    """Replace the personal data in `text` with placeholders such as "[email address]".

    Finds email addresses, UK phone numbers, full UK postcodes, National Insurance numbers, NHS
    numbers (valid check digit), payment card numbers (valid Luhn check) and street addresses
    with a house number. Findings carry offsets into the original `text`. Redacting redacted
    text changes nothing: placeholders contain nothing any pattern finds.
    """
    findings = find_personal_data(text)
    if not findings:
        return Redacted(text, [])
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(PLACEHOLDERS[finding.kind])
        position = finding.end
    parts.append(text[position:])
    return Redacted("".join(parts), findings)
