"""The public site and its open data, as an anonymous visitor: the public objects appear, no marker planted in a
confidential or internal field ever does (pages and every open-data file), the pages are cacheable and cheap,
and every export follows the 統一ルール."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from kyoso.public import opendata
from kyoso.public.domain.opendata_rules import check_table
from kyoso.public.tests import planted
from kyoso.venues.models import Meeting

pytestmark = pytest.mark.django_db

#: What a Table Schema field of each type accepts in a CSV cell (the types' default formats).
SCHEMA_PATTERNS = {"integer": r"-?[0-9]+", "number": r"-?[0-9]+(\.[0-9]+)?", "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
                   "year": r"[0-9]{4}"}


@pytest.fixture
def site(sample_region):
    return planted.build()


def _public_urls(site) -> list[str]:
    slug = site["venue"].slug
    urls = [reverse("public:site", args=[slug]), reverse("public:project_list", args=[slug]),
            reverse("public:decision_list", args=[slug]), reverse("public:meeting_list", args=[slug]),
            reverse("public:open_data", args=[slug])]
    urls += [reverse("public:kpi_detail", args=[slug, k.pk]) for k in site["public_kpis"]]
    urls += [reverse("public:project_detail", args=[slug, p.pk]) for p in site["public_projects"]]
    urls += [reverse("public:decision_detail", args=[slug, d.pk]) for d in site["public_decisions"]]
    urls += [reverse("public:meeting_detail", args=[slug, m.pk])
             for m in Meeting.objects.public().filter(venue=site["venue"])]
    return [u for url in urls for u in (url, url + "?lang=easy")]


def _data_urls(site) -> list[str]:
    return [url for table in opendata.TABLES.values() for url in opendata.file_urls(table, site["venue"]).values()]


def _body(response) -> str:
    assert response.status_code == 200, (response.status_code, response.request["PATH_INFO"])
    return response.content.decode("utf-8-sig")


def test_no_marker_reaches_any_public_page_or_open_data_file(site):
    client = Client()
    texts = {url: _body(client.get(url)) for url in [*_public_urls(site), *_data_urls(site)]}
    leaks = [(name, url) for url, text in texts.items() for name, marker in planted.MARKERS.items() if marker in text]
    assert not leaks, leaks
    everything = "\n".join(texts.values())
    # ...and the public objects are there (so an empty page cannot pass).
    for kpi in site["public_kpis"]:
        assert kpi.name in everything
    for project in site["public_projects"]:
        assert project.title in everything
    for decision in site["public_decisions"]:
        assert decision.title in everything
    assert site["vision"].title in everything and planted.PUBLIC_OUTPUT in everything
    assert planted.PUBLISHED_MINUTES_TEXT in texts[reverse("public:meeting_detail",
                                                           args=[site["venue"].slug, site["published"].pk])]


def test_an_amended_decision_links_to_the_decision_that_amends_it(site):
    first = min(site["public_decisions"], key=lambda d: d.number)
    text = _body(Client().get(reverse("public:decision_detail", args=[site["venue"].slug, first.pk])))
    assert "により変更されました" in text
    # The venue's own decision page shows the same notice (one include), linking to its own pages.
    venue_page = _body(Client().get(reverse("venues:decision_detail", args=[site["venue"].slug, first.pk])))
    assert "により変更されました" in venue_page and "/venues/" in venue_page.split("により変更されました")[0][-300:]


def test_internal_objects_are_not_found(site):
    client = Client()
    slug = site["venue"].slug
    for url in (reverse("public:kpi_detail", args=[slug, site["hidden_kpi"].pk]),
                reverse("public:kpi_detail", args=[slug, site["hidden_vision_kpi"].pk]),
                reverse("public:project_detail", args=[slug, site["private"].pk])):
        assert client.get(url).status_code == 404, url


def test_site_page_shows_status_reason_chart_and_projects_per_kpi(site):
    text = _body(Client().get(reverse("public:site", args=[site["venue"].slug])))
    assert text.count('role="img"') >= len(site["public_kpis"])  # the server-side SVG of each public KPI
    assert "判定の理由" in text and "このKPIを動かすことが期待されている公開プロジェクトは" in text
    assert site["project"].title in text  # named in the sentence of the KPI it is meant to move
    assert "これまでに公開された成果は" in text


def test_easy_mode_shows_the_plain_summaries(site):
    client = Client()
    url = reverse("public:site", args=[site["venue"].slug])
    plain, easy = _body(client.get(url)), _body(client.get(url + "?lang=easy"))
    assert "れんしゅう用の 文です" in easy and "れんしゅう用の 文です" not in plain
    assert "ふつうの日本語で読む" in easy and "やさしい日本語で読む" in plain
    from kyoso.public.sample import EASY_KPIS

    kpi = next(k for k in site["public_kpis"] if k.code == "joint-research")
    kpi_url = reverse("public:kpi_detail", args=[site["venue"].slug, kpi.pk])
    page, easy_page = _body(client.get(kpi_url)), _body(client.get(kpi_url + "?lang=easy"))
    assert EASY_KPIS["joint-research"] in easy_page and EASY_KPIS["joint-research"] not in page
    assert site["project"].title in page  # the sentence on which public projects move this KPI


def test_english_uses_the_language_switch_and_english_names(site):
    client = Client()
    url = reverse("public:site", args=[site["venue"].slug])
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    text = _body(client.get(url))
    assert '<html lang="en"' in text
    venue = site["venue"]
    if venue.name_en:
        assert venue.name_en in text


def test_pages_are_cacheable_and_answer_conditional_requests(site):
    client = Client()
    url = reverse("public:site", args=[site["venue"].slug])
    first = client.get(url)
    assert first.status_code == 200 and first.has_header("ETag") and first.has_header("Last-Modified")
    assert "max-age" in first["Cache-Control"] and "private" in first["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    data = client.get(opendata.file_urls(opendata.TABLES["kpis"], site["venue"])["csv"])
    assert "public" in data["Cache-Control"] and data.has_header("ETag")
    # A change to the public content changes the validator.
    from kyoso.venues import services as venue_services

    venue_services.decision_create(actor=None, venue=site["venue"], title="新しい案", text="案")
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_site_and_kpi_page_stay_within_the_query_budget(site, django_assert_max_num_queries):
    client = Client()
    slug = site["venue"].slug
    with django_assert_max_num_queries(15):
        assert client.get(reverse("public:site", args=[slug])).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("public:kpi_detail", args=[slug, site["public_kpis"][0].pk])).status_code == 200


def _csv_table(content: bytes) -> tuple[list[str], list[list[str]]]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return rows[0], rows[1:]


def test_every_export_follows_the_unified_rules_and_its_schema(site):
    client = Client()
    for key, table in opendata.TABLES.items():
        urls = opendata.file_urls(table, site["venue"])
        header, rows = _csv_table(client.get(urls["csv"]).content)
        assert rows, f"{key}: no rows"
        assert check_table(header, rows, table.columns) == [], key
        schema = json.loads(client.get(urls["schema"]).content)
        assert [f["name"] for f in schema["fields"]] == header
        assert set(schema["primaryKey"]) <= set(header) and schema["missingValues"] == [""]
        for index, field in enumerate(schema["fields"]):  # every cell is valid for its Table Schema field
            pattern = SCHEMA_PATTERNS.get(field["type"], ".*")
            pattern = field.get("constraints", {}).get("pattern", pattern)
            for row in rows:
                value = row[index]
                assert value != "" or not field.get("constraints", {}).get("required"), (key, field["name"])
                assert value == "" or re.fullmatch(pattern.strip("^$"), value), (key, field["name"], value)
        assert schema["licenses"][0]["name"] == "PDL-1.0"
        body = json.loads(client.get(urls["json"]).content)
        assert body["metadata"]["licenses"][0]["name"] == "PDL-1.0"
        assert len(body["data"]) == len(rows) and list(body["data"][0]) == header
        for field in schema["fields"]:  # numbers are JSON numbers, dates ISO strings
            values = [row[field["name"]] for row in body["data"] if row[field["name"]] not in (None, "")]
            if field["type"] in ("number", "integer"):
                assert all(isinstance(v, int | float) for v in values), (key, field["name"])


def test_observations_export_holds_every_public_observation(site):
    from kyoso.visions.models import Observation

    header, rows = _csv_table(Client().get(opendata.file_urls(opendata.TABLES["observations"],
                                                                site["venue"])["csv"]).content)
    assert len(rows) == Observation.objects.public().filter(kpi__vision=site["vision"]).count()
    assert all(row[header.index("全国地方公共団体コード")] for row in rows)


def test_secretariat_of_another_venue_cannot_edit(site, users):
    client = Client()
    client.force_login(users["observer"])
    assert client.get(reverse("public:easy_list", args=[site["venue"].slug])).status_code == 403
