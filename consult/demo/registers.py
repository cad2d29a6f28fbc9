"""Ways of writing: the same answer as a careful, a casual or a hurried writer would type it."""

from __future__ import annotations

import random
import re

REGISTERS = ("plain", "formal", "casual", "rough", "angry")

_CONTRACTIONS = {
    "don't": "do not",
    "doesn't": "does not",
    "didn't": "did not",
    "can't": "cannot",
    "won't": "will not",
    "isn't": "is not",
    "aren't": "are not",
    "wouldn't": "would not",
    "I'm": "I am",
    "I'd": "I would",
    "I've": "I have",
    "it's": "it is",
    "that's": "that is",
    "there's": "there is",
    "you'll": "you will",
    "they're": "they are",
    "we'll": "we will",
    "we're": "we are",
    "they've": "they have",
    "nobody's": "nobody is",
}

_MISSPELLINGS = {
    "definitely": "definately",
    "receive": "recieve",
    "separate": "seperate",
    "government": "goverment",
    "because": "becuase",
    "benefits": "benifits",
    "believe": "beleive",
    "their": "thier",
    "people": "poeple",
    "computer": "computor",
    "could have": "could of",
    "should have": "should of",
    "a lot": "alot",
    "really": "realy",
    "waiting": "wating",
    "until": "untill",
    "which": "wich",
    "we were": "we was",
    "nothing": "nowt",
    "anything": "owt",
    "advisers": "advisors",
    "appointments": "appointmens",
}

_CASUAL = {
    "I think": "I reckon",
    "very": "really",
    "However,": "But",
    "I am not": "I'm not",
    "a person": "an actual person",
    "ridiculous": "a joke",
}

_EMPHASIS = ("never", "not", "person", "human", "always", "anyone", "nothing", "wrong")


def choose_register(rng: random.Random, agreement: int) -> str:
    """A way of writing, with anger kept for people who are against the proposal."""
    weights = [0.42, 0.13, 0.2, 0.18, 0.07 if agreement <= 2 else 0.0]
    return rng.choices(REGISTERS, weights)[0]


def restyle(text: str, register: str, rng: random.Random) -> str:
    """The text as someone writing in the given register would have typed it."""
    if register == "formal":
        return _expand_contractions(text)
    if register == "casual":
        return _casual(text, rng)
    if register == "rough":
        return _rough(text, rng)
    if register == "angry":
        return _angry(text, rng)
    return _misspell(text, rng, 0.05)


def _match_case(original: str, replacement: str) -> str:
    return replacement[0].upper() + replacement[1:] if original[0].isupper() else replacement


def _replace_words(text: str, table: dict[str, str], rng: random.Random, chance: float) -> str:
    for word, replacement in table.items():
        pattern = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE if word[0].islower() else 0)

        def swap(match: re.Match[str], replacement: str = replacement) -> str:
            return _match_case(match.group(0), replacement) if rng.random() < chance else match.group(0)

        text = pattern.sub(swap, text)
    return text


def _expand_contractions(text: str) -> str:
    for short, full in _CONTRACTIONS.items():
        pattern = re.compile(rf"\b{re.escape(short)}\b", re.IGNORECASE if short[0].islower() else 0)
        text = pattern.sub(lambda match, full=full: _match_case(match.group(0), full), text)
    return text


def _misspell(text: str, rng: random.Random, chance: float) -> str:
    return _replace_words(text, _MISSPELLINGS, rng, chance)


def _casual(text: str, rng: random.Random) -> str:
    text = _replace_words(text, _CASUAL, rng, 0.6)
    text = _misspell(text, rng, 0.1)
    if rng.random() < 0.3:
        text = text.rstrip(".") + rng.choice((" tbh", "!", " to be honest.", "!!"))
    if rng.random() < 0.2:
        text = rng.choice(("Honestly? ", "Well, ", "Look, ")) + text[0].lower() + text[1:]
    return text


def _rough(text: str, rng: random.Random) -> str:
    text = _misspell(text, rng, 0.5)
    if rng.random() < 0.7:
        text = text.replace("'", "")
    if rng.random() < 0.6:
        text = text.lower()
    if rng.random() < 0.5:
        # Run sentences together the way people do when they type fast on a phone.
        text = re.sub(r"\. (?=\w)", lambda _match: rng.choice((". ", ", ", " ", " and ")), text)
    if rng.random() < 0.3:
        text = _swap_letters(text, rng)
    if rng.random() < 0.5:
        text = text.rstrip(".")
    return text.replace("\n\n", "\n") if rng.random() < 0.5 else text


def _angry(text: str, rng: random.Random) -> str:
    for word in rng.sample(_EMPHASIS, 3):
        text = re.sub(rf"\b{word}\b", word.upper(), text, count=1)
    return text.rstrip(".") + rng.choice(("!", "!!", "!!!"))


def _swap_letters(text: str, rng: random.Random) -> str:
    """One slip of the thumb: two neighbouring letters swapped in a longer word."""
    words = text.split(" ")
    long_words = [index for index, word in enumerate(words) if len(word) > 5 and word.isalpha()]
    if not long_words:
        return text
    index = rng.choice(long_words)
    word = words[index]
    at = rng.randrange(1, len(word) - 2)
    words[index] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return " ".join(words)
