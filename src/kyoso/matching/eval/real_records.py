"""A second, independent evaluation set from real public records: a work's title as the need, its author as
the answer, that work (and every other need's work) left out of the profile.

Source: the researchmap records of five real researchers shipped in ``reference_data/research_records``
(see its SOURCES.md: public researchmap data, MIT-licensed conversion). The five are all computer
scientists (HCI, graphics, databases, machine learning, NLP), so telling them apart from a title is a hard,
fine-grained task; the 176 invented profiles of the first set (other fields) are added as background.
Nobody wrote these needs: they are the researchers' own titles, so the set is independent of the first.

* needs: per researcher, up to ``PER_RESEARCHER`` Japanese titles and as many English titles (of 8
  characters or more, no duplicates), spread evenly over their list of works;
* profiles: every other work of the researcher, the most recent ``PROFILE_RECORDS`` of them (keywords
  and research fields are left out: they are not records, and the five share most of them);
* split: needs alternate between **tune** (may be used to fit the fusion) and **test** (held out).
"""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "reference_data" / "research_records"
PER_RESEARCHER = 24
PROFILE_RECORDS = 120
LANGS = {"日本語": "ja", "英語": "en"}


def _works(directory: Path) -> dict[str, list[dict]]:
    by_slug: dict[str, list[dict]] = {}
    with (directory / "researchmap_sample_works.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            title = " ".join((row.get("title") or "").split())
            if not title:
                continue
            year = (row.get("date") or "")[:4]
            by_slug.setdefault(row["slug"], []).append({
                "title": title, "lang": LANGS.get(row.get("language") or "", "en" if title.isascii() else "ja"),
                "year": int(year) if year.isdigit() else None})
    return by_slug


def _spread(items: list, k: int) -> list:
    if len(items) <= k:
        return list(items)
    step = len(items) / k
    return [items[int(i * step)] for i in range(k)]


def build(directory: Path = DATA_DIR, background: list[dict] | None = None) -> tuple[list[dict], list[dict]]:
    """(profiles, needs) in the format of the first set (``eval/profiles.jsonl``, ``eval/needs.jsonl``)."""
    with (directory / "researchmap_sample_researchers.csv").open(encoding="utf-8") as f:
        people = {row["slug"]: row for row in csv.DictReader(f)}
    works = _works(directory)
    profiles, needs = [], []
    for slug in sorted(works):
        seen: set[str] = set()
        unique = []
        for w in works[slug]:
            key = w["title"].lower()
            if key not in seen:
                seen.add(key)
                unique.append(w)
        chosen = []
        for lang in ("ja", "en"):
            chosen += _spread([w for w in unique if w["lang"] == lang and len(w["title"]) >= 8], PER_RESEARCHER)
        held = {id(w) for w in chosen}
        rest = sorted((w for w in unique if id(w) not in held), key=lambda w: -(w["year"] or 0))[:PROFILE_RECORDS]
        person = people.get(slug, {})
        profiles.append({"id": f"real-{slug}", "name": person.get("氏名", slug),
                         "name_en": person.get("氏名(英語)", ""),
                         "organization": (person.get("所属") or "").split(";")[0], "keywords": [],
                         "records": [{"id": f"real-{slug}-r{i}", "type": "paper", "title": w["title"], "abstract": "",
                                      "year": w["year"], "lang": w["lang"]} for i, w in enumerate(rest)]})
        for i, w in enumerate(chosen):
            needs.append({"id": f"real-{slug}-need{i}", "text": w["title"], "lang": w["lang"], "field": "informatics",
                          "split": "tune" if len(needs) % 2 == 0 else "test", "relevant": [f"real-{slug}"],
                          "distractors": [], "style": "title"})
    return profiles + list(background or []), needs
