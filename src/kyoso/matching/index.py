"""The persisted matching index: where it lives, how a process loads it (once) and how it is replaced.

Layout under ``settings.KYOSO_MATCHING_INDEX_DIR`` (default ``$KYOSO_VAR_DIR/matching-index``)::

    CURRENT          the name of the version in use (written atomically, last)
    v<time>-<rand>/  one saved MatchIndex per version (the previous one is kept for readers still loading it)
    .lock            a file lock taken by writers (tasks, the reindex command), so updates never get lost

Queries (:func:`search_need`) load the version named in ``CURRENT`` once per process and reload only when
``CURRENT`` names another version; they never build or rebuild the index. Writers (``services``) take the
lock, apply ``upsert``/``remove`` to the loaded index (or build one), save a new version and switch
``CURRENT``.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.conf import settings

from .domain.records import ResearcherDoc
from .domain.search import Match, MatchIndex, embedder_from_config

logger = logging.getLogger(__name__)
_lock = threading.RLock()
_cache: dict[str, tuple[str, MatchIndex]] = {}  # index dir -> (version, index)
_embedders: dict[str, object] = {}


def index_dir() -> Path:
    return Path(settings.KYOSO_MATCHING_INDEX_DIR)


def embedder():
    """The configured embedder (``KYOSO_MATCHING_EMBEDDER``), created once per process."""
    spec = settings.KYOSO_MATCHING_EMBEDDER
    with _lock:
        if spec not in _embedders:
            _embedders[spec] = embedder_from_config(spec)
        return _embedders[spec]


def current_version(directory: Path | None = None) -> str | None:
    try:
        version = ((directory or index_dir()) / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return version or None


def load_index() -> MatchIndex | None:
    """The index in use, loaded once per process (and again only when a writer saved a new version).

    None when there is none yet, or when it cannot be used (built with another embedder than the configured
    one, or unreadable): queries then find nothing and the log says to run ``kyoso matching-reindex``.
    """
    directory = index_dir()
    with _lock:
        for _attempt in range(3):  # a writer may publish (and drop an old version) while this one loads
            version = current_version(directory)
            if version is None:
                return None
            cached = _cache.get(str(directory))
            if cached and cached[0] == version:
                return cached[1]
            try:
                index = MatchIndex.load(directory / version, embedder())
            except FileNotFoundError:
                continue
            except (ValueError, OSError, KeyError) as exc:
                logger.warning("Matching index %s cannot be used (%s); run `kyoso matching-reindex`.", version, exc)
                return None
            _cache[str(directory)] = (version, index)
            return index
        return None


def index_info() -> dict[str, object]:
    """What the pages and commands show about the index: version, size, embedder."""
    index = load_index()
    return {"version": current_version(), "researchers": len(index) if index else 0,
            "embedder": settings.KYOSO_MATCHING_EMBEDDER, "directory": str(index_dir())}


def _allowed(allowed_ids: Iterable[str] | Callable[[str], bool] | None) -> set[str] | Callable[[str], bool] | None:
    if allowed_ids is None or callable(allowed_ids):
        return allowed_ids
    return {str(i) for i in allowed_ids}


def search_need(text: str, *, top: int = 10, allowed_ids: Iterable[str] | Callable[[str], bool] | None = None,
                year_from: int | None = None) -> list[Match]:
    """The ``top`` researchers for a need, best first (``Match.researcher_id`` is ``str(Researcher.pk)``).

    ``allowed_ids`` restricts the result (a set of researcher ids as strings, or a predicate); ``year_from``
    keeps researchers with a record from that year on. An index that was never built gives no result.
    """
    index = load_index()
    if index is None:
        return []
    with _lock:
        return index.search(text, top=top, allowed=_allowed(allowed_ids), year_from=year_from)


def search_facets(facets: list[str], *, top: int = 10,
                  allowed_ids: Iterable[str] | Callable[[str], bool] | None = None,
                  year_from: int | None = None) -> dict[str, list[float]]:
    """Researcher id → fused score for each facet (``MatchIndex.search_facets``), for team suggestions."""
    index = load_index()
    if index is None:
        return {}
    with _lock:
        return index.search_facets(list(facets), top=top, allowed=_allowed(allowed_ids), year_from=year_from)


@contextlib.contextmanager
def _writer_lock(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            with _lock:
                yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _publish(directory: Path, index: MatchIndex) -> str:
    """Save ``index`` as a new version, switch CURRENT to it and drop versions older than the previous one."""
    previous = current_version(directory)
    version = f"v{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    index.save(directory / version)
    temporary = directory / f"CURRENT.{version}.tmp"
    temporary.write_text(version, encoding="utf-8")
    os.replace(temporary, directory / "CURRENT")
    keep = {version, previous}
    for child in directory.iterdir():
        if child.is_dir() and child.name.startswith("v") and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
    _cache[str(directory)] = (version, index)
    return version


def rebuild(docs: Iterable[ResearcherDoc]) -> tuple[str, int]:
    """Build a new index from ``docs`` and publish it: (version, researchers)."""
    directory = index_dir()
    with _writer_lock(directory):
        index = MatchIndex(embedder())
        index.build(list(docs))
        return _publish(directory, index), len(index)


def update(upserts: Iterable[ResearcherDoc], removals: Iterable[str],
           build_all: Callable[[], Iterable[ResearcherDoc]]) -> tuple[str, int]:
    """Apply changes to the published index (or build it from ``build_all()`` when none exists yet)."""
    directory = index_dir()
    with _writer_lock(directory):
        index = load_index()
        if index is None:
            index = MatchIndex(embedder())
            index.build(list(build_all()))
            return _publish(directory, index), len(index)
        try:
            for doc in upserts:
                index.upsert(doc)
            for researcher_id in removals:
                if researcher_id in index:
                    index.remove(researcher_id)
            return _publish(directory, index), len(index)
        except BaseException:
            _cache.pop(str(directory), None)  # the cached index may hold changes that were never saved
            raise


def forget() -> None:
    """Drop the process cache (tests that switch index directories call this)."""
    with _lock:
        _cache.clear()
