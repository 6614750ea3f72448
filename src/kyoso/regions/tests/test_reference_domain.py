"""Parsing of the bundled reference data (pure Python, no database)."""

from __future__ import annotations

import ast
import filecmp
from collections import Counter
from pathlib import Path

import pytest

from kyoso.regions.domain import reference as ref
from kyoso.regions.domain.romaji import kana_to_romaji, romanise_name
from kyoso.regions.reference_sources import SOURCES

SHARED_DATA = Path("/work/shared/data")


@pytest.fixture(scope="module")
def data() -> ref.ReferenceData:
    return ref.load_reference_data()


@pytest.fixture(scope="module")
def municipalities(data) -> dict[str, ref.MunicipalityRow]:
    return {m.code: m for m in data.municipalities}


@pytest.fixture(scope="module")
def schools(data) -> dict[str, ref.SchoolRow]:
    return {s.name: s for s in data.schools}


# --- counts ----------------------------------------------------------------------------------


def test_47_prefectures_with_padded_codes(data):
    assert len(data.prefectures) == 47
    hokkaido, shizuoka = data.prefectures[0], data.prefectures[21]
    assert (hokkaido.code, hokkaido.lg_code, hokkaido.name_en) == ("01", "010006", "Hokkaido")
    assert (shizuoka.code, shizuoka.lg_code, shizuoka.name, shizuoka.name_kana, shizuoka.name_en) == (
        "22", "220001", "静岡県", "しずおかけん", "Shizuoka",
    )  # fmt: skip
    assert shizuoka.lat == pytest.approx(34.977, abs=0.01)


def test_1741_municipalities_without_designated_city_wards(data, municipalities):
    assert len(data.municipalities) == 1741
    assert len(municipalities) == 1741  # codes are unique
    assert all(" " not in m.name for m in data.municipalities)
    assert "22131" not in municipalities  # 浜松市 中区 is a ward, not a municipality
    assert all(len(m.code) == 5 and len(m.lg_code) == 6 and m.lg_code.startswith(m.code) for m in data.municipalities)
    assert all(m.prefecture_code == m.code[:2] for m in data.municipalities)


def test_municipality_types(data):
    types = Counter(m.municipality_type for m in data.municipalities)
    assert types == {"designated_city": 20, "city": 772, "special_ward": 23, "town": 743, "village": 183}


def test_the_20_designated_cities(data):
    names = {m.name for m in data.municipalities if m.municipality_type == "designated_city"}
    assert names == {
        "札幌市", "仙台市", "さいたま市", "千葉市", "横浜市", "川崎市", "相模原市", "新潟市", "静岡市", "浜松市",
        "名古屋市", "京都市", "大阪市", "堺市", "神戸市", "岡山市", "広島市", "北九州市", "福岡市", "熊本市",
    }  # fmt: skip


def test_the_23_special_wards_are_in_tokyo(data):
    wards = [m for m in data.municipalities if m.municipality_type == "special_ward"]
    assert len(wards) == 23
    assert all(m.code.startswith("131") and m.name.endswith("区") for m in wards)


def test_designated_city_codes_come_from_the_hierarchy():
    rows = [
        {"lgcode": "22000", "name_ja": "静岡県", "parent": "0"},
        {"lgcode": "22130", "name_ja": "浜松市", "parent": "22000"},
        {"lgcode": "22131", "name_ja": "中区", "parent": "22130"},
        {"lgcode": "22211", "name_ja": "磐田市", "parent": "22000"},
        {"lgcode": "13100", "name_ja": "特別区部", "parent": "13000"},
        {"lgcode": "13101", "name_ja": "千代田区", "parent": "13100"},
    ]
    assert ref.designated_city_codes(rows) == {"22130"}


