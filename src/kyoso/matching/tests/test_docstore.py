"""Readers keep no copy of the researcher documents: they are mapped from the saved index and parsed on demand."""

from __future__ import annotations

import numpy as np
import pytest

from kyoso.matching.domain import docstore, text
from kyoso.matching.domain.docstore import DocStore
from kyoso.matching.domain.search import MatchIndex

from .test_domain_search import DOCS


def test_a_mapped_store_reads_what_the_memory_store_saved(tmp_path):
    memory = DocStore.memory(list(DOCS))
    memory.kill(2)
    memory.save(tmp_path)
    mapped = DocStore.mapped(tmp_path)
    assert mapped is not None and mapped.is_mapped and len(mapped) == len(DOCS)
    assert [mapped.id_of(r) for r in range(len(DOCS))] == [d.id if i != 2 else "" for i, d in enumerate(DOCS)]
    assert mapped[2] is None and mapped[0] == DOCS[0] and mapped[5] == DOCS[5]
    assert dict(mapped.ids()) == {r: d.id for r, d in enumerate(DOCS) if r != 2}
    mapped.append(DOCS[2])  # a write turns it into an in-memory store first
    assert not mapped.is_mapped and len(mapped) == len(DOCS) + 1 and mapped[len(DOCS)] == DOCS[2]


def test_only_the_explained_results_are_parsed(tmp_path, monkeypatch):
    index = MatchIndex()
    index.build(DOCS)
    index.save(tmp_path)
    reader = MatchIndex.load(tmp_path, mmap=True)
    assert reader._docs.is_mapped
    parsed: list[int] = []
    real = DocStore._parse
    monkeypatch.setattr(DocStore, "_parse", lambda self, row: parsed.append(row) or real(self, row))
    need = "海の有害な藻類の大発生を前もって知りたい"
    ranked = reader.search(need, top=5, explain=1)
    assert [m.researcher_id for m in ranked] == [m.researcher_id for m in index.search(need, top=5, explain=1)]
    assert len(parsed) == 1 and ranked[0].reasons  # the one explained result, nothing else
    assert reader.doc(ranked[0].researcher_id) == index.doc(ranked[0].researcher_id)
    assert docstore.CACHE >= 100


def test_readers_map_the_bm25_postings_and_vocabulary_and_score_as_the_writer(tmp_path):
    index = MatchIndex()
    index.build(DOCS)
    index.remove(DOCS[1].id)  # a dead row must stay dead in the mapped copy
    index.save(tmp_path)
    reader = MatchIndex.load(tmp_path, mmap=True)
    assert reader._bm25._mapped_rows == len(DOCS) and isinstance(reader._bm25.df, np.memmap)
    for need in ("赤潮の予報", "アーク溶接ビードの画像検査", "ﾃﾞｰﾀ解析", "知らない言葉"):
        terms = text.terms(need)
        assert np.array_equal(reader._bm25.scores(terms), index._bm25.scores(terms))
        assert reader._bm25.rare_terms(terms, 0.5) == index._bm25.rare_terms(terms, 0.5)
        assert [m.researcher_id for m in reader.search(need, top=5, explain=False)] == \
            [m.researcher_id for m in index.search(need, top=5, explain=False)]
    saved = (tmp_path / "bm25_rows.npy").read_bytes()
    row = reader._bm25.append(["赤潮", "新語"])  # the first change makes it an in-memory copy
    assert row == len(DOCS) and reader._bm25._mapped_rows is None and not isinstance(reader._bm25.df, np.memmap)
    assert reader._bm25.scores(["新語"])[row] > 0 and (tmp_path / "bm25_rows.npy").read_bytes() == saved
    (tmp_path / "bm25.npz").unlink()
    with pytest.raises(RuntimeError, match="read-only"):
        MatchIndex.load(tmp_path, mmap=True)._bm25.append(["赤潮"])
