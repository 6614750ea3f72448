"""Write the evaluation set (profiles.jsonl, needs.jsonl) from topics.py. INVENTED SAMPLE DATA.

Run: ``python -m kyoso.matching.eval.make_set`` (deterministic; the output is committed).
"""

from __future__ import annotations

import json
from pathlib import Path

from .topics import BACKGROUND, TOPICS

HERE = Path(__file__).parent
SURNAMES = ["青木", "石田", "上野", "江口", "大西", "加藤", "北村", "工藤", "小池", "佐野", "島田", "杉本", "高木",
            "田村", "土屋", "中川", "西田", "野口", "原田", "平野", "福田", "松井", "宮本", "森田", "山口", "吉村"]
GIVEN = ["彩", "健", "翔", "奈緒", "誠", "葵", "陽介", "千尋", "悠", "真理", "拓海", "由佳", "亮", "舞"]
EN_NAMES = ["Alex Morgan", "Priya Nair", "Chen Wei", "Lena Fischer", "Omar Haddad", "Sofia Rossi", "Daniel Kim",
            "Maria Santos", "Tomasz Nowak", "Aisha Bello", "Lucas Martin", "Hana Novak", "Ravi Kumar"]
# Invented institutions (サンプル) with a prefecture code; 22 (Shizuoka) is the demo region.
ORGS = [("サンプル静岡海洋大学", "22"), ("サンプル浜松工科大学", "22"), ("サンプル遠州農業試験場", "22"),
        ("サンプル東海医療大学", "23"), ("サンプル北陸工業高専", "17"), ("サンプル九州水産研究所", "40"),
        ("Sample Institute of Technology", None), ("サンプル東北情報大学", "04"), ("Sample Ocean University", None),
        ("サンプル関西環境研究所", "27"), ("サンプル四国防災大学", "39"), ("Sample Medical School", None)]


def _profile(pid: str, i: int, lang: str, records: list[dict], keywords: tuple[str, ...]) -> dict:
    org, pref = ORGS[i % len(ORGS)]
    if lang == "en":
        name = EN_NAMES[i % len(EN_NAMES)] + " (Sample)"
        name_en = name
    else:
        name = f"{SURNAMES[i % len(SURNAMES)]} {GIVEN[i % len(GIVEN)]}（サンプル）"
        name_en = ""
    return {"id": pid, "name": name, "name_en": name_en, "organization": org, "prefecture_code": pref,
            "keywords": list(keywords), "records": records, "is_sample": True}


def _record(rid: str, title: str, abstract: str, lang: str, year: int) -> dict:
    return {"id": rid, "type": "paper", "title": title, "abstract": abstract, "year": year, "lang": lang}


def build() -> tuple[list[dict], list[dict]]:
    profiles: list[dict] = []
    needs: list[dict] = []
    i = 0
    for t_index, (key, field, ja, en, need_ja, need_en, dis, bi) in enumerate(TOPICS):
        split = "train" if t_index % 5 in (0, 2) else "test"
        relevant = []
        for lang, (title, abstract, kws) in (("ja", ja), ("en", en)):
            pid = f"{key}-{lang}"
            profiles.append(_profile(pid, i, lang, [_record(pid + "-r1", title, abstract, lang, 2016 + i % 9)], kws))
            relevant.append(pid)
            i += 1
        if bi:
            pid = f"{key}-bi"
            profiles.append(_profile(pid, i, "ja", [_record(pid + "-r1", bi[0], "", "ja", 2018 + i % 7),
                                                    _record(pid + "-r2", bi[1], "", "en", 2020 + i % 5)], ()))
            relevant.append(pid)
            i += 1
        d_lang, d_title, d_abstract, d_kws = dis
        pid = f"{key}-distractor"
        profiles.append(_profile(pid, i, d_lang, [_record(pid + "-r1", d_title, d_abstract, d_lang, 2015 + i % 10)],
                                 d_kws))
        i += 1
        # Two paraphrased needs, and one written in the field's own technical terms (as a URA would type it).
        for need_id, lang, text in ((f"{key}-need-ja", "ja", need_ja), (f"{key}-need-en", "en", need_en),
                                    (f"{key}-need-terms", "ja" if t_index % 2 else "en",
                                     " ".join((ja if t_index % 2 else en)[2]))):
            needs.append({"id": need_id, "text": text, "lang": lang, "field": field, "split": split,
                          "relevant": relevant, "distractors": [pid], "style": "terms" if "terms" in need_id
                          else "paraphrase"})
    for b_index, (lang, title, abstract, kws) in enumerate(BACKGROUND):
        pid = f"background-{b_index:02d}"
        profiles.append(_profile(pid, i, lang, [_record(pid + "-r1", title, abstract, lang, 2014 + i % 11)], kws))
        i += 1
    return profiles, needs


def main() -> None:
    profiles, needs = build()
    for name, rows in (("profiles.jsonl", profiles), ("needs.jsonl", needs)):
        with (HERE / name).open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(profiles)} profiles, {len(needs)} needs "
          f"({sum(n['split'] == 'train' for n in needs)} train, {sum(n['split'] == 'test' for n in needs)} test)")


if __name__ == "__main__":
    main()
