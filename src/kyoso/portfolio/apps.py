from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "kyoso.portfolio"
    verbose_name = _("共同研究ポートフォリオ")
