"""Prefecture-level reference time series (population, ageing, labour) for the visions KPIs.

Pure Python (no Django). The files live in ``visions/reference_data/`` and are described in
``reference_data/SOURCES.md``; the credits are the ``pref_age`` and ``census_labour`` entries of
:data:`kyoso.regions.reference_sources.SOURCES`.

Usage::

    series("age65_share", "05")   # [(date(1970, 10, 1), 7.33...), ..., (date(2024, 10, 1), 39.42...)]
    available("10")               # Gunma: only the census keys

Every point is dated **1 October** of its year (``date(year, 10, 1)``): both the census (国勢調査) and
the population estimates (人口推計) are counted as of 1 October.

Sources and how each key is computed
------------------------------------

``pref_population_by_age_1970_2024.csv`` (人口推計 / 国勢調査, one row per prefecture × year × 5-year age
group, **thousands**, English prefecture names) gives ``population_total`` and ``age65_share``:

* The open-ended top age group changes over time. Upstream leaves the groups above it empty (NaN), but the
  last non-empty group is **open-ended** and already holds everyone older: in 1970–1979 ``age_65_69`` is
  really "65 and over" and ``age_70_74`` … ``age_85_plus`` are empty; in 1980–2000 ``age_80_84`` is
  "80 and over" and ``age_85_plus`` is empty; in 2001–2006 ``age_85_plus`` is 0 and ``age_80_84`` is still
  "80 and over". The sums match the census totals exactly (e.g. Tokyo 1970: 11,409 thousand vs. the census
  11,408,071; Tokyo 1980: 11,618 vs. 11,618,281), so no one is missing. A year is therefore used when its
  empty groups form a contiguous top tail (all groups from some age upwards) and ``age_65_69`` is present;
  the total is the sum of the non-empty groups and the 65+ count is the sum of the non-empty groups from
  65 up. A gap anywhere else (or a missing ``age_65_69``) drops the year.
* Gunma is missing upstream (no rows): its age-based series are empty.
* Okinawa has no rows for 1970–1971 (before its 1972 reversion); it starts in 1972.
* Upstream slip: Hokkaido, Aomori, Iwate and Miyagi hold roughly **half** the population for 2021–2024
  (e.g. Hokkaido 5,224 thousand in 2020, then 2,736 in 2021 — the female population only, judging by the
  size and the large 85+ group). Those prefecture-years are dropped (:data:`AGE_DATA_EXCLUDED`).
* ``population_total`` = sum × 1000 persons. The groups are rounded to thousands upstream, so the sum can
  differ from the official total by a few thousand. For 2016–2019 the figures are the estimates revised
  after the 2020 census, which are slightly higher than the estimates first published.
* ``age65_share`` = 65+ / total × 100.

``fact_Population_Census_of_Japan.csv`` (国勢調査 時系列データ, 労働力状態 by sex, persons, census years
1950–2020 every 5 years, all 47 prefectures including Gunma; Okinawa's 1950–1970 figures are included
upstream) gives the labour keys, both sexes summed:

* ``employed`` = 就業者 (cat01 120).
* ``unemployment_rate`` = 完全失業者 (130) / (就業者 + 完全失業者) × 100.
* ``labour_force_participation`` = (就業者 + 完全失業者) / (就業者 + 完全失業者 + 非労働力人口 (140)) × 100.
* People whose labour status is unknown (「不詳」) are not in the table, so the rates are "excluding
  unknown" (the census convention) and ``employed`` is a lower bound. 「不詳」 grew in 2015 and 2020,
  above all in big cities (Tokyo 2020: the three statuses add up to about 74 % of the population aged 15+),
  so compare ``employed`` across those years with care.
"""

from __future__ import annotations

import csv
import datetime
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "reference_data"

AGE_FILE = "pref_population_by_age_1970_2024.csv"
CENSUS_FILE = "fact_Population_Census_of_Japan.csv"
CENSUS_STATUS_FILE = "master_labor_status.csv"
CENSUS_SEX_FILE = "master_gender.csv"
CENSUS_PREF_FILE = "master_pref.csv"
DATA_FILES = (AGE_FILE, CENSUS_FILE, CENSUS_STATUS_FILE, CENSUS_SEX_FILE, CENSUS_PREF_FILE)

# The month and day every point is dated to (both sources count people as of 1 October).
AS_OF_MONTH, AS_OF_DAY = 10, 1

