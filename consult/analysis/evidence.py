"""Checks that what the analysis writes is backed by the answers: quotations and figures.

A quotation, in any quotation style (straight or curly, double or single, guillemets, German low-high
quotes), must be words copied
from an answer the sentence cites. A figure ("92%", "12 of 40", "30 respondents") or a share in
words ("most respondents", "half", "a third", "few people") must agree with the counts the text
was written from: the themes' sizes and the number of answers. Both are plain string work, shared
by the model's summaries and descriptions (`consult.analysis.llm`) and the label rules
(`consult.analysis.labels`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Every quote mark reads as a straight single quote when text is compared verbatim.
_QUOTE_MARKS = str.maketrans(
    {
        '"': "'",
        "\u201c": "'",
        "\u201d": "'",
        "\u2018": "'",
        "\u2019": "'",
        "\u00ab": "'",
        "\u00bb": "'",
        "\u201e": "'",
        "\u2039": "'",
        "\u203a": "'",
    }
)
# Opening mark -> the marks that may close it.
_CLOSERS = {
    '"': '"',
    "\u201c": "\u201d\u201c",
    "\u201e": "\u201c\u201d",
    "\u00ab": "\u00bb",
    "\u2039": "\u203a",
    "'": "'",
    "\u2018": "\u2019",
}
# Marks that double as apostrophes (don't, people's, the parents' views): they open only after a
# space or bracket and close only before a space, punctuation or the end.
_APOSTROPHES = frozenset("'\u2018\u2019")
_BEFORE_OPENING = frozenset(" \t\n([{\u2013\u2014-/:")
_AFTER_CLOSING = frozenset(' \t\n.,;:!?)]}\u2013\u2014-/\u2026"\u201d\u00bb')


def normalise_quoted(text: str) -> str:
    """Text reduced to what a verbatim comparison should ignore: case, spacing and quote styles."""
    return " ".join(text.translate(_QUOTE_MARKS).casefold().split())


@dataclass(frozen=True)
class Quotation:
    """A quotation in a text: `text[start:end]` is the quotation with its marks, `words` inside them."""

    start: int
    end: int
    words: str


def quotations(text: str) -> list[Quotation]:
    """Every quotation in `text`, in order, whatever its quotation marks.

    Apostrophes inside words ("don't", "people's") never open or close a quotation.
    """
    found: list[Quotation] = []
    index = 0
    while index < len(text):
        mark = text[index]
        closing = _closing(text, index) if mark in _CLOSERS else None
        if closing is None:
            index += 1
            continue
        found.append(Quotation(index, closing + 1, text[index + 1 : closing]))
        index = closing + 1
    return found


def _closing(text: str, opening: int) -> int | None:
    mark = text[opening]
    if mark in _APOSTROPHES and opening > 0 and text[opening - 1] not in _BEFORE_OPENING:
        return None
    if opening + 1 >= len(text) or text[opening + 1].isspace():
        return None
    for index in range(opening + 2, len(text)):
        if text[index] not in _CLOSERS[mark]:
            continue
        if mark in _APOSTROPHES:
            after = text[index + 1] if index + 1 < len(text) else " "
            if text[index - 1].isspace() or after not in _AFTER_CLOSING:
                continue
        return index
    return None


def is_verbatim(quote: str, texts: Sequence[str]) -> bool:
    """Whether `quote` is copied from one of `texts` (ignoring case, spacing and quote styles).

    An ellipsis marks an omission: every fragment must then come from the same text.
    """
    fragments = [normalise_quoted(part).strip(" .,;:!?") for part in re.split(r"\.\.\.|\u2026", quote)]
    fragments = [fragment for fragment in fragments if fragment]
    return bool(fragments) and any(all(fragment in normalise_quoted(text) for fragment in fragments) for text in texts)


def unverified_quotations(text: str, sources: Sequence[str]) -> list[Quotation]:
    """The quotations in `text` that are not copied from any of `sources`."""
    return [quotation for quotation in quotations(text) if not is_verbatim(quotation.words, sources)]


# Figures -----------------------------------------------------------------------------------------

_SMALL_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = {word: value for value, word in enumerate(_SMALL_NUMBERS.split())} | {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}
_NUMBER = r"(?:\d[\d,]*(?:\.\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
# Who a count counts. Anything else after a number ("3 weeks", "24 hours") is not a count of answers.
PEOPLE = (
    r"(?:respondents?|people|persons?|answers?|responses?|residents?|users?|participants?|tenants?|patients?|"
    r"claimants?|parents?|individuals?|households?|organisations?|comments?|submissions?|of them|of those|"
    r"of the respondents|of respondents|of people|of the answers|of answers|of responses|of the responses)"
)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|per\s?cent\b|percent\b)", re.IGNORECASE)
_N_OF_M = re.compile(rf"\b({_NUMBER})\s+(?:out\s+of|of|in)\s+(?:the\s+|all\s+)?({_NUMBER})\b", re.IGNORECASE)
_COUNT = re.compile(rf"\b({_NUMBER})\s+(?:(?:other|more|further|different|separate)\s+)?{PEOPLE}", re.IGNORECASE)
_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True)
class _Band:
    pattern: re.Pattern[str]
    low: float = 0.0
    high: float = 1.0


def _band(pattern: str, low: float = 0.0, high: float = 1.0) -> _Band:
    return _Band(re.compile(pattern, re.IGNORECASE), low, high)


# What a word for a share may mean, as the share of all answers held by the themes a sentence cites.
# The most specific phrasing comes first and claims its words, so "the vast majority" is judged once.
QUANTIFIER_BANDS: list[_Band] = [
    _band(rf"\b(?:all|every one)\s+(?:of\s+)?(?:the\s+)?{PEOPLE}|\beveryone\b|\bunanimous(?:ly)?\b", 0.95),
    _band(
        r"\b(?:almost|nearly|virtually|practically)\s+(?:all|every)\b|\b(?:vast|overwhelming|large)\s+majority\b",
        0.75,
    ),
    _band(r"\bthree[\s-]quarters\b", 0.68, 0.82),
    _band(r"\btwo[\s-]thirds\b", 0.58, 0.75),
    _band(r"\b(?:more|over)\s+than\s+half\b|\bover\s+half\b", 0.5),
    _band(r"\b(?:less|fewer)\s+than\s+half\b|\bunder\s+half\b", 0.0, 0.5),
    _band(
        rf"\b(?:a|the)\s+majority\b|\bmajority\s+of\b|\bmost\s+(?:of\s+)?(?:the\s+)?{PEOPLE}"
        r"|^most\b(?!\s+(?:common|important|frequent|often|popular|likely|usual))",
        0.5,
    ),
    _band(r"\bhalf\b(?!\s+(?:an?\s+)?(?:hour|day|week|month|year|mile|minute|way|time))", 0.4, 0.6),
    _band(r"\b(?:a|one)[\s-]third\b", 0.25, 0.42),
    _band(r"\b(?:a|one)[\s-]quarter\b", 0.18, 0.32),
    _band(r"\b(?:a\s+)?minority\b", 0.0, 0.5),
    _band(
        rf"\b(?:very\s+|a\s+|only\s+a\s+)?few\s+(?:of\s+)?(?:the\s+)?{PEOPLE}|\ba\s+handful\b|\ba\s+small\s+number\b",
        0.0,
        0.2,
    ),
]


def _value(number: str) -> float:
    word = number.casefold()
    return float(_NUMBER_WORDS[word]) if word in _NUMBER_WORDS else float(word.replace(",", ""))


def figure_problems(
    sentence: str,
    *,
    total: int,
    theme_sizes: Sequence[int],
    cited_theme_sizes: Sequence[int],
    cited_texts: Sequence[str] = (),
) -> list[str]:
    """The figures and shares in `sentence` that the counts do not bear out, in plain English.

    `total` is the number of answers the text was written about, `theme_sizes` the size of every
    theme it was given, `cited_theme_sizes` those of the themes the sentence's cited answers belong
    to, and `cited_texts` those answers. The rules:

    - a percentage must be within one point of a theme's share, or of the cited themes' together;
    - "N of M" needs M to be the total and N a theme's size, the cited themes' size or the total;
    - a count of people ("12 respondents") must be a theme's size, the cited themes' size, the
      total, or at most the number of answers cited (which the sentence shows);
    - any other number ("waited 3 weeks") must appear in one of the cited answers;
    - a share in words must fit QUANTIFIER_BANDS: a lower bound ("most": over a half) is judged on
      the cited themes' share together, an upper bound ("few": at most a fifth) on the largest
      cited theme's share, and a range ("a third") passes when either lies in it.
    """
    problems: list[str] = []
    total = max(total, 1)
    combined = min(1.0, sum(cited_theme_sizes) / total)
    largest = max(cited_theme_sizes, default=0) / total
    counts = {float(size) for size in theme_sizes} | {float(sum(cited_theme_sizes)), float(total)}
    shares = [100 * size / total for size in theme_sizes] + [100 * combined]
    claimed: list[tuple[int, int]] = []

    for match in _PERCENT.finditer(sentence):
        claimed.append(match.span())
        value = float(match[1])
        if not any(abs(value - share) <= 1 for share in shares):
            problems.append(f"{match[0]} matches no theme's share of the {total} answers")
    for match in _N_OF_M.finditer(sentence):
        claimed.append(match.span())
        part, whole = _value(match[1]), _value(match[2])
        if whole != total or part not in counts:
            problems.append(f"'{match[0]}' does not match the counts ({total} answers)")
    for match in _COUNT.finditer(sentence):
        if _inside(match.span(), claimed):
            continue
        claimed.append(match.span())
        value = _value(match[1])
        if value not in counts and value > len(cited_texts):
            problems.append(f"'{match[0]}' matches no theme's size")
    source_numbers = {number.replace(",", "") for text in cited_texts for number in _DIGITS.findall(text)}
    for match in _DIGITS.finditer(sentence):
        if not _inside(match.span(), claimed) and match[0].replace(",", "") not in source_numbers:
            problems.append(f"{match[0]} appears in none of the cited answers")
    taken: list[tuple[int, int]] = []
    for band in QUANTIFIER_BANDS:
        for match in band.pattern.finditer(sentence):
            if _inside(match.span(), taken):
                continue
            taken.append(match.span())
            if band.low > 0 and band.high < 1:
                fits = band.low <= largest <= band.high or band.low <= combined <= band.high
            else:
                fits = combined >= band.low and largest <= band.high
            if not fits:
                problems.append(f"'{match[0].strip()}' does not fit a share of {round(100 * combined)}%")
    return problems


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start < span[1] and span[0] < end for start, end in spans)
