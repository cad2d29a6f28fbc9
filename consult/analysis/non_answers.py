"""Answers with nothing to say: "N/A", "Nothing", "See above", "No comment", an empty answer.

A placeholder with the contract the full detector keeps (branch `nonanswers` replaces it): a small
table of whole answers, compared after lower-casing and trimming punctuation.
"""

from __future__ import annotations

import re

NON_ANSWERS_VERSION = "0-placeholder"

_KINDS: dict[str, str] = {
    "n/a": "placeholder",
    "na": "placeholder",
    "none": "placeholder",
    "nothing": "placeholder",
    "no comment": "refusal",
    "see above": "see_above",
    "as above": "see_above",
    "yes": "bare_yes_no",
    "no": "bare_yes_no",
    "diolch": "thanks",
    "dim": "placeholder",
}

_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def non_answer_kind(text: str) -> str | None:
    """What kind of non-answer `text` is ("empty", "placeholder", "refusal", "see_above",
    "bare_yes_no", "thanks"), or None when it says something."""
    stripped = text.strip()
    if not re.search(r"\w", stripped):
        return "empty"
    core = _EDGES.sub("", stripped.lower())
    core = re.sub(r"\s+", " ", core)
    return _KINDS.get(core)


def is_non_answer(text: str) -> bool:
    """Whether `text` has no substantive content."""
    return non_answer_kind(text) is not None