# JIS X 0401 code → prefecture name exactly as spelt in ``pref_population_by_age_1970_2024.csv``
# ("Gunma" does not occur there; it is listed so that the table is complete).
PREFECTURE_NAMES_EN: dict[str, str] = {
    "01": "Hokkaido", "02": "Aomori", "03": "Iwate", "04": "Miyagi", "05": "Akita",
    "06": "Yamagata", "07": "Fukushima", "08": "Ibaraki", "09": "Tochigi", "10": "Gunma",
    "11": "Saitama", "12": "Chiba", "13": "Tokyo", "14": "Kanagawa", "15": "Niigata",
    "16": "Toyama", "17": "Ishikawa", "18": "Fukui", "19": "Yamanashi", "20": "Nagano",
    "21": "Gifu", "22": "Shizuoka", "23": "Aichi", "24": "Mie", "25": "Shiga",
    "26": "Kyoto", "27": "Osaka", "28": "Hyogo", "29": "Nara", "30": "Wakayama",
    "31": "Tottori", "32": "Shimane", "33": "Okayama", "34": "Hiroshima", "35": "Yamaguchi",
    "36": "Tokushima", "37": "Kagawa", "38": "Ehime", "39": "Kochi", "40": "Fukuoka",
    "41": "Saga", "42": "Nagasaki", "43": "Kumamoto", "44": "Oita", "45": "Miyazaki",
    "46": "Kagoshima", "47": "Okinawa",
}  # fmt: skip
PREFECTURE_CODES: tuple[str, ...] = tuple(PREFECTURE_NAMES_EN)

# 5-year age groups of the age file, with their lower bounds (the last one is "85 and over").
AGE_GROUPS: tuple[tuple[str, int], ...] = (
    *((f"age_{low}_{low + 4}", low) for low in range(0, 85, 5)),
    ("age_85_plus", 85),
)

# Upstream slip (see the module docstring): these prefecture-years hold about half the population.
AGE_DATA_EXCLUDED: dict[str, range] = {code: range(2021, 2025) for code in ("01", "02", "03", "04")}

# Census codes (checked against master_labor_status.csv / master_gender.csv when loading).
EMPLOYED, UNEMPLOYED, NOT_IN_LABOUR_FORCE = "120", "130", "140"
CENSUS_STATUSES = {EMPLOYED: "就業者", UNEMPLOYED: "完全失業者", NOT_IN_LABOUR_FORCE: "非労働力人口"}
CENSUS_SEXES = {"110": "男", "120": "女"}


@dataclass(frozen=True)
class SeriesSpec:
    key: str
    name_ja: str
    name_en: str
    unit_ja: str
    unit_en: str
    is_percent: bool
    direction_hint: str  # "higher" (higher is better), "lower", or "" (no preferred direction)
    source_key: str  # a ``Source.key`` in kyoso.regions.reference_sources.SOURCES
    description_ja: str
    description_en: str


