"""Personal data redaction: what runs on every answer before it is analysed or sent to a model.

Each kind of personal data is one compiled regular expression, sometimes with a check that a
pattern alone cannot express (a Luhn or modulus-11 check digit, the National Insurance prefix
rules). Matches of every kind are collected against the original text, overlaps are resolved
longest first, and each kept match is replaced by a bracketed placeholder naming its kind.

Names of people are found only where the text says it is a name: "my name is ...", "I'm called
...", "I'm <first name> ...", and sign-offs ("Kind regards, Jo Marsh" at the end). A first name
must be one in the gender-guesser package's list of about 45,000 given names (so "Thanks,
Universal Credit" is not a name), except after "my name is", where any capitalised words are.
No pattern looks for names in running text: "Grace Road", "Jack Russell" and "Citizens Advice"
would go with them. Dates of birth, sort codes and bank account numbers are found by the words
that introduce them ("born on", "DOB", "sort code", "account number"), and addresses written in
lower case by those that introduce an address ("I live at", "my address is").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

# Stored with each redacted answer; answers redacted under an older version are redone. Bump it
# whenever a pattern or rule below changes what is found.
REDACTION_VERSION = "2026.2"

EMAIL = "email"
PHONE = "phone"
POSTCODE = "postcode"
NI_NUMBER = "ni_number"
NHS_NUMBER = "nhs_number"
CARD_NUMBER = "card_number"
STREET_ADDRESS = "street_address"
NAME = "name"
DATE_OF_BIRTH = "date_of_birth"
SORT_CODE = "sort_code"
ACCOUNT_NUMBER = "account_number"

PLACEHOLDERS: dict[str, str] = {
    EMAIL: "[email address]",
    PHONE: "[phone number]",
    POSTCODE: "[postcode]",
    NI_NUMBER: "[National Insurance number]",
    NHS_NUMBER: "[NHS number]",
    CARD_NUMBER: "[card number]",
    STREET_ADDRESS: "[street address]",
    NAME: "[name]",
    DATE_OF_BIRTH: "[date of birth]",
    SORT_CODE: "[sort code]",
    ACCOUNT_NUMBER: "[bank account number]",
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


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (
    r"(?:[0-9]{1,2}(?:st|nd|rd|th)?(?:[ /.\-]|\s+of\s+)(?:[0-9]{1,2}|" + _MONTH + r")[ /.\-,]+(?:19|20)?[0-9]{2}"
    r"|" + _MONTH + r"\s+[0-9]{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)[0-9]{2}"
    r"|(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2})"
)
# The date after the words that say it is a birth date: "born on 3 March 1961", "DOB 03/03/61".
_DATE_OF_BIRTH = re.compile(
    r"(?:\bborn(?:\s+on)?|\bdate\s+of\s+birth(?:\s+is)?|\bd\.?o\.?b\.?|\bbirthday(?:\s+is)?|\bdyddiad\s+geni)"
    r"[:\s]*(?:is\s+)?(?:the\s+)?(?P<pd>" + _DATE + r")(?![0-9])",
    re.IGNORECASE,
)
_SORT_CODE = re.compile(
    r"(?:\bsort[\s\-]?code|\bs/c)(?:\s+is)?[:\s]*(?P<pd>[0-9]{2}[ \-]?[0-9]{2}[ \-]?[0-9]{2})(?![0-9])"
    # A sort code is also the NN-NN-NN written just before an eight-digit account number.
    r"|(?<![0-9\-])(?P<pd2>[0-9]{2}-[0-9]{2}-[0-9]{2})(?=[\s,]+(?:(?:account|acc|a/c)(?:\s+(?:number|no\.?))?[:\s]*)?[0-9]{8}(?![0-9]))",
    re.IGNORECASE,
)
_ACCOUNT_NUMBER = re.compile(
    r"(?:\b(?:bank\s+)?account|\bacc\.?|\ba/c)(?:\s+(?:number|no\.?))?(?:\s+is)?[:\s]*(?P<pd>[0-9]{8})(?![0-9])"
    r"|(?<![0-9])[0-9]{2}[ \-][0-9]{2}[ \-][0-9]{2}[\s,]+(?:(?:account|acc\.?|a/c)(?:\s+(?:number|no\.?))?[:\s]*)?"
    r"(?P<pd2>[0-9]{8})(?![0-9])",
    re.IGNORECASE,
)
# A lower-case or flat address after the words that introduce one: "i live at 14 ferncliffe road",
# "my address is flat 2, 9 linden court".
_STREET_WORDS = _STREET_TYPES.lower()
_INTRODUCED_ADDRESS = re.compile(
    r"(?:\b(?:live|lives|living|stay|staying)\s+(?:at|on|in)|\baddress(?:\s+is)?:?|\bwrite\s+to\s+me\s+at"
    r"|\bmoved\s+to|\bat\s+number|\bat\s+no\.?)\s+"
    r"(?P<pd>(?:(?:flat|apartment|apt\.?|unit|room|fflat)\s+[0-9]{1,4}[a-z]?,?\s+)?"
    rf"{_HOUSE},?\s+(?:[^\W\d_][\w'\u2019\-]*\s+){{1,4}}(?:{_STREET_WORDS}|heol|stryd|ffordd)"
    r"|(?:flat|apartment|apt\.?|fflat)\s+[0-9]{1,4}[a-z]?)"
    r"(?![\w'\u2019\-])",
    re.IGNORECASE,
)


def _group_span(match: re.Match[str]) -> tuple[int, int]:
    """The span of the personal data in a match: its `pd` (or `pd2`) group when it has one."""
    for group in ("pd", "pd2"):
        if group in match.re.groupindex and match.group(group) is not None:
            return match.span(group)
    return match.span()


# --- Names ----------------------------------------------------------------------------------------

_NAME_WORD = r"[^\W\d_][\w'\u2019]*(?:-[^\W\d_][\w'\u2019]*)?"
# Words that end a name: "my name is Jo and I ...".
_NOT_NAME = frozenset(
    " ".join(
        [
            "a an and the i im i'm from in at of on to for with but or so as is was am are be been have has had",
            "my me we our you your it this that who which what when where here there just also too very really",
            "not no yes please thanks thank regards wishes sincerely faithfully cheers love best kind many warm yours",
        ]
    ).split(" ")
)
_STATED_NAME = re.compile(
    r"\b(?:my\s+name(?:'s|\u2019s|\s+is)|i\s+am\s+called|i['\u2019]?m\s+called|call\s+me|name:|signed:?"
    r"|fy\s+enw\s+i\s+yw|enw:)\s+",
    re.IGNORECASE,
)
_INTRODUCED_SELF = re.compile(r"\b(?:I\s+am|I['\u2019]m|I\s+m|Im)\s+(?=[A-Z])")
_SIGN_OFF = re.compile(
    r"(?:\bkind\s+regards|\bbest\s+regards|\bwarm\s+regards|\bregards|\bbest\s+wishes|\bmany\s+thanks|\bthanks"
    r"|\bthank\s+you|\bcheers|\byours\s+sincerely|\byours\s+faithfully|\byours\s+truly|\bsincerely|\blove"
    r"|\bdiolch(?:\s+yn\s+fawr)?|\bcofion(?:\s+gorau)?|\byn\s+gywir|^|\n)[\s,.!:\-\u2013\u2014]*$",
    re.IGNORECASE,
)
_NAME_RUN = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}")


@cache
def _given_names() -> frozenset[str]:
    """Given names, lower case: the gender-guesser package's list (names of many countries)."""
    import gender_guesser.detector

    return frozenset(name.casefold() for name in gender_guesser.detector.Detector().names)


