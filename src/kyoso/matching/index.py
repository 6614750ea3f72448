"""The persisted matching index: where it lives, which database it belongs to, how a process loads it (once)
and how it is replaced.

**One index per database.** Without ``settings.KYOSO_MATCHING_INDEX_DIR`` the index lives in
``$KYOSO_VAR_DIR/matching-index/<fingerprint>/``, where the fingerprint is a hash of the database's engine,
name, host and port: ``DATABASE_URL=… kyoso match`` uses (and ``import-researchers`` updates) the index of
that database, never the demo's. Every saved index records its *binding*: that fingerprint, the random id
stored in the database itself (:class:`~kyoso.matching.models.IndexDatabase`, so that a copy of ``var/`` or
a database re-created at the same address is told apart) and the embedder. A process never uses an index
bound to anything else:

* queries refuse it (no results; :func:`index_problem` says why, the commands print it and exit);
* writers rebuild it from this database when only the database id differs (same address: a re-created
  database or a copied ``var/``), and refuse (:class:`IndexBoundElsewhere`) when the directory holds the
  index of a database at another address (an explicitly shared ``KYOSO_MATCHING_INDEX_DIR``).

Layout of the index directory::

    CURRENT          the name of the version in use (written atomically, last)
    v<time>-<rand>/  one saved MatchIndex per version (the previous one is kept for readers still loading it)
    .lock            a file lock taken by writers (tasks, the reindex command), so updates never get lost

Queries (:func:`search_need`) load the version named in ``CURRENT`` once per process and reload only when
``CURRENT`` names another version; they never build or rebuild the index. The vectors and the HNSW graph of
the loaded version are memory-mapped read-only (``MatchIndex.load(mmap=True)``), so the processes of a
machine share one copy in the page cache, and a published version never changes: searches take no lock.
:func:`warm` loads it at start-up (``wsgi.py``/``asgi.py``) instead of on the first request. Writers
(``services``) take the file lock, load a private unmapped copy, apply ``upsert``/``remove`` to it (or build
one), save it as a new version and switch ``CURRENT`` atomically: readers see the old version or the new
one, never half an update.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

from .domain.records import ResearcherDoc
from .domain.search import Match, MatchIndex, embedder_from_config

logger = logging.getLogger(__name__)
_lock = threading.RLock()  # loading the published version into the process cache (not searching)
_write_lock = threading.Lock()
_cache: dict[str, tuple[str, MatchIndex]] = {}  # index dir -> (version, index)
_embedders: dict[str, object] = {}
_uids: dict[str, str] = {}  # database fingerprint -> the database's IndexDatabase.uid
_problems: dict[str, str] = {}  # index dir -> why its index is not used


class IndexBoundElsewhere(Exception):
    """The index directory holds the index of another database: it is neither used nor overwritten."""


def database_fingerprint() -> str:
    """A stable hash of the default database's engine, name, host and port (no credentials)."""
    conf = connection.settings_dict
    key = "|".join(str(conf.get(k) or "") for k in ("ENGINE", "NAME", "HOST", "PORT"))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def database_uid() -> str:
    """The random id stored in this database (created by the migration, or here when missing)."""
    fingerprint = database_fingerprint()
    with _lock:
        if fingerprint not in _uids:
            from .models import IndexDatabase

            row = IndexDatabase.objects.order_by("pk").first()
            if row is None:
                row, _ = IndexDatabase.objects.get_or_create(uid=secrets.token_hex(16))
            _uids[fingerprint] = row.uid
        return _uids[fingerprint]


def binding() -> dict[str, str]:
    """What an index built now is bound to: this database (fingerprint and id) and the embedder."""
    return {"database": database_fingerprint(), "database_uid": database_uid(),
            "database_engine": str(connection.settings_dict.get("ENGINE", "")).rsplit(".", 1)[-1],
            "database_name": Path(str(connection.settings_dict.get("NAME") or "")).name,
            "embedder": embedder().name}


def index_dir() -> Path:
    """``KYOSO_MATCHING_INDEX_DIR`` when set, else ``$KYOSO_VAR_DIR/matching-index/<database fingerprint>``."""
    configured = getattr(settings, "KYOSO_MATCHING_INDEX_DIR", None)
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / "matching-index" / database_fingerprint()