def test_1176_active_schools(data):
    assert len(data.schools) == 1176
    kinds = Counter(s.kind for s in data.schools)
    assert kinds == {
        "national_university": 86, "public_university": 102, "private_university": 628,
        "junior_college": 302, "kosen": 58,
    }  # fmt: skip
    universities = kinds["national_university"] + kinds["public_university"] + kinds["private_university"]
    assert universities == 816
    assert len({s.school_code for s in data.schools}) == 1176
    assert all(len(s.school_code) == 13 and len(s.prefecture_code) == 2 for s in data.schools)


def test_closed_schools_are_left_out(data, schools):
    rows = ref.read_csv(ref.default_data_dir() / ref.SCHOOLS_FILE)
    closed = [r for r in rows if r["属性情報廃止年月日"]]
    assert len(closed) == 31
    active_codes = {s.school_code for s in data.schools}
    assert not active_codes & {r["学校コード"] for r in closed}


def test_header_cells_with_newlines_are_normalised():
    rows = ref.read_csv(ref.default_data_dir() / ref.SCHOOLS_FILE)
    assert "設置区分" in rows[0] and "属性情報廃止年月日" in rows[0]


# --- English names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kana", "romaji"),
    [
        ("はままつ", "hamamatsu"),
        ("とうきょう", "tokyo"),
        ("おおさか", "osaka"),
        ("しんじゅく", "shinjuku"),
        ("こさい", "kosai"),
        ("さっぽろ", "sapporo"),
        ("きたきゅうしゅう", "kitakyushu"),
        ("にいがた", "niigata"),
        ("しんばし", "shinbashi"),
        ("くっちゃん", "kutchan"),
        ("ちゅうおう", "chuo"),
        ("しょうおう", "shoo"),
        ("ろっかしょ", "rokkasho"),
        ("ふじかわぐちこ", "fujikawaguchiko"),
        ("じょうえつ", "joetsu"),
        ("ヒロシマ", "hiroshima"),
    ],
)
def test_kana_to_romaji(kana, romaji):
    assert kana_to_romaji(kana) == romaji


def test_romanise_name_capitalises():
    assert romanise_name("はままつ") == "Hamamatsu"


def test_unknown_characters_are_refused():
    with pytest.raises(ValueError):
        kana_to_romaji("浜松")


@pytest.mark.parametrize(
    ("name", "kana", "kind", "english"),
    [
        ("浜松市", "はままつし", "designated_city", "Hamamatsu City"),
        ("湖西市", "こさいし", "city", "Kosai City"),
        ("新宿区", "しんじゅくく", "special_ward", "Shinjuku City"),
        ("森町", "もりまち", "town", "Mori Town"),
        ("川根本町", "かわねほんちょう", "town", "Kawanehon Town"),
        ("大鹿村", "おおしかむら", "village", "Oshika Village"),
        ("読谷村", "よみたんそん", "village", "Yomitan Village"),
    ],
)
def test_municipality_name_en(name, kana, kind, english):
    assert ref.municipality_name_en(name, kana, kind) == english


def test_english_names_in_the_data(municipalities):
    assert municipalities["22130"].name_en == "Hamamatsu City"
    assert municipalities["13104"].name_en == "Shinjuku City"
    assert municipalities["13104"].municipality_type == "special_ward"
    assert municipalities["22461"].name_en == "Mori Town"
    assert municipalities["01100"].name_en == "Sapporo City"
    assert municipalities["27100"].name_en == "Osaka City"
    assert municipalities["20417"].name_en == "Oshika Village"


def test_every_municipality_has_an_english_name(data):
    suffixes = {"designated_city": "City", "city": "City", "special_ward": "City", "town": "Town", "village": "Village"}
    for m in data.municipalities:
        stem, _, suffix = m.name_en.rpartition(" ")
        assert suffix == suffixes[m.municipality_type], m
        assert stem and stem[0].isupper() and stem.replace(" ", "").isascii(), m


def test_a_reading_without_the_suffix_is_refused():
    with pytest.raises(ValueError):
        ref.strip_suffix_kana("浜松市", "はままつ")


