"""A small matching index built in a temporary directory (the embedder is loaded once per process)."""

from __future__ import annotations

import pytest


@pytest.fixture
def matching_index(sample_region, settings, tmp_path):
    from kyoso.matching import index, services
    from kyoso.matching.tests.objects import make_researchers

    researchers = make_researchers()
    settings.KYOSO_MATCHING_INDEX_DIR = tmp_path / "matching-index"
    index.forget()
    services.index_rebuild()
    yield researchers
    index.forget()


@pytest.fixture
def index_dir(settings, tmp_path):
    """An empty index directory of this test's own (the process cache forgotten before and after)."""
    from kyoso.matching import index

    settings.KYOSO_MATCHING_INDEX_DIR = tmp_path / "matching-index"
    index.forget()
    yield settings.KYOSO_MATCHING_INDEX_DIR
    index.forget()
