"""The scale path: researcher vectors in PostgreSQL with pgvector (HNSW), behind the in-process store's interface.

Plain Python (no Django): the store is given a function that opens a DB-API connection (psycopg 3) to a
database where the ``vector`` extension can be created, and the name of its table. It implements what
:class:`~.search.MatchIndex` asks of a vector store (``add``, ``kill``, ``top``, ``similarity``,
``all_similarities``, ``build_ann``, ``uses_ann``, ``save``; :meth:`PgVectorStores.load`), so the same index,
with its BM25, record vectors, fusion and reasons, searches vectors kept in PostgreSQL instead of a NumPy matrix:
``MatchIndex(embedder, vector_store=PgVectorStores(connect, "matching_vectors_v1"))``.

Table: ``(row bigint primary key, embedding vector(dim))``; a killed row is deleted. Vectors are unit length,
so the cosine is the inner product: ``top`` orders by ``embedding <#> query`` (pgvector's negative inner
product). Below ``ann_min_rows`` rows the search is exact (a sequential scan; the planner is told not to use
the index); from there an HNSW index (``vector_ip_ops``, m = 16, ef_construction = 64, the in-process store's
settings) answers with ``hnsw.ef_search`` = 256 and ``hnsw.iterative_scan`` = relaxed_order (pgvector ≥ 0.8)
so that ``k`` live rows always come back.

``save`` writes only ``vectors_pgvector.json`` (the table, its dimension and row count) next to the index files:
the vectors live in the database. One table per published index version (the name is the caller's): a writer
loads the published version into a copy under the new version's table (:meth:`PgVectorStores.load`), so readers
of the old version never see half an update.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .vectors import ANN_MIN_ROWS, HNSW_CONNECTIVITY, HNSW_EXPANSION_ADD, HNSW_EXPANSION_SEARCH

__all__ = ["PgVectorStore", "PgVectorStores", "vector_literal"]

_TABLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
INSERT_BATCH = 500


def vector_literal(vector: np.ndarray) -> str:
    """pgvector's text form of a vector: ``[0.1,0.2,…]`` (9 significant digits: float32 round-trips)."""
    return "[" + ",".join(f"{x:.9g}" for x in np.asarray(vector, dtype=np.float32).ravel()) + "]"


