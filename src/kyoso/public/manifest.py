"""What the public site adds to the whole (see ``kyoso.common.registry``)."""

from django.utils.translation import gettext_lazy as _

from kyoso.common.registry import SECRETARIAT, Benchmark, Manifest, OpenDataExport, SampleBuilder, UrlMount, VenueLink

MANIFEST = Manifest(
    urls=(UrlMount("v/<slug:slug>/", "kyoso.public.urls"),),
    venue_sections=(VenueLink(_("公開サイト"), "public:site"),),
    venue_actions=(VenueLink(_("やさしい日本語の説明を書く"), "public:easy_list", role=SECRETARIAT),),
    # The demo's public site; kept out of the test fixtures, whose sample vision stays internal (the public tests
    # run this builder themselves).
    sample_builders=(SampleBuilder("public site", "kyoso.public.sample.build_public_site", in_fixtures=False),),
    benchmarks=(Benchmark("public-site", command="bench-public"),),
    open_data=(
        OpenDataExport("public-kpis", _("KPI（重要業績評価指標）"), "public:data_kpis", per_venue=True),
        OpenDataExport("public-observations", _("KPIの実績"), "public:data_observations", per_venue=True),
        OpenDataExport("public-targets", _("KPIの年度ごとの目標値"), "public:data_targets", per_venue=True),
        OpenDataExport("public-projects", _("共同研究プロジェクト"), "public:data_projects", per_venue=True),
        OpenDataExport("public-outputs", _("プロジェクトの成果"), "public:data_outputs", per_venue=True),
        OpenDataExport("public-decisions", _("決定事項"), "public:data_decisions", per_venue=True),
    ),
)
