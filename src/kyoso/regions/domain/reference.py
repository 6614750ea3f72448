"""Parsing of the bundled reference data: prefectures, municipalities and schools.

Pure Python (no Django). The files are described in ``reference_data/SOURCES.md``; the loader in
``kyoso.regions.reference`` writes the parsed rows to the database.

* ``admin_codes/prefjp-utf8.csv`` → 47 :class:`PrefectureRow`.
* ``admin_codes/localgovjp-utf8.csv`` → 1,741 :class:`MunicipalityRow` (the 175 wards of designated
  cities, named like ``札幌市 中央区``, are skipped; the 23 Tokyo special wards are kept).
* ``admin_codes/LG_CODE.csv`` → which cities are designated cities (a 市 whose children are all 区): 20.
* ``universities/scode.csv`` → 1,176 active :class:`SchoolRow` (universities, junior colleges, kosen),
  with ``universities/kosen.csv`` + ``kosen_campus.csv`` for the English names and websites of kosen.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .romaji import romanise_name

PREFECTURES_FILE = "admin_codes/prefjp-utf8.csv"
MUNICIPALITIES_FILE = "admin_codes/localgovjp-utf8.csv"
AREA_CODES_FILE = "admin_codes/LG_CODE.csv"
SCHOOLS_FILE = "universities/scode.csv"
KOSEN_FILE = "universities/kosen.csv"
KOSEN_CAMPUS_FILE = "universities/kosen_campus.csv"

DESIGNATED_CITY = "designated_city"
CITY = "city"
SPECIAL_WARD = "special_ward"
TOWN = "town"
VILLAGE = "village"

NATIONAL_UNIVERSITY = "national_university"
PUBLIC_UNIVERSITY = "public_university"
PRIVATE_UNIVERSITY = "private_university"
JUNIOR_COLLEGE = "junior_college"
KOSEN = "kosen"

# Known slips in kosen.csv, corrected only while upstream still has the wrong value:
# 長岡高専 (Niigata) carries the id and English name of 長野高専 ("NIT, Nagano KOSEN").
KOSEN_NAME_EN_FIXES: dict[str, tuple[str, str]] = {
    "長岡高専": ("NIT, Nagano KOSEN", "NIT, Nagaoka KOSEN"),
}


@dataclass(frozen=True)
class PrefectureRow:
    code: str  # "22"
    lg_code: str  # "220001" (with check digit)
    name: str  # "静岡県"
    name_kana: str  # "しずおかけん"
    name_en: str  # "Shizuoka"
    website: str
    lat: float | None
    lng: float | None


@dataclass(frozen=True)
class MunicipalityRow:
    code: str  # "22130"
    lg_code: str  # "221309"
    prefecture_code: str  # "22"
    name: str  # "浜松市"
    name_kana: str  # "はままつし"
    name_en: str  # "Hamamatsu City"
    municipality_type: str  # designated_city | city | special_ward | town | village
    website: str
    lat: float | None
    lng: float | None


@dataclass(frozen=True)
class SchoolRow:
    school_code: str  # "F122110106224"
    name: str
    name_en: str  # kosen only; blank for universities and junior colleges
    kind: str  # national_university | public_university | private_university | junior_college | kosen
    prefecture_code: str
    address: str
    municipality_code: str | None  # None when the address matched no municipality
    website: str = ""  # kosen only (from kosen_campus.csv)


@dataclass(frozen=True)
class ReferenceData:
    prefectures: tuple[PrefectureRow, ...]
    municipalities: tuple[MunicipalityRow, ...]
    schools: tuple[SchoolRow, ...]
    unmatched_schools: tuple[SchoolRow, ...] = field(default=())

    @property
    def school_match_rate(self) -> float:
        if not self.schools:
            return 0.0
        return 1 - len(self.unmatched_schools) / len(self.schools)


# ---------------------------------------------------------------------------------------------
# Reading


def read_csv(path: Path | str) -> list[dict[str, str]]:
    """Read a CSV into dicts. A BOM is removed; header cells lose embedded newlines and spaces."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [cell.replace("\r", "").replace("\n", "").strip() for cell in next(reader)]
        return [dict(zip(header, row, strict=False)) for row in reader if any(cell.strip() for cell in row)]


def _float(value: str) -> float | None:
    value = (value or "").strip()
    return float(value) if value else None


def _digits(value: str, width: int) -> str:
    value = (value or "").strip()
    if not value.isdigit():
        raise ValueError(f"not a numeric code: {value!r}")
    if len(value) > width:
        raise ValueError(f"code {value!r} is longer than {width} digits")
    return value.zfill(width)


