from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "kyoso.public"
    verbose_name = _("公開サイト")
    manifest = "kyoso.public.manifest.MANIFEST"  # what the app adds to the whole: kyoso.common.registry