def _is_given_name(word: str) -> bool:
    return word.casefold().replace("\u2019", "'") in _given_names()


_WORD_AT = re.compile(_NAME_WORD)
_SAME_LINE_GAP = re.compile(r"[ \t]+")
# After "I'm Sarah": a pause, "and" or "from" says "Sarah" was a name ("I'm Sarah, a carer").
_AFTER_A_NAME = re.compile(r"\s*(?:[,.;:!)]|and\b|from\b|$)")


def _name_at(text: str, start: int, *, stated: bool, any_case: bool = False) -> tuple[int, int] | None:
    """The span of the name that starts at `start`: up to three words on one line, ending before
    a word that cannot be part of a name. Stated ("my name is ..."), it may be any capitalised
    words, or a known given name in any case with what follows it; otherwise it must begin with a
    known given name, capitalised, and go on only with capitalised words."""
    words: list[re.Match[str]] = []
    position = start
    while len(words) < 3 and (match := _WORD_AT.match(text, position)) is not None:
        word = match.group()
        if word.casefold().strip("'\u2019") in _NOT_NAME:
            break
        if words and not word[0].isupper() and not (stated and words[0].group()[0].islower()):
            break  # "Sarah works ..." ends at "works"; "delyth parry-rowe", all lower case, goes on
        words.append(match)
        gap = _SAME_LINE_GAP.match(text, match.end())
        if gap is None:
            break
        position = gap.end()
    if not words:
        return None
    first = words[0].group()
    known = _is_given_name(first.split("-")[0])
    if not known and not (stated and first[0].isupper()):
        return None
    if known and not stated and not any_case and not first[0].isupper():
        return None
    return start, words[-1].end()


