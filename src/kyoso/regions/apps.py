from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "kyoso.regions"
    verbose_name = _("地域・組織・人")
    manifest = "kyoso.regions.manifest.MANIFEST"  # what the app adds to the whole: kyoso.common.registry
