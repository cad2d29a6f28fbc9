"""Clustering for theme discovery: BERTopic (UMAP on an exact neighbour graph, then HDBSCAN),
splitting of incoherent clusters and Ward merging of fragments. `consult.analysis.themes` turns
the clusters into themes; see its docstring for how the steps fit together."""

from __future__ import annotations

import time
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


def merge(labels: np.ndarray, vectors: np.ndarray, max_themes: int) -> np.ndarray:
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
