from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kyoso.accounts"
    verbose_name = _("アカウント")
    manifest = "kyoso.accounts.manifest.MANIFEST"  # what the app adds to the whole: kyoso.common.registry