class PgVectorStore:
    """Rows of unit vectors in a PostgreSQL table, searchable by inner product (see the module docstring)."""

    def __init__(self, connection: Any, table: str, dim: int, ann_min_rows: int = ANN_MIN_ROWS, *,
                 create: bool = True, rows: int | None = None) -> None:
        if not _TABLE.match(table):
            raise ValueError(f"not a plain table name: {table!r}")
        self.connection = connection
        self.table = table
        self.dim = dim
        self.ann_min_rows = ann_min_rows
        if create:
            with connection.cursor() as cur:
                cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
                cur.execute(f"DROP TABLE IF EXISTS {table}")
                cur.execute(f"CREATE TABLE {table} (row bigint PRIMARY KEY, embedding vector({dim}) NOT NULL)")
            connection.commit()
        # the number of rows ever added (killed rows are deleted, so the table alone cannot tell; saved)
        self.n = rows if rows is not None else self._scalar(f"SELECT coalesce(max(row) + 1, 0) FROM {table}")
        self._has_hnsw = bool(self._scalar(
            "SELECT count(*) FROM pg_indexes WHERE tablename = %s AND indexname = %s", (table, f"{table}_hnsw")))

    def _scalar(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        with self.connection.cursor() as cur:
            cur.execute(sql, params)
            row = cur.fetchone()
        self.connection.commit()
        return int(row[0])

    # ---------- writing ----------
    def add(self, vectors: np.ndarray) -> np.ndarray:
        """Append rows; returns their row numbers. Builds the HNSW index once the table reaches
        ``ann_min_rows`` (after that PostgreSQL keeps it up to date on every insert)."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        rows = np.arange(self.n, self.n + len(vectors))
        with self.connection.cursor() as cur:
            for start in range(0, len(vectors), INSERT_BATCH):
                chunk = [(int(r), vector_literal(v)) for r, v in
                         zip(rows[start:start + INSERT_BATCH], vectors[start:start + INSERT_BATCH], strict=True)]
                cur.executemany(f"INSERT INTO {self.table} (row, embedding) VALUES (%s, %s::vector)", chunk)
        self.connection.commit()
        self.n += len(vectors)
        if not self._has_hnsw and self.n >= self.ann_min_rows:
            self.build_ann()
        return rows

    def kill(self, row: int) -> None:
        with self.connection.cursor() as cur:
            cur.execute(f"DELETE FROM {self.table} WHERE row = %s", (int(row),))
        self.connection.commit()

    def build_ann(self) -> None:
        with self.connection.cursor() as cur:
            cur.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_hnsw ON {self.table} USING hnsw "
                        f"(embedding vector_ip_ops) WITH (m = {HNSW_CONNECTIVITY}, "
                        f"ef_construction = {HNSW_EXPANSION_ADD})")
        self.connection.commit()
        self._has_hnsw = True

    @property
    def uses_ann(self) -> bool:
        return self._has_hnsw

    # ---------- reading ----------
    def similarity(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact cosine of the query with the given rows (−2 for a row that is gone)."""
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        with self.connection.cursor() as cur:
            cur.execute(f"SELECT row, -(embedding <#> %s::vector) FROM {self.table} WHERE row = ANY(%s)",
                        (vector_literal(query), [int(r) for r in rows]))
            found = dict(cur.fetchall())
        self.connection.commit()
        return np.array([found.get(int(r), -2.0) for r in rows], dtype=np.float32)

    def all_similarities(self, query: np.ndarray) -> np.ndarray:
        sims = np.full(self.n, -2.0, dtype=np.float32)
        with self.connection.cursor() as cur:
            cur.execute(f"SELECT row, -(embedding <#> %s::vector) FROM {self.table}", (vector_literal(query),))
            for row, sim in cur.fetchall():
                sims[int(row)] = sim
        self.connection.commit()
        return sims

    def top(self, query: np.ndarray, k: int, *, exact: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` live rows most similar to ``query`` (rows, cosines), best first. ``exact`` forces (True)
        or forbids (False) the sequential scan; by default the HNSW index is used once it exists. The search
        settings are made local to one transaction (``set_config(…, true)``), which is opened explicitly so
        that they hold on an autocommit connection too."""
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        use_index = self._has_hnsw if exact is None else not exact
        settings = ({"hnsw.ef_search": str(min(1000, max(HNSW_EXPANSION_SEARCH, k))),  # pgvector allows ≤ 1000
                     "hnsw.iterative_scan": "relaxed_order"} if use_index
                    else {"enable_indexscan": "off", "enable_bitmapscan": "off"})
        literal = vector_literal(query)
        with self.connection.transaction(), self.connection.cursor() as cur:
            for name, value in settings.items():
                cur.execute("SELECT set_config(%s, %s, true)", (name, value))
            cur.execute(f"SELECT row, -(embedding <#> %s::vector) AS sim FROM {self.table} "
                        "ORDER BY embedding <#> %s::vector LIMIT %s", (literal, literal, int(k)))
            found = cur.fetchall()
        rows = np.array([int(r) for r, _ in found], dtype=np.int64)
        sims = np.array([float(s) for _, s in found], dtype=np.float32)
        order = np.argsort(-sims, kind="stable")  # relaxed_order may return near-ties out of order
        return rows[order], sims[order]

    # ---------- persistence ----------
    def save(self, directory: Path) -> None:
        (directory / "vectors_pgvector.json").write_text(
            json.dumps({"table": self.table, "dim": self.dim, "rows": self.n}), encoding="utf-8")

    def copy_to(self, table: str) -> PgVectorStore:
        """A copy of this store in a new table (with its HNSW index if this one has one), for a writer that
        publishes a new index version while readers keep the old table."""
        if not _TABLE.match(table) or table == self.table:
            raise ValueError(f"not a new plain table name: {table!r}")
        with self.connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {table}")
            cur.execute(f"CREATE TABLE {table} (row bigint PRIMARY KEY, embedding vector({self.dim}) NOT NULL)")
            cur.execute(f"INSERT INTO {table} SELECT row, embedding FROM {self.table}")
        self.connection.commit()
        copy = PgVectorStore(self.connection, table, self.dim, self.ann_min_rows, create=False, rows=self.n)
        if self._has_hnsw:
            copy.build_ann()
        return copy


class PgVectorStores:
    """How a :class:`~.search.MatchIndex` makes and reopens its vector store in PostgreSQL: ``connect()``
    opens a DB-API connection (psycopg 3), ``table`` names the table of this index version.

    ``load`` of a saved index: with ``table`` None (readers) the saved table is reopened as it is; with a
    ``table`` other than the saved one (a writer preparing a new version), the saved table is copied into it
    first, so readers of the published version never see the writer's changes."""

    def __init__(self, connect: Callable[[], Any], table: str | None) -> None:
        self.connect = connect
        self.table = table
        self._connection: Any = None

    def _conn(self) -> Any:
        if self._connection is None:
            self._connection = self.connect()
        return self._connection

    def __call__(self, dim: int, ann_min_rows: int = ANN_MIN_ROWS) -> PgVectorStore:
        """A new, empty store (the table is created afresh)."""
        if self.table is None:
            raise ValueError("a new store needs a table name")
        return PgVectorStore(self._conn(), self.table, dim, ann_min_rows)

    def load(self, directory: Path, dim: int, ann_min_rows: int = ANN_MIN_ROWS, *, mmap: bool = False
             ) -> PgVectorStore:
        """The store a saved index names (``vectors_pgvector.json``), or its copy (see the class); ``mmap``
        has no meaning here."""
        saved = json.loads((directory / "vectors_pgvector.json").read_text(encoding="utf-8"))
        if saved["dim"] != dim:
            raise ValueError(f"the table {saved['table']} holds {saved['dim']}-d vectors, not {dim}-d")
        store = PgVectorStore(self._conn(), saved["table"], dim, ann_min_rows, create=False, rows=saved["rows"])
        return store if self.table in (None, saved["table"]) else store.copy_to(self.table)
