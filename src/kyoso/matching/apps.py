from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "kyoso.matching"
    verbose_name = _("シーズ・ニーズのマッチング")
    manifest = "kyoso.matching.manifest.MANIFEST"  # what the app adds to the whole: kyoso.common.registry
