"""Reasons for a moderator to look at an answer: abusive language, likely spam, likely generated text.

Each detector reads one answer's text (normally the redacted text, so that placeholders such as
"[email address]" stand where personal data was) and returns a `ModerationFinding` with a short
detail a moderator can read, or None. A finding is a prompt to look, never a verdict: nothing here
hides or changes an answer, and every finding is decided by a person.

The word lists and phrases below were written for this project and are deliberately small. What
they cannot do, on purpose or not:

- They read English only. Abuse or spam in Welsh or any other language passes unflagged.
- They match words, not meaning: sarcasm, quoting someone else's abuse ("they called me an
  idiot"), or abuse spelt in ways the normalisation below does not undo are read at face value or
  missed. Criticism of a policy in insulting words ("a plan for morons") is flagged too.
- The abuse list holds no slurs against groups of people. A deployment that needs them caught
  should add its own list, kept out of the source, rather than rely on this one.
- "Likely generated" rests on phrases that chat assistants overuse. People write them too (policy
  teams, people writing in a second language), and generated text that someone has edited reads
  as human. Detectors of generated text are known to flag non-native writers more often than
  others: a moderator approving such an answer is the expected outcome, not a failure.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from consult.analysis.redaction import PLACEHOLDERS


class Concern(StrEnum):
    """What a finding is about. The values are those of the workspace's flag reasons."""

    PERSONAL_DATA = "personal_data"
    ABUSE = "abuse"
    SPAM = "spam"
    GENERATED = "generated"


@dataclass(frozen=True)
class ModerationFinding:
    """One reason to look at an answer, with a short detail for the moderator."""

    concern: Concern
    detail: str


# --- Reading words ------------------------------------------------------------------------------

# Digits and symbols people put in place of letters to dodge filters ("1d10t", "$hit").
_LOOKALIKES = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
# A "word" may carry those lookalikes and asterisks ("f*ck"), so that they are read as one token.
_TOKEN = re.compile(r"[\w@$*]+")
# Three or more of the same letter are one ("fuuuuck"); two stay, as English doubles letters.
_STRETCHED = re.compile(r"(\w)\1{2,}")
_HAS_LETTER = re.compile(r"[^\W\d_]")


