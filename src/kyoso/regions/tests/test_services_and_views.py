"""Services, pages and their rules, through the database and the views."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kyoso.common.models import AuditEvent
from kyoso.regions import services
from kyoso.regions.models import Affiliation, Organization, Person

pytestmark = pytest.mark.django_db


def test_organization_create_writes_an_audit_event(regions, users):
    org = services.organization_create(actor=users["secretariat"], name="試験株式会社", sector="industry",
                                       kind="sme", region=regions["22130"])
    event = AuditEvent.objects.get(object_type="regions.organization", object_id=str(org.pk))
    assert event.action == "create" and event.actor == users["secretariat"]
    assert event.after["name"] == "試験株式会社"


def test_organization_update_records_before_and_after_of_changed_fields_only(regions, users):
    org = services.organization_create(actor=None, name="旧名", sector="industry", kind="sme")
    services.organization_update(actor=users["admin"], organization=org, name="新名")
    event = AuditEvent.objects.filter(action="update", object_id=str(org.pk)).get()
    assert event.before == {"name": "旧名"} and event.after == {"name": "新名"}


def test_kind_must_fit_sector(regions):
    with pytest.raises(ValidationError) as error:
        services.organization_create(actor=None, name="銀行", sector="industry", kind="regional_bank")
    assert "kind" in error.value.message_dict
    assert not Organization.objects.filter(name="銀行").exists()


def test_cross_appointment_over_100_percent_is_refused_and_nothing_is_written(regions, users):
    person = Person.objects.get(user__username="researcher")  # 80 % university + 20 % spin-out
    bank = Organization.objects.get(reference_key="sample:enshu-mirai-bank")
    before = (Affiliation.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as error:
        services.affiliation_create(actor=users["admin"], person=person, organization=bank, effort_share=10)
    assert "110%" in str(error.value)
    assert (Affiliation.objects.count(), AuditEvent.objects.count()) == before


def test_directory_search_and_filters(client, regions, users):
    url = reverse("regions:organization_list")
    response = client.get(url, {"q": "遠州"})
    names = [o.name for o in response.context["page_obj"].object_list]
    assert "遠州精密工業株式会社（サンプル）" in names and "遠州みらい銀行（サンプル）" in names
    response = client.get(url, {"q": "遠州", "sector": "finance"})
    assert [o.name for o in response.context["page_obj"].object_list] == ["遠州みらい銀行（サンプル）"]
    response = client.get(url, {"prefecture": "13"})
    assert [o.name for o in response.context["page_obj"].object_list] == ["地域共創サンプルプログラム事務局"]
    # full-width input is normalised
    response = client.get(url, {"q": "ＮＰＯ"})
    assert response.context["page_obj"].paginator.count == 1


def test_directory_htmx_request_gets_only_the_results_partial(client, users):
    response = client.get(reverse("regions:organization_list"), {"q": "遠州"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="results"' in body and "<html" not in body


def test_secretariat_creates_an_organization_through_the_form(client, regions, users):
    client.force_login(users["secretariat"])
    response = client.post(reverse("regions:organization_create"), {
        "name": "浜松光技術研究所（テスト）", "sector": "academia", "kind": "public_testing_institute",
        "prefecture": regions["22"].pk, "municipality": regions["22130"].pk,
    })
    org = Organization.objects.get(name="浜松光技術研究所（テスト）")
    assert response.status_code == 302 and response["Location"] == org.get_absolute_url()
    assert org.region == regions["22130"]


def test_form_errors_are_shown_and_nothing_is_saved(client, regions, users):
    client.force_login(users["secretariat"])
    count = Organization.objects.count()
    response = client.post(reverse("regions:organization_create"), {
        "name": "", "sector": "industry", "kind": "regional_bank",
        "prefecture": regions["13"].pk, "municipality": regions["22130"].pk,
    })
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"name", "kind", "municipality"}
    assert Organization.objects.count() == count
    assert 'aria-invalid="true"' in response.content.decode()


def test_municipality_options_for_a_prefecture(client, regions):
    response = client.get(reverse("regions:municipality_options"), {"prefecture": regions["22"].pk})
    body = response.content.decode()
    assert "浜松市" in body and "千代田区" not in body


def test_person_pages_hide_private_profiles_and_contacts(client, users):
    resident = Person.objects.get(user__username="resident")  # no public profile
    researcher = Person.objects.get(user__username="researcher")
    assert client.get(resident.get_absolute_url()).status_code == 404
    page = client.get(researcher.get_absolute_url()).content.decode()
    assert researcher.name in page and "researcher@example.invalid" not in page
    client.force_login(users["researcher"])
    assert "researcher@example.invalid" in client.get(researcher.get_absolute_url()).content.decode()
    client.force_login(users["company"])
    assert client.get(resident.get_absolute_url()).status_code == 200
    assert "resident@example.invalid" not in client.get(resident.get_absolute_url()).content.decode()


def test_affiliation_form_explains_the_share_rule(client, users):
    client.force_login(users["secretariat"])
    researcher = Person.objects.get(user__username="researcher")
    bank = Organization.objects.get(reference_key="sample:enshu-mirai-bank")
    response = client.post(reverse("regions:affiliation_create", args=[researcher.pk]),
                           {"organization": bank.pk, "effort_share": 30})
    assert response.status_code == 200
    assert "130%" in response.content.decode()


def test_region_pages(client, regions, users):
    body = client.get(reverse("regions:region_detail", args=["22"])).content.decode()
    assert "浜松市" in body and "湖西市" in body
    body = client.get(reverse("regions:region_detail", args=["22130"])).content.decode()
    assert "遠州精密工業株式会社（サンプル）" in body
    assert client.get(reverse("regions:region_detail", args=["99"])).status_code == 404


def test_english_pages_use_english_names(client, regions, users):
    client.cookies["kyoso_language"] = "en"
    body = client.get(reverse("regions:region_detail", args=["22"])).content.decode()
    assert "Hamamatsu City" in body and 'lang="en"' in body


def test_about_data_lists_credits(client):
    body = client.get(reverse("regions:about_data")).content.decode()
    assert "加工して作成" in body


def test_sample_banner_on_every_page(client, users):
    body = client.get(reverse("home")).content.decode()
    assert "「サンプル」と表示した組織・人物・数値・発言・記録はすべて架空のもの" in body
