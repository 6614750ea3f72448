from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "kyoso.portfolio"
    verbose_name = _("共同研究ポートフォリオ")
    manifest = "kyoso.portfolio.manifest.MANIFEST"  # what the app adds to the whole: kyoso.common.registry

    def ready(self) -> None:
        from . import signals  # noqa: F401 - applies a review's recommendation once the venue decides it
