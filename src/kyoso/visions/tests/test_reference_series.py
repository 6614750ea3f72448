"""Reference time series for the visions KPIs (pure Python, no database)."""

from __future__ import annotations

import ast
import csv
import datetime
import filecmp
from collections import defaultdict
from pathlib import Path

import pytest

from kyoso.regions.reference_sources import SOURCES
from kyoso.visions.domain import reference_series as rs

SHARED_DATA = Path("/work/shared/data/population")
SHARED_PATHS = {
    rs.AGE_FILE: "pref_age_1970_2024/pref_population_by_age_1970_2024.csv",
    rs.CENSUS_FILE: "census_labor_status_pref_1950_2020/fact_Population_Census_of_Japan.csv",
    rs.CENSUS_STATUS_FILE: "census_labor_status_pref_1950_2020/master_labor_status.csv",
    rs.CENSUS_SEX_FILE: "census_labor_status_pref_1950_2020/master_gender.csv",
    rs.CENSUS_PREF_FILE: "census_labor_status_pref_1950_2020/master_pref.csv",
}
CENSUS_YEARS = list(range(1950, 2021, 5))
AGE_KEYS = ("age65_share", "population_total")
CENSUS_KEYS = ("employed", "unemployment_rate", "labour_force_participation")


def value_in(key: str, code: str, year: int) -> float:
    points = dict(rs.series(key, code))
    return points[datetime.date(year, 10, 1)]


# --- the API ---------------------------------------------------------------------------------------


def test_series_specs_are_consistent():
    assert list(rs.SERIES) == [*AGE_KEYS, *CENSUS_KEYS]
    source_keys = {source.key for source in SOURCES}
    for key, spec in rs.SERIES.items():
        assert spec.key == key
        assert spec.direction_hint in {"higher", "lower", ""}
        assert spec.source_key in source_keys
        assert spec.is_percent == (spec.unit_en == "%")
        assert spec.name_ja and spec.name_en and spec.description_ja and spec.description_en


def test_unknown_key_or_prefecture_raises_key_error():
    with pytest.raises(KeyError):
        rs.series("no_such_series", "13")
    for bad in ("48", "00", "1", "13000", 13):
        with pytest.raises(KeyError):
            rs.series("employed", bad)  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        rs.available("48")


def test_points_are_dated_first_of_october_and_sorted():
    for key in rs.SERIES:
        points = rs.series(key, "13")
        assert points
        assert all(day.month == 10 and day.day == 1 for day, _ in points)
        assert [day for day, _ in points] == sorted({day for day, _ in points})
        assert all(isinstance(value, float) for _, value in points)


def test_series_returns_a_fresh_list():
    points = rs.series("employed", "01")
    points.clear()
    assert rs.series("employed", "01")


