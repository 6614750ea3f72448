import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyoso.settings.production")
application = get_asgi_application()

if os.environ.get("KYOSO_MATCHING_WARM", "1") == "1":  # load the matching index now, not on the first request
    from kyoso.matching.index import warm_at_start_up

    warm_at_start_up()
