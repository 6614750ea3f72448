"""What the portfolio app adds to the whole (see ``kyoso.common.registry``)."""

from django.utils.translation import gettext_lazy as _

from kyoso.common.registry import ApiRoute, Benchmark, Manifest, SampleBuilder, UrlMount, VenueLink

MANIFEST = Manifest(
    urls=(UrlMount("venues/<slug:slug>/portfolio/", "kyoso.portfolio.urls"),),
    venue_sections=(VenueLink(_("共同研究ポートフォリオ"), "portfolio:portfolio"),),
    api_routes=(
        ApiRoute("projects", "kyoso.portfolio.api.views.ProjectViewSet", "project"),
        ApiRoute("commitments", "kyoso.portfolio.api.views.CommitmentViewSet", "commitment"),
        ApiRoute("outputs", "kyoso.portfolio.api.views.OutputViewSet", "output"),
        ApiRoute("reports", "kyoso.portfolio.api.views.ReportViewSet", "report"),
        ApiRoute("reviews", "kyoso.portfolio.api.views.ReviewViewSet", "review"),
    ),
    sample_builders=(SampleBuilder("portfolio", "kyoso.sample.portfolio_content.build_portfolio_content"),),
    benchmarks=(Benchmark("portfolio", command="bench-portfolio"),),
)
