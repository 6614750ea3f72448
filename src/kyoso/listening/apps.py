from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListeningConfig(AppConfig):
    name = "kyoso.listening"
    verbose_name = _("自由記述の分類（広聴）")
    manifest = "kyoso.listening.manifest.MANIFEST"  # what the app adds to the whole: kyoso.common.registry