def embedder():
    """The configured embedder (``KYOSO_MATCHING_EMBEDDER``), created once per process."""
    spec = settings.KYOSO_MATCHING_EMBEDDER
    with _lock:
        if spec not in _embedders:
            _embedders[spec] = embedder_from_config(spec)
        return _embedders[spec]


def mismatch(saved: dict, current: dict) -> str | None:
    """Why an index bound to ``saved`` must not serve ``current`` (None when it may)."""
    if saved.get("database") != current["database"]:
        return (f"built for another database ({saved.get('database_engine', '?')} "
                f"{saved.get('database_name', '?')}, fingerprint {saved.get('database', 'none')}), "
                f"not this one ({current['database_engine']} {current['database_name']}, "
                f"fingerprint {current['database']})")
    if saved.get("database_uid") != current["database_uid"]:
        return "built for an earlier database at the same address (or copied from another installation)"
    return None


def _saved_binding(directory: Path, version: str) -> dict:
    meta = json.loads((directory / version / "meta.json").read_text(encoding="utf-8"))
    return dict(meta.get("binding") or {})


def current_version(directory: Path | None = None) -> str | None:
    try:
        version = ((directory or index_dir()) / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return version or None


def load_index() -> MatchIndex | None:
    """The index in use, loaded once per process (and again only when a writer saved a new version).

    None when there is none yet, or when it cannot be used: bound to another database, built with another
    embedder than the configured one, or unreadable. :func:`index_problem` then says why (and the log says
    to run ``kyoso matching-reindex``); queries find nothing.
    """
    directory = index_dir()
    key = str(directory)
    version = current_version(directory)
    cached = _cache.get(key)
    if version is not None and cached and cached[0] == version:  # the common case: no lock at all
        return cached[1]
    with _lock:
        for _attempt in range(3):  # a writer may publish (and drop an old version) while this one loads
            version = current_version(directory)
            if version is None:
                _problems.pop(key, None)
                return None
            cached = _cache.get(key)
            if cached and cached[0] == version:
                return cached[1]
            try:
                problem = mismatch(_saved_binding(directory, version), binding())
                if problem is not None:
                    _problems[key] = f"The matching index in {directory} was {problem}: run `kyoso matching-reindex`."
                    logger.warning(_problems[key])
                    return None
                index = MatchIndex.load(directory / version, embedder(), mmap=True)
            except FileNotFoundError:
                continue
            except (ValueError, OSError, KeyError) as exc:
                _problems[key] = f"The matching index {version} in {directory} cannot be used ({exc}); " \
                                 "run `kyoso matching-reindex`."
                logger.warning(_problems[key])
                return None
            _problems.pop(key, None)
            _cache[key] = (version, index)
            return index
        return None


def index_problem() -> str | None:
    """Why the published index is not used (another database, another embedder, unreadable), or None."""
    index = load_index()
    return None if index is not None else _problems.get(str(index_dir()))


def warm() -> bool:
    """Load the index now (at start-up) rather than on the first matching request; True when one is ready."""
    return load_index() is not None


def warm_at_start_up() -> None:
    """:func:`warm` for ``wsgi.py``/``asgi.py``: a missing database or index only logs (the site still starts)."""
    try:
        ready = warm()
    except Exception:  # noqa: BLE001 - e.g. the database is not migrated yet; queries will say so
        logger.warning("Matching index not warmed at start-up", exc_info=True)
        return
    logger.info("Matching index %s at start-up (%s)", "loaded" if ready else "not available", index_dir())


def index_info() -> dict[str, object]:
    """What the pages and commands show about the index: version, size, embedder, database."""
    index = load_index()
    return {"version": current_version(), "researchers": len(index) if index else 0,
            "embedder": embedder().name, "directory": str(index_dir()),
            "database": database_fingerprint(), "problem": _problems.get(str(index_dir()))}


def _allowed(allowed_ids: Iterable[str] | Callable[[str], bool] | None) -> set[str] | Callable[[str], bool] | None:
    if allowed_ids is None or callable(allowed_ids):
        return allowed_ids
    return {str(i) for i in allowed_ids}


def search_need(text: str, *, top: int = 10, allowed_ids: Iterable[str] | Callable[[str], bool] | None = None,
                year_from: int | None = None, explain: bool | int = True) -> list[Match]:
    """The ``top`` researchers for a need, best first (``Match.researcher_id`` is ``str(Researcher.pk)``).

    ``allowed_ids`` restricts the result (a set of researcher ids as strings, or a predicate); ``year_from``
    keeps researchers with a record from that year on; ``explain``: reasons for all (True), none (False) or
    the first N results. An index that was never built (or is bound to another database) gives no result.
    """
    index = load_index()
    if index is None:
        return []
    return index.search(text, top=top, allowed=_allowed(allowed_ids), year_from=year_from, explain=explain)


def search_needs(texts: list[str], *, top: int = 10, year_from: int | None = None, explain: bool | int = False
                 ) -> Iterator[list[Match]]:
    """:func:`search_need` for many needs in order, embedded in batches (``MatchIndex.search_many``)."""
    index = load_index()
    if index is None:
        return iter([[] for _ in texts])
    return index.search_many(texts, top=top, year_from=year_from, explain=explain)


def search_facets(facets: list[str], *, top: int = 10,
                  allowed_ids: Iterable[str] | Callable[[str], bool] | None = None,
                  year_from: int | None = None) -> dict[str, list[float]]:
    """Researcher id → fused score for each facet (``MatchIndex.search_facets``), for team suggestions."""
    index = load_index()
    if index is None:
        return {}
    return index.search_facets(list(facets), top=top, allowed=_allowed(allowed_ids), year_from=year_from)


@contextlib.contextmanager
def _writer_lock(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            with _write_lock:  # writers of this process one at a time; readers are never blocked
                yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _publish(directory: Path, index: MatchIndex) -> str:
    """Save ``index`` (bound to this database) as a new version, switch CURRENT to it and drop versions older
    than the previous one."""
    previous = current_version(directory)
    version = f"v{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    index.binding = binding()
    index.save(directory / version)
    temporary = directory / f"CURRENT.{version}.tmp"
    temporary.write_text(version, encoding="utf-8")
    os.replace(temporary, directory / "CURRENT")
    keep = {version, previous}
    for child in directory.iterdir():
        if child.is_dir() and child.name.startswith("v") and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
    _cache[str(directory)] = (version, index)
    _problems.pop(str(directory), None)
    return version


def _writable(directory: Path) -> bool:
    """May a writer update the published index in place? False: it must be rebuilt from this database
    (none yet, bound to an earlier database at this address, or built with another embedder, e.g. after an
    upgrade changed the default). Raises :class:`IndexBoundElsewhere` when the directory holds the index of a
    database at another address."""
    version = current_version(directory)
    if version is None:
        return False
    try:
        meta = json.loads((directory / version / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    saved, current = dict(meta.get("binding") or {}), binding()
    if saved.get("database") and saved["database"] != current["database"]:  # before anything is rebuilt here
        raise IndexBoundElsewhere(
            f"The matching index in {directory} belongs to another database ({saved.get('database_engine', '?')} "
            f"{saved.get('database_name', '?')}); it is left as it is. Unset KYOSO_MATCHING_INDEX_DIR (each "
            f"database then gets its own index) or point it at another directory.")
    if meta.get("embedder") != embedder().name or meta.get("dim") != embedder().dim:
        return False
    return mismatch(saved, current) is None


def rebuild(docs: Iterable[ResearcherDoc]) -> tuple[str, int]:
    """Build a new index from ``docs`` and publish it: (version, researchers)."""
    directory = index_dir()
    with _writer_lock(directory):
        _writable(directory)  # refuses a directory that belongs to another database
        index = MatchIndex(embedder())
        index.build(list(docs))
        return _publish(directory, index), len(index)


def update(upserts: Iterable[ResearcherDoc], removals: Iterable[str],
           build_all: Callable[[], Iterable[ResearcherDoc]]) -> tuple[str, int]:
    """Apply changes to the published index (or build it from ``build_all()`` when there is none yet, or when
    the one there was built for an earlier database at the same address)."""
    directory = index_dir()
    with _writer_lock(directory):
        version = current_version(directory) if _writable(directory) else None
        # A private, unmapped copy: readers keep searching the published (mapped, never changed) version.
        index = MatchIndex.load(directory / version, embedder()) if version else None
        if index is None:
            index = MatchIndex(embedder())
            index.build(list(build_all()))
            return _publish(directory, index), len(index)
        for doc in upserts:
            index.upsert(doc)
        for researcher_id in removals:
            if researcher_id in index:
                index.remove(researcher_id)
        return _publish(directory, index), len(index)


def forget() -> None:
    """Drop the process cache (tests that switch index directories or databases call this)."""
    with _lock:
        _cache.clear()
        _uids.clear()
        _problems.clear()
