"""Top-level URLs. Every view here declares its access policy (see kyoso.common.access)."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from kyoso.common import registry
from kyoso.common import views as common_views
from kyoso.common.access import PUBLIC, access
from kyoso.venues.home import home

admin.site.site_header = "Kyoso 管理画面"
admin.site.site_title = "Kyoso"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    path("i18n/setlang/", access(PUBLIC)(set_language), name="set_language"),
    # Each app mounts its URLs through its manifest (kyoso.common.registry), in INSTALLED_APPS order.
    *(path(mount.prefix, include(mount.module)) for mount in registry.url_mounts()),
    path("admin/", admin.site.urls),
]

handler403 = "kyoso.common.views.permission_denied"
handler404 = "kyoso.common.views.page_not_found"
handler500 = "kyoso.common.views.server_error"