def normalise(text: str) -> str:
    """Normalise Japanese text for matching: NFKC, ヶ/ヵ → ケ/カ, no whitespace."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.replace("ヶ", "ケ").replace("ヵ", "カ")
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------------------------------------
# Prefectures and municipalities


def parse_prefectures(rows: Iterable[Mapping[str, str]]) -> list[PrefectureRow]:
    result = []
    for row in rows:
        result.append(
            PrefectureRow(
                code=_digits(row["pid"], 2),
                lg_code=_digits(row["lgcode"], 6),
                name=row["pref"].strip(),
                name_kana=row["prefkana"].strip(),
                name_en=row["pref_en"].strip(),
                website=row["url"].strip(),
                lat=_float(row["lat"]),
                lng=_float(row["lng"]),
            )
        )
    return sorted(result, key=lambda p: p.code)


def designated_city_codes(rows: Iterable[Mapping[str, str]]) -> frozenset[str]:
    """5-digit codes of the designated cities in ``LG_CODE.csv``: a ``…市`` whose children are all ``…区``."""
    names: dict[int, str] = {}
    children: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        code = int(row["lgcode"])
        names[code] = row["name_ja"].strip()
        children[int(row["parent"])].append(row["name_ja"].strip())
    return frozenset(
        str(code).zfill(5)
        for code, name in names.items()
        if name.endswith("市") and children.get(code) and all(c.endswith("区") for c in children[code])
    )


_SUFFIX_KANA: dict[str, tuple[str, ...]] = {
    "市": ("し",),
    "区": ("く",),
    "町": ("まち", "ちょう"),
    "村": ("むら", "そん"),
}

_SUFFIX_EN: dict[str, str] = {
    DESIGNATED_CITY: "City",
    CITY: "City",
    SPECIAL_WARD: "City",  # Tokyo's special wards call themselves "… City" in English
    TOWN: "Town",
    VILLAGE: "Village",
}


def strip_suffix_kana(name: str, kana: str) -> str:
    """The reading without the 市/区/町/村 suffix: (浜松市, はままつし) → はままつ."""
    kana = kana.strip()
    for suffix in _SUFFIX_KANA.get(name.strip()[-1:], ()):
        if kana.endswith(suffix) and len(kana) > len(suffix):
            return kana[: -len(suffix)]
    raise ValueError(f"the reading {kana!r} does not end with the suffix of {name!r}")


def municipality_name_en(name: str, kana: str, municipality_type: str) -> str:
    """English name from the reading: (浜松市, はままつし, designated_city) → ``Hamamatsu City``."""
    return f"{romanise_name(strip_suffix_kana(name, kana))} {_SUFFIX_EN[municipality_type]}"


def _municipality_type(code: str, name: str, designated: frozenset[str]) -> str:
    last = name[-1:]
    if last == "市":
        return DESIGNATED_CITY if code in designated else CITY
    if last == "区":
        if not code.startswith("13"):
            raise ValueError(f"a ward outside Tokyo is not a municipality: {code} {name}")
        return SPECIAL_WARD
    if last == "町":
        return TOWN
    if last == "村":
        return VILLAGE
    raise ValueError(f"unknown kind of municipality: {code} {name}")


def is_ward_row(row: Mapping[str, str]) -> bool:
    """Wards of designated cities are listed as ``札幌市 中央区`` (city, space, ward)."""
    return " " in row["city"].strip() or "\u3000" in row["city"].strip()


def parse_municipalities(rows: Iterable[Mapping[str, str]], designated: frozenset[str]) -> list[MunicipalityRow]:
    result = []
    for row in rows:
        if is_ward_row(row):
            continue
        code = _digits(row["cid"], 5)
        lg_code = _digits(row["lgcode"], 6)
        if lg_code[:5] != code:
            raise ValueError(f"lgcode {lg_code} does not extend cid {code}")
        name = row["city"].strip()
        kana = row["citykana"].strip()
        municipality_type = _municipality_type(code, name, designated)
        result.append(
            MunicipalityRow(
                code=code,
                lg_code=lg_code,
                prefecture_code=_digits(row["pid"], 2),
                name=name,
                name_kana=kana,
                name_en=municipality_name_en(name, kana, municipality_type),
                municipality_type=municipality_type,
                website=row["url"].strip(),
                lat=_float(row["lat"]),
                lng=_float(row["lng"]),
            )
        )
    return sorted(result, key=lambda m: m.code)


# ---------------------------------------------------------------------------------------------
# Schools


class MunicipalityMatcher:
    """Finds the municipality of an address: strip the prefecture, then the longest name that prefixes.

    Handles ``…郡`` (``静岡県周智郡森町…`` → 森町) and designated-city wards
    (``静岡県静岡市駿河区…`` → 静岡市, as wards are not municipalities here).
    """

    _DISTRICT = re.compile(r"^(.{1,6}?郡)")

    def __init__(self, prefectures: Sequence[PrefectureRow], municipalities: Sequence[MunicipalityRow]):
        self._prefecture_names = {p.code: normalise(p.name) for p in prefectures}
        self._names: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for m in municipalities:
            self._names[m.prefecture_code].append((normalise(m.name), m.code))
        for names in self._names.values():
            names.sort(key=lambda item: len(item[0]), reverse=True)  # longest first

    def _longest_prefix(self, prefecture_code: str, text: str) -> str | None:
        for name, code in self._names.get(prefecture_code, ()):
            if text.startswith(name):
                return code
        return None

    def match(self, prefecture_code: str, address: str) -> str | None:
        text = normalise(address)
        prefecture_name = self._prefecture_names.get(prefecture_code, "")
        if prefecture_name and text.startswith(prefecture_name):
            text = text[len(prefecture_name) :]
        code = self._longest_prefix(prefecture_code, text)
        if code is None:
            district = self._DISTRICT.match(text)
            if district:
                code = self._longest_prefix(prefecture_code, text[district.end() :])
        return code


_SCHOOL_TYPES = {"F1": "university", "F2": JUNIOR_COLLEGE, "G1": KOSEN}
_UNIVERSITY_KINDS = {"1": NATIONAL_UNIVERSITY, "2": PUBLIC_UNIVERSITY, "3": PRIVATE_UNIVERSITY}


def _leading_code(value: str) -> str:
    """``"F1(大学)"`` → ``"F1"``, ``"01(北海道)"`` → ``"01"``."""
    return value.split("(", 1)[0].strip()


def kosen_short_name(name: str) -> str:
    """``函館工業高等専門学校`` → ``函館高専``; a campus suffix (``… 名取キャンパス``) is dropped."""
    name = normalise(name.split(" ")[0].split("\u3000")[0])
    return name.replace("工業高等専門学校", "高専").replace("高等専門学校", "高専")


def kosen_details(
    kosen_rows: Iterable[Mapping[str, str]], campus_rows: Iterable[Mapping[str, str]]
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """English name by short name (``函館高専``), and short name and website by school code."""
    name_en: dict[str, str] = {}
    for row in kosen_rows:
        short = normalise(row["name_ja"])
        value = row["name_en"].strip()
        wrong, right = KOSEN_NAME_EN_FIXES.get(short, ("", ""))
        if wrong and value == wrong:
            value = right
        name_en.setdefault(short, value)
    short_by_code: dict[str, str] = {}
    website_by_code: dict[str, str] = {}
    for row in campus_rows:
        code = row["scode"].strip()
        if code:
            short_by_code.setdefault(code, kosen_short_name(row["name"]))
            website_by_code.setdefault(code, row["URL"].strip())
    return name_en, short_by_code, website_by_code


def parse_schools(
    rows: Iterable[Mapping[str, str]],
    matcher: MunicipalityMatcher,
    kosen_rows: Iterable[Mapping[str, str]] = (),
    campus_rows: Iterable[Mapping[str, str]] = (),
) -> list[SchoolRow]:
    """Active schools (empty 廃止年月日) of types F1 大学, F2 短大 and G1 高専."""
    kosen_name_en, kosen_short_by_code, kosen_website = kosen_details(kosen_rows, campus_rows)
    result = []
    for row in rows:
        if row.get("属性情報廃止年月日", "").strip():
            continue
        school_type = _SCHOOL_TYPES.get(_leading_code(row["学校種"]))
        if school_type is None:
            continue
        code = row["学校コード"].strip()
        name = row["学校名"].strip()
        # 大学 take their kind from 設置区分 (1 国 / 2 公 / 3 私); 短大 and 高専 are one kind each
        kind = _UNIVERSITY_KINDS[_leading_code(row["設置区分"])] if school_type == "university" else school_type
        prefecture_code = _digits(_leading_code(row["都道府県番号"]), 2)
        address = row["学校所在地"].strip()
        name_en = website = ""
        if kind == KOSEN:
            short = kosen_short_by_code.get(code) or kosen_short_name(name)
            name_en = kosen_name_en.get(short, "")
            website = kosen_website.get(code, "")
        result.append(
            SchoolRow(
                school_code=code,
                name=name,
                name_en=name_en,
                kind=kind,
                prefecture_code=prefecture_code,
                address=address,
                municipality_code=matcher.match(prefecture_code, address),
                website=website,
            )
        )
    return sorted(result, key=lambda s: s.school_code)


# ---------------------------------------------------------------------------------------------
# Everything


def default_data_dir() -> Path:
    """The copies bundled with the package (``kyoso/regions/reference_data``)."""
    return Path(__file__).resolve().parent.parent / "reference_data"


def load_reference_data(data_dir: Path | str | None = None) -> ReferenceData:
    base = Path(data_dir) if data_dir is not None else default_data_dir()
    prefectures = parse_prefectures(read_csv(base / PREFECTURES_FILE))
    designated = designated_city_codes(read_csv(base / AREA_CODES_FILE))
    municipalities = parse_municipalities(read_csv(base / MUNICIPALITIES_FILE), designated)
    prefecture_codes = {p.code for p in prefectures}
    stray = {m.prefecture_code for m in municipalities} - prefecture_codes
    if stray:
        raise ValueError(f"municipalities refer to unknown prefectures: {sorted(stray)}")
    matcher = MunicipalityMatcher(prefectures, municipalities)
    schools = parse_schools(
        read_csv(base / SCHOOLS_FILE),
        matcher,
        read_csv(base / KOSEN_FILE),
        read_csv(base / KOSEN_CAMPUS_FILE),
    )
    return ReferenceData(
        prefectures=tuple(prefectures),
        municipalities=tuple(municipalities),
        schools=tuple(schools),
        unmatched_schools=tuple(s for s in schools if s.municipality_code is None),
    )
