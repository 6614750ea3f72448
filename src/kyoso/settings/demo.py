"""Settings for `make demo`: the embedded SQLite database, e-mail to the console, the product's own error pages.

DEBUG stays off (unless DEBUG=1 is set), so a missing page shows the product's 404 page rather than Django's
technical page listing every URL pattern; WhiteNoise serves the static files straight from the apps (finders), so
the demo needs no collectstatic step.
"""

from .base import *  # noqa: F403
from .base import STATIC_ROOT, STORAGES

KYOSO_SAMPLE_BANNER = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise wants the directory to exist
