"""Pure rules of regions/domain: the effort-share rule and kinds/sectors. No database."""

import datetime as dt

import pytest

from kyoso.regions.domain.affiliations import Span, overloads
from kyoso.regions.domain.organizations import SECTOR_OF_KIND, Kind, Sector, kind_fits_sector

D = dt.date


def test_a_cross_appointment_of_80_and_20_is_allowed():
    assert overloads([Span(80, label="大学"), Span(20, label="企業")]) == []


def test_open_ended_shares_over_100_are_refused_with_the_total():
    found = overloads([Span(80, label="大学"), Span(30, label="企業")])
    assert len(found) == 1
    assert found[0].total == 110
    assert set(found[0].labels) == {"大学", "企業"}
    assert found[0].start is None and found[0].end is None


def test_affiliations_that_do_not_overlap_in_time_may_each_be_100():
    spans = [Span(100, D(2020, 4, 1), D(2024, 3, 31), "前職"), Span(100, D(2024, 4, 1), None, "現職")]
    assert overloads(spans) == []


def test_only_the_overlapping_period_is_reported():
    spans = [Span(100, D(2020, 4, 1), D(2024, 3, 31), "前職"), Span(50, D(2024, 1, 1), None, "現職")]
    (found,) = overloads(spans)
    assert (found.start, found.end, found.total) == (D(2024, 1, 1), D(2024, 3, 31), 150)


def test_a_zero_share_never_counts():
    assert overloads([Span(100), Span(0, label="名誉職")]) == []


def test_span_rejects_bad_values():
    with pytest.raises(ValueError):
        Span(101)
    with pytest.raises(ValueError):
        Span(10, D(2025, 1, 2), D(2025, 1, 1))


def test_kinds_fit_their_sector():
    assert kind_fits_sector("kosen", "academia")
    assert not kind_fits_sector("regional_bank", "industry")
    assert kind_fits_sector("other", "industry")
    assert set(SECTOR_OF_KIND) == set(Kind)


def test_model_choices_match_domain_enums():
    from kyoso.regions.models import KindChoices, SectorChoices

    assert set(KindChoices.values) == {k.value for k in Kind}
    assert set(SectorChoices.values) == {s.value for s in Sector}
