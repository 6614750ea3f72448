"""Researchers, shortlists and proposals for the matching page/API tests and the permission walk.

Every profile here is invented (サンプル) and marked ``is_sample``.
"""

from __future__ import annotations

from kyoso.regions.models import Organization, Region

# (name, name_en, organisation reference key or None, organisation name, prefecture, keywords, records);
# a record's year is given relative to this year (-2: two years ago).
PROFILES = (
    ("浜名 潮（サンプル）", "Ushio Hamana (sample)", "sample:uni", "サンプル工業大学", "22",
     ["赤潮", "養殖", "水質センサー"],
     [("paper", "浜名湖における赤潮発生の水質センサーによる早期検知（サンプル）", -2, "ja"),
      ("seed", "養殖いけすの溶存酸素と水温を連続計測するセンサー網（サンプル）", -3, "ja")]),
    ("遠州 航（サンプル）", "Wataru Enshu (sample)", "sample:uni", "サンプル工業大学", "22",
     ["オンデマンド交通", "配車最適化"],
     [("paper", "中山間地のオンデマンド交通の最適配車（サンプル）", -4, "ja")]),
    ("Marina Okada (sample)", "Marina Okada (sample)", None, "Tokyo Ocean Sample Institute", "13",
     ["harmful algal bloom", "machine learning", "aquaculture"],
     [("paper", "Forecasting harmful algal blooms in yellowtail aquaculture with machine learning (sample)", -1,
       "en"),
      ("grant", "Satellite remote sensing of red tide for fish farms (sample)", -2, "en")]),
    ("千代田 海（サンプル）", "Kai Chiyoda (sample)", None, "東京サンプル水産大学", "13",
     ["水産経済", "被害額推計"],
     [("paper", "赤潮による養殖被害額の推計手法（サンプル）", -5, "ja")]),
)


def make_researchers() -> list:
    from django.utils import timezone

    from kyoso.matching.models import Researcher, ResearchRecord

    this_year = timezone.localdate().year
    tokyo = Region.objects.filter(code="13101").first()
    outside_org, _ = Organization.objects.get_or_create(
        name="東京サンプル海洋研究所（サンプル）",
        defaults={"sector": "academia", "kind": "national_research_institute", "region": tokyo, "is_sample": True})
    created = []
    for name, name_en, key, org_name, pref, keywords, records in PROFILES:
        organization = Organization.objects.filter(reference_key=key).first() if key else outside_org
        researcher = Researcher.objects.create(
            name=name, name_en=name_en, organization=organization, organization_name=org_name, prefecture_code=pref,
            keywords=keywords, is_sample=True)
        ResearchRecord.objects.bulk_create([
            ResearchRecord(researcher=researcher, type=kind, title=title, year=this_year + offset, lang=lang,
                           external_id=f"sample-{researcher.pk}-{i}")
            for i, (kind, title, offset, lang) in enumerate(records)])
        created.append(researcher)
    return created


def permission_objects() -> dict:
    """A researcher from outside the region on a shortlist of the sample venue, with a proposal."""
    from kyoso.matching import shortlists
    from kyoso.matching.models import Researcher
    from kyoso.venues.models import Venue

    if not Researcher.objects.filter(name_en="Marina Okada (sample)").exists():
        make_researchers()
    venue = Venue.objects.get(slug="hamamatsu-sample")
    outside = Researcher.objects.get(name_en="Marina Okada (sample)")
    shortlist = shortlists.shortlist_create(actor=None, venue=venue, title="赤潮の候補（サンプル）",
                                            entries=[(outside, None)])
    host = Organization.objects.get(reference_key="sample:uni")
    proposal = shortlists.cross_appointment_propose(actor=None, shortlist=shortlist, researcher=outside,
                                                    organization=host, effort_share=20)
    return {"researcher": outside, "shortlist": shortlist, "proposal": proposal}
