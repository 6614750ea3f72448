from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisionsConfig(AppConfig):
    name = "kyoso.visions"
    verbose_name = _("地域ビジョン")
    manifest = "kyoso.visions.manifest.MANIFEST"  # what the app adds to the whole: kyoso.common.registry

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the endorsement outcome to vision versions