SERIES: dict[str, SeriesSpec] = {
    spec.key: spec
    for spec in (
        SeriesSpec(
            key="age65_share",
            name_ja="65歳以上人口の割合",
            name_en="Share of population aged 65 and over",
            unit_ja="%",
            unit_en="%",
            is_percent=True,
            direction_hint="",
            source_key="pref_age",
            description_ja="65歳以上人口 ÷ 総人口 × 100（各年10月1日現在）。"
            "「人口推計」「国勢調査」（総務省統計局）の5歳階級別人口（千人単位）から算出。",
            description_en="Population aged 65+ ÷ total population × 100, as of 1 October. Computed from "
            "5-year age groups (thousands) of the Population Estimates and the Census (Statistics Bureau).",
        ),
        SeriesSpec(
            key="population_total",
            name_ja="総人口",
            name_en="Total population",
            unit_ja="人",
            unit_en="persons",
            is_percent=False,
            direction_hint="",
            source_key="pref_age",
            description_ja="各年10月1日現在の総人口。5歳階級別人口（千人単位に丸めた値）の合計のため、"
            "公表値と数千人の差があり得る。",
            description_en="Total population as of 1 October: the sum of the 5-year age groups, which are "
            "rounded to thousands, so it can differ from the published total by a few thousand.",
        ),
        SeriesSpec(
            key="employed",
            name_ja="就業者数",
            name_en="Employed persons",
            unit_ja="人",
            unit_en="persons",
            is_percent=False,
            direction_hint="higher",
            source_key="census_labour",
            description_ja="国勢調査（各回10月1日現在）の就業者数（男女計）。労働力状態「不詳」は含まない。",
            description_en="Employed persons (both sexes) in the Population Census (1 October of each census "
            "year). People whose labour status is unknown are not included.",
        ),
        SeriesSpec(
            key="unemployment_rate",
            name_ja="完全失業率",
            name_en="Unemployment rate",
            unit_ja="%",
            unit_en="%",
            is_percent=True,
            direction_hint="lower",
            source_key="census_labour",
            description_ja="完全失業者 ÷（就業者＋完全失業者）× 100。国勢調査（男女計、労働力状態「不詳」を除く）。",
            description_en="Unemployed ÷ (employed + unemployed) × 100. Population Census, both sexes, "
            "excluding unknown labour status.",
        ),
        SeriesSpec(
            key="labour_force_participation",
            name_ja="労働力率",
            name_en="Labour force participation rate",
            unit_ja="%",
            unit_en="%",
            is_percent=True,
            direction_hint="higher",
            source_key="census_labour",
            description_ja="（就業者＋完全失業者）÷（就業者＋完全失業者＋非労働力人口）× 100。"
            "15歳以上、国勢調査（男女計、労働力状態「不詳」を除く）。",
            description_en="(Employed + unemployed) ÷ (employed + unemployed + not in labour force) × 100, "
            "aged 15+. Population Census, both sexes, excluding unknown labour status.",
        ),
    )
}

Point = tuple[datetime.date, float]


def as_of(year: int) -> datetime.date:
    """The date a yearly value refers to: 1 October of that year."""
    return datetime.date(year, AS_OF_MONTH, AS_OF_DAY)


def default_data_dir() -> Path:
    return DEFAULT_DATA_DIR


def series(key: str, prefecture_code: str, data_dir: Path | str | None = None) -> list[Point]:
    """The yearly points of ``key`` for a prefecture ("01"…"47"), oldest first.

    Raises :class:`KeyError` for an unknown key or prefecture code; returns ``[]`` when the source has no
    data for the prefecture (Gunma in the age-based keys).
    """
    if key not in SERIES:
        raise KeyError(f"unknown series {key!r}")
    if prefecture_code not in PREFECTURE_NAMES_EN:
        raise KeyError(f"unknown prefecture code {prefecture_code!r}")
    return list(_all_series(_resolve(data_dir))[key].get(prefecture_code, ()))


def available(prefecture_code: str, data_dir: Path | str | None = None) -> list[str]:
    """The keys of :data:`SERIES` (in that order) with at least one point for the prefecture."""
    if prefecture_code not in PREFECTURE_NAMES_EN:
        raise KeyError(f"unknown prefecture code {prefecture_code!r}")
    computed = _all_series(_resolve(data_dir))
    return [key for key in SERIES if computed[key].get(prefecture_code)]


def clear_cache() -> None:
    """Forget the loaded files (for tests that point at another data directory)."""
    for cached in (_all_series, load_age_table, load_census_table):
        cached.cache_clear()


def _resolve(data_dir: Path | str | None) -> Path:
    return (Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR).resolve()


# --- loading ---------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def load_age_table(data_dir: Path) -> dict[str, dict[int, dict[str, float | None]]]:
    """``{prefecture code: {year: {age group: thousands or None}}}`` from the age file (NaN → None)."""
    codes_by_name = {name: code for code, name in PREFECTURE_NAMES_EN.items()}
    known_groups = {group for group, _ in AGE_GROUPS}
    table: dict[str, dict[int, dict[str, float | None]]] = defaultdict(lambda: defaultdict(dict))
    with (data_dir / AGE_FILE).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            name, group, raw = row["prefName"], row["age_group"], row["population"].strip()
            if name not in codes_by_name:
                raise ValueError(f"{AGE_FILE}: unknown prefecture name {name!r}")
            if group not in known_groups:
                raise ValueError(f"{AGE_FILE}: unknown age group {group!r}")
            value = float(raw) if raw and raw.lower() not in {"na", "nan"} else None
            if value is not None and (math.isnan(value) or value < 0):
                value = None
            table[codes_by_name[name]][int(float(row["year"]))][group] = value
    return {code: dict(years) for code, years in table.items()}


