"""The site's home page: the directory's counts and the venues the visitor may see.

It lives in venues (not common) because it reads regions and venues, and imports point one way
(common <- regions <- venues); the template stays ``common/home.html``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kyoso.common.access import PUBLIC, access
from kyoso.regions import queries as region_queries
from kyoso.venues.models import Venue


@require_safe
@access(PUBLIC)
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "counts": region_queries.directory_counts(),
        "venues": Venue.objects.visible_to(request.user).order_by("name")[:10],
    }
    return render(request, "common/home.html", context)
