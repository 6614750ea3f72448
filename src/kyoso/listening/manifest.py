"""What the listening app adds to the whole (see ``kyoso.common.registry``)."""

from django.utils.translation import gettext_lazy as _

from kyoso.common.registry import SECRETARIAT, Benchmark, Manifest, SampleBuilder, UrlMount, VenueLink

MANIFEST = Manifest(
    urls=(
        UrlMount("venues/<slug:slug>/listening/", "kyoso.listening.urls"),
        UrlMount("v/<slug:slug>/listening/", "kyoso.listening.public_urls"),
    ),
    venue_sections=(VenueLink(_("自由記述の分類"), "listening:upload_list", role=SECRETARIAT),),
    # A few hundred invented answers embedded with the shipped model: only ``kyoso demo`` (a few seconds), not
    # every test fixture build.
    sample_builders=(SampleBuilder("listening", "kyoso.listening.sample.build_sample_upload", in_fixtures=False),),
    benchmarks=(Benchmark("listening", module="kyoso.listening.domain.bench",
                          args=("--answers", "10000", "--label-answers", "20000")),),
)
