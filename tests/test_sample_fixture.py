"""The shared sample-region fixture (conftest.py, _SampleStore): built once for consecutive tests, each test
rolled back to it, and never visible to tests that did not ask for it. The tests run in this order."""

from __future__ import annotations

import os

import pytest

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(os.environ.get("KYOSO_TEST_SHARED_SAMPLE") == "0", reason="shared sample switched off"),
]

CHANGED = "書き換えた名前（テスト）"


def test_a_test_may_change_the_shared_sample(sample_region, _sample_store):
    from kyoso.venues.models import Venue

    _sample_store.builds_seen = _sample_store.builds
    venue = sample_region.venue
    venue.name = CHANGED
    venue.save()
    Venue.objects.create(slug="extra-venue-in-test", name="追加（テスト）")
    assert Venue.objects.filter(name=CHANGED).exists()


def test_the_next_sample_test_gets_it_back_unchanged_without_a_rebuild(sample_region, users, _sample_store):
    from kyoso.venues.models import Venue

    assert _sample_store.builds == _sample_store.builds_seen  # the same build, rolled back
    assert sample_region.venue.name != CHANGED  # a fresh copy of the objects, not the one changed above
    assert not Venue.objects.filter(name=CHANGED).exists()
    assert not Venue.objects.filter(slug="extra-venue-in-test").exists()
    assert Venue.objects.get(pk=sample_region.venue.pk).name == sample_region.venue.name
    assert users  # the personas are there


def test_a_database_test_without_the_sample_sees_an_empty_database():
    from kyoso.regions.models import Region
    from kyoso.venues.models import Venue

    assert not Venue.objects.exists()
    assert not Region.objects.exists()


def test_the_regions_fixture_alone_creates_only_the_regions(regions):
    from kyoso.venues.models import Venue

    assert sorted(regions) == ["13", "13101", "22", "22130", "22211", "22221"]
    assert not Venue.objects.exists()


def test_after_other_tests_the_sample_is_built_again(sample_region, _sample_store):
    assert _sample_store.builds == _sample_store.builds_seen + 1
    assert sample_region.venue.name != CHANGED