def _find_names(text: str) -> Iterator[tuple[int, int]]:
    for trigger in _STATED_NAME.finditer(text):
        if (span := _name_at(text, trigger.end(), stated=True)) is not None:
            yield span
    for trigger in _INTRODUCED_SELF.finditer(text):
        span = _name_at(text, trigger.end(), stated=False)
        if span is None:
            continue
        # "I'm Sarah Jones ...", or "I'm Sarah" and then a pause: not "I'm Will-ing to ...".
        if len(text[span[0] : span[1]].split()) > 1 or _AFTER_A_NAME.match(text, span[1]):
            yield span
    # A sign-off: the answer's last words, after "Regards," or alone on its last line. After a
    # word of farewell a known given name counts in lower case too ("cheers, dan").
    tail = re.search(rf"({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})[\s.!]*$", text)
    farewell = None if tail is None else _SIGN_OFF.search(text[: tail.start(1)])
    if farewell is None:
        return
    span = _name_at(text, tail.start(1), stated=False, any_case=bool(farewell.group().strip(" \t\n,.!:-")))
    if span is not None and span[1] == tail.end(1):
        yield span


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
    (DATE_OF_BIRTH, _DATE_OF_BIRTH, None),
    (SORT_CODE, _SORT_CODE, None),
    (ACCOUNT_NUMBER, _ACCOUNT_NUMBER, None),
    (STREET_ADDRESS, _INTRODUCED_ADDRESS, None),
)

# Every kind but names needs a digit or an @; a name needs the words that introduce it. Text with
# neither (most answers) skips the patterns.
_MAY_HAVE_PERSONAL_DATA = re.compile(r"[0-9@]")
_MAY_HAVE_A_NAME = re.compile(
    r"name|called|call me|signed|\bI\s*['\u2019]?\s*a?m\b|\bIm\b|regards|wishes|thank|cheers|sincerely|faithfully"
    r"|truly|love|diolch|cofion|gywir|enw|\n",
    re.IGNORECASE,
)


def _candidates(text: str) -> list[tuple[int, int, int, str]]:
    """Every valid match of every kind, as (start, end, priority, kind)."""
    found: list[tuple[int, int, int, str]] = []
    if _MAY_HAVE_PERSONAL_DATA.search(text):
        for priority, (kind, pattern, is_valid) in enumerate(_DETECTORS):
            position = 0
            while match := pattern.search(text, position):
                if is_valid is None or is_valid(match):
                    start, end = _group_span(match)
                    found.append((start, end, priority, kind))
                    position = match.end()
                else:
                    # A rejected match may hide a valid one starting inside it, which finditer
                    # would skip over.
                    position = match.start() + 1
    if _MAY_HAVE_A_NAME.search(text):
        found += [(start, end, len(_DETECTORS), NAME) for start, end in _find_names(text)]
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
    if not (_MAY_HAVE_PERSONAL_DATA.search(text) or _MAY_HAVE_A_NAME.search(text)):
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
    numbers (valid check digit), payment card numbers (valid Luhn check), street addresses with a
    house number, names where the text introduces one, dates of birth, sort codes and bank
    account numbers. Findings carry offsets into the original `text`. Redacting redacted
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
