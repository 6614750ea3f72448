"""Who records KPI values through the pages (issue 10): the people of the KPI's owner organisation and the
secretariat; official statistics are read-only; the record form and import links are shown only to those who
may use them; a value the unit cannot take is refused with a message and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from kyoso.visions.models import Kpi, Vision

pytestmark = pytest.mark.django_db

SLUG = "hamamatsu-sample"


def vision() -> Vision:
    return Vision.objects.get(venue__slug=SLUG)


def kpi(code: str) -> Kpi:
    return vision().kpis.get(code=code)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def observe_url(item: Kpi) -> str:
    return reverse("visions:kpi_observe", kwargs={"slug": SLUG, "pk": item.vision_id, "kpi": item.pk})


def test_members_of_other_organisations_cannot_record_a_kpi_and_see_no_form(users):
    joint = kpi("joint-research")  # owned by the sample university
    for persona in ("company", "bank", "observer"):
        client = client_for(users[persona])
        page = client.get(joint.get_absolute_url()).content.decode()
        assert observe_url(joint) not in page, persona
        assert "担当組織（サンプル工業大学）の人と場の事務局が記録します" in page
        response = client.post(observe_url(joint), {"date": "2026-05-31", "value": "30"})
        assert response.status_code == 403, persona
    assert not joint.observations.filter(date=dt.date(2026, 5, 31)).exists()


def test_the_owners_people_and_the_secretariat_record(users):
    joint = kpi("joint-research")
    for persona, day in (("ura", "2026-05-31"), ("researcher", "2026-06-30"), ("secretariat", "2026-07-31")):
        client = client_for(users[persona])
        assert observe_url(joint) in client.get(joint.get_absolute_url()).content.decode(), persona
        response = client.post(observe_url(joint), {"date": day, "value": "30"})
        assert response.status_code == 302, persona
        assert joint.observations.filter(date=dt.date.fromisoformat(day)).exists(), persona


def test_a_city_kpi_from_official_statistics_is_read_only_for_everyone(users):
    aging = kpi("aging-rate")
    official = aging.observations.filter(source="reference").order_by("-date").first()
    assert client_for(users["ura"]).post(observe_url(aging), {"date": "2026-05-31", "value": "30"}).status_code == 403
    response = client_for(users["secretariat"]).post(observe_url(aging), {"date": official.date.isoformat(),
                                                                          "value": "1"}, follow=True)
    assert "公的統計によるもので、上書きできません" in response.content.decode()
    assert aging.observations.get(pk=official.pk).value == official.value


def test_a_percentage_or_a_fraction_for_a_count_is_refused_with_a_message(users):
    joint = kpi("joint-research")
    client = client_for(users["ura"])
    for value, message in (("12%", "単位が「件」のKPIに、％の値は記録できません。"),
                           ("2.5", "単位が「件」のKPIは整数で記録してください。"),
                           ("▲3", "単位が「件」のKPIに負の値は記録できません。")):
        response = client.post(observe_url(joint), {"date": "2026-05-31", "value": value}, follow=True)
        assert message in response.content.decode(), value
    assert not joint.observations.filter(date=dt.date(2026, 5, 31)).exists()


def test_only_those_who_may_record_reach_the_import(users):
    url = reverse("visions:import_create", kwargs={"slug": SLUG, "pk": vision().pk})
    for persona in ("company", "bank", "observer"):
        client = client_for(users[persona])
        assert client.get(url).status_code == 403, persona
        assert url not in client.get(vision().get_absolute_url()).content.decode(), persona
    for persona in ("ura", "secretariat"):
        client = client_for(users[persona])
        assert client.get(url).status_code == 200, persona
        assert url in client.get(vision().get_absolute_url()).content.decode(), persona
