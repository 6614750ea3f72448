"""What the accounts app adds to the whole (see ``kyoso.common.registry``)."""

from kyoso.common.registry import Manifest, UrlMount

MANIFEST = Manifest(urls=(UrlMount("accounts/", "kyoso.accounts.urls"),))
