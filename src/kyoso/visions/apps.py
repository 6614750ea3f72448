from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisionsConfig(AppConfig):
    name = "kyoso.visions"
    verbose_name = _("地域ビジョン")

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the endorsement outcome to vision versions
