from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kyoso.regions.models import Organization

pytestmark = pytest.mark.django_db


def test_anyone_reads_organizations_with_filters(users):
    client = APIClient()
    data = client.get("/api/v1/organizations/", {"q": "遠州", "sector": "finance"}).json()
    assert data["count"] == 1 and data["results"][0]["name"] == "遠州みらい銀行（サンプル）"
    assert data["results"][0]["region"] == "22130"


def test_regions_api_filters_by_parent(regions):
    data = APIClient().get("/api/v1/regions/", {"parent": "22"}).json()
    assert {r["code"] for r in data["results"]} == {"22130", "22211", "22221"}
    assert APIClient().get("/api/v1/regions/22130/").json()["name_en"] == "Hamamatsu City"


def test_only_secretariat_and_staff_may_write_and_token_auth_works(users, regions):
    payload = {"name": "API株式会社", "sector": "industry", "kind": "sme", "region": "22130"}
    assert APIClient().post("/api/v1/organizations/", payload).status_code in (401, 403)
    client = APIClient()
    client.force_authenticate(users["company"])
    assert client.post("/api/v1/organizations/", payload).status_code == 403
    token = Token.objects.create(user=users["admin"])
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post("/api/v1/organizations/", payload, format="json")
    assert response.status_code == 201, response.content
    assert Organization.objects.get(name="API株式会社").region.code == "22130"
    bad = client.post("/api/v1/organizations/", {**payload, "kind": "regional_bank"}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()


def test_token_endpoint_exchanges_credentials(users):
    from conftest import TEST_PASSWORD

    response = APIClient().post("/api/v1/auth/token/", {"username": "ura", "password": TEST_PASSWORD})
    assert response.status_code == 200 and response.json()["token"]


def test_people_api_hides_private_profiles_and_email(users):
    anonymous = APIClient().get("/api/v1/people/").json()
    names = {p["name"] for p in anonymous["results"]}
    assert not any("住民" in n for n in names)
    assert all(p["email"] is None for p in anonymous["results"])
    client = APIClient()
    client.force_authenticate(users["company"])
    everyone = client.get("/api/v1/people/").json()["results"]
    assert any("住民" in p["name"] for p in everyone)
    assert all(p["email"] is None for p in everyone if "企業" not in p["name"])
    assert [p["email"] for p in everyone if "企業" in p["name"]] == ["company@example.invalid"]


def test_openapi_schema_lists_the_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/api/v1/organizations/", "/api/v1/people/", "/api/v1/regions/"):
        assert path in body
