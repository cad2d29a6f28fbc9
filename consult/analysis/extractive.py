"""Labels and summaries written without a language model, from the answers' own words.

This is the offline path and the fallback whenever the model is unavailable. It never generates
prose about what people think. A theme's label names the point most of its members make: the
sentences of the members nearest the theme's centre are grouped into points (sentences that say
the same thing, by embedding or, without one, by shared words), and the point made by the most
members, in words the theme uses more than the rest of the question, comes first. Its clauses
(fillers like "I think" trimmed, negation kept) are the label candidates, scored by closeness to
the point and by shared words; the best one that passes every label rule
(`consult.analysis.labels`) wins, so no two themes of a question share a label. The description
quotes a member's sentence making that same point, so the example always says what the label
says. Everything here is deterministic. Results carry `TextSource.EXTRACTIVE` so pages can say
plainly that no AI wrote them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from consult.analysis.evidence import is_verbatim, normalise_quoted
from consult.analysis.labels import MAX_LABEL_WORDS, label_problems, published_text_problems, same_word
from consult.analysis.phrases import (
    candidate_phrases,
    is_stance,
    normalise_label,
    point_stems,
    sentences,
    words,
)
from consult.analysis.points import Encode, central_members, find_points, reusing, unit_rows, word_weights
from consult.analysis.types import AnswerText, CitedSentence, Summary, TextSource, Theme

__all__ = [
    "ThemeText",
    "choose_label",
    "describe",
    "excerpt",
    "excerpt_making",
    "extractive_label",
    "extractive_labels",
    "extractive_summary",
    "normalise_quoted",
    "theme_size",
    "theme_text",
]


EXCERPT_WORDS = 20
SUMMARY_THEMES = 6
# Of each point's candidate phrases, the best this many by shared words are embedded and scored.
EMBEDDED_CANDIDATES = 30
# A label of a few words reads best; one word says too little, past six a label reads as a quote.
LENGTH_PENALTY_ONE_WORD = 0.08
LENGTH_PENALTY_PER_WORD_OVER_SIX = 0.04
# A phrase several members wrote in the same words is the theme's own wording.
REPEATED_PHRASE_WEIGHT = 0.2
# A theme is described as holding several points when fewer than half of at least this many
# members read make its label's point.
MIXED_THEME_MEMBERS = 4
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


def excerpt_making(sentence: str, phrase: str, max_words: int = EXCERPT_WORDS) -> str:
    """A verbatim excerpt of `sentence` that shows `phrase`: its opening (see `excerpt`) when the
    phrase is there, else the words around the phrase between ellipses ("\u2026 and I have anxiety,
    so \u2026"), so that a long sentence's example still shows the point it illustrates."""
    opening = excerpt(sentence, max_words)
    wanted = words(phrase)
    if not wanted or " ".join(wanted) in " ".join(words(opening)):
        return opening
    flat = " ".join(sentence.translate(_DOUBLE_QUOTES).split()).split()
    said = [" ".join(words(token)) for token in flat]
    for start in range(len(flat)):
        if " ".join(said[start:]).startswith(" ".join(wanted)):
            first = max(0, start - 3)
            window = flat[first : first + max_words]
            text = " ".join(window).strip(",;:-")
            return ("\u2026" if first else "") + text + ("\u2026" if first + max_words < len(flat) else "")
    return opening


@dataclass(frozen=True)
class ThemeText:
    """What the offline path knows of a theme: label candidates, best first, and their examples.

    `example_id` and `example` are the example of the theme's main point: a member making it (None
    when no member has text) and a verbatim excerpt of its sentence that makes it. `examples` holds
    the example of every candidate, by `normalise_label`, so a label is always illustrated by a
    sentence making its own point. `member_texts` are the texts of the members the candidates came
    from, nearest the centre first, which the label rules judge them on.
    """

    candidates: list[str]
    example_id: int | None
    example: str
    member_texts: list[str]
    # The words the theme's members use more than the question's other answers, most telling first.
    distinctive_words: list[str]
    examples: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    # How many of `member_texts` make each candidate's point, by `normalise_label`.
    makers: Mapping[str, int] = field(default_factory=dict)

    def example_for(self, label: str) -> tuple[int | None, str]:
        """The answer and excerpt that illustrate `label`: its own point's, else the main point's."""
        return self.examples.get(normalise_label(label), (self.example_id, self.example))


def theme_text(
    theme: Theme,
    answers: Mapping[int, AnswerText],
    *,
    vectors: Mapping[int, np.ndarray] | None = None,
    encode: Encode | None = None,
) -> ThemeText:
    """Rank label candidates for `theme` by the points its members make, each with its example.

    `answers` holds the question's answers (those outside the theme are the background its words
    must stand out from); `vectors` are their embeddings by id, which place the theme's centre and
    order its members by closeness to it (without them, the representatives, which are the members
    nearest the centre, come first); `encode` embeds sentences and candidate phrases, so that
    sentences making one point are found by meaning and candidates scored by closeness to their
    point (without it, both by shared words alone).
    """
    central, centroid = central_members(theme, answers, vectors)
    texts = [answers[answer_id].text for answer_id in central]
    if not central:
        return ThemeText([], None, "", [], [])
    if encode is not None:
        encode = reusing(encode, {answer_id: answers[answer_id] for answer_id in central}, vectors)
    if centroid is None and encode is not None:
        centroid = unit_rows(unit_rows(encode(texts)).sum(axis=0, keepdims=True))[0]
    weights, surface = word_weights(theme, answers, texts)

    occurrences: Counter[str] = Counter()
    first_seen: dict[str, str] = {}
    first_member: dict[str, int] = {}
    for member, text in enumerate(texts):
        for phrase in dict.fromkeys(candidate_phrases(text, MAX_LABEL_WORDS)):
            key = normalise_label(phrase)
            occurrences[key] += 1
            first_seen.setdefault(key, phrase)
            first_member.setdefault(key, member)

    def shared_score(phrase: str) -> float:
        stems = point_stems(phrase)
        support = sum(weights.get(found, 0.0) for found in stems) / (len(stems) + 1)
        length = len(phrase.split())
        penalty = LENGTH_PENALTY_ONE_WORD * (length == 1) + LENGTH_PENALTY_PER_WORD_OVER_SIX * max(0, length - 6)
        repeated = REPEATED_PHRASE_WEIGHT * (occurrences[normalise_label(phrase)] - 1) / len(texts)
        return support + repeated - penalty

    points = find_points(texts, centroid, encode, weights)
    candidates: list[str] = []
    examples: dict[str, tuple[int, str]] = {}
    makers: dict[str, int] = {}
    for point in points:
        phrases = [
            phrase
            for sentence in point.sentences
            for phrase in candidate_phrases(sentence, MAX_LABEL_WORDS)
            if normalise_label(phrase) not in examples
        ]
        phrases = _best_spellings(list(dict.fromkeys(phrases)), point.sentences)
        # A stance ("A sensible idea") names a point only when the point has nothing else to say.
        ranked = sorted(phrases, key=lambda phrase: (is_stance(phrase), -shared_score(phrase)))
        ranked = ranked[:EMBEDDED_CANDIDATES]
        phrase_vectors: dict[str, np.ndarray] = {}
        if encode is not None and point.centre is not None and ranked:
            found = unit_rows(encode(ranked))
            phrase_vectors = dict(zip(ranked, found, strict=True))
            scores = {phrase: float(found[i] @ point.centre) + shared_score(phrase) for i, phrase in enumerate(ranked)}
            ranked = sorted(ranked, key=lambda phrase: (is_stance(phrase), -scores[phrase]))
        for phrase in ranked:
            member, sentence = point.example_for(phrase, phrase_vectors.get(phrase))
            examples[normalise_label(phrase)] = (central[member], excerpt_making(sentence, phrase))
            makers[normalise_label(phrase)] = len(set(point.members))
            candidates.append(phrase)
    # Whatever no point offered stays a candidate of last resort, illustrated by its own answer.
    order = {key: index for index, key in enumerate(first_seen)}
    for key in sorted(first_seen, key=lambda key: (-shared_score(first_seen[key]), order[key])):
        if key not in examples and not any(_spelt_alike(first_seen[key], kept) for kept in candidates):
            member = first_member[key]
            holding = _sentence_holding(texts[member], first_seen[key])
            examples[key] = (central[member], excerpt_making(holding, first_seen[key]))
            candidates.append(first_seen[key])

    main = examples[normalise_label(candidates[0])] if candidates else (central[0], excerpt(texts[0]))
    distinctive = [surface[found] for found, _ in sorted(weights.items(), key=lambda item: (-item[1], item[0]))]
    return ThemeText(candidates, main[0], main[1], texts, distinctive, examples, makers)


def _best_spellings(phrases: list[str], written: list[str]) -> list[str]:
    """`phrases` with each group of spellings of one phrase ("Some people ...", "Some poeple ...")
    kept once, as most of the sentences in `written` spell it (the first of equals), in order."""
    seen = [" ".join(words(sentence)) for sentence in written]

    def uses(phrase: str) -> int:
        return sum(normalise_label(phrase) in sentence for sentence in seen)

    kept: list[str] = []
    for phrase in phrases:
        for index, other in enumerate(kept):
            if _spelt_alike(phrase, other):
                if uses(phrase) > uses(other):
                    kept[index] = phrase
                break
        else:
            kept.append(phrase)
    return kept


def _spelt_alike(phrase: str, other: str) -> bool:
    """Whether two phrases are one phrase spelt two ways: word for word the same or variants."""
    said, other_said = words(phrase), words(other)
    return len(said) == len(other_said) and all(map(same_word, said, other_said))


def _sentence_holding(text: str, phrase: str) -> str:
    """The sentence of `text` a candidate `phrase` was cut from (the first, if none holds it whole)."""
    found = sentences(text)
    key = normalise_label(phrase)
    return next((sentence for sentence in found if key in normalise_label(sentence)), found[0] if found else text)


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
    """One sentence: the label as the answers put it, and a member's sentence making that point.

    When fewer than half the members read make the label's point, the theme is said to hold
    several points, the label's the most common, rather than every answer said to say it.
    """
    if _as_written(label, text.member_texts) and _is_mixed(label, text):
        opening = f'Answers on several points, most often "{label}"'
    elif _as_written(label, text.member_texts):
        opening = f'Answers saying "{label}" or something close to it'
    else:
        opening = "Answers grouped together"
    _, example = text.example_for(label)
    if not example or normalise_label(example) == normalise_label(label) or published_text_problems(example):
        # An example carrying a link, markup or an order to the model is not quoted.
        return f"{opening}."
    return _closed(f"{opening}, for example", example)


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
    *,
    total: int | None = None,
) -> Summary:
    """One cited sentence for each of the largest themes (up to six), without a language model.

    Each sentence gives the theme's size and share, its label, and quotes the sentence of its most
    central member nearest the centre, citing that answer and the theme's other representatives.
    `answers` holds every answer the themes were found in (its size is the denominator of each
    share); `counts` overrides a theme's size by key, for instance to count each copy of a campaign.
    A theme without a label gets its extractive one. `title` is accepted for symmetry with the model
    path; the extractive text does not need it. `total`, when given, is the number of answers the
    themes were found in, of which `answers` holds only a sample (a large question's analysis).
    """
    sizes = {theme.key: theme_size(theme, counts) for theme in themes}
    largest = sorted(themes, key=lambda theme: (-sizes[theme.key], theme.key))[:SUMMARY_THEMES]
    sentences_out: list[CitedSentence] = []
    for theme in largest:
        text = theme_text(theme, answers)
        if text.example_id is None:
            # A sentence must cite the answers behind it; a theme with none at hand is left out.
            continue
        label = theme.label or choose_label(text)
        example_id, example = text.example_for(label)
        cited = [example_id] + [
            answer_id for answer_id in theme.representative_ids if answer_id != example_id and answer_id in answers
        ]
        size = sizes[theme.key]
        denominator = max(len(answers) if total is None else total, size, 1)
        share = f"{size} of {denominator} answers ({round(100 * size / denominator)}%)"
        if _as_written(label, text.member_texts) and _is_mixed(label, text):
            lead = f'{share} made several points, most often "{label}", for example'
        elif _as_written(label, text.member_texts):
            lead = f'{share} said "{label}" or similar, for example'
        else:
            lead = f"{share} fall under the theme {label}, for example"
        if published_text_problems(example):
            # An example carrying a link, markup or an order to the model is not quoted.
            sentence = lead.removesuffix(", for example") + "."
        else:
            sentence = _closed(lead, example)
        sentences_out.append(CitedSentence(text=sentence, answer_ids=cited))
    return Summary(sentences=sentences_out, source=TextSource.EXTRACTIVE)


