"""The importers, without Django: real researchmap/KAKEN sample files and malformed input."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from kyoso.matching.domain import importing
from kyoso.matching.domain.importing import Identity, parse

DATA = Path(__file__).parent / "data"


def codes(result) -> list[str]:
    return [p.code for p in result.problems]


# --------------------------------------------------------------------------- real samples

def test_researchmap_researchers_csv_real_sample():
    result = parse((DATA / "researchmap_sample_researchers.csv").read_bytes(), "researchmap")
    assert result.problems == ()
    assert len(result.researchers) == 5
    igarashi = next(r for r in result.researchers if r.identities == (Identity("researchmap", "igarashi_takeo"),))
    assert igarashi.name == "五十嵐 健夫"
    assert igarashi.name_en == "Igarashi Takeo"
    assert igarashi.name_kana == "イガラシ タケオ"
    assert igarashi.organization == "東京大学"
    assert "インタラクション" in igarashi.keywords
    kitsuregawa = next(r for r in result.researchers if r.name == "喜連川 優")
    assert kitsuregawa.organization == "情報・システム研究機構/東京大学"  # the first of the ;-joined values
    assert kitsuregawa.keywords == ("ヒューマンインタフェース", "インタラクション", "データベース")


def test_researchmap_works_csv_real_sample():
    result = parse((DATA / "researchmap_sample_works_head.csv").read_bytes(), "researchmap")
    assert result.problems == ()
    (igarashi,) = result.researchers
    assert igarashi.identities == (Identity("researchmap", "igarashi_takeo"),)
    assert igarashi.name == "五十嵐 健夫"
    assert 100 <= len(igarashi.records) <= 120
    first = igarashi.records[0]
    assert first.title.startswith("Shrinkable Arm-based eHMI")
    assert (first.type, first.year, first.lang) == ("paper", 2024, "en")
    assert "AutomotiveUI 2024" in first.venue_name
    assert len({r.external_id for r in igarashi.records}) == len(igarashi.records)
    assert any(r.lang == "ja" for r in igarashi.records)
    # The same file read twice gives the same record ids (re-imports must match records).
    again = parse((DATA / "researchmap_sample_works_head.csv").read_bytes(), "researchmap")
    assert [r.external_id for r in again.researchers[0].records] == [r.external_id for r in igarashi.records]


def test_kaken_summary_csv_real_sample():
    result = parse((DATA / "kakenhi_sample_summary.csv").read_bytes(), "kaken")
    assert result.problems == ()
    assert len(result.researchers) == 5
    rekimoto = next(r for r in result.researchers if r.name == "暦本 純一")
    assert rekimoto.identities == (Identity("kaken", "20463896"),)
    assert rekimoto.organization == "東京大学"
    assert rekimoto.profile_url == "https://nrid.nii.ac.jp/ja/nrid/1000020463896/"
    years = sorted(r.year for r in rekimoto.records)
    assert years == [2010, 2013, 2016, 2016, 2019, 2022, 2024]
    assert all(r.type == "grant" for r in rekimoto.records)
    assert any("基盤(B)" in r.title and "2022–2024" in r.title for r in rekimoto.records)


def test_merged_joins_the_two_researchmap_files():
    people = parse((DATA / "researchmap_sample_researchers.csv").read_bytes(), "researchmap").researchers
    works = parse((DATA / "researchmap_sample_works_head.csv").read_bytes(), "researchmap").researchers
    merged = list(importing.merged([*people, *works]))
    assert len(merged) == 5
    igarashi = next(r for r in merged if r.name == "五十嵐 健夫")
    assert igarashi.organization == "東京大学" and len(igarashi.records) > 100


# --------------------------------------------------------------------------- researchmap API v2 JSON

def rm_profile(permalink="yamada_taro", **extra):
    return {
        "@id": f"https://api.researchmap.jp/{permalink}",
        "permalink": permalink,
        "family_name": {"ja": "山田", "en": "Yamada", "ja-Kana": "ヤマダ"},
        "given_name": {"ja": "太郎", "en": "Taro", "ja-Kana": "タロウ"},
        "identifiers": {"orcid_id": ["https://orcid.org/0000-0002-1825-0097"], "erad_id": ["12345678"]},
        "@graph": [
            {"@type": "affiliations", "items": [{"affiliation": {"ja": "静岡大学", "en": "Shizuoka University"},
                                                 "section": {"ja": "工学部"}, "job": {"ja": "准教授"}}]},
            {"@type": "research_interests", "items": [{"keyword": {"ja": "養殖", "en": "aquaculture"}}]},
            {"@type": "published_papers", "items": [
                {"rm:id": "111", "paper_title": {"ja": "ブリ養殖における赤潮の予測", "en": "Red tide forecasting"},
                 "publication_date": "2023-04-01", "languages": ["jpn"],
                 "publication_name": {"ja": "水産工学"}},
                {"rm:id": "112", "paper_title": {"en": "Sensor buoys for fish farms"}, "publication_date": "2021"},
                {"rm:id": "113", "paper_title": {}},
                "not a record",
            ]},
            {"@type": "industrial_property_rights", "items": [
                {"rm:id": "9", "industrial_property_right_title": {"ja": "水質センサ"},
                 "application_date": "2020-01-10"}]},
            {"@type": "awards", "items": [{"award_name": {"ja": "賞"}}]},
        ],
        **extra,
    }


def test_researchmap_api_profile():
    result = parse(json.dumps(rm_profile()).encode(), "researchmap")
    (r,) = result.researchers
    assert r.name == "山田 太郎" and r.name_en == "Taro Yamada" and r.name_kana == "ヤマダ タロウ"
    assert set(r.identities) == {Identity("researchmap", "yamada_taro"), Identity("orcid", "0000-0002-1825-0097"),
                                 Identity("kaken", "12345678")}
    assert (r.organization, r.department, r.job_title) == ("静岡大学", "工学部", "准教授")
    assert r.keywords == ("養殖",)
    by_id = {x.external_id: x for x in r.records}
    paper = by_id["rm:published_papers:111"]
    assert (paper.title, paper.year, paper.lang) == ("ブリ養殖における赤潮の予測", 2023, "ja")
    assert paper.venue_name == "水産工学"
    assert "Red tide forecasting" in paper.abstract  # the English title is kept for cross-language matching
    assert by_id["rm:published_papers:112"].lang == "en"
    assert by_id["rm:industrial_property_rights:9"].type == "patent"
    assert sorted(codes(result)) == ["missing_title", "not_an_object"]
    missing = next(p for p in result.problems if p.code == "missing_title")
    assert missing.path == "$['@graph'][2].items[2].paper_title"


def test_researchmap_list_and_lines_and_duplicates():
    two = [rm_profile("a"), rm_profile("b", identifiers={}), rm_profile("a"), {"permalink": "c"}]
    result = parse(json.dumps(two).encode(), "researchmap")
    assert [r.identities[0].value for r in result.researchers] == ["a", "b"]
    assert "duplicate_id" in codes(result) and "missing_name" in codes(result)
    lines = "\n".join(json.dumps(p) for p in [rm_profile("x"), rm_profile("y", identifiers={})]) + "\n{broken"
    result = parse(lines.encode(), "researchmap")
    assert len(result.researchers) == 2
    assert [(p.code, p.line) for p in result.problems if p.code == "json_syntax"] == [("json_syntax", 3)]
    assert {p.line for p in result.problems} == {1, 2, 3}  # the bad records of each line, and the broken line


# --------------------------------------------------------------------------- KAKEN XML, JSON, project CSV

KAKEN_XML = """<?xml version="1.0" encoding="UTF-8"?>
<grantAwards xmlns="http://kaken.nii.ac.jp/ns">
 <totalResults>2</totalResults>
 <grantAward id="KAKENHI-PROJECT-21K05796" awardNumber="21K05796" projectType="project">
  <summary xml:lang="ja">
   <title>浜名湖の養殖カキにおけるノロウイルスの迅速検出</title>
   <category>基盤研究(C)</category>
   <periodOfAward><startFiscalYear>2021</startFiscalYear><endFiscalYear>2023</endFiscalYear></periodOfAward>
   <member sequence="1" role="principal_investigator" eradCode="11112222">
    <personalName><fullName>鈴木 花子</fullName></personalName>
    <institution>静岡大学</institution><department>農学部</department><jobTitle>教授</jobTitle>
   </member>
   <member sequence="2" role="co_investigator_buntan"><personalName><fullName>名無し</fullName></personalName></member>
   <keywordList><keyword>カキ</keyword><keyword>ノロウイルス</keyword></keywordList>
  </summary>
  <summary xml:lang="en"><title>Rapid detection of norovirus in farmed oysters</title></summary>
 </grantAward>
 <grantAward id="KAKENHI-PROJECT-1" awardNumber="1"><summary xml:lang="ja"><title></title></summary></grantAward>
