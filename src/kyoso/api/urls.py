"""The REST API under /api/v1/, its OpenAPI 3 schema and its documentation page."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter

from kyoso.common.access import PUBLIC, policy
from kyoso.matching.api.views import MatchSearchViewSet, ResearcherViewSet, ShortlistViewSet
from kyoso.portfolio.api.views import (
    CommitmentViewSet,
    OutputViewSet,
    ProjectViewSet,
    ReportViewSet,
    ReviewViewSet,
)
from kyoso.regions.api.views import OrganizationViewSet, PersonViewSet, RegionViewSet
from kyoso.venues.api.views import ActionItemViewSet, DecisionViewSet, MeetingViewSet, VenueViewSet
from kyoso.visions.api.views import ImportViewSet, KpiViewSet, VisionVersionViewSet, VisionViewSet


class SchemaView(SpectacularAPIView):
    access = policy(PUBLIC)


class DocsView(SpectacularSwaggerSplitView):
    access = policy(PUBLIC)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (login throttling applies)."""

    access = policy(PUBLIC)


class Router(DefaultRouter):
    include_root_view = False


router = Router()
router.register("regions", RegionViewSet, basename="region")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("venues", VenueViewSet, basename="venue")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("visions", VisionViewSet, basename="vision")
router.register("kpis", KpiViewSet, basename="kpi")
router.register("imports", ImportViewSet, basename="import")
router.register("vision-versions", VisionVersionViewSet, basename="vision-version")
router.register("researchers", ResearcherViewSet, basename="researcher")
router.register("matching/search", MatchSearchViewSet, basename="matching-search")
router.register("shortlists", ShortlistViewSet, basename="shortlist")
router.register("projects", ProjectViewSet, basename="project")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("outputs", OutputViewSet, basename="output")
router.register("reports", ReportViewSet, basename="report")
router.register("reviews", ReviewViewSet, basename="review")

urlpatterns = [
    path("v1/", include((router.urls, "api"), namespace="api")),
    path("v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["data:"]})(
            DocsView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]
