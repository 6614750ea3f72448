"""Site-wide pages: home, health check and error pages."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kyoso.common.access import PUBLIC, access, standing
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


@require_safe
@access(PUBLIC)
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"standing": standing(request.user)}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
