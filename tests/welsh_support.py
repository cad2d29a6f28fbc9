"""Helpers the Welsh tests share: the Welsh (and English) address of a page, and the English
interface text that must not be left on a Welsh page."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.urls import reverse
from django.utils import translation

# Interface text from the public pages that must not be left in English on a Welsh page.
ENGLISH_PHRASES = [
    "Skip to main content",
    "This is a new service",
    "Consultations on proposed uses of AI",
    "Have your say",
    "Search consultations",
    "All content is available under",
    "Respond to this consultation",
    "What we are asking",
    "The AI tool:",
    "What the tool does",
    "There is a problem",
    "Error:",
    "Continue",
    "Save and come back later",
    "Back",
    "Opens",
    "Closes",
    " on Monday",
    " on Tuesday",
    " on Wednesday",
    " on Thursday",
    " on Friday",
    " on Saturday",
    " on Sunday",
]


def cy(view: str, *args: object) -> str:
    """The Welsh address of a public page."""
    with translation.override("cy"):
        return reverse(view, args=args)


def en(view: str, *args: object) -> str:
    """The English address of a page, whatever language the test's thread was left in."""
    with translation.override("en-gb"):
        return reverse(view, args=args)


def visible_text(html: str) -> str:
    """The page's text as a reader meets it: without scripts, tags or the language toggle (which
    names English in English on purpose)."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    html = re.sub(r'<nav class="consult-language-select.*?</nav>', " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def english_left_in(html: str, phrases: Iterable[str] = ENGLISH_PHRASES) -> list[str]:
    """The phrases found whole in the page's visible text (a word that merely contains one does not
    count)."""
    text = visible_text(html)
    return [phrase for phrase in phrases if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text)]
