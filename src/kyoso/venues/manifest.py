"""What the venues app adds to the whole (see ``kyoso.common.registry``)."""

from django.utils.translation import gettext_lazy as _

from kyoso.common.registry import (
    SECRETARIAT,
    ApiRoute,
    Benchmark,
    Manifest,
    NavLink,
    SampleBuilder,
    UrlMount,
    VenueLink,
)

MANIFEST = Manifest(
    urls=(UrlMount("venues/", "kyoso.venues.urls"),),
    navigation=(NavLink(_("地域共創の場"), "venues:venue_list"),),
    venue_sections=(
        VenueLink(_("構成員"), "venues:member_list"),
        VenueLink(_("会議"), "venues:meeting_list"),
        VenueLink(_("決定事項ログ"), "venues:decision_list"),
        VenueLink(_("アクション"), "venues:action_list"),
    ),
    venue_actions=(
        VenueLink(_("場の設定を編集"), "venues:venue_update", role=SECRETARIAT),
        VenueLink(_("構成員を追加"), "venues:member_add", role=SECRETARIAT),
        VenueLink(_("会議を登録"), "venues:meeting_create", role=SECRETARIAT),
        VenueLink(_("決定を記録"), "venues:decision_create", role=SECRETARIAT, primary=True),
    ),
    api_routes=(
        ApiRoute("venues", "kyoso.venues.api.views.VenueViewSet", "venue"),
        ApiRoute("meetings", "kyoso.venues.api.views.MeetingViewSet", "meeting"),
        ApiRoute("decisions", "kyoso.venues.api.views.DecisionViewSet", "decision"),
        ApiRoute("action-items", "kyoso.venues.api.views.ActionItemViewSet", "action-item"),
    ),
    sample_builders=(SampleBuilder("venue content", "kyoso.sample.venue_content.build_venue_content"),),
    benchmarks=(Benchmark("venue-home", command="bench-venue-home"),),
)