def _is_mixed(label: str, text: ThemeText) -> bool:
    """Whether fewer than half of the (at least MIXED_THEME_MEMBERS) members read make `label`'s point."""
    makers = text.makers.get(normalise_label(label))
    read = len(text.member_texts)
    return makers is not None and read >= MIXED_THEME_MEMBERS and 2 * makers < read


def _as_written(label: str, texts: Sequence[str]) -> bool:
    """Whether `label` is the members' own words: verbatim, or with only a leading "I'd"/"We'd"
    written out as "Would" (as label phrases are)."""
    if is_verbatim(label, texts):
        return True
    rest = label.removeprefix("Would ")
    spelled = [f"{subject}{would} {rest}" for subject in ("I", "We") for would in ("'d", "\u2019d", " would")]
    return rest != label and any(is_verbatim(written, texts) for written in spelled)


def theme_size(theme: Theme, counts: Mapping[int, int] | None) -> int:
    """The number of responses behind `theme`: `counts[theme.key]` when given, else its members."""
    if counts is not None and theme.key in counts:
        return counts[theme.key]
    return len(theme.member_ids)


def _closed(lead: str, quote: str) -> str:
    """`lead "quote"` as a sentence: a quote that already ends one needs no full stop after it."""
    return f'{lead} "{quote}"' + ("" if quote.endswith((".", "!", "?", "\u2026")) else ".")
