"""Lexical retrieval: Okapi BM25 over the terms of :mod:`kyoso.matching.domain.text`, with incremental updates.

Why not ``bm25s``: it scores fast but has no incremental update, and rebuilding it for every changed
researcher takes seconds at 100k profiles. This is the same formula (Lucene's variant) on a tiny
numpy inverted index that accepts updates:

* Each researcher is one *row*: the bag of terms of its keywords, record titles and abstracts.
* A **main segment** holds postings (row, term frequency) per term in compressed-sparse-column arrays.
* A **delta segment** holds the rows added since the main segment was built; it is re-built (cheaply, it
  is small) after each upsert and merged into the main segment when it grows past ``DELTA_MAX_ROWS``
  or when the index is saved.
* A replaced or removed researcher's old row is marked dead: it scores zero and its terms leave the
  document frequencies at once, so scores equal a rebuilt index's.

score(row, query) = Σ_t idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen)),
idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5)), with k1 = 1.2, b = 0.75.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

K1 = 1.2
B = 0.75
DELTA_MAX_ROWS = 5000


class _Segment:
    """Postings of a set of rows, grouped by term id (CSC layout)."""

    __slots__ = ("ptr", "rows", "tfs")

    def __init__(self, n_terms: int, row_terms: list[np.ndarray], row_tfs: list[np.ndarray], row_ids: np.ndarray):
        if len(row_ids):
            lengths = np.fromiter((len(row_terms[r]) for r in row_ids), dtype=np.int64, count=len(row_ids))
            all_terms = np.concatenate([row_terms[r] for r in row_ids]) if lengths.sum() else np.zeros(0, np.int32)
            all_tfs = np.concatenate([row_tfs[r] for r in row_ids]) if lengths.sum() else np.zeros(0, np.float32)
            all_rows = np.repeat(row_ids.astype(np.int32), lengths)
        else:
            all_terms = np.zeros(0, np.int32)
            all_tfs = np.zeros(0, np.float32)
            all_rows = np.zeros(0, np.int32)
        order = np.argsort(all_terms, kind="stable")
        self.rows = all_rows[order]
        self.tfs = all_tfs[order]
        counts = np.bincount(all_terms, minlength=n_terms)
        self.ptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(counts, out=self.ptr[1:])

    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        if term_id + 1 >= len(self.ptr):
            return self.rows[:0], self.tfs[:0]
        a, b = self.ptr[term_id], self.ptr[term_id + 1]
        return self.rows[a:b], self.tfs[a:b]


class BM25Index:
    """BM25 over rows of terms; rows are appended, replaced rows are tombstoned."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.df = np.zeros(0, dtype=np.int64)
        self.row_terms: list[np.ndarray] = []  # unique term ids per row
        self.row_tfs: list[np.ndarray] = []  # their frequencies
        self.doc_len = np.zeros(0, dtype=np.float32)
        self.alive = np.zeros(0, dtype=bool)
        self._n_alive = 0
        self._len_sum = 0.0
        self._main = _Segment(0, [], [], np.zeros(0, np.int64))
        self._main_rows = 0  # rows [0, _main_rows) are in the main segment
        self._delta: _Segment | None = None
        self._mapped_rows: int | None = None  # a read-only, memory-mapped index (``mapped``) knows only its count
        self._source: Path | None = None  # the directory a mapped index was saved in

    @property
    def n_rows(self) -> int:
        """Rows ever added (live and dead)."""
        return self._mapped_rows if self._mapped_rows is not None else len(self.row_terms)

    # ---------- building ----------
    def _term_ids(self, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(terms)
        ids = np.empty(len(counts), dtype=np.int32)
        tfs = np.empty(len(counts), dtype=np.float32)
        for i, (t, c) in enumerate(counts.items()):
            tid = self.vocab.get(t)
            if tid is None:
                tid = self.vocab[t] = len(self.vocab)
            ids[i] = tid
            tfs[i] = c
        return ids, tfs

    def _grow(self, n_rows: int) -> None:
        if len(self.df) < len(self.vocab):
            self.df = np.concatenate([self.df, np.zeros(max(len(self.vocab) - len(self.df), 1024), np.int64)])
        if len(self.alive) < n_rows:
            extra = max(n_rows - len(self.alive), len(self.alive) // 2, 1024)
            self.alive = np.concatenate([self.alive, np.zeros(extra, bool)])
            self.doc_len = np.concatenate([self.doc_len, np.zeros(extra, np.float32)])

    def add_many(self, docs: Sequence[Sequence[str]]) -> None:
        """Append rows in bulk and rebuild the main segment once (used by a full build)."""
        for terms in docs:
            self._append(terms)
        self.compact()

    def _writable(self) -> None:
        """A mapped index becomes an ordinary in-memory one on its first change (from the saved ``bm25.npz``
        beside the mapped files), so the shared files are never written."""
        if self._mapped_rows is None:
            return
        source = self._source
        if source is None or not (source / "bm25.npz").exists():
            raise RuntimeError("a memory-mapped BM25 index is read-only: load it without mmap to change it")
        with np.load(source / "bm25.npz") as z:
            st = {k: z[k] for k in z.files}
        self.__dict__.update(BM25Index.from_state(st, alive=st["alive"]).__dict__)

    def _append(self, terms: Sequence[str]) -> int:
        self._writable()
        ids, tfs = self._term_ids(terms)
        row = len(self.row_terms)
        self.row_terms.append(ids)
        self.row_tfs.append(tfs)
        self._grow(row + 1)
        np.add.at(self.df, ids, 1)
        self.alive[row] = True
        self.doc_len[row] = len(terms)
        self._n_alive += 1
        self._len_sum += len(terms)
        return row

    def append(self, terms: Sequence[str]) -> int:
        """Add one row (an upsert); it is searchable at once through the delta segment."""
        row = self._append(terms)
        if row - self._main_rows + 1 > DELTA_MAX_ROWS:
            self.compact()
        else:
            self._delta = _Segment(len(self.vocab), self.row_terms, self.row_tfs,
                                   np.arange(self._main_rows, row + 1))
        return row

    def kill(self, row: int) -> None:
        """Mark a row dead (its researcher was removed or replaced)."""
        self._writable()
        if not self.alive[row]:
            return
        self.alive[row] = False
        np.subtract.at(self.df, self.row_terms[row], 1)
        self._n_alive -= 1
        self._len_sum -= float(self.doc_len[row])

    def compact(self) -> None:
        """Merge the delta segment into the main segment."""
        if self._mapped_rows is not None:
            return  # a mapped index is one main segment already
        n = len(self.row_terms)
        self._main = _Segment(len(self.vocab), self.row_terms, self.row_tfs, np.arange(n))
        self._main_rows = n
        self._delta = None

    # ---------- scoring ----------
    def query_ids(self, terms: Sequence[str]) -> list[int]:
        """Known term ids of a query (unique, in order)."""
        seen: dict[int, None] = {}
        for t in terms:
            tid = self.vocab.get(t)
            if tid is not None:
                seen.setdefault(tid)
        return list(seen)

    def idf(self, term_ids: Sequence[int]) -> np.ndarray:
        n = max(self._n_alive, 1)
        df = self.df[np.asarray(term_ids, dtype=np.int64)].astype(np.float64)
        return np.log1p((n - df + 0.5) / (df + 0.5))

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every row (dead rows score 0), float32 array of length n_rows."""
        n_rows = self.n_rows
        out = np.zeros(n_rows, dtype=np.float32)
        ids = self.query_ids(terms)
        if not ids or not self._n_alive:
            return out
        avg = self._len_sum / self._n_alive
        for tid, idf in zip(ids, self.idf(ids), strict=True):
            for seg in (self._main, self._delta):
                if seg is None:
                    continue
                rows, tf = seg.postings(tid)
                if not len(rows):
                    continue
                norm = K1 * (1.0 - B + B * self.doc_len[rows] / avg)
                out[rows] += (idf * tf * (K1 + 1.0) / (tf + norm)).astype(np.float32)
        out[~self.alive[:n_rows]] = 0.0
        return out

    def rare_terms(self, terms: Sequence[str], share: float, min_chars: int = 2) -> list[str]:
        """The query terms found in at most ``share`` of the rows (at least one row), of ``min_chars`` or more:
        the rare exact technical terms whose presence is evidence the meaning alone may miss."""
        limit = max(1.0, share * max(self._n_alive, 1))
        out: list[str] = []
        for t in dict.fromkeys(terms):
            tid = self.vocab.get(t)
            if tid is not None and len(t) >= min_chars and 0 < self.df[tid] <= limit:
                out.append(t)
        return out

    def max_score(self, terms: Sequence[str]) -> float:
        """An upper bound of a row's score for this query (every term present, tf → ∞): Σ idf·(k1+1)."""
        ids = self.query_ids(terms)
        return float(self.idf(ids).sum() * (K1 + 1.0)) if ids else 0.0

    # ---------- persistence ----------
    def state(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Arrays that rebuild the index restricted to ``rows`` (renumbered 0..len(rows)-1)."""
        lengths = np.fromiter((len(self.row_terms[r]) for r in rows), dtype=np.int64, count=len(rows))
        terms = np.concatenate([self.row_terms[r] for r in rows]) if len(rows) else np.zeros(0, np.int32)
        tfs = np.concatenate([self.row_tfs[r] for r in rows]) if len(rows) else np.zeros(0, np.float32)
        vocab = np.array(sorted(self.vocab, key=self.vocab.__getitem__), dtype=object)
        return {"lengths": lengths, "terms": terms, "tfs": tfs, "doc_len": self.doc_len[rows],
                "vocab": np.array([str(v) for v in vocab], dtype=str)}

    @classmethod
    def from_state(cls, st: dict[str, np.ndarray], alive: np.ndarray | None = None) -> BM25Index:
        self = cls()
        self.vocab = {str(t): i for i, t in enumerate(st["vocab"].tolist())}
        bounds = np.zeros(len(st["lengths"]) + 1, dtype=np.int64)
        np.cumsum(st["lengths"], out=bounds[1:])
        terms, tfs = st["terms"].astype(np.int32), st["tfs"].astype(np.float32)
        self.row_terms = [terms[bounds[i]:bounds[i + 1]] for i in range(len(bounds) - 1)]
        self.row_tfs = [tfs[bounds[i]:bounds[i + 1]] for i in range(len(bounds) - 1)]
        n = len(self.row_terms)
        self._grow(n)
        alive = np.ones(n, dtype=bool) if alive is None else alive.astype(bool)
        self.alive[:n] = alive
        self.doc_len[:n] = st["doc_len"]
        live_terms = np.concatenate([self.row_terms[r] for r in np.flatnonzero(alive)]) if alive.any() else terms[:0]
        self.df = np.bincount(live_terms, minlength=len(self.vocab)).astype(np.int64)
        self._n_alive = int(alive.sum())
        self._len_sum = float(st["doc_len"][alive].sum())
        self.compact()
        return self

    # ---------- shared, read-only copies for readers ----------
    def save_mapped(self, directory: Path) -> None:
        """The compacted postings, the vocabulary (sorted, with the term ids) and the per-row arrays as ``.npy``
        files that :meth:`mapped` memory-maps: every reader process of a machine shares one copy of them."""
        self.compact()
        n = self.n_rows
        terms = sorted(self.vocab)
        np.save(directory / "bm25_ptr.npy", self._main.ptr)
        np.save(directory / "bm25_rows.npy", self._main.rows)
        np.save(directory / "bm25_tfs.npy", self._main.tfs)
        np.save(directory / "bm25_terms.npy", np.asarray(terms, dtype=np.str_) if terms else np.zeros(0, "<U1"))
        np.save(directory / "bm25_term_ids.npy", np.asarray([self.vocab[t] for t in terms], dtype=np.int64))
        np.save(directory / "bm25_df.npy", self.df[: len(self.vocab)])
        np.save(directory / "bm25_doc_len.npy", self.doc_len[:n])
        np.save(directory / "bm25_alive.npy", self.alive[:n])
        (directory / "bm25_counts.json").write_text(json.dumps(
            {"rows": n, "alive": self._n_alive, "len_sum": self._len_sum}), encoding="utf-8")

    @classmethod
    def mapped(cls, directory: Path) -> BM25Index | None:
        """A read-only index over the files of :meth:`save_mapped` (None when they are missing): postings,
        vocabulary and per-row arrays stay memory-mapped; a term is found by binary search in the sorted
        vocabulary instead of a per-process dictionary."""
        if not (directory / "bm25_counts.json").exists():
            return None
        self = cls()
        counts = json.loads((directory / "bm25_counts.json").read_text(encoding="utf-8"))

        def load(name: str) -> np.ndarray:
            mapped: np.ndarray = np.load(directory / name, mmap_mode="r")
            return mapped

        self.vocab = _SortedVocabulary(load("bm25_terms.npy"), load("bm25_term_ids.npy"))  # type: ignore[assignment]
        main = _Segment.__new__(_Segment)
        main.ptr, main.rows, main.tfs = load("bm25_ptr.npy"), load("bm25_rows.npy"), load("bm25_tfs.npy")
        self._main = main
        self.df, self.doc_len, self.alive = load("bm25_df.npy"), load("bm25_doc_len.npy"), load("bm25_alive.npy")
        self._mapped_rows = self._main_rows = int(counts["rows"])
        self._source = directory
        self._n_alive, self._len_sum = int(counts["alive"]), float(counts["len_sum"])
        return self


class _SortedVocabulary:
    """term → id over a sorted, memory-mapped array of terms (the ``dict.get`` that scoring uses)."""

    def __init__(self, terms: np.ndarray, ids: np.ndarray) -> None:
        self.terms, self.ids = terms, ids

    def get(self, term: str, default: int | None = None) -> int | None:
        i = int(np.searchsorted(self.terms, term))
        if i < len(self.terms) and self.terms[i] == term:
            return int(self.ids[i])
        return default

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None
