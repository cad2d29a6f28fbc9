"""Clustering for theme discovery: BERTopic (UMAP on an exact neighbour graph, then HDBSCAN),
splitting of incoherent clusters, and Ward merging of fragments, cut where the silhouette is
highest. `consult.analysis.themes` turns the clusters into themes; see its docstring for how the
steps fit together."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

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
# The silhouette that chooses the number of themes is measured on at most this many answers:
# its cost grows with the square of the sample.
SILHOUETTE_SAMPLE = 2000
# Cuts whose silhouettes are within this many standard errors of the best one's (the error of
# its mean over the sampled answers) are equally good, and the finest of them is kept: a difference
# smaller than the measurement's own noise (floating-point differences between library versions
# moved one demo question's best cut from four themes to two) should not hide a theme from an
# analyst; near-identical themes still merge afterwards.
SILHOUETTE_TIE = 1.0


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix / np.where(norms == 0, 1, norms), dtype=np.float32)


def fit_sample(count: int, size: int, seed: int) -> np.ndarray:
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


def cluster(texts: list[str], vectors: np.ndarray, seed: int, min_size: int, timings: dict[str, float]) -> np.ndarray:
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


@dataclass
class Cut:
    """Where the Ward hierarchy of HDBSCAN's clusters was cut, and why: `fragments` clusters before
    merging, `themes` after the cut, the cut's `silhouette` (cosine, on the sample), whether every
    merged theme there was coherent, and `near_identical` themes merged after the cut."""

    fragments: int = 0
    themes: int = 0
    silhouette: float | None = None
    is_coherent: bool = True
    near_identical: int = 0


def merge(
    labels: np.ndarray, vectors: np.ndarray, *, min_themes: int, max_themes: int, seed: int
) -> tuple[np.ndarray, Cut]:
    """Merge HDBSCAN's clusters into as many themes as the answers hold, between `min_themes` and
    `max_themes`, then merge themes that say the same thing.

    The clusters are merged by Ward's criterion one pair at a time, down to `min_themes`. Of the
    partitions on the way, the one with the highest silhouette (cosine distance in the embedding
    space, on a seeded sample of `SILHOUETTE_SAMPLE` answers, left-out answers counted with their
    nearest cluster; cuts within `SILHOUETTE_TIE` standard errors of the best count as equal, and
    the finest of them is kept) is kept, among those where every merged theme is still coherent (mean cosine
    to its centroid at least `SPLIT_COHERENCE`, the bar below which a cluster is split in the first
    place); only when no partition within the range is coherent does the silhouette alone decide.
    Then themes whose centroids are at least `MERGE_SIMILARITY` alike merge, the closest first,
    while more than `min_themes` remain.
    """
    clusters = sorted(set(labels.tolist()) - {-1})
    if not clusters:
        return labels, Cut()
    index = {c: n for n, c in enumerate(clusters)}
    fragment = np.array([index.get(label, -1) for label in labels.tolist()], dtype=np.int64)
    highest = min(max_themes, len(clusters))
    lowest = min(max(min_themes, 1), highest)
    hierarchy = _ward_hierarchy(fragment, vectors, len(clusters), lowest)
    scores = _cut_scores(fragment, vectors, hierarchy, len(clusters), highest, seed)
    candidates = range(lowest, highest + 1)
    pool = [k for k in candidates if scores[k][1]] or list(candidates)
    # The highest silhouette; among cuts within SILHOUETTE_TIE standard errors of it, the most themes.
    best = max(pool, key=lambda k: (scores[k][0], -k))
    chosen = max(k for k in pool if scores[k][0] >= scores[best][0] - SILHOUETTE_TIE * scores[best][2])
    parent = np.arange(len(clusters))
    for i, j in hierarchy[: len(clusters) - chosen]:
        parent[parent == j] = i
    merged = np.where(fragment >= 0, parent[np.maximum(fragment, 0)], -1)
    merged, near_identical = _merge_near_identical(merged, vectors, min_themes)
    silhouette, is_coherent, _ = scores[chosen]
    return merged, Cut(len(clusters), chosen, silhouette, is_coherent, near_identical)


def _ward_hierarchy(fragment: np.ndarray, vectors: np.ndarray, count: int, stop_at: int) -> list[tuple[int, int]]:
    """The pairs Ward's criterion merges, in order, until `stop_at` clusters remain; the merged
    cluster keeps the smaller index. Small fragments fold into their neighbours before large
    themes meet, since the cost weighs the sizes."""
    sums = np.stack([vectors[fragment == c].sum(axis=0) for c in range(count)]).astype(np.float64)
    sizes = np.bincount(fragment[fragment >= 0], minlength=count).astype(np.float64)
    alive = np.ones(count, dtype=bool)

    def costs(i: int) -> np.ndarray:
        # Ward's increase in within-theme variance if i merged with each other cluster.
        means = sums / sizes[:, None]
        ward = sizes * sizes[i] / (sizes + sizes[i]) * np.sum((means - means[i]) ** 2, axis=1)
        dead = ~alive
        dead[i] = True
        ward[dead] = np.inf
        return ward

    ward = np.stack([costs(i) for i in range(count)])
    merges: list[tuple[int, int]] = []
    while alive.sum() > stop_at:
        i, j = np.unravel_index(np.argmin(ward), ward.shape)
        i, j = int(min(i, j)), int(max(i, j))
        merges.append((i, j))
        sums[i] += sums[j]
        sizes[i] += sizes[j]
        alive[j] = False
        ward[j], ward[:, j] = np.inf, np.inf
        ward[i] = costs(i)
        ward[:, i] = ward[i]
    return merges


def _cut_scores(
    fragment: np.ndarray, vectors: np.ndarray, hierarchy: list[tuple[int, int]], count: int, highest: int, seed: int
) -> dict[int, tuple[float, bool, float]]:
    """For each number of themes on the way down the hierarchy, from `highest`: the partition's mean
    silhouette, whether every theme made of several fragments is coherent, and the standard error
    of that mean.

    The silhouette is measured on a seeded sample of every answer, a left-out one counted with its
    nearest fragment: scored on clustered answers alone, HDBSCAN's tight fragments always win.
    Distances are summed per fragment once; a merge then adds two columns, so every cut costs
    O(sample x themes).
    """
    centroids = unit_rows(np.stack([vectors[fragment == c].sum(axis=0) for c in range(count)]))
    placed = fragment.copy()
    left_out = np.flatnonzero(fragment < 0)
    if len(left_out):
        placed[left_out] = np.argmax(vectors[left_out] @ centroids.T, axis=1)
    sample = fit_sample(len(vectors), SILHOUETTE_SAMPLE, seed)
    owner = placed[sample]
    rows = np.arange(len(sample))
    distances = 1 - vectors[sample] @ vectors[sample].T
    membership = np.zeros((len(sample), count), dtype=np.float32)
    membership[rows, owner] = 1
    distance_sums = distances @ membership
    del distances
    sizes = membership.sum(axis=0)
    member_sums = np.stack([vectors[fragment == c].sum(axis=0) for c in range(count)]).astype(np.float64)
    members = np.bincount(fragment[fragment >= 0], minlength=count).astype(np.float64)
    fragments = np.ones(count, dtype=np.int64)
    alive = np.ones(count, dtype=bool)

    def score() -> tuple[float, bool, float]:
        columns = np.flatnonzero(alive & (sizes > 0))
        within = distance_sums[rows, owner] / np.maximum(sizes[owner] - 1, 1)
        means = distance_sums[:, columns] / sizes[columns]
        means[owner[:, None] == columns[None, :]] = np.inf
        nearest_other = means.min(axis=1) if len(columns) > 1 else np.zeros(len(sample))
        silhouette = np.where(
            (sizes[owner] > 1) & (len(columns) > 1),
            (nearest_other - within) / np.maximum(np.maximum(nearest_other, within), 1e-12),
            0.0,
        )
        merged = alive & (fragments > 1)
        coherence = np.linalg.norm(member_sums[merged], axis=1) / members[merged]
        error = float(silhouette.std() / math.sqrt(len(silhouette))) if len(silhouette) else 0.0
        return float(silhouette.mean()), bool(np.all(coherence >= SPLIT_COHERENCE)), error

    scores = {count: score()} if count <= highest else {}
    for step, (i, j) in enumerate(hierarchy):
        distance_sums[:, i] += distance_sums[:, j]
        distance_sums[:, j] = 0
        sizes[i] += sizes[j]
        sizes[j] = 0
        owner[owner == j] = i
        member_sums[i] += member_sums[j]
        members[i] += members[j]
        fragments[i] += fragments[j]
        alive[j] = False
        if count - step - 1 <= highest:
            scores[count - step - 1] = score()
    return scores


def _merge_near_identical(labels: np.ndarray, vectors: np.ndarray, min_themes: int) -> tuple[np.ndarray, int]:
    """Merge themes whose centroids are at least MERGE_SIMILARITY alike, the closest pair first,
    while more than `min_themes` remain; return the labels and how many merges there were."""
    merged = 0
    while True:
        themes = sorted(set(labels.tolist()) - {-1})
        if len(themes) <= max(min_themes, 1):
            return labels, merged
        centroids = unit_rows(np.stack([vectors[labels == t].sum(axis=0) for t in themes]))
        similarity = centroids @ centroids.T
        np.fill_diagonal(similarity, -np.inf)
        i, j = np.unravel_index(np.argmax(similarity), similarity.shape)
        if similarity[i, j] < MERGE_SIMILARITY:
            return labels, merged
        labels = np.where(labels == themes[max(i, j)], themes[min(i, j)], labels)
        merged += 1
