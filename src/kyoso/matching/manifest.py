"""What the matching app adds to the whole (see ``kyoso.common.registry``)."""

from django.utils.translation import gettext_lazy as _

from kyoso.common.registry import ApiRoute, Benchmark, Manifest, NavLink, SampleBuilder, UrlMount, VenueLink

MANIFEST = Manifest(
    urls=(UrlMount("", "kyoso.matching.urls"),),
    navigation=(NavLink(_("研究者"), "matching:researcher_list"),),
    venue_sections=(VenueLink(_("研究者を探す"), "matching:match"),),
    api_routes=(
        ApiRoute("researchers", "kyoso.matching.api.views.ResearcherViewSet", "researcher"),
        ApiRoute("matching/search", "kyoso.matching.api.views.MatchSearchViewSet", "matching-search"),
        ApiRoute("shortlists", "kyoso.matching.api.views.ShortlistViewSet", "shortlist"),
    ),
    # Researcher profiles and the matching index: only ``kyoso demo`` (the test fixtures skip the index build).
    sample_builders=(SampleBuilder("matching", "kyoso.sample.builders.matching", in_fixtures=False),),
    benchmarks=(
        Benchmark("matching-evaluation", module="kyoso.matching.domain.evaluate"),
        Benchmark("matching-index", module="kyoso.matching.domain.bench", args=("--sizes", "10000,100000")),
    ),
)
