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
   fragments into their neighbours before it touches large themes, until at most `max_themes`
   remain; then near-identical themes (centroid cosine >= MERGE_SIMILARITY) merge too.
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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from consult.analysis.types import AnswerText, Assignment, Theme

# Bump when a change here can change the themes found for the same input.
THEMES_VERSION = "1"

SMALL_INPUT = 30  # fewer answers than this are too few to cluster: one theme or none
UMAP_NEIGHBOURS = 15
UMAP_COMPONENTS = 5
# UMAP's layout sharpens little after 100 passes over large inputs, and each pass costs time;
# small inputs are cheap, so they get UMAP's usual 200.
UMAP_EPOCHS_LARGE = 100
UMAP_EPOCHS_SMALL = 200
# PCA starts UMAP as well as its default spectral layout does here, in a tenth of a second; the
# spectral eigen-solver took anywhere from 1 to 8 seconds on the same 13,000 answers.
UMAP_INIT = "pca"
HDBSCAN_MIN_SAMPLES = 5
# A cluster whose answers are less similar than this (mean cosine) to its centroid is a broad
# subject rather than a theme, and is split into the sub-topics HDBSCAN finds inside it.
SPLIT_COHERENCE = 0.60
# Themes whose centroids are at least this similar (cosine) say the same thing: merged whatever the cap.
MERGE_SIMILARITY = 0.90
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
    max_themes: int = 40,
    seed: int = 42,
    min_theme_size: int | None = None,
    max_unassigned: float = 0.10,
    secondary_margin: float = DEFAULT_SECONDARY_MARGIN,
    fit_sample_size: int = 20_000,
) -> ThemeModel:
    """Find at most `max_themes` themes in `answers`, whose embeddings are the rows of `embeddings`.

    Each theme has at least `min_theme_size` answers (default: 5 or 0.1%, whichever is more) and
    at most `max_unassigned` of the answers are left without a theme. Fewer than 30 answers, or
    fewer than twice the minimum size, are not clustered: they make one theme (or none, when there
    are fewer than the minimum size). The same input and `seed` always give the same result.
    """
    started = time.perf_counter()
    if len(answers) != len(embeddings):
        raise ValueError(f"{len(answers)} answers but {len(embeddings)} embeddings")
    count = len(answers)
    vectors = np.asarray(embeddings, dtype=np.float32)
    vectors = _unit_rows(
        vectors.reshape(count, -1) if count else np.zeros((0, vectors.shape[-1] if vectors.ndim else 0))
    )
    min_size = min_theme_size or default_min_theme_size(count)
    parameters = {
        "version": THEMES_VERSION,
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
        "split_coherence": SPLIT_COHERENCE,
        "threshold_quantile": THRESHOLD_QUANTILE,
    }
    timings: dict[str, float] = {}

    if count < max(SMALL_INPUT, 2 * min_size) or max_themes < 2:
        labels = np.zeros(count, dtype=np.int64) if count >= min_size and max_themes >= 1 else np.full(count, -1)
    else:
        sample = _fit_sample(count, fit_sample_size, seed)
        sample_labels = _cluster(
            [answers[i].text for i in sample], vectors[sample], seed, min_size * len(sample) // count, timings
        )
        clock = time.perf_counter()
        sample_labels = _merge(sample_labels, vectors[sample], max_themes)
        labels = np.full(count, -1, dtype=np.int64)
        labels[sample] = sample_labels
        if not np.any(labels >= 0):
            # HDBSCAN found no dense group at all: the answers are one theme, not none.
            labels[:] = 0
        timings["merge"] = time.perf_counter() - clock

    clock = time.perf_counter()
    labels, centroids, thresholds = _settle(labels, vectors, min_size, max_unassigned)
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
    return ThemeModel(themes, assignments, centroids, thresholds, secondary_margin, parameters, timings)


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
    vectors = _unit_rows(np.atleast_2d(np.asarray(embeddings, dtype=np.float32)))
    if len(centroids) == 0:
        return [[] for _ in range(len(vectors))]
    lists = _assign(vectors, centroids, np.asarray(thresholds, dtype=np.float32), margin)
    return [[keys[k] for k in found] for found in lists]


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix / np.where(norms == 0, 1, norms), dtype=np.float32)


