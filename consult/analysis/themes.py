"""Themes in one question's answers, found with BERTopic on the stored embeddings.

How it works, and why:

1. BERTopic reduces the embeddings with UMAP and clusters them with HDBSCAN. UMAP is handed an
   exact nearest-neighbour graph computed here with matrix products (BLAS uses every core and
   gives the same result on every run), because UMAP's own approximate search runs on one core
   once a seed is fixed.
2. HDBSCAN keeps its most stable clusters. A cluster whose answers are not coherent (a broad
   subject every answer shares) is split into the finer clusters HDBSCAN finds inside it.
3. On short answers HDBSCAN still returns many small fragments of one theme. They are merged
   hierarchically in the original embedding space by Ward's criterion, which folds small
   fragments into their neighbours before it touches large themes. The number of themes is the
   data's: of the cuts of that hierarchy between `min_themes` and `max_themes` (a ceiling, not a
   target), the one with the highest silhouette (cosine, on a seeded sample) among those whose
   merged themes are all coherent. Then near-identical themes (centroid cosine >=
   MERGE_SIMILARITY) merge too. See `clustering.merge`.
   Given the embedder's `encode`, themes whose main points coincide merge as well: the point most
   of a theme's central members make is found sentence by sentence (`points.main_points`), and
   two themes whose points sit within SAME_POINT_SIMILARITY say the same thing even when their
   answers differ in everything else (length, the other points they make, the way they write).
4. Answers HDBSCAN left out join the nearest theme when close enough to its centroid (a threshold
   per theme, see `_thresholds`), then the closest of the rest until at most `max_unassigned`
   are left: those are the answers that fit no theme. Themes under the minimum support are
   dissolved and their answers placed the same way.
5. An answer also carries any other theme within `secondary_margin` of its primary one.
6. Keywords come from c-TF-IDF (BERTopic's `ClassTfidfTransformer`) over the final themes;
   representative answers are the real members nearest each theme's centroid.

Questions with more than `fit_sample_size` answers are clustered on a seeded sample; the rest are
placed as late answers are. Everything is seeded: the same answers, embeddings and seed give the
same themes on the same machine.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from consult.analysis.clustering import (
    HDBSCAN_MIN_SAMPLES,
    MERGE_SIMILARITY,
    SILHOUETTE_SAMPLE,
    SILHOUETTE_TIE,
    SPLIT_COHERENCE,
    UMAP_COMPONENTS,
    UMAP_EPOCHS_LARGE,
    UMAP_EPOCHS_SMALL,
    UMAP_NEIGHBOURS,
    Cut,
    cluster,
    fit_sample,
    merge,
    unit_rows,
)
from consult.analysis.points import main_points
from consult.analysis.types import AnswerText, Assignment, Theme

# Bump when a change here can change the themes found for the same input.
THEMES_VERSION = "5"
# Two themes whose main points are at least this close (cosine of the points' centres) say the same
# thing: rewordings of one sentence by all-MiniLM-L6-v2 sit above 0.8, different points on one
# subject below 0.7 (see docs/benchmarks.md).
SAME_POINT_SIMILARITY = 0.8

# The default range of the number of themes: the data chooses within it. The ceiling is high
# enough not to bind on the data sets measured (docs/benchmarks.md); it bounds time and reading.
DEFAULT_MIN_THEMES = 2
DEFAULT_MAX_THEMES = 100
SMALL_INPUT = 30  # fewer answers than this are too few for UMAP and HDBSCAN: Ward alone groups them
# The closeness of a theme's own answers is measured at this quantile, so that a few loose members
# do not lower the bar for joining it (see _thresholds).
THRESHOLD_QUANTILE = 0.05
# An answer also carries another theme when it is within this cosine similarity of its primary one.
DEFAULT_SECONDARY_MARGIN = 0.03
MAX_THEMES_PER_ANSWER = 3
KEYWORDS = 10
REPRESENTATIVES = 5
# What scikit-learn's tokeniser leaves of contractions ("didn't" gives "didn"): never a keyword.
CONTRACTION_STEMS = frozenset(
    {"aren", "couldn", "didn", "doesn", "don", "hadn", "hasn", "haven", "isn", "ll", "re", "shouldn"}
    | {"ve", "wasn", "weren", "won", "wouldn"}
)


@dataclass
class ThemeModel:
    """The themes of one question, how every answer was assigned, and what late answers need.

    `themes` have keys 1..n, largest first; a theme's `member_ids` are the answers whose primary
    theme it is. `assignments` has one entry per input answer, in input order, primary theme
    first and empty when the answer fits no theme. Row i of `centroids` (unit length) and entry i
    of `thresholds` belong to `themes[i]`; with `secondary_margin` they are all `assign_answers`
    needs. `timings` are seconds per stage.
    """

    themes: list[Theme]
    assignments: list[Assignment]
    centroids: np.ndarray
    thresholds: np.ndarray
    secondary_margin: float
    parameters: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    cut: Cut = field(default_factory=Cut)
    # Themes folded into another whose main point they share (see `_merge_same_points`).
    same_point_merges: int = 0

    @property
    def keys(self) -> list[int]:
        return [theme.key for theme in self.themes]

    @property
    def unassigned_share(self) -> float:
        """The share of answers that fit no theme."""
        if not self.assignments:
            return 0.0
        return sum(1 for a in self.assignments if not a.theme_keys) / len(self.assignments)


def default_min_theme_size(answer_count: int) -> int:
    """The support a theme needs: 5 answers, or 0.1% of them when that is more."""
    return max(5, math.ceil(0.001 * answer_count))


def discover_themes(
    answers: list[AnswerText],
    embeddings: np.ndarray,
    *,
    min_themes: int = DEFAULT_MIN_THEMES,
    max_themes: int = DEFAULT_MAX_THEMES,
    seed: int = 42,
    min_theme_size: int | None = None,
    max_unassigned: float = 0.10,
    secondary_margin: float = DEFAULT_SECONDARY_MARGIN,
    fit_sample_size: int = 20_000,
    encode: Callable[[list[str]], np.ndarray] | None = None,
) -> ThemeModel:
    """Find the themes in `answers`, whose embeddings are the rows of `embeddings`: as many as the
    answers hold, between `min_themes` and `max_themes` (a ceiling only; see `clustering.merge`).

    Each theme has at least `min_theme_size` answers (default: 5 or 0.1%, whichever is more) and
    at most `max_unassigned` of the answers are left without a theme. Fewer than twice the minimum
    size are not clustered: they make one theme (or none, when there are fewer than the minimum
    size); fewer than 30 are grouped by the Ward cut alone, without UMAP and HDBSCAN. With
    `encode` (the embedder's), themes whose main points coincide are merged (never below
    `min_themes`). The same input and `seed` always give the same result.
    """
    started = time.perf_counter()
    if len(answers) != len(embeddings):
        raise ValueError(f"{len(answers)} answers but {len(embeddings)} embeddings")
    count = len(answers)
    vectors = np.asarray(embeddings, dtype=np.float32)
    vectors = unit_rows(
        vectors.reshape(count, -1) if count else np.zeros((0, vectors.shape[-1] if vectors.ndim else 0))
    )
    min_size = min_theme_size or default_min_theme_size(count)
    parameters = {
        "version": THEMES_VERSION,
        "min_themes": min_themes,
        "max_themes": max_themes,
        "seed": seed,
        "min_theme_size": min_size,
        "max_unassigned": max_unassigned,
        "secondary_margin": secondary_margin,
        "fit_sample_size": fit_sample_size,
        "umap": {
            "n_neighbors": UMAP_NEIGHBOURS,
            "n_components": UMAP_COMPONENTS,
            "n_epochs": [UMAP_EPOCHS_SMALL, UMAP_EPOCHS_LARGE],
        },
        "hdbscan_min_samples": HDBSCAN_MIN_SAMPLES,
        "merge_similarity": MERGE_SIMILARITY,
        "silhouette_sample": SILHOUETTE_SAMPLE,
        "silhouette_tie": SILHOUETTE_TIE,
        "split_coherence": SPLIT_COHERENCE,
        "threshold_quantile": THRESHOLD_QUANTILE,
        "same_point_similarity": SAME_POINT_SIMILARITY if encode is not None else None,
    }
    timings: dict[str, float] = {}
    cut = Cut()

    if count < 2 * min_size or max_themes < 2:
        labels = np.zeros(count, dtype=np.int64) if count >= min_size and max_themes >= 1 else np.full(count, -1)
    elif count < SMALL_INPUT:
        # Too few answers for UMAP and HDBSCAN, enough for two or more themes of the minimum size:
        # every answer starts as its own cluster and the same Ward cut chooses how many themes.
        clock = time.perf_counter()
        labels, cut = merge(
            np.arange(count, dtype=np.int64),
            vectors,
            min_themes=min(min_themes, count // min_size),
            max_themes=min(max_themes, count // min_size),
            seed=seed,
        )
        timings["merge"] = time.perf_counter() - clock
    else:
        sample = fit_sample(count, fit_sample_size, seed)
        sample_labels = cluster(
            [answers[i].text for i in sample], vectors[sample], seed, min_size * len(sample) // count, timings
        )
        clock = time.perf_counter()
        sample_labels, cut = merge(
            sample_labels, vectors[sample], min_themes=min_themes, max_themes=max_themes, seed=seed
        )
        labels = np.full(count, -1, dtype=np.int64)
        labels[sample] = sample_labels
        if not np.any(labels >= 0):
            # HDBSCAN found no dense group at all: the answers are one theme, not none.
            labels[:] = 0
        timings["merge"] = time.perf_counter() - clock

    clock = time.perf_counter()
    labels, centroids, thresholds = _settle(labels, vectors, min_size, max_unassigned)
    timings["settle"] = time.perf_counter() - clock
    same_point_merges = 0
    if encode is not None:
        clock = time.perf_counter()
        merged = None
        if len(centroids) > min_themes:
            merged = _merge_same_points(labels, vectors, answers, encode, min_themes)
        if merged is not None:
            same_point_merges = len(centroids)
            labels, centroids, thresholds = _settle(merged, vectors, min_size, max_unassigned)
            same_point_merges -= len(centroids)
        timings["same_points"] = time.perf_counter() - clock
    clock = time.perf_counter()
    theme_lists = _assign(vectors, centroids, thresholds, secondary_margin, primary=labels)
    timings["assign"] = time.perf_counter() - clock

    clock = time.perf_counter()
    texts = [answer.text for answer in answers]
    keywords = _keywords(texts, labels, len(centroids))
    timings["keywords"] = time.perf_counter() - clock

    themes = []
    for index in range(len(centroids)):
        members = np.flatnonzero(labels == index)
        themes.append(
            Theme(
                key=index + 1,
                keywords=keywords[index],
                member_ids=[answers[i].id for i in members],
                representative_ids=_representatives(members, vectors, centroids[index], texts, answers),
            )
        )
    assignments = [
        Assignment(answer_id=answer.id, theme_keys=[k + 1 for k in keys])
        for answer, keys in zip(answers, theme_lists, strict=True)
    ]
    timings["total"] = time.perf_counter() - started
    return ThemeModel(
        themes, assignments, centroids, thresholds, secondary_margin, parameters, timings, cut, same_point_merges
    )


def _merge_same_points(
    labels: np.ndarray,
    vectors: np.ndarray,
    answers: list[AnswerText],
    encode: Callable[[list[str]], np.ndarray],
    min_themes: int,
) -> np.ndarray | None:
    """Labels with every theme whose main point is within SAME_POINT_SIMILARITY of a larger one's
    folded into it (the closest pairs first, never below `min_themes`); None when none are."""
    by_id = {answer.id: answer for answer in answers}
    vector_of = {answer.id: vectors[index] for index, answer in enumerate(answers)}
    count = int(labels.max()) + 1
    themes = []
    for index in range(count):
        members = [answers[i].id for i in np.flatnonzero(labels == index)]
        themes.append(Theme(index + 1, [], members, members))
    points = main_points(themes, by_id, vectors=vector_of, encode=encode)
    pairs = sorted(
        (
            (-float(points[a] @ points[b]), a, b)
            for a in range(count)
            for b in range(a + 1, count)
            if points[a] is not None and points[b] is not None
        ),
    )
    into = list(range(count))  # themes are numbered largest first, so a merge keeps the lower index

    def root(index: int) -> int:
        while into[index] != index:
            index = into[index]
        return index

    themes_left = count
    for negative, a, b in pairs:
        if -negative < SAME_POINT_SIMILARITY or themes_left <= min_themes:
            break
        first, second = root(a), root(b)
        if first != second:
            into[max(first, second)] = min(first, second)
            themes_left -= 1
    if themes_left == count:
        return None
    return np.array([root(label) if label >= 0 else -1 for label in labels.tolist()], dtype=np.int64)


def assign_answers(
    model: ThemeModel | np.ndarray,
    embeddings: np.ndarray,
    *,
    thresholds: np.ndarray | None = None,
    keys: list[int] | None = None,
    secondary_margin: float | None = None,
) -> list[list[int]]:
    """Assign late answers to existing themes: for each embedding, its theme keys, primary first.

    An answer joins its nearest theme when it is at least as close to the theme's centroid as the
    theme's threshold says, and also any other theme within `secondary_margin` of the primary one;
    it gets `[]` when it fits none. Pass a `ThemeModel`, or stored centroids with their
    `thresholds` (and `keys`, default 1..n, and `secondary_margin`). One answer takes well under a
    millisecond.
    """
    if isinstance(model, ThemeModel):
        centroids, thresholds, keys = model.centroids, model.thresholds, model.keys
        margin = model.secondary_margin if secondary_margin is None else secondary_margin
    else:
        if thresholds is None:
            raise ValueError("assign_answers needs the thresholds that go with the centroids")
        centroids = np.asarray(model, dtype=np.float32)
        keys = keys or list(range(1, len(centroids) + 1))
        margin = DEFAULT_SECONDARY_MARGIN if secondary_margin is None else secondary_margin
    vectors = unit_rows(np.atleast_2d(np.asarray(embeddings, dtype=np.float32)))
    if len(centroids) == 0:
        return [[] for _ in range(len(vectors))]
    lists = _assign(vectors, centroids, np.asarray(thresholds, dtype=np.float32), margin)
    return [[keys[k] for k in found] for found in lists]


def _centroids(labels: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relabel themes 0..k-1 largest first (ties by first member); return labels and centroids."""
    found = [c for c in dict.fromkeys(labels.tolist()) if c != -1]
    found.sort(key=lambda c: -int(np.sum(labels == c)))
    relabel = {c: n for n, c in enumerate(found)}
    labels = np.array([relabel.get(c, -1) for c in labels.tolist()], dtype=np.int64)
    if not found:
        return labels, np.zeros((0, vectors.shape[1]), dtype=np.float32)
    sums = np.stack([vectors[labels == n].sum(axis=0) for n in range(len(found))])
    return labels, unit_rows(sums)


