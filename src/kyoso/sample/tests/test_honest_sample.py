"""The demo speaks only for invented bodies (the convention in ``kyoso.sample.region``).

After the demo's builders have run, no invented record — a membership, representative, endorsement, action,
KPI, commitment, provision, project lead or participant, affiliation of an invented person, invented
researcher, shortlist or proposal — points at a real organisation, no invented text names one, and every
invented organisation says サンプル in its name. The relations are found by walking every model's foreign
keys to ``Organization``, so a new app's sample builder is held to the same rule without editing this test.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from kyoso.regions.models import Organization
from kyoso.regions.reference import REFERENCE_KEY_PREFIXES
from kyoso.sample import matching_content

pytestmark = pytest.mark.django_db

# Text that names its place on purpose: official statistics of a real prefecture are labelled with it.
PLACE_LABELLED = {("visions", "kpi"): lambda row: bool(row.reference_series)}
# Reference data itself, and the audit trail that repeats what the other rows say.
NOT_INVENTED_TEXT = {"regions.region", "regions.organization", "common.auditevent"}


def _real() -> models.QuerySet[Organization]:
    """Real organisations: reference data (``jis:…``/``mext:…``) and any organisation not marked as sample."""
    return Organization.objects.exclude(is_sample=True)


def _relations_to_organisations():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (field.is_relation and not field.auto_created and field.related_model is Organization
                    and (field.many_to_one or field.one_to_one or field.many_to_many)):
                yield model, field


@pytest.fixture
def demo(sample_region, monkeypatch):
    """The sample region plus the invented researcher profiles (the real five are real data: left out here)."""
    monkeypatch.setattr(matching_content, "REAL_FILES", ())
    matching_content.build_matching_content()
    return sample_region


def test_real_and_invented_organisations_are_told_apart(demo):
    real_keys = list(_real().exclude(reference_key=None).values_list("reference_key", flat=True))
    assert real_keys and all(key.startswith(REFERENCE_KEY_PREFIXES) for key in real_keys)
    invented = Organization.objects.filter(is_sample=True)
    assert invented.count() >= 10
    real_names = set(_real().values_list("name", flat=True))
    for organization in invented:
        assert "サンプル" in organization.name, organization.name
        assert organization.name_en and "sample" in organization.name_en.lower(), organization.name_en
        assert organization.reference_key and organization.reference_key.startswith("sample:")
        assert organization.name not in real_names


def test_no_invented_record_is_attached_to_a_real_organisation(demo):
    real = list(_real().values_list("pk", flat=True))
    assert real, "the fixture's real reference rows must exist for this test to mean anything"
    attached = {}
    for model, field in _relations_to_organisations():
        count = model._default_manager.filter(**{f"{field.name}__in": real}).count()
        if count:
            attached[f"{model._meta.label}.{field.name}"] = count
    assert attached == {}
    checked = {f"{m._meta.label}.{f.name}" for m, f in _relations_to_organisations()}
    # The walk does reach the records the demo builds (a renamed field must not silently escape it).
    assert {"venues.Membership.organization", "portfolio.Commitment.partner", "portfolio.Participant.organization",
            "regions.Affiliation.organization", "visions.Kpi.owner", "matching.Researcher.organization"} <= checked


def test_invented_people_and_researchers_work_only_for_invented_organisations(demo):
    from kyoso.matching.models import Researcher
    from kyoso.regions.models import Affiliation

    affiliations = Affiliation.objects.filter(person__is_sample=True)
    assert affiliations.exists() and not affiliations.exclude(organization__is_sample=True).exists()
    researchers = Researcher.objects.filter(is_sample=True)
    assert researchers.count() == len(matching_content.sample_profiles())
    assert all("サンプル" in r.organization_name for r in researchers)
    assert not researchers.filter(organization__is_sample=False).exists()
    assert researchers.filter(organization__is_sample=True).exists()  # in-region ones are linked to their home


def test_no_invented_text_names_a_real_organisation(demo):
    names = [n for n in _real().values_list("name", flat=True) if len(n) >= 3]
    assert "浜松市" in names and "静岡大学" in names
    found = []
    for model in apps.get_models():
        if model._meta.label_lower in NOT_INVENTED_TEXT:
            continue
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
        if not fields:
            continue
        keep = PLACE_LABELLED.get((model._meta.app_label, model._meta.model_name))
        for row in model._default_manager.all():
            if keep and keep(row):
                continue
            for name in fields:
                value = getattr(row, name) or ""
                found += [(model._meta.label, name, real) for real in names if real in value]
    assert found == []


def test_the_banner_disclaims_every_invented_thing(client, settings):
    settings.KYOSO_SAMPLE_BANNER = True
    body = client.get("/").content.decode()
    banner = body[body.index("k-sample-banner"):body.index("k-header__inner")]
    for word in ("組織", "人物", "数値", "発言", "記録", "自治体", "大学"):
        assert word in banner, word


def test_the_public_researcher_list_says_which_profiles_are_invented(client, regions):
    """The directory's statement of its sources is exact (counts by source), and every profile shows its own."""
    from django.urls import reverse

    from kyoso.matching.models import Researcher

    matching_content.build_matching_content()
    invented = len(matching_content.sample_profiles())
    response = client.get(reverse("matching:researcher_list"))
    assert response.context["sources"] == [("sample", invented), ("researchmap", 5)]
    body = response.content.decode()
    assert "researchmap・KAKEN などの公開情報から取り込んだ" not in body
    assert f"{invented:,}人" in body and "5人" in body and "researchmap 利用規約" in body

    real = Researcher.objects.get(identities__kind="kaken", identities__value="20463896")
    page = client.get(real.get_absolute_url()).content.decode()
    assert "researchmap.jp/public/terms-of-service" in page and "kaken.nii.ac.jp" in page
    assert "架空" not in page.split("k-sample-banner")[-1].split("</header>")[-1]
    sample = Researcher.objects.filter(is_sample=True).first()
    page = client.get(sample.get_absolute_url()).content.decode()
    assert "業績もすべて架空です" in page and "researchmap.jp" not in page
