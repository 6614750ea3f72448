"""``load_reference()`` and ``kyoso load-reference``: real data into the database, idempotently."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from kyoso.regions.models import Organization, Region
from kyoso.regions.reference import load_reference

pytestmark = pytest.mark.django_db

PUBLIC_BODIES = 47 + 1741
SCHOOLS = 1176


def _reference_orgs():
    return Organization.objects.filter(reference_key__regex=r"^(jis|mext):")


def test_first_load_on_an_empty_database():
    report = load_reference()
    assert Region.objects.filter(level="prefecture").count() == 47
    assert Region.objects.filter(level="municipality").count() == 1741
    assert Region.objects.filter(municipality_type="designated_city").count() == 20
    assert Region.objects.filter(municipality_type="special_ward").count() == 23
    assert _reference_orgs().count() == PUBLIC_BODIES + SCHOOLS
    assert Organization.objects.filter(reference_key__startswith="jis:").count() == PUBLIC_BODIES
    assert Organization.objects.filter(reference_key__startswith="mext:").count() == SCHOOLS
    assert (report.regions.created, report.regions.updated, report.regions.unchanged) == (1788, 0, 0)
    assert (report.organizations.created, report.organizations.updated) == (PUBLIC_BODIES + SCHOOLS, 0)
    assert report.schools_matched == SCHOOLS
    assert report.seconds < 20


def test_rows_are_what_the_data_says():
    load_reference()
    shizuoka = Region.objects.get(code="22")
    hamamatsu = Region.objects.get(code="22130")
    assert (shizuoka.lg_code, shizuoka.level, shizuoka.parent_id, shizuoka.name_en) == (
        "220001", "prefecture", None, "Shizuoka",
    )  # fmt: skip
    assert (hamamatsu.lg_code, hamamatsu.parent, hamamatsu.municipality_type) == (
        "221309", shizuoka, "designated_city",
    )  # fmt: skip
    assert (hamamatsu.name, hamamatsu.name_kana, hamamatsu.name_en) == ("浜松市", "はままつし", "Hamamatsu City")
    assert hamamatsu.website.startswith("https://") and hamamatsu.latitude and hamamatsu.longitude

    pref_org = Organization.objects.get(reference_key="jis:22")
    assert (pref_org.name, pref_org.kind, pref_org.sector, pref_org.region) == (
        "静岡県", "prefecture", "government", shizuoka,
    )  # fmt: skip
    assert pref_org.name_en == "Shizuoka Prefecture"
    city_org = Organization.objects.get(reference_key="jis:22130")
    assert (city_org.name, city_org.name_en, city_org.kind, city_org.sector, city_org.region) == (
        "浜松市", "Hamamatsu City", "designated_city", "government", hamamatsu,
    )  # fmt: skip
    assert Organization.objects.get(reference_key="jis:22221").kind == "municipality"
    assert Organization.objects.get(reference_key="jis:13104").name_en == "Shinjuku City"

    university = Organization.objects.get(reference_key="mext:F122110106224")
    assert (university.name, university.kind, university.sector) == ("静岡大学", "national_university", "academia")
    assert university.region == Region.objects.get(code="22100")  # 静岡市駿河区 → 静岡市
    assert university.address.startswith("静岡県静岡市駿河区")
    kosen = Organization.objects.get(name="沼津工業高等専門学校")
    assert (kosen.kind, kosen.name_en, kosen.region.code) == ("kosen", "NIT, Numazu KOSEN", "22203")
    counts = {
        k: Organization.objects.filter(kind=k, reference_key__startswith="mext:").count()
        for k in ("national_university", "public_university", "private_university", "junior_college", "kosen")
    }
    assert counts == {
        "national_university": 86,
        "public_university": 102,
        "private_university": 628,
        "junior_college": 302,
        "kosen": 58,
    }


def test_second_run_changes_nothing(django_assert_max_num_queries):
    load_reference()
    stamps = dict(_reference_orgs().values_list("reference_key", "updated_at"))
    regions_before = list(Region.objects.values_list("id", "code", "name", "parent_id", "name_en"))
    with django_assert_max_num_queries(12):  # a few reads, no writes
        report = load_reference()
    assert not report.changed
    assert (report.regions.created, report.regions.updated, report.regions.unchanged) == (0, 0, 1788)
    assert (report.organizations.created, report.organizations.updated, report.organizations.unchanged) == (
        0, 0, PUBLIC_BODIES + SCHOOLS,
    )  # fmt: skip
    assert Region.objects.count() == 1788
    assert _reference_orgs().count() == PUBLIC_BODIES + SCHOOLS
    assert dict(_reference_orgs().values_list("reference_key", "updated_at")) == stamps
    assert list(Region.objects.values_list("id", "code", "name", "parent_id", "name_en")) == regions_before


def test_an_edited_row_is_restored():
    load_reference()
    Region.objects.filter(code="22130").update(name="はままつ")
    Organization.objects.filter(reference_key="jis:22130").update(name="浜松", website="")
    untouched = Organization.objects.get(reference_key="jis:22221").updated_at
    report = load_reference()
    assert (report.regions.updated, report.regions.unchanged) == (1, 1787)
    assert (report.organizations.updated, report.organizations.created) == (1, 0)
    city = Organization.objects.get(reference_key="jis:22130")
    assert (city.name, city.website) == ("浜松市", "https://www.city.hamamatsu.shizuoka.jp/")
    assert city.updated_at > untouched
    assert Region.objects.get(code="22130").name == "浜松市"
    assert Organization.objects.get(reference_key="jis:22221").updated_at == untouched


def test_other_organisations_are_left_alone():
    load_reference()
    region = Region.objects.get(code="22130")
    sample = Organization.objects.create(
        name="サンプル株式会社",
        sector="industry",
        kind="sme",
        region=region,
        reference_key="sample:acme",
        is_sample=True,
    )
    own = Organization.objects.create(name="手入力の団体", sector="civil_society", kind="npo", region=region)
    stale = Organization.objects.create(
        name="廃止された大学", sector="academia", kind="private_university", reference_key="mext:F199999999999"
    )
    report = load_reference()
    assert report.stale_organizations == 1
    assert not report.changed
    for obj in (sample, own, stale):
        fresh = Organization.objects.get(pk=obj.pk)
        assert (fresh.name, fresh.updated_at) == (obj.name, obj.updated_at)


def test_existing_regions_are_updated_in_place(regions):
    """The conftest regions (same codes, some fields missing) are completed, not duplicated."""
    ids = {code: region.pk for code, region in regions.items()}
    report = load_reference()
    assert report.regions.created == 1788 - len(regions)
    assert Region.objects.count() == 1788
    for code, pk in ids.items():
        assert Region.objects.get(code=code).pk == pk
    assert Region.objects.get(code="22130").website  # filled in from the data


def test_command_prints_one_line_per_model_and_the_time():
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    first = out.getvalue().splitlines()
    assert first[0].startswith("Region: created 1788, updated 0, unchanged 0")
    assert first[1].startswith(f"Organization: created {PUBLIC_BODIES + SCHOOLS}, updated 0, unchanged 0")
    assert first[-1].startswith("Done in ")
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    assert "Region: created 0, updated 0, unchanged 1788" in out.getvalue()
    assert "(nothing changed)" in out.getvalue()
