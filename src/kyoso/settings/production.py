"""Production settings: PostgreSQL, HTTPS behind a reverse proxy, secure cookies.

`kyoso check --deploy --fail-level WARNING` passes with these settings.
"""

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_str

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-kyoso_session"
CSRF_COOKIE_NAME = "__Host-kyoso_csrf"
KYOSO_SAMPLE_BANNER = env_bool("KYOSO_SAMPLE_BANNER", False)
if not env_str("SECRET_KEY") and not env_str("SECRET_KEY_FILE"):
    # A generated key under var/ is fine for the demo; production must set one explicitly.
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set in production.")
