"""Labels and summaries written without a language model, from the answers' own words.

This is the offline path and the fallback whenever the model is unavailable. It never generates
prose about what people think. A theme's label is a short phrase cut from its answers: the clauses
of the members nearest the theme's centre are candidates (fillers like "I think" trimmed, negation
kept), scored by how close they sit to the centre in embedding space and by how many members share
their words more than the rest of the question's answers do; the best one that passes every label
rule (`consult.analysis.labels`) wins, so no two themes of a question share a label. The
description and summary quote the sentence of the most central member that is closest to the
centre, citing that answer. Everything here is deterministic. Results carry
`TextSource.EXTRACTIVE` so pages can say plainly that no AI wrote them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from consult.analysis.evidence import is_verbatim, normalise_quoted
from consult.analysis.labels import MAX_LABEL_WORDS, label_problems
from consult.analysis.phrases import (
    STOP_WORDS,
    candidate_phrases,
    is_negation,
    normalise_label,
    point_stems,
    stem,
    words,
)
from consult.analysis.types import AnswerText, CitedSentence, Summary, TextSource, Theme

__all__ = [
    "ThemeText",
    "choose_label",
    "describe",
    "excerpt",
    "extractive_label",
    "extractive_labels",
    "extractive_summary",
    "normalise_quoted",
    "theme_size",
    "theme_text",
]

Encode = Callable[[list[str]], np.ndarray]

EXCERPT_WORDS = 20
SUMMARY_THEMES = 6
# Bounded work per theme: the clauses of this many members nearest the centre are candidates, the
# best of them by shared words are embedded, and the words of this many other answers are the
# background a theme's words must stand out from.
LABEL_MEMBERS = 20
EMBEDDED_CANDIDATES = 30
BACKGROUND_ANSWERS = 400
# A label of a few words reads best; one word says too little, past six a label reads as a quote.
LENGTH_PENALTY_ONE_WORD = 0.08
LENGTH_PENALTY_PER_WORD_OVER_SIX = 0.04
# A phrase several members wrote in the same words is the theme's own wording.
REPEATED_PHRASE_WEIGHT = 0.2
SHORT_ANSWERS_LABEL = "Very short answers"

# Double quotes inside an excerpt would end the quotation early; they become single quotes here
# and `normalise_quoted` treats every quote mark alike, so the excerpt still checks as verbatim.
_DOUBLE_QUOTES = str.maketrans({'"': "'", "\u201c": "'", "\u201d": "'", "\u00ab": "'", "\u00bb": "'", "\u201e": "'"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def excerpt(text: str, max_words: int = EXCERPT_WORDS) -> str:
    """A short verbatim opening of `text`: its first sentence, or its first words and an ellipsis.

    Whitespace is collapsed and double quotes become single quotes; nothing else is changed.
    """
    flat = " ".join(text.translate(_DOUBLE_QUOTES).split())
    first_sentence = _SENTENCE_END.split(flat, maxsplit=1)[0]
    split = first_sentence.split()
    if len(split) <= max_words:
        return first_sentence
    return " ".join(split[:max_words]).rstrip(",;:-") + "\u2026"


@dataclass(frozen=True)
class ThemeText:
    """What the offline path knows of a theme: label candidates, best first, and its example.

    `example_id` is the member nearest the theme's centre (None when no member has text) and
    `example` a verbatim excerpt of its sentence nearest the centre. `member_texts` are the texts
    of the members the candidates came from, nearest first, which the label rules judge them on.
    """

    candidates: list[str]
    example_id: int | None
    example: str
    member_texts: list[str]
    # The words the theme's members use more than the question's other answers, most telling first.
    distinctive_words: list[str]


def theme_text(
    theme: Theme,
    answers: Mapping[int, AnswerText],
    *,
    vectors: Mapping[int, np.ndarray] | None = None,
    encode: Encode | None = None,
) -> ThemeText:
    """Rank label candidates for `theme` and find its most central sentence.

    `answers` holds the question's answers (those outside the theme are the background its words
    must stand out from); `vectors` are their embeddings by id, which place the theme's centre and
    order its members by closeness to it (without them, the representatives, which are the members
    nearest the centre, come first); `encode` embeds candidate phrases so they can be scored by
    closeness to the centre (without it, by shared words alone).
    """
    central, centroid = _central_members(theme, answers, vectors)
    texts = [answers[answer_id].text for answer_id in central]
    if not central:
        return ThemeText([], None, "", [], [])
    if centroid is None and encode is not None:
        centroid = _unit_rows(_unit_rows(encode(texts)).sum(axis=0, keepdims=True))[0]
    weights, surface = _word_weights(theme, answers, texts)

    occurrences: Counter[str] = Counter()
    first_seen: dict[str, str] = {}
    for text in texts:
        for phrase in dict.fromkeys(candidate_phrases(text, MAX_LABEL_WORDS)):
            key = normalise_label(phrase)
            occurrences[key] += 1
            first_seen.setdefault(key, phrase)

    def shared_score(key: str) -> float:
        phrase = first_seen[key]
        stems = point_stems(phrase)
        support = sum(weights.get(found, 0.0) for found in stems) / (len(stems) + 1)
        length = len(phrase.split())
        penalty = LENGTH_PENALTY_ONE_WORD * (length == 1) + LENGTH_PENALTY_PER_WORD_OVER_SIX * max(0, length - 6)
        repeated = REPEATED_PHRASE_WEIGHT * (occurrences[key] - 1) / len(texts)
        return support + repeated - penalty

    order = {key: index for index, key in enumerate(first_seen)}
    ranked = sorted(first_seen, key=lambda key: (-shared_score(key), order[key]))
    if encode is not None and centroid is not None and ranked:
        embedded = ranked[:EMBEDDED_CANDIDATES]
        closeness = _unit_rows(encode([first_seen[key] for key in embedded])) @ centroid
        scores = {key: float(closeness[i]) + shared_score(key) for i, key in enumerate(embedded)}
        ranked = sorted(embedded, key=lambda key: (-scores[key], order[key])) + ranked[EMBEDDED_CANDIDATES:]
    else:
        # Without embeddings, shared words count twice so scores sit on the same scale.
        ranked = sorted(ranked, key=lambda key: (-2 * shared_score(key), order[key]))

    example = _central_sentence(texts[0], centroid, encode, texts[1:])
    distinctive = [surface[found] for found, _ in sorted(weights.items(), key=lambda item: (-item[1], item[0]))]
    return ThemeText([first_seen[key] for key in ranked], central[0], excerpt(example), texts, distinctive)


def choose_label(text: ThemeText, taken: Sequence[str] = ()) -> str:
    """The best candidate of `text` that passes every label rule, none of `taken` (other themes' labels).

    When every candidate fails only because another theme has it, the best one is told apart by
    the theme's most distinctive word; a theme with no usable words at all is "Very short answers".
    """
    for candidate in text.candidates:
        if not label_problems(candidate, other_labels=taken, member_texts=text.member_texts):
            return candidate
    fallbacks = [
        f"{candidate} ({word})"
        for candidate in text.candidates
        if not label_problems(candidate, member_texts=text.member_texts)
        for word in text.distinctive_words
        if word not in words(candidate)
    ]
    fallbacks += [SHORT_ANSWERS_LABEL, *(f"{SHORT_ANSWERS_LABEL} ({word})" for word in text.distinctive_words)]
    for fallback in fallbacks:
        if not label_problems(fallback, other_labels=taken):
            return fallback
    return fallbacks[0]


def describe(label: str, text: ThemeText) -> str:
    """One sentence: the label as the answers put it, and the most central answer's sentence as example."""
    if is_verbatim(label, text.member_texts):
        opening = f'Answers saying "{label}" or something close to it'
    else:
        opening = "Answers grouped together"
    if not text.example or normalise_label(text.example) == normalise_label(label):
        return f"{opening}."
    return _closed(f"{opening}, for example", text.example)


def extractive_label(
    theme: Theme,
    answers: Mapping[int, AnswerText],
    *,
    vectors: Mapping[int, np.ndarray] | None = None,
    encode: Encode | None = None,
    taken: Sequence[str] = (),
) -> tuple[str, str]:
    """A label and a one-sentence description for `theme`, from its answers' own words.

    The label is the best clause or phrase of its central members (see `theme_text`) that passes
    the label rules and is none of `taken`; the description quotes the most central member's
    sentence nearest the theme's centre.
    """
    text = theme_text(theme, answers, vectors=vectors, encode=encode)
    label = choose_label(text, taken)
    return label, describe(label, text)


def extractive_labels(
    themes: Sequence[Theme],
    answers: Mapping[int, AnswerText],
    *,
    vectors: Mapping[int, np.ndarray] | None = None,
    encode: Encode | None = None,
) -> list[tuple[str, str]]:
    """Labels and descriptions for one question's themes, in order, no two labels the same."""
    chosen: list[tuple[str, str]] = []
    for theme in themes:
        chosen.append(extractive_label(theme, answers, vectors=vectors, encode=encode, taken=[c[0] for c in chosen]))
    return chosen


def extractive_summary(
    title: str,
    themes: list[Theme],
    answers: Mapping[int, AnswerText],
    counts: Mapping[int, int] | None = None,
) -> Summary:
    """One cited sentence for each of the largest themes (up to six), without a language model.

    Each sentence gives the theme's size and share, its label, and quotes the sentence of its most
    central member nearest the centre, citing that answer and the theme's other representatives.
    `answers` holds every answer the themes were found in (its size is the denominator of each
    share); `counts` overrides a theme's size by key, for instance to count each copy of a campaign.
    A theme without a label gets its extractive one. `title` is accepted for symmetry with the model
    path; the extractive text does not need it.
    """
    sizes = {theme.key: theme_size(theme, counts) for theme in themes}
    largest = sorted(themes, key=lambda theme: (-sizes[theme.key], theme.key))[:SUMMARY_THEMES]
    sentences_out: list[CitedSentence] = []
    for theme in largest:
        text = theme_text(theme, answers)
        if text.example_id is None:
            # A sentence must cite the answers behind it; a theme with none at hand is left out.
            continue
        cited = [text.example_id] + [
            answer_id for answer_id in theme.representative_ids if answer_id != text.example_id and answer_id in answers
        ]
        label = theme.label or choose_label(text)
        size = sizes[theme.key]
        total = max(len(answers), size, 1)
        share = f"{size} of {total} answers ({round(100 * size / total)}%)"
        if is_verbatim(label, text.member_texts):
            lead = f'{share} said "{label}" or similar, for example'
        else:
            lead = f"{share} fall under the theme {label}, for example"
        sentences_out.append(CitedSentence(text=_closed(lead, text.example), answer_ids=cited))
    return Summary(sentences=sentences_out, source=TextSource.EXTRACTIVE)


def theme_size(theme: Theme, counts: Mapping[int, int] | None) -> int:
    """The number of responses behind `theme`: `counts[theme.key]` when given, else its members."""
    if counts is not None and theme.key in counts:
        return counts[theme.key]
    return len(theme.member_ids)


def _closed(lead: str, quote: str) -> str:
    """`lead "quote"` as a sentence: a quote that already ends one needs no full stop after it."""
    return f'{lead} "{quote}"' + ("" if quote.endswith((".", "!", "?", "\u2026")) else ".")


def _has_text(answer_id: int, answers: Mapping[int, AnswerText]) -> bool:
    answer = answers.get(answer_id)
    return answer is not None and bool(answer.text.strip())


def _central_members(
    theme: Theme, answers: Mapping[int, AnswerText], vectors: Mapping[int, np.ndarray] | None
) -> tuple[list[int], np.ndarray | None]:
    """Up to LABEL_MEMBERS members with text, nearest the theme's centre first, and the centre
    (the unit mean of all its members' embeddings; None without them)."""
    members = [answer_id for answer_id in dict.fromkeys(theme.member_ids) if _has_text(answer_id, answers)]
    if vectors is not None and members and all(answer_id in vectors for answer_id in members):
        matrix = _unit_rows(np.stack([np.asarray(vectors[answer_id], dtype=np.float32) for answer_id in members]))
        centre = _unit_rows(matrix.sum(axis=0, keepdims=True))[0]
        order = np.argsort(-(matrix @ centre), kind="stable")
        return [members[i] for i in order[:LABEL_MEMBERS]], centre
    # The representatives are the members nearest the centroid, nearest first.
    known = set(members)
    first = [answer_id for answer_id in dict.fromkeys(theme.representative_ids) if answer_id in known]
    return list(dict.fromkeys([*first, *members]))[:LABEL_MEMBERS], None


def _word_weights(
    theme: Theme, answers: Mapping[int, AnswerText], texts: list[str]
) -> tuple[dict[str, float], dict[str, str]]:
    """How much more often the theme's central members use each stem than the question's other answers.

    Negation counts as a word ("not"), so a theme whose answers say "did not" favours phrases that
    do. Returns the weights and, for each stem, the commonest word that gave it.
    """
    inside = Counter(found for text in texts for found in point_stems(text))
    members = set(theme.member_ids)
    others = sorted(answer_id for answer_id in answers if answer_id not in members and _has_text(answer_id, answers))
    step = max(1, len(others) // BACKGROUND_ANSWERS)
    background_texts = [answers[answer_id].text for answer_id in others[::step][:BACKGROUND_ANSWERS]]
    outside = Counter(found for text in background_texts for found in point_stems(text))
    weights = {
        found: count / len(texts) - (outside[found] / len(background_texts) if background_texts else 0.0)
        for found, count in inside.items()
    }
    surface: dict[str, Counter[str]] = {}
    for text in texts:
        for word in words(text):
            if word not in STOP_WORDS and not is_negation(word):
                surface.setdefault(stem(word), Counter())[word] += 1
    positive = {found: weight for found, weight in weights.items() if weight > 0}
    names = {found: (surface[found].most_common(1)[0][0] if found in surface else found) for found in positive}
    return positive, names


def _central_sentence(text: str, centroid: np.ndarray | None, encode: Encode | None, others: list[str]) -> str:
    """The sentence of `text` nearest the theme's centre: by embedding, else the one sharing the
    most words with the theme's `others` (the first of equals)."""
    found = _SENTENCE_END.split(" ".join(text.split()))
    if len(found) <= 1:
        return found[0]
    if encode is not None and centroid is not None:
        closeness = _unit_rows(encode(found)) @ centroid
        return found[int(np.argmax(closeness))]
    shared = Counter(stem for other in others for stem in point_stems(other))
    scores = [sum(shared[stem] for stem in point_stems(s)) / (len(point_stems(s)) + 1) for s in found]
    return found[int(np.argmax(scores))]


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.atleast_2d(np.asarray(matrix, dtype=np.float32))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)
