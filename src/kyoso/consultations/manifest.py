"""What the consultations app adds to the whole (see ``kyoso.common.registry``)."""

from django.utils.translation import gettext_lazy as _

from kyoso.common.registry import SECRETARIAT, ApiRoute, Benchmark, Manifest, SampleBuilder, UrlMount, VenueLink

MANIFEST = Manifest(
    urls=(
        # Residents and any visitor, without an account (the public site links here).
        UrlMount("v/<slug:slug>/consultations/", "kyoso.consultations.public_urls"),
        # The venue's own pages: members read, the secretariat runs and moderates.
        UrlMount("venues/<slug:slug>/consultations/", "kyoso.consultations.urls"),
    ),
    venue_sections=(VenueLink(_("意見募集"), "consultations:manage_list"),),
    venue_actions=(VenueLink(_("意見募集を作成"), "consultations:create", role=SECRETARIAT),),
    api_routes=(ApiRoute("consultations", "kyoso.consultations.api.views.ConsultationViewSet", "consultation"),),
    sample_builders=(SampleBuilder("consultations", "kyoso.consultations.sample.build_sample_consultations"),),
    benchmarks=(Benchmark("opinion-map", module="kyoso.consultations.domain.bench"),),
)
