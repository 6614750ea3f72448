"""The REST API under /api/v1/, its OpenAPI 3 schema and its documentation page."""

from csp.decorators import csp_update
from django.urls import include, path
from django.utils.module_loading import import_string
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter

from kyoso.common import registry
from kyoso.common.access import PUBLIC, policy


class SchemaView(SpectacularAPIView):
    access = policy(PUBLIC)


class DocsView(SpectacularSwaggerSplitView):
    access = policy(PUBLIC)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (login throttling applies)."""

    access = policy(PUBLIC)


class Router(DefaultRouter):
    include_root_view = False


def build_router() -> Router:
    """The /api/v1/ routes every installed app declares in its manifest (``api_routes``)."""
    router = Router()
    for route in registry.api_routes():
        router.register(route.prefix, import_string(route.viewset), basename=route.basename)
    return router


router = build_router()

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
