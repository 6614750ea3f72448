"""Where the bundled reference data comes from, with the credit line each source requires.

The files live in ``reference_data/`` next to this module (byte-for-byte copies of the upstream
files). The "about the data" page loops over :data:`SOURCES` and shows each credit line.

Government data is published under the 政府標準利用規約（第2.0版）, which is compatible with
CC BY 4.0: the credit must name the ministry and the statistic and say that the data was
processed (「加工して作成」). The repository licences (CC0 / MIT) apply on top of that to each
repository's own conversion work.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    key: str
    title_ja: str
    title_en: str
    files: tuple[str, ...]  # paths relative to ``reference_data/``
    origin: str  # "owner/repo : path"
    commit: str  # the commit that last changed the file(s)
    licence: str
    credit_ja: str
    credit_en: str
    url: str


SOURCES: list[Source] = [
    Source(
        key="prefectures",
        title_ja="都道府県の一覧（コード・よみ・英語名）",
        title_en="Prefectures (codes, readings, English names)",
        files=("admin_codes/prefjp-utf8.csv",),
        origin="code4fukui/localgovjp : prefjp-utf8.csv",
        commit="4c7b5625a1e0c6322825c668b3682eff09f1cbd0",
        licence="CC0 1.0 (repository); government data under 政府標準利用規約（第2.0版）",
        credit_ja="「全国地方公共団体コード」（総務省）を加工して作成。データ整備: Code for FUKUI「localgovjp」（CC0）",
        credit_en="Processed from the Local Government Codes (全国地方公共団体コード), "
        "Ministry of Internal Affairs and Communications. Compiled by Code for FUKUI, "
        "“localgovjp” (CC0).",
        url="https://github.com/code4fukui/localgovjp",
    ),
    Source(
        key="municipalities",
        title_ja="市区町村の一覧（コード・よみ・ウェブサイト・役所の位置）",
        title_en="Municipalities (codes, readings, websites, town-hall locations)",
        files=("admin_codes/localgovjp-utf8.csv",),
        origin="code4fukui/localgovjp : localgovjp-utf8.csv",
        commit="cd94f841f22235759ed29e7f38ecc2fbc6671e6b",
        licence="CC0 1.0 (repository); government data under 政府標準利用規約（第2.0版）",
        credit_ja="「全国地方公共団体コード」（総務省）を加工して作成。"
        "データ整備: Code for FUKUI「localgovjp」（CC0）。英語名はよみがなからローマ字に変換",
        credit_en="Processed from the Local Government Codes (全国地方公共団体コード), "
        "Ministry of Internal Affairs and Communications. Compiled by Code for FUKUI, "
        "“localgovjp” (CC0). English names are romanised from the kana readings.",
        url="https://github.com/code4fukui/localgovjp",
    ),
    Source(
        key="standard_area_codes",
        title_ja="標準地域コード（市区町村の階層）",
        title_en="Standard Area Codes (municipal hierarchy)",
        files=("admin_codes/LG_CODE.csv",),
        origin="code4fukui/LGCode : LG_CODE.csv",
        commit="acc999bbff37efe6a1ff6f217f14ac58baca6582",
        licence="MIT (repository); government data under 政府標準利用規約（第2.0版）",
        credit_ja="「統計LOD 標準地域コード」（総務省統計局）を加工して作成。"
        "データ整備: Code for FUKUI「LGCode」（MIT）。政令指定都市の判定に使用",
        credit_en="Processed from the Standard Area Codes in the Statistical LOD (統計LOD), "
        "Statistics Bureau, Ministry of Internal Affairs and Communications. Compiled by "
        "Code for FUKUI, “LGCode” (MIT). Used to identify the designated cities.",
        url="https://github.com/code4fukui/LGCode",
    ),
    Source(
        key="school_codes",
        title_ja="学校コード（大学・短期大学・高等専門学校）",
        title_en="School codes (universities, junior colleges, kosen)",
        files=("universities/scode.csv",),
        origin="codeforkosen/kosen-opendata : data/mext/scode.csv",
        commit="e80c79df29eb1fc6d352a492b64eefc45b4904b0",
        licence="MIT (repository, © 2020 Taisuke Fukuno); government data under 政府標準利用規約（第2.0版）",
        credit_ja="「学校コード（令和5年5月1日時点 暫定版）」（文部科学省）を加工して作成。"
        "データ整備: Code for KOSEN「kosen-opendata」（MIT, © 2020 Taisuke Fukuno）",
        credit_en="Processed from the School Codes (学校コード, as of 1 May 2023, provisional), "
        "Ministry of Education, Culture, Sports, Science and Technology. Converted by "
        "Code for KOSEN, “kosen-opendata” (MIT, © 2020 Taisuke Fukuno).",
        url="https://github.com/codeforkosen/kosen-opendata",
    ),
    Source(
        key="kosen_names",
        title_ja="高専の英語名",
        title_en="English names of kosen",
        files=("universities/kosen.csv",),
        origin="codeforkosen/kosen-opendata : data/kosen.csv",
        commit="cf1cfc08b02da80438e7dcf2dd1c58c0633f4296",
        licence="MIT (repository, © 2020 Taisuke Fukuno)",
        credit_ja="Code for KOSEN「kosen-opendata」（MIT, © 2020 Taisuke Fukuno）",
        credit_en="Code for KOSEN, “kosen-opendata” (MIT, © 2020 Taisuke Fukuno).",
        url="https://github.com/codeforkosen/kosen-opendata",
    ),
    Source(
        key="kosen_campuses",
        title_ja="高専のキャンパス一覧（学校コード・ウェブサイト）",
        title_en="Kosen campuses (school codes, websites)",
        files=("universities/kosen_campus.csv",),
        origin="codeforkosen/kosen-opendata : data/kosen_campus.csv",
        commit="d50f76a5ad1e547cd70e60e276385097e60f5f1a",
        licence="MIT (repository, © 2020 Taisuke Fukuno)",
        credit_ja="Code for KOSEN「kosen-opendata」（MIT, © 2020 Taisuke Fukuno）",
        credit_en="Code for KOSEN, “kosen-opendata” (MIT, © 2020 Taisuke Fukuno).",
        url="https://github.com/codeforkosen/kosen-opendata",
    ),
    # The two population sources below are bundled in ``kyoso/visions/reference_data/`` (see its
    # SOURCES.md), not in this app's ``reference_data/``, so ``files`` (relative to this app's folder)
    # stays empty and the bundled file names are given in ``origin``.
    Source(
        key="pref_age",
        title_ja="都道府県別・年齢5歳階級別人口（1970〜2024年）",
        title_en="Population by prefecture and 5-year age group (1970–2024)",
        files=(),
        origin="tgyeltshen/Japan-Population-Data : poptotal1970_2024lst.RData "
        "(as visions/reference_data/pref_population_by_age_1970_2024.csv)",
        commit="f3d727935352f60b1acae0ab8069399498f68797",
        licence="MIT (repository); government data under 政府標準利用規約（第2.0版）",
        credit_ja="「人口推計」「国勢調査」（総務省統計局）を加工して作成。"
        "データ整備: tgyeltshen「Japan-Population-Data」（MIT）",
        credit_en="Processed from the Population Estimates (人口推計) and the Population Census "
        "(国勢調査), Statistics Bureau, Ministry of Internal Affairs and Communications (e-Stat). "
        "Compiled by tgyeltshen, “Japan-Population-Data” (MIT).",
        url="https://github.com/tgyeltshen/Japan-Population-Data",
    ),
    Source(
        key="census_labour",
        title_ja="国勢調査 都道府県別の労働力状態（1950〜2020年）",
        title_en="Population Census: labour force status by prefecture (1950–2020)",
        files=(),
        origin="auto-data-analysis/japan-census-streamlit : data/raw/fact_Population_Census_of_Japan.csv "
        "(+ master_labor_status.csv, master_gender.csv, master_pref.csv; as visions/reference_data/)",
        commit="5001c8cdc9cf014de32bcea387f8d4240b065bfa",
        licence="MIT (repository); government data under 政府標準利用規約（第2.0版）",
        credit_ja="「国勢調査 時系列データ（労働力状態（3区分），男女別人口及び労働力率）」"
        "（総務省統計局）を加工して作成。データ整備: auto-data-analysis「japan-census-streamlit」（MIT）",
        credit_en="Processed from the Population Census time-series data (labour force status by sex), "
        "Statistics Bureau, Ministry of Internal Affairs and Communications (e-Stat). Compiled by "
        "auto-data-analysis, “japan-census-streamlit” (MIT).",
        url="https://github.com/auto-data-analysis/japan-census-streamlit",
    ),
]