def _thresholds(labels: np.ndarray, vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """How close to a theme's centroid an answer must be to join it.

    Halfway between how close the theme's own answers are (all but the loosest few) and how close
    the other answers are on average: a scale that adapts to each theme and to the embedding model,
    whose similarities between unrelated texts are not zero.
    """
    similarity = vectors @ centroids.T
    thresholds = np.empty(len(centroids), dtype=np.float32)
    for n in range(len(centroids)):
        is_member = labels == n
        own = np.quantile(similarity[is_member, n], THRESHOLD_QUANTILE)
        # With a single theme there are no other answers to compare with: take unrelated as 0.
        background = similarity[~is_member, n].mean() if np.any(~is_member) else 0.0
        thresholds[n] = (own + background) / 2
    return thresholds


def _settle(
    labels: np.ndarray, vectors: np.ndarray, min_size: int, max_unassigned: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Place left-out answers, drop themes under min_size; return labels, centroids, thresholds."""
    while True:
        labels, centroids = _centroids(labels, vectors)
        if len(centroids) == 0:
            return labels, centroids, np.zeros(0, dtype=np.float32)
        thresholds = _thresholds(labels, vectors, centroids)
        placed = _place_left_out(labels, vectors, centroids, thresholds, max_unassigned)
        sizes = np.bincount(placed[placed >= 0], minlength=len(centroids))
        if sizes.min() >= min_size:
            # Centroids and thresholds from the final members, which late answers are judged by.
            labels, centroids = _centroids(placed, vectors)
            return labels, centroids, _thresholds(labels, vectors, centroids)
        # Dissolve the smallest theme that lacks support; its answers find another home.
        labels = np.where(labels == int(np.argmin(sizes)), -1, labels)


def _place_left_out(
    labels: np.ndarray, vectors: np.ndarray, centroids: np.ndarray, thresholds: np.ndarray, max_unassigned: float
) -> np.ndarray:
    placed = labels.copy()
    left_out = np.flatnonzero(labels == -1)
    if len(left_out) == 0:
        return placed
    similarity = vectors[left_out] @ centroids.T
    nearest = similarity.argmax(axis=1)
    slack = similarity[np.arange(len(left_out)), nearest] - thresholds[nearest]
    fits = slack >= 0
    # Past the cap on unassigned answers, the closest of the rest join their nearest theme too.
    allowed = math.floor(max_unassigned * len(labels))
    if np.sum(~fits) > allowed:
        order = np.argsort(-slack, kind="stable")
        fits[order[: len(left_out) - allowed]] = True
    placed[left_out[fits]] = nearest[fits]
    return placed


def _assign(
    vectors: np.ndarray,
    centroids: np.ndarray,
    thresholds: np.ndarray,
    margin: float,
    primary: np.ndarray | None = None,
) -> list[list[int]]:
    """Theme indices per answer, primary first. Without `primary`, the nearest theme that fits."""
    similarity = vectors @ centroids.T
    if primary is None:
        primary = similarity.argmax(axis=1)
        best = similarity[np.arange(len(vectors)), primary]
        primary = np.where(best >= thresholds[primary], primary, -1)
    result: list[list[int]] = []
    for row, first in zip(similarity, primary.tolist(), strict=True):
        if first < 0:
            result.append([])
            continue
        near = np.flatnonzero((row >= thresholds) & (row >= row[first] - margin))
        others = [int(k) for k in near[np.argsort(-row[near], kind="stable")] if k != first]
        result.append([first, *others[: MAX_THEMES_PER_ANSWER - 1]])
    return result


def _keywords(texts: list[str], labels: np.ndarray, theme_count: int) -> list[list[str]]:
    """Top c-TF-IDF words and two-word phrases of each theme (unassigned answers as one more class)."""
    if theme_count == 0:
        return []
    from bertopic.vectorizers import ClassTfidfTransformer
    from scipy import sparse
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    stop_words = sorted(ENGLISH_STOP_WORDS | CONTRACTION_STEMS)
    # Words used by at least two answers, so one person's typo never names a theme; when no word
    # is (a handful of answers), any word; when there are none at all, no keywords.
    for min_df in (2, 1):
        vectorizer = CountVectorizer(stop_words=stop_words, ngram_range=(1, 2), min_df=min_df)
        try:
            counts = vectorizer.fit_transform(texts)
            break
        except ValueError:
            continue
    else:
        return [[] for _ in range(theme_count)]
    classes = np.where(labels >= 0, labels, theme_count)
    membership = sparse.csr_matrix(
        (np.ones(len(texts)), (classes, np.arange(len(texts)))), shape=(theme_count + 1, len(texts))
    )
    per_theme = membership @ counts
    if per_theme.shape[1] == 1:
        # One word in the whole vocabulary: c-TF-IDF cannot weigh it (and BERTopic's fails on it).
        scores = per_theme.toarray().astype(float)
    else:
        scores = ClassTfidfTransformer(reduce_frequent_words=True).fit_transform(per_theme).toarray()
    words = vectorizer.get_feature_names_out()
    keywords = []
    for row in scores[:theme_count]:
        top = np.argsort(-row, kind="stable")[:KEYWORDS]
        keywords.append([str(words[i]) for i in top if row[i] > 0])
    return keywords


def _representatives(
    members: np.ndarray, vectors: np.ndarray, centroid: np.ndarray, texts: list[str], answers: list[AnswerText]
) -> list[int]:
    """The members nearest the centroid, one per distinct text, so a campaign shows once."""
    order = members[np.argsort(-(vectors[members] @ centroid), kind="stable")]
    chosen: list[int] = []
    seen: set[str] = set()
    for index in order.tolist():
        text = " ".join(texts[index].lower().split())
        if text in seen:
            continue
        seen.add(text)
        chosen.append(answers[index].id)
        if len(chosen) == REPRESENTATIVES:
            break
    return chosen
