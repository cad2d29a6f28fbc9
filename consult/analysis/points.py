"""The points a theme's answers make, found sentence by sentence, without a language model.

Answers make several points each, so a theme (a cluster of whole answers) is named by the point
most of its members make, not by whatever sits nearest its centre. The sentences of the members
nearest the centre are grouped into points: sentences whose embeddings are within
POINT_SIMILARITY of each other (or, without embeddings, that share enough content words); the
point made by the most members, in words the theme uses more than the rest of the question, comes
first. Stances ("We do not support the proposal") and introductions ("This response is based on
our casework") are never points. `consult.analysis.extractive` labels and describes themes from
these points; `consult.analysis.themes` merges themes whose main points coincide.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from consult.analysis.phrases import (
    STOP_WORDS,
    content_stems,
    is_about_the_response,
    is_negation,
    is_stance,
    normalise_label,
    point_stems,
    sentences,
    stem,
    words,
)
from consult.analysis.types import AnswerText, Theme

Encode = Callable[[list[str]], np.ndarray]

# Bounded work per theme: the sentences of this many members nearest the centre are read, and the
# words of this many other answers are the background a theme's words must stand out from.
LABEL_MEMBERS = 20
BACKGROUND_ANSWERS = 400

# Two sentences make the same point at this cosine similarity of their embeddings (all-MiniLM-L6-v2
# puts rewordings of one sentence above 0.7 and different points on one subject near 0.4-0.5), or,
# without embeddings, when they share this share of their content words and negation.
POINT_SIMILARITY = 0.6
POINT_WORD_OVERLAP = 0.5

# Label candidates come from this many of a theme's points, the most widely made first.
POINT_FAMILIES = 3

# A label's example is written by the member nearest the theme's centre among the point's sentences
# within this cosine of the one most like the label.
EXAMPLE_MARGIN = 0.05

# Closeness to the theme's centre only breaks near-ties between points made by as many members.
POINT_CENTRE_WEIGHT = 0.25

_LIST_LEAD_IN = re.compile(r"(?m)^[^\n]*:[ \t]*$")


@dataclass(frozen=True)
class Point:
    """Sentences of a theme's central members that make one point: each with its member (an index
    into the members, nearest the centre first) and, with embeddings, its vector; and the point's
    centre."""

    sentences: list[str]
    members: list[int]
    vectors: np.ndarray | None
    centre: np.ndarray | None

    def example_for(self, phrase: str, vector: np.ndarray | None) -> tuple[int, str]:
        """The member and sentence of this point that best illustrate `phrase`: of the sentences
        (more than the phrase itself) within EXAMPLE_MARGIN of the one most like it (by embedding,
        else by shared words), the one written by the member nearest the theme's centre."""
        key = normalise_label(phrase)
        options = [i for i, sentence in enumerate(self.sentences) if normalise_label(sentence) != key]
        options = options or list(range(len(self.sentences)))
        if vector is not None and self.vectors is not None:
            closeness = {i: float(self.vectors[i] @ vector) for i in options}
            margin = EXAMPLE_MARGIN
        else:
            stems = point_stems(phrase)
            closeness = {i: len(stems & point_stems(self.sentences[i])) / (len(stems) + 1) for i in options}
            margin = 0.0
        most = max(closeness.values())
        best = min((i for i in options if closeness[i] >= most - margin), key=lambda i: (self.members[i], i))
        return self.members[best], self.sentences[best]


def find_points(
    texts: list[str], centroid: np.ndarray | None, encode: Encode | None, weights: Mapping[str, float]
) -> list[Point]:
    """Up to POINT_FAMILIES points the members `texts` (nearest the centre first) make, the most
    widely made first.

    A sentence's support is the share of members with a sentence making the same point (cosine
    at least POINT_SIMILARITY, or without `encode` a content-word overlap of POINT_WORD_OVERLAP);
    its score adds how telling its words are (`weights`: used more in the theme than outside it,
    so "I disagree" scores nothing) and, lightly, its closeness to the theme's centre. The best
    sentence and every sentence like it form a point; the next point is sought among the rest.
    """
    found = point_sentences(texts)
    if not found:
        return []
    owners = np.array([member for member, _ in found])
    vectors: np.ndarray | None = None
    if encode is not None:
        vectors = unit_rows(encode([sentence for _, sentence in found]))
        similar = vectors @ vectors.T >= POINT_SIMILARITY
        closeness = vectors @ centroid if centroid is not None else np.zeros(len(found))
    else:
        stems = [point_stems(sentence) for _, sentence in found]
        similar = np.array(
            [[len(a & b) / max(1, len(a | b)) >= POINT_WORD_OVERLAP for b in stems] for a in stems], dtype=bool
        )
        closeness = np.zeros(len(found))
    support = np.array([len(set(owners[row].tolist())) for row in similar]) / len(texts)
    telling = np.array(
        [sum(weights.get(stem_, 0.0) for stem_ in point_stems(s)) / (len(point_stems(s)) + 1) for _, s in found]
    )
    score = support + telling + POINT_CENTRE_WEIGHT * closeness
    used = np.zeros(len(found), dtype=bool)
    points: list[Point] = []
    for best in np.argsort(-score, kind="stable"):
        if used[best]:
            continue
        family = np.flatnonzero(similar[best] & ~used)
        used[family] = True
        family = family[np.argsort(owners[family], kind="stable")]
        centre = None if vectors is None else unit_rows(vectors[family].sum(axis=0, keepdims=True))[0]
        points.append(
            Point(
                [found[i][1] for i in family],
                [int(owners[i]) for i in family],
                None if vectors is None else vectors[family],
                centre,
            )
        )
        if len(points) == POINT_FAMILIES:
            break
    return points


