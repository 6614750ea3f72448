"""Readers keep no copy of the researcher documents: they are mapped from the saved index and parsed on demand."""

from __future__ import annotations

from kyoso.matching.domain import docstore
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
