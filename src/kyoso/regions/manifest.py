"""What the regions app adds to the whole (see ``kyoso.common.registry``)."""

from django.utils.translation import gettext_lazy as _

from kyoso.common.registry import ApiRoute, Benchmark, Manifest, NavLink, UrlMount

MANIFEST = Manifest(
    urls=(UrlMount("", "kyoso.regions.urls"),),
    navigation=(
        NavLink(_("組織"), "regions:organization_list"),
        NavLink(_("地域"), "regions:region_list"),
    ),
    api_routes=(
        ApiRoute("regions", "kyoso.regions.api.views.RegionViewSet", "region"),
        ApiRoute("organizations", "kyoso.regions.api.views.OrganizationViewSet", "organization"),
        ApiRoute("people", "kyoso.regions.api.views.PersonViewSet", "person"),
    ),
    benchmarks=(
        Benchmark("load-reference", command="bench-load-reference"),
        Benchmark("directory", command="bench-directory"),
    ),
    data_sources=("kyoso.regions.reference_sources.SOURCES",),
)