def test_kosen_english_names_and_websites(data, schools):
    kosen = [s for s in data.schools if s.kind == "kosen"]
    assert all(s.name_en for s in kosen)
    assert schools["函館工業高等専門学校"].name_en == "NIT, Hakodate KOSEN"
    assert schools["仙台高等専門学校"].name_en == "NIT, Sendai KOSEN"  # two campuses, one school code
    assert schools["東京都立産業技術高等専門学校"].name_en == "Tokyo Metropolitan KOSEN"
    assert schools["沼津工業高等専門学校"].website == "https://www.numazu-ct.ac.jp/"
    # kosen.csv gives 長岡 the English name of 長野; the parser corrects that one slip
    assert schools["長岡工業高等専門学校"].name_en == "NIT, Nagaoka KOSEN"
    assert schools["長野工業高等専門学校"].name_en == "NIT, Nagano KOSEN"
    assert len({s.name_en for s in kosen}) == 58


def test_universities_have_no_english_name(data):
    assert all(s.name_en == "" for s in data.schools if s.kind != "kosen")


# --- school → municipality -----------------------------------------------------------------


def test_school_match_rate(data):
    assert data.school_match_rate > 0.98
    matched = len(data.schools) - len(data.unmatched_schools)
    assert matched == 1176


@pytest.mark.parametrize(
    ("school", "code"),
    [
        ("静岡大学", "22100"),  # 静岡県静岡市駿河区…: wards are not municipalities → 静岡市
        ("浜松医科大学", "22130"),  # 静岡県浜松市東区…
        ("北海道大学", "01100"),
        ("北海道医療大学", "01303"),  # 北海道石狩郡当別町…
        ("琉球大学", "47329"),  # 沖縄県中頭郡西原町…
        ("東京大学", "13105"),  # 東京都文京区…
        ("奈良工業高等専門学校", "29203"),  # 奈良県大和郡山市…: 郡 inside a city name
        ("沼津工業高等専門学校", "22203"),
    ],
)
def test_school_municipality(schools, municipalities, school, code):
    row = schools[school]
    assert row.municipality_code == code
    assert municipalities[code].prefecture_code == row.prefecture_code


def test_matcher_handles_districts_and_wards(data):
    matcher = ref.MunicipalityMatcher(data.prefectures, data.municipalities)
    assert matcher.match("22", "静岡県周智郡森町森１") == "22461"
    assert matcher.match("22", "静岡県静岡市駿河区大谷８３６") == "22100"
    assert matcher.match("07", "福島県郡山市開成１－１") == "07203"
    assert matcher.match("11", "埼玉県鶴ケ島市１") == "11241"  # 鶴ヶ島市: ヶ and ケ match
    assert matcher.match("22", "静岡県どこにもない市１") is None


def test_normalise():
    assert ref.normalise("ＡＢＣ　１２３ヶ") == "ABC123ケ"


# --- files and credits ---------------------------------------------------------------------


def test_the_domain_module_does_not_import_django():
    for module in (ref, __import__("kyoso.regions.domain.romaji", fromlist=["x"])):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(name.startswith("django") for name in imported)


def test_every_source_file_exists_and_is_credited():
    base = ref.default_data_dir()
    listed = {path for source in SOURCES for path in source.files}
    assert listed == {
        ref.PREFECTURES_FILE, ref.MUNICIPALITIES_FILE, ref.AREA_CODES_FILE,
        ref.SCHOOLS_FILE, ref.KOSEN_FILE, ref.KOSEN_CAMPUS_FILE,
    }  # fmt: skip
    for source in SOURCES:
        assert source.credit_ja and source.credit_en and source.licence and len(source.commit) == 40
        for path in source.files:
            assert (base / path).is_file()
    government = [s for s in SOURCES if "省" in s.credit_ja]
    assert all("加工して作成" in s.credit_ja for s in government)
    assert (base / "SOURCES.md").is_file()


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="the shared data folder is not mounted")
def test_bundled_files_are_byte_for_byte_copies():
    base = ref.default_data_dir()
    for source in SOURCES:
        for path in source.files:
            assert filecmp.cmp(base / path, SHARED_DATA / path, shallow=False), path
