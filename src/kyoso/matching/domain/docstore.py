"""The researcher documents of a matching index, by row: in memory for a writer, memory-mapped for readers.

Plain Python (no Django). Searching needs a row's researcher id for every candidate and the whole document only
for the few results it explains (reasons, snippets). A reader process therefore keeps nothing of the documents
in its own memory: :meth:`DocStore.mapped` maps the saved ``docs.jsonl`` with a byte offset per row
(``docs_offsets.npy``) and the ids as a fixed-width array (``doc_ids.npy``), both memory-mapped read-only and
shared by every process of the machine through the page cache; a document is parsed when a row is asked for,
and the last :data:`CACHE` parsed ones are kept. A writer holds the documents as a list (:meth:`DocStore.memory`);
a mapped store that is written to becomes an in-memory one first.

Row ``i`` of the files is row ``i`` of the index; a removed researcher's row is ``null`` (id "").
"""

from __future__ import annotations

import json
import mmap
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .records import ResearcherDoc, researcher_from_dict, researcher_to_dict

__all__ = ["CACHE", "DocStore"]

#: Parsed documents a mapped store keeps (the results of the last few searches).
CACHE = 512


class DocStore:
    """Row → :class:`ResearcherDoc` (or None for a removed row), and row → researcher id."""

    def __init__(self) -> None:
        self._docs: list[ResearcherDoc | None] | None = []
        self._map: mmap.mmap | None = None
        self._offsets: np.ndarray | None = None
        self._ids: np.ndarray | None = None
        self._parsed: OrderedDict[int, ResearcherDoc | None] = OrderedDict()

    @classmethod
    def memory(cls, docs: list[ResearcherDoc | None] | None = None) -> DocStore:
        store = cls()
        store._docs = list(docs or [])
        return store

    @classmethod
    def mapped(cls, directory: Path) -> DocStore | None:
        """The saved documents of ``directory``, mapped; None when the index was saved without the offsets
        (an older format: the caller reads ``docs.jsonl`` into memory instead)."""
        if not (directory / "docs_offsets.npy").exists() or not (directory / "doc_ids.npy").exists():
            return None
        store = cls()
        store._docs = None
        with (directory / "docs.jsonl").open("rb") as f:
            store._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if f.seek(0, 2) else None
        store._offsets = np.load(directory / "docs_offsets.npy", mmap_mode="r")
        store._ids = np.load(directory / "doc_ids.npy", mmap_mode="r")
        return store

    @property
    def is_mapped(self) -> bool:
        return self._docs is None

    # ---------- reading ----------
    def __len__(self) -> int:
        if self._docs is not None:
            return len(self._docs)
        assert self._ids is not None
        return len(self._ids)

    def __getitem__(self, row: int) -> ResearcherDoc | None:
        if self._docs is not None:
            return self._docs[row]
        if row in self._parsed:
            self._parsed.move_to_end(row)
            return self._parsed[row]
        doc = self._parse(row)
        self._parsed[row] = doc
        if len(self._parsed) > CACHE:
            self._parsed.popitem(last=False)
        return doc

    def _parse(self, row: int) -> ResearcherDoc | None:
        assert self._offsets is not None and self._map is not None
        start, end = int(self._offsets[row]), int(self._offsets[row + 1])
        data: Any = json.loads(self._map[start:end])
        return None if data is None else researcher_from_dict(data)

    def id_of(self, row: int) -> str:
        """The researcher id of a row ("" for a removed row), without parsing the document."""
        if self._docs is not None:
            doc = self._docs[row]
            return "" if doc is None else doc.id
        assert self._ids is not None
        return str(self._ids[row])

    def ids(self) -> Iterator[tuple[int, str]]:
        """(row, id) of every live row."""
        for row in range(len(self)):
            researcher_id = self.id_of(row)
            if researcher_id:
                yield row, researcher_id

    def __iter__(self) -> Iterator[ResearcherDoc | None]:
        for row in range(len(self)):
            yield self[row]

    # ---------- writing ----------
    def _in_memory(self) -> list[ResearcherDoc | None]:
        if self._docs is None:
            self._docs = [self[row] for row in range(len(self))]
            self._map = self._offsets = self._ids = None
            self._parsed.clear()
        return self._docs

    def append(self, doc: ResearcherDoc) -> None:
        self._in_memory().append(doc)

    def kill(self, row: int) -> None:
        self._in_memory()[row] = None

    # ---------- persistence ----------
    def save(self, directory: Path) -> None:
        """``docs.jsonl`` (one JSON document per row, ``null`` for a removed one), its row offsets and the ids."""
        offsets = [0]
        ids: list[str] = []
        with (directory / "docs.jsonl").open("wb") as f:
            for doc in self:
                line = ("null" if doc is None else json.dumps(researcher_to_dict(doc), ensure_ascii=False)) + "\n"
                data = line.encode("utf-8")
                f.write(data)
                offsets.append(offsets[-1] + len(data))
                ids.append("" if doc is None else doc.id)
        np.save(directory / "docs_offsets.npy", np.asarray(offsets, dtype=np.int64))
        np.save(directory / "doc_ids.npy", np.asarray(ids, dtype=np.str_) if ids else np.zeros(0, dtype="<U1"))
