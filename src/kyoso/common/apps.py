from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "kyoso.common"
    verbose_name = _("共通")

    def ready(self) -> None:
        from django.core import checks

        from .registry import check_registry

        checks.register(check_registry)  # every app's manifest: dotted paths import, URL names reverse
