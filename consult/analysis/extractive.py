"""Labels and summaries written without a language model, from keywords and real answers.

This is the offline path and the fallback whenever the model is unavailable. It never generates
prose about what people think: it names a theme by its keywords and quotes a short verbatim excerpt
of a representative answer, citing that answer. Everything here is deterministic, so two runs over
the same themes give the same text. Results carry `TextSource.EXTRACTIVE` so pages can say plainly
that no AI wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from consult.analysis.types import AnswerText, CitedSentence, Summary, TextSource, Theme

LABEL_KEYWORDS = 3
EXCERPT_WORDS = 20
SUMMARY_THEMES = 6

# Double quotes inside an excerpt would end the quotation early; they become single quotes here
# and `normalise_quoted` treats every quote mark alike, so the excerpt still checks as verbatim.
_QUOTE_MARKS = str.maketrans({'"': "'", "\u201c": "'", "\u201d": "'", "\u2018": "'", "\u2019": "'"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def normalise_quoted(text: str) -> str:
    """Text reduced to what a verbatim comparison should ignore: case, spacing and quote styles."""
    return " ".join(text.translate(_QUOTE_MARKS).casefold().split())


def excerpt(text: str, max_words: int = EXCERPT_WORDS) -> str:
    """A short verbatim opening of `text`: its first sentence, or its first words and an ellipsis.

    Whitespace is collapsed and double quotes become single quotes; nothing else is changed.
    """
    flat = " ".join(text.translate(_QUOTE_MARKS).split())
    first_sentence = _SENTENCE_END.split(flat, maxsplit=1)[0]
    words = first_sentence.split()
    if len(words) <= max_words:
        return first_sentence
    return " ".join(words[:max_words]).rstrip(",;:-") + "\u2026"


def extractive_label(theme: Theme, answers: Mapping[int, AnswerText]) -> tuple[str, str]:
    """A label and a one-sentence description for `theme`, from its keywords and a real answer.

    The label is the top keywords ("Phone, person, wait"); the description names them and quotes a
    short verbatim excerpt of the first representative answer that has text.
    """
    keywords = _top_keywords(theme)
    # Only the first letter is raised: str.capitalize() would lower "NHS" to "nhs".
    joined = ", ".join(keywords)
    label = joined[:1].upper() + joined[1:] if keywords else f"Theme {theme.key}"
    opening = f"Answers mentioning {_join_words(keywords)}" if keywords else "Answers grouped together"
    example_id = _example_answer_id(theme, answers)
    if example_id is None:
        return label, f"{opening}."
    return label, _closed(f"{opening}, such as", excerpt(answers[example_id].text))


def extractive_summary(
    title: str,
    themes: list[Theme],
    answers: Mapping[int, AnswerText],
    counts: Mapping[int, int] | None = None,
) -> Summary:
    """One cited sentence for each of the largest themes (up to six), without a language model.

    Each sentence gives the theme's size and share and quotes a short verbatim excerpt of its first
    representative answer, citing that answer and the theme's other representatives. `answers` holds
    every answer the themes were found in (its size is the denominator of each share); `counts`
    overrides a theme's size by key, for instance to count each copy of a campaign. `title` is
    accepted for symmetry with the model path; the extractive text does not need it.
    """
    sizes = {theme.key: theme_size(theme, counts) for theme in themes}
    largest = sorted(themes, key=lambda theme: (-sizes[theme.key], theme.key))[:SUMMARY_THEMES]
    sentences: list[CitedSentence] = []
    for theme in largest:
        cited = _cited_ids(theme, answers)
        if not cited:
            # A sentence must cite the answers behind it; a theme with none at hand is left out.
            continue
        size = sizes[theme.key]
        total = max(len(answers), size, 1)
        keywords = _top_keywords(theme)
        about = f"mention {_join_words(keywords)}" if keywords else f"fall in theme {theme.key}"
        lead = f"{size} of {total} answers ({round(100 * size / total)}%) {about}, for example"
        text = _closed(lead, excerpt(answers[cited[0]].text))
        sentences.append(CitedSentence(text=text, answer_ids=cited))
    return Summary(sentences=sentences, source=TextSource.EXTRACTIVE)


def _closed(lead: str, quote: str) -> str:
    """`lead "quote"` as a sentence: a quote that already ends one needs no full stop after it."""
    return f'{lead} "{quote}"' + ("" if quote.endswith((".", "!", "?", "\u2026")) else ".")


def theme_size(theme: Theme, counts: Mapping[int, int] | None) -> int:
    """The number of responses behind `theme`: `counts[theme.key]` when given, else its members."""
    if counts is not None and theme.key in counts:
        return counts[theme.key]
    return len(theme.member_ids)


def _top_keywords(theme: Theme) -> list[str]:
    seen: set[str] = set()
    chosen: list[str] = []
    for keyword in theme.keywords:
        word = " ".join(keyword.split())
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            chosen.append(word)
        if len(chosen) == LABEL_KEYWORDS:
            break
    return chosen


def _join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _has_text(answer_id: int, answers: Mapping[int, AnswerText]) -> bool:
    answer = answers.get(answer_id)
    return answer is not None and bool(answer.text.strip())


def _example_answer_id(theme: Theme, answers: Mapping[int, AnswerText]) -> int | None:
    for answer_id in [*theme.representative_ids, *theme.member_ids]:
        if _has_text(answer_id, answers):
            return answer_id
    return None


def _cited_ids(theme: Theme, answers: Mapping[int, AnswerText]) -> list[int]:
    """The quoted answer first, then the theme's other representatives that are at hand."""
    example_id = _example_answer_id(theme, answers)
    if example_id is None:
        return []
    cited = [example_id]
    for answer_id in theme.representative_ids:
        if answer_id not in cited and answer_id in answers:
            cited.append(answer_id)
    return cited
