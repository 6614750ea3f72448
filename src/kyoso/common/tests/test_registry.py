"""The app registry: what an app declares in its manifest shows up in the project without editing other files."""

from __future__ import annotations

import importlib
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import modify_settings
from django.urls import clear_url_caches, resolve, reverse

from kyoso.common import registry
from kyoso.common.registry import ApiRoute, Benchmark, Manifest, VenueLink

FAKE_APP = "kyoso.common.tests.registry_app.apps.RegistryAppConfig"


def _reload_urls() -> None:
    import kyoso.api.urls
    import kyoso.urls

    importlib.reload(kyoso.api.urls)
    importlib.reload(kyoso.urls)
    clear_url_caches()


@contextmanager
def fake_app_installed():
    """Install the minimal app (``registry_app``) and rebuild the project's URLs from the registry."""
    try:
        with modify_settings(INSTALLED_APPS={"append": FAKE_APP}):
            _reload_urls()
            yield
    finally:
        _reload_urls()


def rights(*, member=True, contribute=True, secretariat=False):
    return SimpleNamespace(is_member=member, can_contribute=contribute, is_secretariat=secretariat)


# --- The registry without the database ------------------------------------------------------------


def test_links_for_filters_by_the_role_in_the_venue():
    links = [VenueLink("a", "x:a"), VenueLink("b", "x:b", role=registry.CONTRIBUTOR),
             VenueLink("c", "x:c", role=registry.SECRETARIAT)]
    assert [link.label for link in registry.links_for(links, rights(contribute=False))] == ["a"]
    assert [link.label for link in registry.links_for(links, rights())] == ["a", "b"]
    assert [link.label for link in registry.links_for(links, rights(secretariat=True))] == ["a", "b", "c"]
    assert registry.links_for(links, rights(member=False, contribute=False)) == []


def test_declarations_are_checked():
    with pytest.raises(ImproperlyConfigured):
        VenueLink("a", "x:a", role="resident")
    with pytest.raises(ImproperlyConfigured):
        Benchmark("both", command="x", module="y")


def test_two_apps_declaring_one_api_prefix_are_refused(monkeypatch):
    twice = Manifest(api_routes=(ApiRoute("things", "a.B", "thing"),))
    monkeypatch.setattr(registry, "manifests", lambda: [(None, twice), (None, twice)])
    with pytest.raises(ImproperlyConfigured, match="things"):
        registry.api_routes()


def test_existing_apps_declare_through_the_registry():
    """The venue home, navigation, API and benchmarks of the existing apps come from their manifests, in app order."""
    assert [link.url_name for link in registry.venue_sections()] == [
        "venues:member_list", "venues:meeting_list", "venues:decision_list", "venues:action_list",
        "visions:vision_list", "portfolio:portfolio", "matching:match", "consultations:manage_list",
        "listening:upload_list", "public:site",
    ]
    assert [link.url_name for link in registry.navigation()] == [
        "regions:organization_list", "regions:region_list", "venues:venue_list", "matching:researcher_list",
        "api-docs",
    ]
    prefixes = {route.prefix for route in registry.api_routes()}
    assert {"regions", "venues", "decisions", "kpis", "projects", "researchers", "matching/search"} <= prefixes
    assert [bench.name for bench in registry.benchmarks()] == [
        "load-reference", "directory", "venue-home", "vision", "portfolio", "matching-evaluation", "matching-index",
        "opinion-map", "listening", "public-site",
    ]
    assert [step.label for step in registry.sample_builders(in_fixtures=True)] == [
        "venue content", "vision", "portfolio", "consultations"]
    assert [step.label for step in registry.sample_builders(in_fixtures=False)] == [
        "matching", "listening", "public site"]
    assert "prefectures" in {source.key for source in registry.data_sources()}
    assert registry.check_registry() == []


# --- A new app plugs in -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_apps_declarations_show_up(client, users, sample_region):
    """A minimal app that only declares a manifest gets its venue section and action on the venue home, its menu
    entry, its API route, its URLs, its about-the-data entry and open-data file, its benchmark and its sample step."""
    from kyoso.common.tests.registry_app import views as fake_views
    from kyoso.sample.region import VENUE_SLUG

    client.force_login(users["secretariat"])
    with fake_app_installed():
        section, action = reverse("fake:home", args=[VENUE_SLUG]), reverse("fake:settings", args=[VENUE_SLUG])
        home = client.get(reverse("venues:venue_detail", args=[VENUE_SLUG])).content.decode()
        assert f'href="{section}">FAKE-SECTION</a>' in home
        assert f'href="{action}">FAKE-ACTION</a>' in home
        assert f'href="{reverse("fake_open:index")}">FAKE-NAV</a>' in home
        assert client.get(section).content.decode() == f"fake page {VENUE_SLUG}"

        match = resolve("/api/v1/fake-things/")
        assert match.func.cls is fake_views.FakeViewSet
        assert client.get("/api/v1/fake-things/").json() == {"fake": True}

        about = client.get(reverse("regions:about_data")).content.decode()
        assert "FAKE-CREDIT" in about and "FAKE-OPEN-DATA" in about

        assert "fake-bench" in {bench.name for bench in registry.benchmarks()}
        call_command("bench", "--only", "fake-bench")  # runs `kyoso check` in a process of its own

        steps = registry.sample_builders(in_fixtures=True)
        assert steps[-1].label == "fake"
        assert steps[-1].run(venue=sample_region.venue, actor=None)
        assert fake_views.BUILT == [VENUE_SLUG]

    client.force_login(users["observer"])
    home = client.get(reverse("venues:venue_detail", args=[VENUE_SLUG])).content.decode()
    assert "FAKE-SECTION" not in home  # uninstalled again


@pytest.mark.django_db
def test_venue_actions_only_for_the_secretariat(client, users):
    from kyoso.sample.region import VENUE_SLUG

    url = reverse("venues:venue_detail", args=[VENUE_SLUG])
    client.force_login(users["observer"])
    page = client.get(url).content.decode()
    assert reverse("portfolio:portfolio", args=[VENUE_SLUG]) in page
    assert reverse("venues:decision_create", args=[VENUE_SLUG]) not in page
    client.force_login(users["secretariat"])
    page = client.get(url).content.decode()
    assert f'k-button--primary" href="{reverse("venues:decision_create", args=[VENUE_SLUG])}"' in page
