"""Pure rules of common/domain: no database, no Django."""

import datetime as dt

import pytest

from kyoso.common.domain.fiscal import era_year, fiscal_year, fiscal_year_bounds, fiscal_year_label
from kyoso.common.domain.text import normalize_query, query_terms, to_hiragana


@pytest.mark.parametrize(
    ("day", "year"),
    [(dt.date(2026, 3, 31), 2025), (dt.date(2026, 4, 1), 2026), (dt.date(2026, 12, 31), 2026),
     (dt.date(2027, 1, 1), 2026)],
)
def test_fiscal_year_runs_april_to_march(day, year):
    assert fiscal_year(day) == year


def test_fiscal_year_bounds():
    assert fiscal_year_bounds(2026) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))


def test_era_names_for_fiscal_years():
    assert era_year(2026) == ("令和", 8)
    assert era_year(2019) == ("令和", 1)
    assert era_year(2018) == ("平成", 30)
    assert era_year(1988) == ("昭和", 63)
    assert era_year(1900) is None


def test_fiscal_year_label_in_both_languages():
    assert fiscal_year_label(2026, "ja") == "2026年度（令和8年度）"
    assert fiscal_year_label(2019, "ja") == "2019年度（令和元年度）"
    assert fiscal_year_label(2026, "en") == "FY2026"


def test_query_normalisation_handles_full_width_and_kana():
    assert normalize_query("　ＡＩＳＴ　 浜松 ") == "AIST 浜松"
    assert normalize_query("ﾊﾏﾏﾂ") == "ハママツ"
    assert to_hiragana("ハママツ") == "はままつ"
    assert query_terms("静岡　大学") == ["静岡", "大学"]
    assert query_terms("   ") == []
