from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "kyoso.api"
    verbose_name = _("API")
    manifest = "kyoso.api.manifest.MANIFEST"  # what the app adds to the whole: kyoso.common.registry
