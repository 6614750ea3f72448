"""What the visions app adds to the whole (see ``kyoso.common.registry``)."""

from django.utils.translation import gettext_lazy as _

from kyoso.common.registry import ApiRoute, Benchmark, Manifest, SampleBuilder, UrlMount, VenueLink

MANIFEST = Manifest(
    urls=(UrlMount("venues/<slug:slug>/visions/", "kyoso.visions.urls"),),
    venue_sections=(VenueLink(_("地域ビジョン"), "visions:vision_list"),),
    api_routes=(
        ApiRoute("visions", "kyoso.visions.api.views.VisionViewSet", "vision"),
        ApiRoute("kpis", "kyoso.visions.api.views.KpiViewSet", "kpi"),
        ApiRoute("imports", "kyoso.visions.api.views.ImportViewSet", "import"),
        ApiRoute("vision-versions", "kyoso.visions.api.views.VisionVersionViewSet", "vision-version"),
    ),
    sample_builders=(SampleBuilder("vision", "kyoso.sample.vision_content.build_vision_content"),),
    benchmarks=(Benchmark("vision", command="bench-vision"),),
)