</grantAwards>"""


def test_kaken_xml():
    result = parse(KAKEN_XML.encode(), "kaken")
    (r,) = result.researchers
    assert r.name == "鈴木 花子" and r.identities == (Identity("kaken", "11112222"),)
    assert (r.organization, r.department, r.job_title) == ("静岡大学", "農学部", "教授")
    assert r.keywords == ("カキ", "ノロウイルス")
    (grant,) = r.records
    assert grant.type == "grant" and grant.year == 2021 and grant.external_id == "kaken:project:21K05796"
    assert "Rapid detection of norovirus" in grant.abstract
    assert grant.url == "https://kaken.nii.ac.jp/grant/KAKENHI-PROJECT-21K05796/"
    assert sorted(codes(result)) == ["missing_id", "missing_title"]
    assert {p.path for p in result.problems} == {"grantAward[1]/summary/member[2]", "grantAward[2]/summary/title"}


def test_kaken_xml_refuses_entities():
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><grantAwards>&b;</grantAwards>'
    result = parse(bomb.encode(), "kaken")
    assert result.researchers == () and codes(result) == ["xml_syntax"]


def test_kaken_researcher_api_json():
    document = {"totalResults": 1, "researchers": [
        {"name": {"humanReadableValue": [{"lang": "ja", "text": "佐藤 一郎"}, {"lang": "en", "text": "Ichiro Sato"}]},
         "id:person:erad": ["87654321"],
         "affiliations:current": [{"affiliation:institution": {"humanReadableValue": [{"text": "浜松医科大学"}]}}],
         "work:project": [
             {"title": {"humanReadableValue": [{"text": "高齢者の見守りセンサ"}]},
              "category": {"humanReadableValue": [{"text": "基盤研究(B)"}]},
              "since": {"fiscal:year": {"commonEra:year": 2019}}, "recordSet": "19H01234"},
             42]},
        {"name": "no number"},
    ]}
    result = parse(json.dumps(document).encode(), "kaken")
    (r,) = result.researchers
    assert (r.name, r.organization, r.identities) == ("佐藤 一郎", "浜松医科大学", (Identity("kaken", "87654321"),))
    assert [(x.title, x.year, x.venue_name) for x in r.records] == [("高齢者の見守りセンサ", 2019, "基盤研究(B)")]
    assert sorted(codes(result)) == ["missing_id", "not_an_object"]


def test_kaken_project_csv():
    text = ("研究課題名,研究課題/領域番号,研究種目,研究期間 (年度),研究代表者,キーワード\n"
            "遠州灘の波浪予測,22K01234,基盤研究(C),2022-04-01 ～ 2025-03-31,"
            "\"田中 次郎 静岡大学, 工学部, 准教授 (55556666)\",波浪;防災\n"
            ",1,x,2020,\"誰か (11111111)\",\n"
            "番号のない課題,2,x,2020,誰か,\n")
    result = parse(text.encode("cp932"), "kaken")
    assert result.encoding == "cp932"
    (r,) = result.researchers
    assert (r.name, r.organization, r.department) == ("田中 次郎", "静岡大学", "工学部")
    assert r.records[0].year == 2022 and r.keywords == ("波浪", "防災")
    assert [(p.code, p.line) for p in result.problems] == [("missing_title", 3), ("missing_id", 4)]


# --------------------------------------------------------------------------- generic JSON Lines

def line(**fields):
    base = {"id": "r1", "name": "研究者 一", "records": []}
    base.update(fields)
    return json.dumps(base, ensure_ascii=False)


def test_jsonl_format_exactly():
    text = "\n".join([
        line(id="r1", name_en="Ichi", organization="静岡大学", prefecture_code="22", keywords=["養殖", "AI"],
             records=[{"id": "p1", "type": "paper", "title": "赤潮の予測", "abstract": "ブリ", "year": 2022,
                       "lang": "ja"},
                      {"id": "s1", "type": "seed", "title": "Water sensor"}]),
        "",
        line(id="r2", name="Two", prefecture_code=13),
    ]).encode()
    result = parse(text, "jsonl")
    assert result.problems == ()
    one, two = result.researchers
    assert one.identities == (Identity("local", "r1"),)
    assert (one.name_en, one.organization, one.prefecture_code) == ("Ichi", "静岡大学", "22")
    assert one.keywords == ("養殖", "AI")
    assert [(r.external_id, r.type, r.year, r.lang) for r in one.records] == [("p1", "paper", 2022, "ja"),
                                                                               ("s1", "seed", None, "en")]
    assert (two.line, two.prefecture_code) == (3, "13")
    doc = one.to_doc("7")
    assert doc.id == "7" and doc.records[0].title == "赤潮の予測" and doc.prefecture_code == "22"


@pytest.mark.parametrize(("text", "expected"), [
    (line(name=""), [("missing_name", 1, "$.name")]),
    (line(name=None), [("missing_name", 1, "$.name")]),
    (line(name=["x"]), [("wrong_type", 1, "$.name")]),
    (line(id=None), [("missing_id", 1, "$.id")]),
    (line(keywords="養殖"), [("wrong_type", 1, "$.keywords")]),
    (line(records={"id": 1}), [("wrong_type", 1, "$.records")]),
    (line(records=[{"id": "a", "type": "book", "title": "t"}]), [("unknown_record_type", 1, "$.records[0].type")]),
    (line(records=[{"id": "a", "title": ""}]), [("missing_title", 1, "$.records[0].title")]),
    (line(records=[{"title": "t"}]), [("missing_record_id", 1, "$.records[0].id")]),
    (line(records=[{"id": "a", "title": "t", "year": "昔"}]), [("bad_year", 1, "$.records[0].year")]),
    (line(records=[{"id": "a", "title": "t"}, {"id": "a", "title": "u"}]), [("duplicate_record", 1, "$.records")]),
    (line(records=["x"]), [("not_an_object", 1, "$.records[0]")]),
    (line(prefecture_code="99"), [("bad_prefecture", 1, "$.prefecture_code")]),
    ("[1, 2]", [("not_an_object", 1, "$")]),
    ('{"id": "r1", "name": "x", "rec', [("json_syntax", 1, "$")]),
    (line() + "\n" + line(), [("duplicate_id", 2, "line 2")]),
])
def test_jsonl_problems_have_positions(text, expected):
    result = parse(text.encode(), "jsonl")
    assert [(p.code, p.line, p.path) for p in result.problems] == expected


def test_jsonl_bad_record_keeps_the_researcher_and_good_records():
    text = line(records=[{"id": "a", "title": "good"}, {"id": "b", "type": 5, "title": "bad"}])
    result = parse(text.encode(), "jsonl")
    (r,) = result.researchers
    assert [x.external_id for x in r.records] == ["a"]
    assert codes(result) == ["unknown_record_type"]


@pytest.mark.parametrize("fmt", importing.FORMATS)
@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    ("氏名".encode("utf-16"), "encoding"),
    (b"\x00\x01\x02binary\xff\xfe", "encoding"),
])
def test_empty_and_undecodable_files(fmt, data, code):
    result = parse(data, fmt)
    assert result.researchers == ()
    assert codes(result) == [code]


@pytest.mark.parametrize("fmt", importing.FORMATS)
def test_random_bytes_and_truncations_never_raise(fmt):
    rng = random.Random(6)
    samples = [bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 400))) for _ in range(60)]
    valid = [json.dumps(rm_profile()).encode(), KAKEN_XML.encode(), line(records=[{"id": "a", "title": "t"}]).encode(),
             (DATA / "kakenhi_sample_summary.csv").read_bytes()]
    samples += [v[: rng.randint(1, len(v) - 1)] for v in valid for _ in range(15)]
    samples += [b"{" * 5000, b"[" * 100000, b"<a>" * 3000, b'{"@graph": 5}', b"null", b"[null, 1, \"x\"]",
                b'{"researchers": {"a": 1}}', b'{"items": [1]}', b"slug,title\n,\n"]
    for data in samples:
        result = parse(data, fmt)
        assert isinstance(result.problems, tuple)
        assert result.researchers or result.problems, data[:50]


def test_unknown_format():
    with pytest.raises(ValueError):
        parse(b"{}", "excel")


@pytest.mark.parametrize(("value", "year"), [(2024, 2024), ("2024/05/01", 2024), ("令和6年", None), ("1850", None),
                                              (True, None), ("2021年度", 2021)])
def test_parse_year(value, year):
    assert importing.parse_year(value) == year
