"""The demo's researcher profiles: every invented one is marked, they parse cleanly, and the build is
idempotent. (The index built from them is exercised by test_services; here only the data.)"""

from __future__ import annotations

import pytest

from kyoso.matching.domain.importing import parse
from kyoso.matching.models import Researcher, ResearcherIdentity, ResearcherImport
from kyoso.sample import matching_content
from kyoso.sample.matching_content import IN_REGION, OUTSIDE, PER_TOPIC, TOPICS, _jsonl, sample_profiles


def test_sample_profiles_are_marked_and_valid():
    profiles = sample_profiles()
    assert len(profiles) == len(TOPICS) * PER_TOPIC >= 200
    assert profiles == sample_profiles()  # deterministic: re-running the demo changes nothing
    assert all(p["name"].endswith("（サンプル）") and p["name_en"].endswith("(sample)") for p in profiles)
    assert all(p["organization"] in IN_REGION + OUTSIDE for p in profiles)
    assert all("サンプル" in r["abstract"] or "Sample" in r["abstract"] for p in profiles for r in p["records"])
    result = parse(_jsonl(profiles), "jsonl")
    assert result.problems == ()
    assert len(result.researchers) == len(profiles)
    # The mix shows a capability gap: aquaculture is covered mostly from outside, manufacturing inside.
    inside = {t.key: sum(p["organization"] in IN_REGION for p in profiles if p["id"].startswith(f"sample-{t.key}-"))
              for t in TOPICS}
    assert inside["aquaculture"] < PER_TOPIC / 4 < inside["manufacturing"]
    assert any(all(r["lang"] == "en" for r in p["records"]) for p in profiles)  # English-only profiles too


@pytest.mark.django_db
def test_build_is_idempotent_and_links_kaken_to_researchmap(monkeypatch, regions):
    few = sample_profiles()[:3]
    monkeypatch.setattr(matching_content, "sample_profiles", lambda: few)
    touched = matching_content.build_matching_content()
    assert len(touched) == 5 + 3
    assert Researcher.objects.filter(is_sample=True).count() == 3
    assert Researcher.objects.filter(is_sample=False).count() == 5  # the KAKEN rows updated the same five people
    rekimoto = ResearcherIdentity.objects.get(kind="kaken", value="20463896").researcher
    assert rekimoto.identities.filter(kind="researchmap", value="rekimoto_jun").exists()
    assert rekimoto.records.filter(type="grant").exists() and rekimoto.records.filter(type="paper").count() > 100
    batches = ResearcherImport.objects.count()
    assert matching_content.build_matching_content() == []
    assert ResearcherImport.objects.count() == batches