def _plain(text: str) -> str:
    """Lower case, compatibility forms folded (full-width letters, ligatures), curly quotes straight."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return text.replace("\u2019", "'").replace("\u2018", "'")


# Most answers have nothing to undo; they skip the work token by token.
_MAY_NEED_UNDOING = re.compile(r"[0-9@$]|(\w)\1\1")


def _words(text: str) -> list[str]:
    """The text's words, lower case, with lookalike characters and stretched letters undone.

    Tokens without a letter ("2019", "***") are kept as they are, so that numbers never turn into
    words.
    """
    tokens = _TOKEN.findall(_plain(text))
    if not _MAY_NEED_UNDOING.search(text):
        return tokens
    words = []
    for token in tokens:
        if _HAS_LETTER.search(token):
            token = _STRETCHED.sub(r"\1", token.translate(_LOOKALIKES))
        words.append(token)
    return words


def _masked_match(token: str, vocabulary: frozenset[str]) -> str | None:
    """The word a token with asterisks stands for ("f*ck", "sh**"), if exactly one fits: same
    length, same first letter, every visible letter in place."""
    if "*" not in token or token.startswith("*") or token.strip("*") == "":
        return None
    fits = [
        word
        for word in vocabulary
        if len(word) == len(token) and all(t in ("*", w) for t, w in zip(token, word, strict=True))
    ]
    return fits[0] if len(fits) == 1 else None


# --- Abusive language ---------------------------------------------------------------------------

# Strong swearing, with the endings English gives it. Mild words ("bloody", "damn", "crap") are
# left out: they are common in heartfelt answers and rarely need a moderator.
_PROFANE_STEMS = ("fuck", "shit", "cunt", "wank", "twat", "bitch", "bastard", "arsehole", "asshole", "dickhead")
_PROFANE_ENDINGS = ("", "s", "es", "er", "ers", "ed", "ing", "in", "y", "head", "heads")
PROFANITY: frozenset[str] = frozenset(
    {stem + ending for stem in _PROFANE_STEMS for ending in _PROFANE_ENDINGS}
    | {"motherfucker", "motherfuckers", "bullshit", "shite", "bellend", "bellends"}
)
# Nouns that call a person names. Adjectives ("stupid", "idiotic") are left out: they describe
# plans as often as people.
INSULTS: frozenset[str] = frozenset(
    word + ending
    for word in ("idiot", "moron", "imbecile", "cretin", "halfwit", "dimwit", "scumbag", "lowlife", "nonce")
    for ending in ("", "s")
) | {"scum", "vermin"}
_ABUSIVE = PROFANITY | INSULTS
# Threats and wishes of harm, as phrases over the plain text.
_THREATS = re.compile(
    r"\b(?:"
    r"(?:i|we)(?:'ll| will| are going to| am going to|'m going to|'re going to) "
    r"(?:hurt|kill|burn|stab|shoot) (?:you|them|him|her)|(?:i|we)(?:'ll| will) (?:find|come for) you"
    r"|(?:kill|shoot|hang|stab) (?:yourself|yourselves|you all|the lot of you)"
    r"|(?:hope|wish) (?:you|they|he|she) (?:die|dies|rot|burn)"
    r"|(?:should|ought to|deserve to) (?:be shot|be hanged|be hung|die|be strung up)"
    r"|watch your back"
    r"|kys"
    r")\b"
)


# Every threat above contains one of these: answers without any skip the slower expression.
_THREAT_WORDS = (
    "kill",
    "hurt",
    "burn",
    "stab",
    "shoot",
    "shot",
    "hang",
    "hung",
    "strung",
    "die",
    "rot",
    "find you",
    "come for",
    "watch your back",
    "kys",
)


def find_abuse(text: str) -> ModerationFinding | None:
    """Strong swearing, name-calling or threats in `text`, or None.

    Words are compared whole, after undoing lookalike characters ("1d10t"), stretched letters
    ("fuuuck") and asterisks that leave one reading ("f*ck"), so "Scunthorpe" and "assess" are
    not abuse. The detail names what was found, so the moderator need not hunt for it.
    """
    found: list[str] = []
    for token in _words(text):
        word = token if token in _ABUSIVE else _masked_match(token, _ABUSIVE)
        if word is not None and word not in found:
            found.append(word)
    plain = _plain(text)
    threats = []
    if any(word in plain for word in _THREAT_WORDS):
        threats = list(dict.fromkeys(match.group() for match in _THREATS.finditer(plain)))
    if not found and not threats:
        return None
    parts = []
    if threats:
        parts.append("threatening words: " + _quoted(threats))
    swearing = [word for word in found if word in PROFANITY]
    names = [word for word in found if word in INSULTS]
    if swearing:
        parts.append("strong swearing: " + _quoted(swearing))
    if names:
        parts.append("name-calling: " + _quoted(names))
    return ModerationFinding(Concern.ABUSE, _sentence(parts))


# --- Likely spam --------------------------------------------------------------------------------

_LINK_ENDINGS = (
    "com",
    "net",
    "org",
    "info",
    "biz",
    "xyz",
    "io",
    "co",
    "ru",
    "top",
    "shop",
    "site",
    "online",
    "click",
    "club",
    "store",
)
_LINK = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b[a-z0-9][a-z0-9\-]*\.(?:" + "|".join(_LINK_ENDINGS) + r")\b(?!\.)(?:/\S*)?",
    re.IGNORECASE,
)
# Links people give as evidence go to government or public bodies; they are not counted.
_PUBLIC_LINK = re.compile(r"\.(?:gov|nhs|parliament|police|ac|sch|mod)\.uk\b|\bgov\.(?:uk|wales|scot)\b", re.I)
# Phrases of selling, scams and link farms; matched as whole phrases over the plain text.
SALES_PHRASES: tuple[str, ...] = (
    "buy now",
    "order now",
    "click here",
    "click the link",
    "visit our website",
    "visit my website",
    "limited time offer",
    "special offer",
    "discount code",
    "promo code",
    "free trial",
    "best prices",
    "lowest prices",
    "casino",
    "betting tips",
    "bitcoin",
    "crypto trading",
    "forex",
    "viagra",
    "cialis",
    "payday loan",
    "make money fast",
    "earn money from home",
    "work from home and earn",
    "100% free",
    "act now",
    "whatsapp me",
    "seo services",
    "backlinks",
    "guaranteed results",
)
_SALES = re.compile(r"\b(?:" + "|".join(re.escape(phrase) for phrase in SALES_PHRASES) + r")(?!\w)")
# Words holding a run along a keyboard row (what a hand dragged across the keys leaves), and words
# of six letters or more without a vowel, which are neither English nor Welsh. Welsh writes vowels
# with w and y ("cwm", "crwth"), so they count as vowels here.
_KEYBOARD_RUNS = ("qwert", "werty", "asdf", "sdfg", "dfgh", "fghj", "ghjk", "hjkl", "zxcv", "xcvb", "cvbn", "vbnm")
_KEYBOARD = re.compile("|".join(_KEYBOARD_RUNS))
_CONSONANTS = re.compile(r"[bcdfghjklmnpqrstvxz]{6,}")
# Six or more words, more than half of them the same one: "test test test test test test".
_REPEATED_MIN_WORDS = 6
_REPEATED_SHARE = 0.5


def _may_have_links(plain: str) -> bool:
    # Substring tests are much cheaper than the link expression, and most answers have no link.
    return "http" in plain or "www." in plain or any(f".{ending}" in plain for ending in _LINK_ENDINGS)


def _mashed(words: list[str]) -> list[str]:
    joined = " ".join(words)
    if not (_KEYBOARD.search(joined) or _CONSONANTS.search(joined)):
        return []
    return [word for word in words if word.isalpha() and (_KEYBOARD.search(word) or _CONSONANTS.fullmatch(word))]


def find_spam(text: str) -> ModerationFinding | None:
    """Selling, link-dropping, repeated words or keyboard mashing in `text`, or None.

    One selling phrase or one link alone is not enough (people mention prices and cite their
    sources); two selling phrases, a selling phrase with a link, or three links are. Links to
    government and public bodies are not counted. An answer mostly made of one repeated word,
    or of keyboard runs ("asdfgh") and words without vowels, is flagged as filler.
    """
    plain = _plain(text)
    links = []
    if _may_have_links(plain):
        links = [link for link in _LINK.findall(plain) if not _PUBLIC_LINK.search(link)]
    sales = list(dict.fromkeys(match.group() for match in _SALES.finditer(plain)))
    # Numbers and symbols alone ("2019", "***") are not words here.
    words = [word for word in _words(text) if word.strip("0123456789_*@$")]
    signals = []
    if len(sales) >= 2 or (sales and links):
        signals.append("selling phrases: " + _quoted(sales))
    if len(links) >= 3 or (sales and links):
        signals.append(f"{len(links)} {'link' if len(links) == 1 else 'links'}")
    if len(words) >= _REPEATED_MIN_WORDS:
        top, count = Counter(words).most_common(1)[0]
        if count / len(words) > _REPEATED_SHARE:
            signals.append(f'the word "{top}" repeated {count} times')
    mashed = _mashed(words)
    if words and len(mashed) * 2 >= len(words):
        signals.append("keyboard mashing: " + _quoted(list(dict.fromkeys(mashed))))
    return ModerationFinding(Concern.SPAM, _sentence(signals)) if signals else None


# --- Likely generated text ----------------------------------------------------------------------

# Things only a chat assistant writes: talking about itself, or leaving its template showing. One
# is enough.
_ASSISTANT_TELLS = re.compile(
    r"\bas an ai\b(?: language model| assistant)?"
    r"|\bas a (?:large )?language model\b"
    r"|\bi(?: am|'m) (?:just )?an ai\b"
    r"|\bmy (?:knowledge cut-?off|training data)\b"
    r"|\bregenerate response\b"
    r"|^(?:certainly|sure|of course)[!,.]? here(?:'s| is) (?:a|an|my|the|your)\b"
    r"|\bhere(?:'s| is) (?:a|an) (?:possible |sample |draft )?(?:response|answer|reply)\b"
    r"|\[(?:your|insert)\b[^\]]{0,40}\]",
    re.MULTILINE,
)
# Every tell above contains one of these: answers without any skip the slower expression.
_TELL_WORDS = ("ai", "language model", "knowledge cut", "training data", "regenerate", "here", "[your", "[insert")
# Phrases chat assistants overuse. Any one is ordinary English; several together in one answer
# are unusual in what people write to a consultation.
STYLE_MARKERS: tuple[str, ...] = (
    "delve",
    "delves",
    "delving",
    "tapestry",
    "multifaceted",
    "it is important to note",
    "it's important to note",
    "it is worth noting",
    "it's worth noting",
    "navigate the complexities",
    "navigating the complexities",
    "ever-evolving",
    "rapidly evolving landscape",
    "in today's digital age",
    "a testament to",
    "underscores the importance",
    "plays a pivotal role",
    "pivotal role",
    "harness the power",
    "unlock the potential",
    "holistic approach",
    "fostering",
    "seamlessly",
    "in conclusion,",
)
_STYLE = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(marker) for marker in STYLE_MARKERS) + r")(?!\w)")
# Markdown a chat window renders but a consultation form shows raw: headings and bold labels.
_MARKDOWN = re.compile(r"^\s{0,3}#{1,6} \S|\*\*[^*\n]{2,60}\*\*|^\s*(?:[-*]|\d+\.) \*\*", re.MULTILINE)
# How many different markers it takes, and in how long an answer: short answers rarely carry
# three, and a long one carrying them has chosen them.
STYLE_MARKERS_NEEDED = 3
_STYLE_MIN_WORDS = 60


def find_generated(text: str) -> ModerationFinding | None:
    """Signs that `text` was written by a chat assistant, or None.

    One sign that only an assistant leaves (it calls itself an AI, "Certainly! Here is a
    response", an unfilled "[Your name]") is enough. Otherwise it takes three different phrases
    that assistants overuse, counting raw Markdown formatting as one, in an answer of at least 60
    words. See the module's docstring for why this is a prompt to a moderator and no more.
    """
    plain = _plain(text)
    tells = []
    if any(word in plain for word in _TELL_WORDS):
        tells = list(dict.fromkeys(match.group().strip() for match in _ASSISTANT_TELLS.finditer(plain)))
    if tells:
        return ModerationFinding(
            Concern.GENERATED, _sentence(["words only a chat assistant writes: " + _quoted(tells)])
        )
    if len(plain.split()) < _STYLE_MIN_WORDS:
        return None
    markers = list(dict.fromkeys(match.group().rstrip(",") for match in _STYLE.finditer(plain)))
    if _MARKDOWN.search(text):
        markers.append("Markdown formatting")
    if len(markers) < STYLE_MARKERS_NEEDED:
        return None
    return ModerationFinding(Concern.GENERATED, _sentence(["phrases chat assistants overuse: " + _quoted(markers)]))


# --- Personal data ------------------------------------------------------------------------------


def describe_personal_data(redacted_text: str) -> ModerationFinding | None:
    """What personal data the redaction replaced in an answer, read from the placeholders in its
    redacted text ("[phone number]"), or None when there are none. The detection itself is
    `consult.analysis.redaction`; this only says what it found, for the moderator."""
    kinds = [
        f"{placeholder.strip('[]')} ({count})" if count > 1 else placeholder.strip("[]")
        for placeholder in PLACEHOLDERS.values()
        if (count := redacted_text.count(placeholder))
    ]
    if not kinds:
        return None
    return ModerationFinding(Concern.PERSONAL_DATA, _sentence(["personal data: " + ", ".join(kinds)]))


# --- All together -------------------------------------------------------------------------------


def screen(text: str) -> list[ModerationFinding]:
    """Every finding of abuse, spam and generated text in `text`, at most one of each concern.

    Pass the redacted text: personal data is the redaction's business (`describe_personal_data`),
    and an email address left in would read as a link.
    """
    found = (find_abuse(text), find_spam(text), find_generated(text))
    return [finding for finding in found if finding is not None]


def _quoted(items: list[str]) -> str:
    return ", ".join(f'"{item}"' for item in items)


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."
