"""The REST API's own entries (see ``kyoso.common.registry``); its routes come from every app's manifest."""

from django.utils.translation import gettext_lazy as _

from kyoso.common.registry import Manifest, NavLink, UrlMount

MANIFEST = Manifest(
    urls=(UrlMount("api/", "kyoso.api.urls"),),
    navigation=(NavLink(_("API"), "api-docs", section=False),),
)