def test_the_module_does_not_import_django():
    tree = ast.parse(Path(rs.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.startswith("django") for name in imported)


# --- age file: names, coverage, sanity checks from the data README ---------------------------------


def test_every_english_name_in_the_age_file_is_mapped():
    with (rs.DEFAULT_DATA_DIR / rs.AGE_FILE).open(encoding="utf-8", newline="") as fh:
        names = {row["prefName"] for row in csv.DictReader(fh)}
    assert names == set(rs.PREFECTURE_NAMES_EN.values()) - {"Gunma"}
    assert len(rs.PREFECTURE_NAMES_EN) == 47
    assert rs.PREFECTURE_NAMES_EN["01"] == "Hokkaido" and rs.PREFECTURE_NAMES_EN["47"] == "Okinawa"


def test_prefecture_codes_agree_with_the_census_master():
    with (rs.DEFAULT_DATA_DIR / rs.CENSUS_PREF_FILE).open(encoding="utf-8", newline="") as fh:
        masters = {f"{int(row['area_code']) // 1000:02d}": row["pref"] for row in csv.DictReader(fh)}
    assert list(masters) == list(rs.PREFECTURE_CODES)
    assert (masters["01"], masters["13"], masters["26"], masters["27"], masters["47"]) == (
        "北海道", "東京都", "京都府", "大阪府", "沖縄県",
    )  # fmt: skip


@pytest.mark.parametrize(("code", "expected"), [("05", 37.5), ("32", 34.1), ("13", 22.7)])
def test_age65_share_2020(code, expected):
    assert value_in("age65_share", code, 2020) == pytest.approx(expected, abs=0.1)


def test_population_total_2020():
    assert value_in("population_total", "01", 2020) == 5_224_000
    assert value_in("population_total", "13", 2020) == 14_046_000


def test_open_ended_top_groups_give_complete_totals():
    # 1970s: age_65_69 is "65+"; 1980–2000: age_80_84 is "80+". The sums equal the census totals.
    assert value_in("population_total", "13", 1970) == 11_409_000  # census: 11,408,071
    assert value_in("population_total", "13", 1980) == 11_618_000  # census: 11,618,281
    assert value_in("population_total", "13", 2000) == 12_064_000  # census: 12,064,101
    for code in rs.PREFECTURE_CODES:
        shares = {day.year: value for day, value in rs.series("age65_share", code)}
        for year in (1980, 2001):  # no jump where the top group changes
            if year in shares and year - 1 in shares:
                assert abs(shares[year] - shares[year - 1]) < 1.0, (code, year)


def test_age65_share_is_plausible_everywhere():
    for code in rs.PREFECTURE_CODES:
        for day, value in rs.series("age65_share", code):
            assert 3 < value < 45, (code, day)


def test_gunma_has_census_series_but_no_age_series():
    assert rs.series("age65_share", "10") == []
    assert rs.series("population_total", "10") == []
    assert rs.available("10") == list(CENSUS_KEYS)
    assert len(rs.series("employed", "10")) == len(CENSUS_YEARS)


def test_okinawa_age_series_starts_after_reversion():
    first = rs.series("age65_share", "47")[0][0]
    assert first.year >= 1972
    assert rs.series("population_total", "47")[0][0] == first


def test_coverage_of_the_age_series():
    for code in rs.PREFECTURE_CODES:
        years = [day.year for day, _ in rs.series("population_total", code)]
        if code == "10":
            assert years == []
            continue
        start = 1972 if code == "47" else 1970
        end = 2020 if code in rs.AGE_DATA_EXCLUDED else 2024
        assert years == list(range(start, end + 1)), code
        assert rs.available(code) == list(rs.SERIES)


def test_the_excluded_prefecture_years_really_are_broken_upstream():
    table = rs.load_age_table(rs.DEFAULT_DATA_DIR.resolve())

    def total(code: str, year: int) -> float:
        return sum(v for v in table[code][year].values() if v is not None)

    for code, years in rs.AGE_DATA_EXCLUDED.items():
        for year in years:
            assert 0.45 < total(code, year) / total(code, 2020) < 0.6, (code, year)
    others = [c for c in rs.PREFECTURE_CODES if c not in rs.AGE_DATA_EXCLUDED and c in table]
    for code in others:
        assert 0.9 < total(code, 2021) / total(code, 2020) < 1.1, code


# --- census labour series --------------------------------------------------------------------------


def test_census_series_cover_every_prefecture_and_census_year():
    for code in rs.PREFECTURE_CODES:
        for key in CENSUS_KEYS:
            assert [day.year for day, _ in rs.series(key, code)] == CENSUS_YEARS, (key, code)


def test_census_rates_are_in_plausible_ranges():
    for code in rs.PREFECTURE_CODES:
        for day, value in rs.series("unemployment_rate", code):
            assert 0 < value < 20, (code, day)
        for day, value in rs.series("labour_force_participation", code):
            assert 40 < value < 80, (code, day)
        for day, value in rs.series("employed", code):
            assert 100_000 < value < 10_000_000, (code, day)


def _raw_census() -> dict[tuple[str, str, str, str], int]:
    with (rs.DEFAULT_DATA_DIR / rs.CENSUS_FILE).open(encoding="utf-8", newline="") as fh:
        return {
            (row["cat01_code"], row["cat02_code"], row["area_code"], row["time_code"]): int(row["value"])
            for row in csv.DictReader(fh)
        }


def test_a_census_value_computed_by_hand():
    raw = _raw_census()
    # Akita (area_code 5000), 2020 census (time_code 2020000000), men (110) + women (120).
    by_status = defaultdict(int)
    for status in ("120", "130", "140"):
        for sex in ("110", "120"):
            by_status[status] += raw[(status, sex, "5000", "2020000000")]
    employed, unemployed, inactive = by_status["120"], by_status["130"], by_status["140"]
    assert value_in("employed", "05", 2020) == employed
    assert value_in("unemployment_rate", "05", 2020) == pytest.approx(100 * unemployed / (employed + unemployed))
    assert value_in("labour_force_participation", "05", 2020) == pytest.approx(
        100 * (employed + unemployed) / (employed + unemployed + inactive)
    )
    # Tokyo 2020, figures read off the file once.
    tokyo = [raw[(s, x, "13000", "2020000000")] for s in ("120", "130", "140") for x in ("110", "120")]
    assert sum(tokyo[0:2]) == 5_962_306 and sum(tokyo[2:4]) == 225_277 and sum(tokyo[4:6]) == 3_086_922
    assert value_in("employed", "13", 2020) == 5_962_306
    assert value_in("unemployment_rate", "13", 2020) == pytest.approx(3.6408, abs=1e-4)
    assert value_in("labour_force_participation", "13", 2020) == pytest.approx(66.7160, abs=1e-4)


# --- files ----------------------------------------------------------------------------------------


def test_bundled_files_exist_and_are_credited():
    for name in rs.DATA_FILES:
        assert (rs.DEFAULT_DATA_DIR / name).is_file(), name
    sources_md = (rs.DEFAULT_DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for name in rs.DATA_FILES:
        assert name in sources_md
    by_key = {source.key: source for source in SOURCES}
    for key in {spec.source_key for spec in rs.SERIES.values()}:
        source = by_key[key]
        assert "加工して作成" in source.credit_ja and len(source.commit) == 40


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="the shared data folder is not mounted")
@pytest.mark.parametrize("name", rs.DATA_FILES)
def test_bundled_files_are_byte_for_byte_copies(name):
    assert filecmp.cmp(rs.DEFAULT_DATA_DIR / name, SHARED_DATA / SHARED_PATHS[name], shallow=False)


def test_another_data_dir_can_be_passed(tmp_path):
    for name in rs.DATA_FILES:
        (tmp_path / name).write_bytes((rs.DEFAULT_DATA_DIR / name).read_bytes())
    assert rs.series("employed", "13", data_dir=tmp_path) == rs.series("employed", "13")
    assert rs.available("10", data_dir=str(tmp_path)) == list(CENSUS_KEYS)