@lru_cache(maxsize=4)
def load_census_table(data_dir: Path) -> dict[str, dict[int, dict[tuple[str, str], int]]]:
    """``{prefecture code: {census year: {(status code, sex code): persons}}}`` from the census fact file."""
    _check_master(data_dir / CENSUS_STATUS_FILE, CENSUS_STATUSES)
    _check_master(data_dir / CENSUS_SEX_FILE, CENSUS_SEXES)
    table: dict[str, dict[int, dict[tuple[str, str], int]]] = defaultdict(lambda: defaultdict(dict))
    with (data_dir / CENSUS_FILE).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            status, sex = row["cat01_code"], row["cat02_code"]
            if status not in CENSUS_STATUSES or sex not in CENSUS_SEXES:
                raise ValueError(f"{CENSUS_FILE}: unexpected codes {status!r}/{sex!r}")
            if row["unit"] != "人":
                raise ValueError(f"{CENSUS_FILE}: unexpected unit {row['unit']!r}")
            area, time_code = int(row["area_code"]), int(row["time_code"])
            code = f"{area // 1000:02d}"
            if area % 1000 or code not in PREFECTURE_NAMES_EN or time_code % 10**6:
                raise ValueError(f"{CENSUS_FILE}: unexpected area/time {area}/{time_code}")
            value = row["value"].strip()
            if value.isdigit():
                table[code][time_code // 10**6][(status, sex)] = int(value)
    return {code: dict(years) for code, years in table.items()}


def _check_master(path: Path, expected: dict[str, str]) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = {row[0]: row[1] for row in csv.reader(fh) if row and row[0].isdigit()}
    if rows != expected:
        raise ValueError(f"{path.name}: codes changed: {rows}")


# --- computing -------------------------------------------------------------------------------------


def age_year_sums(groups: dict[str, float | None]) -> tuple[int, int] | None:
    """(total persons, persons aged 65+) for one prefecture-year, or ``None`` when not determinable.

    Empty groups are allowed only as a contiguous top tail (the last non-empty group is then open-ended),
    and ``age_65_69`` must be present so that the 65 boundary is known.
    """
    values = [groups.get(group) for group, _ in AGE_GROUPS]
    present = [v is not None for v in values]
    if not present[0] or any(present[i] and not present[i - 1] for i in range(1, len(present))):
        return None
    if groups.get("age_65_69") is None:
        return None
    persons = [(round(v * 1000), low) for v, (_, low) in zip(values, AGE_GROUPS, strict=True) if v is not None]
    total = sum(p for p, _ in persons)
    if total <= 0:
        return None
    return total, sum(p for p, low in persons if low >= 65)


@lru_cache(maxsize=4)
def _all_series(data_dir: Path) -> dict[str, dict[str, tuple[Point, ...]]]:
    out: dict[str, dict[str, list[Point]]] = {key: defaultdict(list) for key in SERIES}

    for code, years in load_age_table(data_dir).items():
        for year in sorted(years):
            if year in AGE_DATA_EXCLUDED.get(code, ()):
                continue
            sums = age_year_sums(years[year])
            if sums is None:
                continue
            total, aged = sums
            out["population_total"][code].append((as_of(year), float(total)))
            out["age65_share"][code].append((as_of(year), aged / total * 100))

    cells = [(status, sex) for status in CENSUS_STATUSES for sex in CENSUS_SEXES]
    for code, census_years in load_census_table(data_dir).items():
        for year in sorted(census_years):
            values = census_years[year]
            if any(cell not in values for cell in cells):
                continue
            employed = sum(values[(EMPLOYED, sex)] for sex in CENSUS_SEXES)
            unemployed = sum(values[(UNEMPLOYED, sex)] for sex in CENSUS_SEXES)
            inactive = sum(values[(NOT_IN_LABOUR_FORCE, sex)] for sex in CENSUS_SEXES)
            labour_force = employed + unemployed
            day = as_of(year)
            out["employed"][code].append((day, float(employed)))
            if labour_force:
                out["unemployment_rate"][code].append((day, unemployed / labour_force * 100))
                out["labour_force_participation"][code].append((day, labour_force / (labour_force + inactive) * 100))

    return {key: {code: tuple(points) for code, points in by_code.items()} for key, by_code in out.items()}