def reusing(encode: Encode, answers: Mapping[int, AnswerText], vectors: Mapping[int, np.ndarray] | None) -> Encode:
    """`encode` that embeds each distinct text once, and never a text that is a whole answer whose
    embedding `vectors` already holds (most short answers are one sentence)."""
    known: dict[str, np.ndarray] = {}
    if vectors is not None:
        for answer_id, answer in answers.items():
            if answer_id in vectors:
                known.setdefault(" ".join(answer.text.split()), unit_rows(vectors[answer_id])[0])

    def cached(texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(text for text in texts if " ".join(text.split()) not in known))
        if missing:
            for text, vector in zip(missing, unit_rows(encode(missing)), strict=True):
                known[" ".join(text.split())] = vector
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([known[" ".join(text.split())] for text in texts])

    return cached


def point_sentences(texts: list[str]) -> list[tuple[int, str]]:
    """The sentences of `texts` that can make a point, each with the index of its text."""
    found = [
        (member, sentence)
        for member, text in enumerate(texts)
        # A line introducing a list ("... only if the following were done:") is not a point.
        for sentence in sentences(_LIST_LEAD_IN.sub("", text))
    ]
    # A stance ("We do not support the proposal") says where someone stands, not what they say.
    # Nor does an introduction ("We are a network of ...", "This response is based on ...").
    return [
        (member, sentence)
        for member, sentence in found
        if content_stems(sentence) and not is_stance(sentence) and not is_about_the_response(sentence)
    ]


def main_points(
    themes: Sequence[Theme],
    answers: Mapping[int, AnswerText],
    *,
    vectors: Mapping[int, np.ndarray] | None,
    encode: Encode,
) -> list[np.ndarray | None]:
    """Where the point most of each theme's members make sits in embedding space (unit length), or
    None for a theme whose members have no sentence with content: two themes whose main points
    nearly coincide say the same thing. The sentences of every theme are embedded in one batch."""
    prepared = []
    for theme in themes:
        central, centroid = central_members(theme, answers, vectors)
        texts = [answers[answer_id].text for answer_id in central]
        prepared.append((theme, texts, centroid))
    wanted = [sentence for _, texts, _ in prepared for _, sentence in point_sentences(texts)]
    wanted += [text for _, texts, centroid in prepared if centroid is None for text in texts]
    lookup = reusing(encode, answers, vectors)
    lookup(list(dict.fromkeys(wanted)))  # one batch for every theme's sentences

    found: list[np.ndarray | None] = []
    for theme, texts, centroid in prepared:
        if not texts:
            found.append(None)
            continue
        if centroid is None:
            centroid = unit_rows(lookup(texts).sum(axis=0, keepdims=True))[0]
        weights, _ = word_weights(theme, answers, texts)
        points = find_points(texts, centroid, lookup, weights)
        found.append(points[0].centre if points else None)
    return found


def has_text(answer_id: int, answers: Mapping[int, AnswerText]) -> bool:
    answer = answers.get(answer_id)
    return answer is not None and bool(answer.text.strip())


def central_members(
    theme: Theme, answers: Mapping[int, AnswerText], vectors: Mapping[int, np.ndarray] | None
) -> tuple[list[int], np.ndarray | None]:
    """Up to LABEL_MEMBERS members with text, nearest the theme's centre first, and the centre
    (the unit mean of all its members' embeddings; None without them)."""
    members = [answer_id for answer_id in dict.fromkeys(theme.member_ids) if has_text(answer_id, answers)]
    if vectors is not None and members and all(answer_id in vectors for answer_id in members):
        matrix = unit_rows(np.stack([np.asarray(vectors[answer_id], dtype=np.float32) for answer_id in members]))
        centre = unit_rows(matrix.sum(axis=0, keepdims=True))[0]
        order = np.argsort(-(matrix @ centre), kind="stable")
        return [members[i] for i in order[:LABEL_MEMBERS]], centre
    # The representatives are the members nearest the centroid, nearest first.
    known = set(members)
    first = [answer_id for answer_id in dict.fromkeys(theme.representative_ids) if answer_id in known]
    return list(dict.fromkeys([*first, *members]))[:LABEL_MEMBERS], None


def word_weights(
    theme: Theme, answers: Mapping[int, AnswerText], texts: list[str]
) -> tuple[dict[str, float], dict[str, str]]:
    """How much more often the theme's central members use each stem than the question's other answers.

    Negation counts as a word ("not"), so a theme whose answers say "did not" favours phrases that
    do. Returns the weights and, for each stem, the commonest word that gave it.
    """
    inside = Counter(found for text in texts for found in point_stems(text))
    members = set(theme.member_ids)
    others = sorted(answer_id for answer_id in answers if answer_id not in members and has_text(answer_id, answers))
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


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.atleast_2d(np.asarray(matrix, dtype=np.float32))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)
