"""The matching index: from a free-text need to ranked researchers, with the reasons they match.

A query goes through four steps (all in process, no database):

1. **Understand the need.** It is tokenised (:mod:`.text`: Sudachi for Japanese, a light stemmer for
   English) and embedded once with the multilingual sentence encoder (:mod:`.embedders`).
2. **Retrieve candidates** two ways: the ``CANDIDATES`` best researchers by BM25 (:mod:`.bm25`, word
   overlap) and the ``CANDIDATES`` best by cosine of their profile vector (:mod:`.vectors`, meaning, across
   languages). The union is the candidate set, so a profile written in English is found from a Japanese
   need even when it shares no word with it.
3. **Score** each candidate (:mod:`.fusion`): the profile cosine as the base, plus bounded bonuses for the
   best record's cosine and for the need's rare exact terms found in the profile (BM25 over those terms).
   Filters (``allowed`` researchers, e.g. in-region only; ``year_from``)
   apply before ranking; when a filter leaves too few candidates, every allowed researcher is scored.
4. **Explain** the top researchers: their records are ranked by cosine to the need and by the need's terms
   they contain, and title/abstract snippets come back as :class:`Span` s with the matched words marked.

How a researcher is represented: each record (title + abstract) and the keyword list are embedded
separately and kept (float16) so that reasons can say *which* record matched; the researcher's profile
vector is the normalised mean of them. The BM25 document is the keywords, titles and abstracts together.

The index is built once (``build``), updated one researcher at a time (``upsert``/``remove``, no rebuild:
see :mod:`.bm25` and :mod:`.vectors`), and saved to a directory (``save``/``load``); loading re-embeds and
re-tokenises nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .bm25 import BM25Index
from .docstore import DocStore
from .embedders import Embedder, default_embedder, embed_query, embedder_from_config
from .fusion import FusionWeights
from .records import RecordDoc, ResearcherDoc, researcher_from_dict
from .text import terms, tokens
from .vectors import ANN_MIN_ROWS, InProcessVectorStore

__all__ = [
    "CANDIDATES",
    "Embedder",
    "Match",
    "MatchIndex",
    "Reason",
    "Span",
    "default_embedder",
    "embedder_from_config",
]

CANDIDATES = 100  # per retrieval route (BM25, dense); the union is fused
MAX_REASONS = 3
SNIPPET_CHARS = 120
INDEX_FORMAT = 1


@dataclass(frozen=True)
class Span:
    """A piece of a snippet; ``hit`` is True for a matched term."""

    text: str
    hit: bool


@dataclass(frozen=True)
class Reason:
    """Why a researcher matched: one record (or the keyword list, ``record_id`` None) and how."""

    record_id: str | None
    field: str  # "keyword" | "title" | "abstract"
    snippet: tuple[Span, ...]
    matched_terms: tuple[str, ...]
    similarity: float  # cosine of this record with the need


@dataclass(frozen=True)
class Match:
    researcher_id: str
    score: float  # fused, 0–1 (≈ probability that the researcher fits)
    lexical: float  # BM25 / its upper bound for the need, 0–1
    dense: float  # cosine of the need with the researcher's profile vector
    reasons: tuple[Reason, ...]
    best_record: float = 0.0  # cosine of the need with the best single record


def record_text(record: RecordDoc) -> str:
    return f"{record.title}。{record.abstract}" if record.abstract else record.title


def keyword_text(doc: ResearcherDoc) -> str:
    return "、".join(doc.keywords)


def bm25_terms(doc: ResearcherDoc) -> list[str]:
    out: list[str] = []
    for k in doc.keywords:
        out.extend(terms(k))
    for r in doc.records:
        out.extend(terms(r.title))
        if r.abstract:
            out.extend(terms(r.abstract))
    return out


def embed_texts(doc: ResearcherDoc) -> list[str]:
    """The texts embedded for a researcher: one per record, then the keyword list (if any)."""
    texts = [record_text(r) for r in doc.records]
    if doc.keywords:
        texts.append(keyword_text(doc))
    return texts


def _profile_vector(vectors: np.ndarray, dim: int) -> np.ndarray:
    if not len(vectors):
        return np.zeros(dim, dtype=np.float32)
    v: np.ndarray = vectors.astype(np.float32).mean(axis=0)
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def spans(text: str, hits: Sequence[tuple[int, int]], window: int | None = SNIPPET_CHARS) -> tuple[Span, ...]:
    """``text`` cut into spans, ``hits`` (start, end) marked; with ``window``, a snippet around the first hit."""
    hits = sorted(hits)
    lo, hi = 0, len(text)
    if window is not None and len(text) > window:
        first = hits[0][0] if hits else 0
        lo = max(0, min(first - window // 4, len(text) - window))
        hi = lo + window
    out: list[Span] = []
    if lo > 0:
        out.append(Span("…", False))
    pos = lo
    for s, e in hits:
        if e <= pos or s >= hi:
            continue
        s = max(s, pos)
        if s > pos:
            out.append(Span(text[pos:s], False))
        out.append(Span(text[s:min(e, hi)], True))
        pos = min(e, hi)
    if pos < hi:
        out.append(Span(text[pos:hi], False))
    if hi < len(text):
        out.append(Span("…", False))
    return tuple(out)


def explain_count(explain: bool | int | None, results: int) -> int:
    """How many of ``results`` get reasons: True/None → all, False → none, N → the first N (at least 0)."""
    if explain is None or explain is True:
        return results
    if explain is False:
        return 0
    return max(0, min(int(explain), results))


class MatchIndex:
    """Researchers indexed for seeds–needs matching (see the module docstring)."""

    def __init__(self, embedder: Embedder | None = None, fusion: FusionWeights | None = None,
                 ann_min_rows: int = ANN_MIN_ROWS, vector_store: Any = None) -> None:
        """``vector_store`` makes the store of the researcher vectors: called with (dim, ann_min_rows) it returns
        an empty store; its ``load(directory, dim, ann_min_rows, mmap=)`` reopens a saved one. Default: the
        in-process store (:class:`~.vectors.InProcessVectorStore`); the scale path is PostgreSQL + pgvector
        (:class:`~.pgvector_store.PgVectorStores`)."""
        self.embedder = embedder or default_embedder()
        self.fusion = fusion or FusionWeights()
        self.ann_min_rows = ann_min_rows
        self.vector_store = vector_store or InProcessVectorStore
        # what the index belongs to (database), saved with it; see kyoso.matching.index
        self.binding: dict[str, Any] = {}
        self._reset()

    def _reset(self) -> None:
        dim = self.embedder.dim
        self._docs = DocStore.memory()
        self._row_of: dict[str, int] = {}
        self._bm25 = BM25Index()
        self._vectors: Any = self.vector_store(dim, self.ann_min_rows)
        self._rec_vecs = np.zeros((0, dim), dtype=np.float16)
        self._n_rec = 0
        self._rec_start: list[int] = []
        self._max_year = np.zeros(0, dtype=np.int32)

    # ---------- writing ----------
    def _append_rec_vectors(self, vectors: np.ndarray) -> int:
        start = self._n_rec
        need = start + len(vectors)
        if len(self._rec_vecs) < need:  # with headroom, as in InProcessVectorStore._reserve
            cap = max(int(need * 1.1) + 1024, int(len(self._rec_vecs) * 1.5))
            grown = np.zeros((cap, self.embedder.dim), dtype=np.float16)
            grown[:start] = self._rec_vecs[:start]
            self._rec_vecs = grown
        self._rec_vecs[start:need] = vectors
        self._n_rec = need
        return start

    def _set_year(self, row: int, doc: ResearcherDoc) -> None:
        if len(self._max_year) <= row:
            grown = np.zeros(max(row + 1, int(len(self._max_year) * 1.5), 1024), dtype=np.int32)
            grown[: len(self._max_year)] = self._max_year
            self._max_year = grown
        self._max_year[row] = max((r.year or 0 for r in doc.records), default=0)

    def _add_rows(self, docs: list[ResearcherDoc], rec_vectors: list[np.ndarray], doc_terms: list[list[str]],
                  bulk: bool) -> None:
        dim = self.embedder.dim
        for doc in docs:
            old = self._row_of.get(doc.id)
            if old is not None:
                self._kill_row(old)
        profile = np.stack([_profile_vector(v, dim) for v in rec_vectors]) if docs else np.zeros((0, dim))
        rows = self._vectors.add(profile)
        for doc, vecs, row in zip(docs, rec_vectors, rows, strict=True):
            self._docs.append(doc)
            self._row_of[doc.id] = int(row)
            self._rec_start.append(self._append_rec_vectors(vecs))
            self._set_year(int(row), doc)
        if bulk:
            for t in doc_terms:
                self._bm25._append(t)
            self._bm25.compact()
        else:
            for t in doc_terms:
                self._bm25.append(t)

    def _kill_row(self, row: int) -> None:
        self._docs.kill(row)
        self._bm25.kill(row)
        self._vectors.kill(row)

    def _embed_docs(self, docs: list[ResearcherDoc]) -> list[np.ndarray]:
        texts: list[str] = []
        counts: list[int] = []
        for d in docs:
            t = embed_texts(d)
            texts.extend(t)
            counts.append(len(t))
        flat = self.embedder.embed(texts) if texts else np.zeros((0, self.embedder.dim), np.float32)
        out, pos = [], 0
        for c in counts:
            out.append(flat[pos:pos + c])
            pos += c
        return out

    def build(self, docs: Iterable[ResearcherDoc], batch: int = 512) -> None:
        """Index these researchers from scratch (replaces everything)."""
        self._reset()
        docs = list({d.id: d for d in docs}.values())
        vecs: list[np.ndarray] = []
        for i in range(0, len(docs), batch):
            vecs.extend(self._embed_docs(docs[i:i + batch]))
        self._add_rows(docs, vecs, [bm25_terms(d) for d in docs], bulk=True)

    def build_precomputed(self, docs: list[ResearcherDoc], rec_vectors: list[np.ndarray],
                          doc_terms: list[list[str]]) -> None:
        """Build from already computed record vectors and BM25 terms (benchmarks, re-indexing jobs)."""
        self._reset()
        self._add_rows(docs, rec_vectors, doc_terms, bulk=True)

    def upsert(self, doc: ResearcherDoc) -> None:
        """Add or replace one researcher (the old version stops matching at once)."""
        self._add_rows([doc], self._embed_docs([doc]), [bm25_terms(doc)], bulk=False)

    def remove(self, researcher_id: str) -> None:
        row = self._row_of.pop(researcher_id, None)
        if row is not None:
            self._kill_row(row)

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, researcher_id: object) -> bool:
        return researcher_id in self._row_of

    def doc(self, researcher_id: str) -> ResearcherDoc | None:
        row = self._row_of.get(researcher_id)
        return None if row is None else self._docs[row]

    @property
    def uses_ann(self) -> bool:
        return bool(self._vectors.uses_ann)

    # ---------- persistence ----------
    def save(self, directory: str | Path) -> None:
        """Write the index to ``directory`` (created if needed); a later ``load`` needs no embedding."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self._bm25.compact()
        self._docs.save(d)
        np.save(d / "max_year.npy", self._max_year[: len(self._docs)])
        self._vectors.save(d)
        np.save(d / "record_vectors.npy", self._rec_vecs[: self._n_rec])
        np.save(d / "record_start.npy", np.asarray(self._rec_start, dtype=np.int64))
        n = len(self._docs)
        np.savez(d / "bm25.npz", alive=self._bm25.alive[:n], **self._bm25.state(np.arange(n)))  # type: ignore[arg-type]
        self._bm25.save_mapped(d)  # the same index as shared read-only files for readers
        meta = {"format": INDEX_FORMAT, "embedder": self.embedder.name, "dim": self.embedder.dim,
                "researchers": len(self), "rows": n, "ann_min_rows": self.ann_min_rows,
                "fusion": self.fusion.__dict__, "binding": self.binding}
        (d / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path, embedder: Embedder | None = None, *, mmap: bool = False,
             vector_store: Any = None) -> MatchIndex:
        """The saved index. ``mmap``: the profile and record vectors and the HNSW graph stay memory-mapped,
        read-only and shared between processes (for readers; a writer loads without ``mmap`` and publishes a
        new version instead of changing a mapped one)."""
        d = Path(directory)
        meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
        embedder = embedder or embedder_from_config(meta["embedder"])
        if embedder.name != meta["embedder"] or embedder.dim != meta["dim"]:
            raise ValueError(f"index built with {meta['embedder']}, not {embedder.name}: rebuild it")
        index = cls(embedder, ann_min_rows=meta["ann_min_rows"])  # the fusion is code (fusion.py), not data
        if vector_store is not None:  # set after construction: making a new store would empty its table
            index.vector_store = vector_store
        index.binding = dict(meta.get("binding") or {})
        mapped = DocStore.mapped(d) if mmap and (d / "max_year.npy").exists() else None
        if mapped is not None:  # readers: documents parsed only when a result is explained (docstore.py)
            index._docs = mapped
            index._row_of = {researcher_id: row for row, researcher_id in mapped.ids()}
            index._max_year = np.load(d / "max_year.npy", mmap_mode="r")
        else:
            docs: list[ResearcherDoc | None] = []
            with (d / "docs.jsonl").open(encoding="utf-8") as f:
                for row, line in enumerate(f):
                    data = json.loads(line)
                    doc = None if data is None else researcher_from_dict(data)
                    docs.append(doc)
                    if doc is not None:
                        index._row_of[doc.id] = row
                        index._set_year(row, doc)
            index._docs = DocStore.memory(docs)
        index._vectors = index.vector_store.load(d, embedder.dim, meta["ann_min_rows"], mmap=mmap)
        index._rec_vecs = np.load(d / "record_vectors.npy", mmap_mode="r" if mmap else None)
        index._n_rec = len(index._rec_vecs)
        if not mmap:  # headroom, so that the first upsert does not copy
            grown = np.zeros((int(index._n_rec * 1.1) + 1024, embedder.dim), dtype=np.float16)
            grown[: index._n_rec] = index._rec_vecs
            index._rec_vecs = grown
        index._rec_start = np.load(d / "record_start.npy").tolist()
        mapped_bm25 = BM25Index.mapped(d) if mmap else None
        if mapped_bm25 is not None:
            index._bm25 = mapped_bm25
        else:
            with np.load(d / "bm25.npz") as z:
                st = {k: z[k] for k in z.files}
            index._bm25 = BM25Index.from_state(st, alive=st["alive"])
        return index

    # ---------- scoring ----------
    def _rec_slice(self, row: int) -> tuple[int, int]:
        start = self._rec_start[row]
        end = self._rec_start[row + 1] if row + 1 < len(self._rec_start) else self._n_rec
        return start, end

    def _best_record(self, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Max cosine of the need with any record of each row (one matrix product over their records)."""
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        slices = [self._rec_slice(int(r)) for r in rows]
        idx = np.concatenate([np.arange(s, e) for s, e in slices])
        if not len(idx):
            return np.zeros(len(rows), dtype=np.float32)
        sims = self._rec_vecs[idx].astype(np.float32) @ q
        counts = np.array([e - s for s, e in slices])
        out = np.full(len(rows), -1.0, dtype=np.float32)
        nonempty = counts > 0
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        out[nonempty] = np.maximum.reduceat(sims, starts[nonempty])
        return out

    def _allowed_mask(self, rows: np.ndarray, allowed: Any, year_from: int | None) -> np.ndarray:
        keep = np.ones(len(rows), dtype=bool)
        if year_from is not None:
            keep &= self._max_year[rows] >= year_from
        if allowed is not None:
            test = allowed.__contains__ if isinstance(allowed, set | frozenset) else allowed
            ids = [self._docs.id_of(int(r)) for r in rows]
            keep &= np.fromiter((bool(test(i)) for i in ids), dtype=bool, count=len(ids))
        return keep

    def _candidates(self, q_terms: list[str], q_vec: np.ndarray, bm: np.ndarray, n_cand: int, mode: str,
                    allowed: Any, year_from: int | None) -> np.ndarray:
        pools = []
        if mode in ("fused", "dense", "rrf"):
            rows, _ = self._vectors.top(q_vec, n_cand)
            pools.append(rows)
        if mode in ("fused", "bm25", "rrf"):
            nz = np.flatnonzero(bm)
            if len(nz) > n_cand:
                nz = nz[np.argpartition(-bm[nz], n_cand - 1)[:n_cand]]
            pools.append(nz)
        cand = np.unique(np.concatenate(pools)) if pools else np.zeros(0, np.int64)
        cand = cand[self._allowed_mask(cand, allowed, year_from)] if len(cand) else cand
        if (allowed is not None or year_from is not None) and len(cand) < n_cand:
            # A narrow filter: score every allowed researcher instead of the (filtered-out) global best.
            if isinstance(allowed, set | frozenset) and len(allowed) < len(self._row_of):
                cand = np.array(sorted(self._row_of[i] for i in allowed if i in self._row_of), dtype=np.int64)
            else:
                cand = np.array(sorted(self._row_of.values()), dtype=np.int64)
            cand = cand[self._allowed_mask(cand, allowed, year_from)] if len(cand) else cand
            if len(cand) > 2 * n_cand:  # keep the best of the allowed by each route (vectorised)
                sims = self._vectors.similarity(q_vec, cand)
                by_dense = cand[np.argpartition(-sims, n_cand - 1)[:n_cand]]
                by_lex = cand[np.argpartition(-bm[cand], n_cand - 1)[:n_cand]]
                cand = np.unique(np.concatenate([by_dense, by_lex[bm[by_lex] > 0]]))
        return cand

    def _features(self, q_terms: list[str], q_vec: np.ndarray, rows: np.ndarray, bm: np.ndarray,
                  rare_share: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(profile cosine, best-record cosine, normalised BM25, normalised BM25 of the rare terms) per row."""
        cos_p = self._vectors.similarity(q_vec, rows).astype(np.float32)
        cos_r = self._best_record(q_vec, rows)
        cos_r = np.where(cos_r < -0.5, cos_p, cos_r)
        upper = self._bm25.max_score(q_terms)
        lex = bm[rows] / upper if upper > 0 else np.zeros(len(rows), dtype=np.float32)
        rare_terms = self._bm25.rare_terms(q_terms, self.fusion.rare_share if rare_share is None else rare_share)
        rare_upper = self._bm25.max_score(rare_terms)
        rare = (self._bm25.scores(rare_terms)[rows] / rare_upper if rare_upper > 0
                else np.zeros(len(rows), dtype=np.float32))
        return cos_p, cos_r, lex.astype(np.float32), rare.astype(np.float32)

    def _rank(self, need: str, top: int, allowed: Any, year_from: int | None, mode: str,
              q_vec: np.ndarray | None = None, n_cand: int = CANDIDATES,
              ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        q_terms = terms(need)
        if q_vec is None:
            q_vec = embed_query(self.embedder, [need])[0]
        bm = self._bm25.scores(q_terms)
        cand = self._candidates(q_terms, q_vec, bm, max(n_cand, top), mode, allowed, year_from)
        cos_p, cos_r, lex, rare = self._features(q_terms, q_vec, cand, bm)
        if mode == "bm25":
            key = lex
        elif mode == "dense":
            key = cos_p
        elif mode == "rrf":  # plain reciprocal-rank fusion, for comparison only
            rank_lex = np.empty(len(cand))
            rank_lex[np.argsort(-lex, kind="stable")] = np.arange(len(cand))
            rank_dense = np.empty(len(cand))
            rank_dense[np.argsort(-cos_p, kind="stable")] = np.arange(len(cand))
            key = 1.0 / (60 + rank_dense) + np.where(lex > 0, 1.0 / (60 + rank_lex), 0.0)
        else:
            key = self.fusion.key(cos_p, cos_r, rare)
        order = np.argsort(-key, kind="stable")[:top]
        if mode == "bm25":
            order = order[lex[order] > 0]
        score = self.fusion.score(cos_p, cos_r, rare) if mode == "fused" else key
        return q_terms, q_vec, cand[order], score[order], cos_p[order], cos_r[order], lex[order]

    def search(self, need: str, top: int = 10, allowed: Callable[[str], bool] | set[str] | None = None,
               year_from: int | None = None, *, mode: str = "fused", explain: bool | int = True,
               q_vec: np.ndarray | None = None) -> list[Match]:
        """The ``top`` researchers for a need, best first.

        ``allowed``: a set of researcher ids or a predicate (e.g. in-region only); ``year_from``: only
        researchers with a record from that year on (and only such records as reasons). ``mode``:
        "fused" (default), or "bm25"/"dense" alone or plain "rrf" (for evaluation). ``explain``: True for
        reasons on every result, False for none, a number N for reasons on the first N results only
        (reasons cost about ten times the search itself; the others get ``reasons == ()``). ``q_vec``: the
        need's vector when the caller embedded it already (:meth:`search_many`).
        """
        if not self._row_of or not need.strip():
            return []
        q_terms, q_vec, rows, keys, cos_p, cos_r, lex = self._rank(need, top, allowed, year_from, mode, q_vec)
        q_set = set(q_terms)
        explained = explain_count(explain, len(rows))
        out = []
        for i, (row, key, cp, cr, lx) in enumerate(zip(rows, keys, cos_p, cos_r, lex, strict=True)):
            reasons: tuple[Reason, ...] = ()
            if i < explained:  # the document is read (and, in a mapped reader, parsed) only to explain it
                doc = self._docs[int(row)]
                assert doc is not None  # candidates are live rows only
                reasons = self._reasons(int(row), doc, q_vec, q_set, year_from)
            out.append(Match(self._docs.id_of(int(row)), float(key), float(lx), float(cp), reasons, float(cr)))
        return out

    def search_many(self, needs: Sequence[str], top: int = 10,
                    allowed: Callable[[str], bool] | set[str] | None = None, year_from: int | None = None, *,
                    explain: bool | int = False, batch: int = 64) -> Iterator[list[Match]]:
        """:meth:`search` for many needs, in order; the needs are embedded ``batch`` at a time (one call of the
        model for many texts is ~30 % cheaper per need than one call each)."""
        for start in range(0, len(needs), batch):
            chunk = list(needs[start:start + batch])
            live = [n for n in chunk if n.strip()]
            vectors = dict(zip(live, embed_query(self.embedder, live), strict=True)) if live else {}
            for need in chunk:
                yield self.search(need, top, allowed, year_from, explain=explain, q_vec=vectors.get(need))

    def candidate_features(self, need: str, n_cand: int = CANDIDATES, rare_shares: Sequence[float] = ()
                           ) -> tuple[list[str], np.ndarray]:
        """The candidates of a need and their features (n, 3 + len(rare_shares)): profile cosine, best-record
        cosine, normalised BM25, then the rare-term bonus for each share in ``rare_shares`` (for fitting)."""
        q_terms = terms(need)
        q_vec = embed_query(self.embedder, [need])[0]
        bm = self._bm25.scores(q_terms)
        cand = self._candidates(q_terms, q_vec, bm, n_cand, "fused", None, None)
        cos_p, cos_r, lex, _ = self._features(q_terms, q_vec, cand, bm)
        rares = [self._features(q_terms, q_vec, cand, bm, share)[3] for share in rare_shares]
        ids = [self._docs.id_of(int(r)) for r in cand]
        return ids, np.stack([cos_p, cos_r, lex, *rares], axis=1)

    def search_facets(self, facets: Sequence[str], top: int = 10,
                      allowed: Callable[[str], bool] | set[str] | None = None,
                      year_from: int | None = None) -> dict[str, list[float]]:
        """Fused score of each candidate for each facet: ``{researcher_id: [score_facet0, ...]}``.

        Candidates are the union of each facet's ``top`` researchers; every candidate is scored on every
        facet, so team selection can see a researcher who covers two facets.
        """
        facets = [f for f in facets if f.strip()]
        if not facets or not self._row_of:
            return {}
        vecs = embed_query(self.embedder, list(facets))
        ranked = [self._rank(f, top, allowed, year_from, "fused", q_vec=v) for f, v in zip(facets, vecs, strict=True)]
        rows = np.unique(np.concatenate([r[2] for r in ranked]))
        table = np.zeros((len(rows), len(facets)), dtype=np.float64)
        for j, (f, v) in enumerate(zip(facets, vecs, strict=True)):
            q_terms = terms(f)
            bm = self._bm25.scores(q_terms)
            cos_p, cos_r, _, rare = self._features(q_terms, v, rows, bm)
            table[:, j] = self.fusion.score(cos_p, cos_r, rare)
        return {self._docs.id_of(int(r)): table[i].tolist() for i, r in enumerate(rows)}

    # ---------- reasons ----------
    def _reasons(self, row: int, doc: ResearcherDoc, q_vec: np.ndarray, q_set: set[str],
                 year_from: int | None) -> tuple[Reason, ...]:
        start, end = self._rec_slice(row)
        sims = self._rec_vecs[start:end].astype(np.float32) @ q_vec if end > start else np.zeros(0)
        scored = []
        for i, rec in enumerate(doc.records):
            if year_from is not None and rec.year is not None and rec.year < year_from:
                continue
            title_toks = tokens(rec.title)
            abs_toks = tokens(rec.abstract) if rec.abstract else []
            matched = {t.term for t in title_toks + abs_toks if t.term in q_set}
            scored.append((float(sims[i]) + 0.05 * len(matched), rec, title_toks, abs_toks, matched, float(sims[i])))
        scored.sort(key=lambda s: -s[0])
        reasons: list[Reason] = []
        for _, rec, title_toks, abs_toks, matched, sim in scored[:MAX_REASONS]:
            title_hits = [(t.start, t.end) for t in title_toks if t.term in q_set]
            abs_hits = [(t.start, t.end) for t in abs_toks if t.term in q_set]
            if abs_hits and not title_hits:
                reasons.append(Reason(rec.id, "abstract", spans(rec.abstract, abs_hits), tuple(sorted(matched)), sim))
            else:
                reasons.append(Reason(rec.id, "title", spans(rec.title, title_hits, None), tuple(sorted(matched)), sim))
        if doc.keywords:
            text = keyword_text(doc)
            toks = [t for t in tokens(text) if t.term in q_set]
            if toks:
                sim = float(sims[-1]) if len(sims) > len(doc.records) else 0.0
                reasons.append(Reason(None, "keyword", spans(text, [(t.start, t.end) for t in toks], None),
                                      tuple(sorted({t.term for t in toks})), sim))
        return tuple(reasons)
