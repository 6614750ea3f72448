"""Fiscal years, sector lists and SVG writing live in one place each (``kyoso.common.domain``); the apps use them.

No database. Each test fails when a copy comes back with its own behaviour (e.g. a chart that escapes text but keeps
the control characters XML forbids, so the SVG no longer parses).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from kyoso.common.domain import fiscal, svg

BAD = "売上\x0b<高>&\x01\ud800\uffff"


def test_fiscal_year_end_is_the_last_day_of_march_and_shared():
    from kyoso.portfolio.domain import signals
    from kyoso.visions.domain import forecast

    assert fiscal.fiscal_year_end(2025) == dt.date(2026, 3, 31)
    assert fiscal.fiscal_year_end(2025) == fiscal.fiscal_year_bounds(2025)[1]
    assert signals.fiscal_year_end is fiscal.fiscal_year_end
    assert forecast.fiscal_year_end is fiscal.fiscal_year_end


@pytest.mark.parametrize(("day", "year"), [(dt.date(2026, 3, 31), 2025), (dt.date(2026, 4, 1), 2026)])
def test_kpi_chart_labels_years_by_the_shared_fiscal_year(day, year):
    from kyoso.visions.domain import chart

    assert chart._fiscal_year is fiscal.fiscal_year
    assert chart._fiscal_year(day) == year


def test_svg_helpers():
    assert svg.clean(BAD) == "売上<高>&"
    assert svg.text(BAD) == "売上&lt;高&gt;&amp;"
    assert svg.attrs({"a": 'x"\x0by', "b": None, "c": 2}) == ' a=\'x"y\' c="2"'
    assert svg.element("g", {"class": "k"}) == '<g class="k"/>'
    assert svg.element("text", {}, svg.text("<")) == "<text>&lt;</text>"
    assert [svg.num(v) for v in (12.0, 3.14159, -0.01, -2.25)] == ["12", "3.1", "0", "-2.2"]


def test_every_chart_parses_whatever_the_text():
    """Titles and labels come from users: each chart must stay well-formed XML."""
    from kyoso.portfolio.domain.chart import ChartPoint, ChartText, render_progress_chart
    from kyoso.visions.domain.chart import ChartLabels, render_kpi_chart
    from kyoso.visions.domain.graph import render_graph

    portfolio = render_progress_chart([ChartPoint(label=BAD, provision=0.5, progress=0.2, group="both_lagging")],
                                      ChartText(title=BAD, description=BAD, x_label=BAD, y_label=BAD))
    kpi = render_kpi_chart(history=[(dt.date(2024, 3, 31), 1.0), (dt.date(2025, 3, 31), 2.0)], targets=[],
                           forecast=[], baseline=None, title=BAD, unit=BAD, labels=ChartLabels())
    graph = render_graph([], [], title=BAD, desc=BAD, level_names=[BAD])
    for drawn in (portfolio, kpi, graph):
        root = ET.fromstring(drawn)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert "\x0b" not in drawn and "\ud800" not in drawn


def test_one_sector_list_in_one_order():
    from kyoso.common.domain.sectors import CORE_SECTORS, SECTORS, Sector, sector_rank
    from kyoso.regions.domain import organizations
    from kyoso.regions.models import SectorChoices
    from kyoso.venues import queries
    from kyoso.venues.domain import composition

    assert SECTORS == ("government", "academia", "industry", "finance", "civil_society")  # 官・学・産・金・民
    assert organizations.Sector is Sector
    assert tuple(SectorChoices.values) == SECTORS
    assert queries.SECTOR_ORDER == SECTORS
    assert composition.CORE_SECTORS == CORE_SECTORS == ("government", "academia", "industry")
    assert sorted(["media", "finance", "government"], key=sector_rank) == ["government", "finance", "media"]
