from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "kyoso.consultations"
    verbose_name = _("意見募集")
    manifest = "kyoso.consultations.manifest.MANIFEST"  # what the app adds to the whole: kyoso.common.registry