def _fit_sample(count: int, size: int, seed: int) -> np.ndarray:
    if count <= size:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).choice(count, size=size, replace=False))


def _exact_neighbours(vectors: np.ndarray, k: int, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest rows of each unit row by cosine distance (itself first): indices, distances."""
    count = len(vectors)
    indices = np.empty((count, k), dtype=np.int32)
    distances = np.empty((count, k), dtype=np.float32)
    for start in range(0, count, chunk):
        similarity = vectors[start : start + chunk] @ vectors.T
        rows = np.arange(len(similarity))
        # The row itself first, even when an identical answer ties with it.
        similarity[rows, rows + start] = np.inf
        top = np.argpartition(similarity, -k, axis=1)[:, -k:]
        top_similarity = np.take_along_axis(similarity, top, axis=1)
        order = np.argsort(-top_similarity, axis=1, kind="stable")
        indices[start : start + chunk] = np.take_along_axis(top, order, axis=1)
        distances[start : start + chunk] = 1 - np.take_along_axis(top_similarity, order, axis=1)
    distances[:, 0] = 0
    return indices, np.clip(distances, 0, 2)


class _TimedReduction:
    """Wraps UMAP for BERTopic, which accepts any reducer with fit/transform, to time it alone."""

    def __init__(self, model: Any, timings: dict[str, float]) -> None:
        self.model = model
        self.timings = timings
        self.reduced = np.zeros((0, 0))

    def fit(self, X: np.ndarray, y: Any = None) -> _TimedReduction:
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: np.ndarray, y: Any = None) -> np.ndarray:
        clock = time.perf_counter()
        self.reduced = self.model.fit_transform(X)
        self.timings["umap"] = time.perf_counter() - clock
        return self.reduced

    def transform(self, X: np.ndarray) -> np.ndarray:
        return self.model.transform(X)


def _cluster(texts: list[str], vectors: np.ndarray, seed: int, min_size: int, timings: dict[str, float]) -> np.ndarray:
    """BERTopic's UMAP + HDBSCAN topics for the sample (-1 for outliers)."""
    import warnings

    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    clock = time.perf_counter()
    neighbours = min(UMAP_NEIGHBOURS, len(vectors) - 1)
    knn = _exact_neighbours(vectors, neighbours)
    timings["neighbours"] = time.perf_counter() - clock

    clock = time.perf_counter()
    umap = UMAP(
        n_neighbors=neighbours,
        n_components=UMAP_COMPONENTS,
        min_dist=0.0,
        metric="cosine",
        n_epochs=UMAP_EPOCHS_SMALL if len(vectors) <= 10_000 else UMAP_EPOCHS_LARGE,
        init=UMAP_INIT,
        random_state=seed,
        low_memory=True,
        precomputed_knn=(*knn, None),
    )
    reduction = _TimedReduction(umap, timings)
    topic_model = BERTopic(
        embedding_model=None,
        umap_model=reduction,
        hdbscan_model=_hdbscan(min_size, "eom"),
        # BERTopic describes its pre-merge topics too; that description is discarded, so it gets
        # the cheapest words that cannot fail (answers of only stop words or punctuation exist).
        vectorizer_model=CountVectorizer(analyzer=_plain_words),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
    )
    with warnings.catch_warnings():
        # UMAP warns that a seed forces one thread and that precomputed neighbours rule out
        # transform(); both are intended here.
        warnings.simplefilter("ignore", UserWarning)
        topics, _ = topic_model.fit_transform(texts, vectors)
    labels = _split_incoherent(np.asarray(topics, dtype=np.int64), vectors, reduction.reduced, min_size)
    timings["cluster"] = time.perf_counter() - clock - timings.get("umap", 0.0)
    return labels


def _hdbscan(min_size: int, selection: str) -> Any:
    from hdbscan import HDBSCAN

    min_cluster_size = max(min_size, 5)
    return HDBSCAN(
        min_cluster_size=min_cluster_size,
        min_samples=min(HDBSCAN_MIN_SAMPLES, min_cluster_size),
        metric="euclidean",
        cluster_selection_method=selection,
    )


def _coherence(members: np.ndarray) -> float:
    """Mean cosine similarity of unit vectors to their centroid: the length of their mean."""
    return float(np.linalg.norm(members.sum(axis=0)) / len(members))


def _split_incoherent(labels: np.ndarray, vectors: np.ndarray, reduced: np.ndarray, min_size: int) -> np.ndarray:
    """Split the clusters whose answers are not coherent into HDBSCAN's finest clusters within them.

    HDBSCAN's "excess of mass" selection keeps the most stable clusters, which is right for
    separate topics but keeps a question whose answers all share one broad subject as one big
    cluster; inside such a cluster, the "leaf" selection finds the sub-topics.
    """
    result = labels.copy()
    next_label = labels.max() + 1
    for label in sorted(set(labels.tolist()) - {-1}):
        members = np.flatnonzero(labels == label)
        if len(members) < 2 * min_size or _coherence(vectors[members]) >= SPLIT_COHERENCE:
            continue
        leaves = _hdbscan(min_size, "leaf").fit(reduced[members]).labels_
        if leaves.max() < 1:
            continue
        result[members] = np.where(leaves >= 0, leaves + next_label, -1)
        next_label += leaves.max() + 1
    return result


def _plain_words(text: str) -> list[str]:
    # Two tokens in every answer: BERTopic's c-TF-IDF fails on a vocabulary of fewer than two words.
    return ["<answer>", "</answer>", *text.lower().split()]


def _merge(labels: np.ndarray, vectors: np.ndarray, max_themes: int) -> np.ndarray:
    """Merge clusters by Ward's criterion while more than max_themes remain, then near-identical ones."""
    clusters = sorted(set(labels.tolist()) - {-1})
    if not clusters:
        return labels
    sums = np.stack([vectors[labels == c].sum(axis=0) for c in clusters]).astype(np.float64)
    sizes = np.array([np.sum(labels == c) for c in clusters], dtype=np.float64)
    alive = np.ones(len(clusters), dtype=bool)
    parent = np.arange(len(clusters))

    def costs(i: int) -> tuple[np.ndarray, np.ndarray]:
        # Ward's increase in within-theme variance if i merged with each other cluster, and the
        # cosine similarity of their centroids.
        means = sums / sizes[:, None]
        ward = sizes * sizes[i] / (sizes + sizes[i]) * np.sum((means - means[i]) ** 2, axis=1)
        unit = means / np.linalg.norm(means, axis=1, keepdims=True)
        cosine = unit @ unit[i]
        dead = ~alive
        dead[i] = True
        ward[dead], cosine[dead] = np.inf, -np.inf
        return ward, cosine

    ward = np.empty((len(clusters), len(clusters)))
    cosine = np.empty_like(ward)
    for i in range(len(clusters)):
        ward[i], cosine[i] = costs(i)
    while alive.sum() > 1:
        if alive.sum() > max_themes:
            i, j = np.unravel_index(np.argmin(ward), ward.shape)
        else:
            # Within the cap only near-identical themes merge, the most similar pair first.
            i, j = np.unravel_index(np.argmax(cosine), cosine.shape)
            if cosine[i, j] < MERGE_SIMILARITY:
                break
        i, j = min(i, j), max(i, j)
        sums[i] += sums[j]
        sizes[i] += sizes[j]
        alive[j] = False
        parent[parent == j] = i
        ward[j], ward[:, j], cosine[j], cosine[:, j] = np.inf, np.inf, -np.inf, -np.inf
        ward[i], cosine[i] = costs(i)
        ward[:, i], cosine[:, i] = ward[i], cosine[i]
    mapping = {c: parent[n] for n, c in enumerate(clusters)}
    return np.array([mapping.get(label, -1) for label in labels.tolist()], dtype=np.int64)


def _centroids(labels: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relabel themes 0..k-1 largest first (ties by first member); return labels and centroids."""
    found = [c for c in dict.fromkeys(labels.tolist()) if c != -1]
    found.sort(key=lambda c: -int(np.sum(labels == c)))
    relabel = {c: n for n, c in enumerate(found)}
    labels = np.array([relabel.get(c, -1) for c in labels.tolist()], dtype=np.int64)
    if not found:
        return labels, np.zeros((0, vectors.shape[1]), dtype=np.float32)
    sums = np.stack([vectors[labels == n].sum(axis=0) for n in range(len(found))])
    return labels, _unit_rows(sums)


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
