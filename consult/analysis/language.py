"""Which language an answer is written in: English or Welsh.

Told apart offline by lingua's statistical models (shipped inside the `lingua-language-detector`
wheel, nothing downloaded at run time), restricted to the two languages a respondent may use,
which makes it both more accurate on short answers and lighter. It runs in the worker beside
redaction: the models take about 90 MB, which the web processes are spared.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

ENGLISH = "en"
WELSH = "cy"
UNKNOWN = ""

# How far apart the two languages' scores must be before the answer is said to be in one of them:
# "Yes" or a name alone stays unknown rather than being guessed.
MINIMUM_RELATIVE_DISTANCE = 0.1


@cache
def _detector() -> LanguageDetector:
    from lingua import Language, LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.WELSH)
        .with_minimum_relative_distance(MINIMUM_RELATIVE_DISTANCE)
        .build()
    )


def detect_language(text: str) -> str:
    """The language `text` is written in: "en", "cy", or "" when it is too short or too mixed to tell."""
    from lingua import Language

    if not text.strip():
        return UNKNOWN
    found = _detector().detect_language_of(text)
    if found == Language.WELSH:
        return WELSH
    if found == Language.ENGLISH:
        return ENGLISH
    return UNKNOWN
