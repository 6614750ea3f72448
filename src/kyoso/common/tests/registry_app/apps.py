from django.apps import AppConfig

from kyoso.common.registry import (
    SECRETARIAT,
    ApiRoute,
    Benchmark,
    Manifest,
    NavLink,
    OpenDataExport,
    SampleBuilder,
    UrlMount,
    VenueLink,
)

BASE = "kyoso.common.tests.registry_app"

MANIFEST = Manifest(
    urls=(UrlMount("venues/<slug:slug>/fake/", f"{BASE}.urls"), UrlMount("fake-open-data/", f"{BASE}.open_urls")),
    venue_sections=(VenueLink("FAKE-SECTION", "fake:home"),),
    venue_actions=(VenueLink("FAKE-ACTION", "fake:settings", role=SECRETARIAT),),
    navigation=(NavLink("FAKE-NAV", "fake_open:index"),),
    api_routes=(ApiRoute("fake-things", f"{BASE}.views.FakeViewSet", "fake-thing"),),
    sample_builders=(SampleBuilder("fake", f"{BASE}.views.build_sample"),),
    benchmarks=(Benchmark("fake-bench", command="check", args=("--fail-level", "ERROR")),),
    data_sources=(f"{BASE}.views.SOURCES",),
    open_data=(OpenDataExport("fake-table", "FAKE-OPEN-DATA", "fake_open:index"),),
)


class RegistryAppConfig(AppConfig):
    name = BASE
    label = "kyoso_registry_test_app"
    manifest = MANIFEST
