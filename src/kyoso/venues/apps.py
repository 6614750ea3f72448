from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenuesConfig(AppConfig):
    name = "kyoso.venues"
    verbose_name = _("地域共創の場")
