from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from kyoso.common.access import PUBLIC, access

from .models import Venue, VenueRole
from .queries import roles_in_venue


@require_safe
@access(PUBLIC)
def venue_list(request: HttpRequest) -> HttpResponse:
    venues = Venue.objects.visible_to(request.user).prefetch_related("regions")
    return render(request, "venues/venue_list.html", {"venues": venues})


@require_safe
@access(PUBLIC)
def venue_detail(request: HttpRequest, slug: str) -> HttpResponse:
    venue = get_object_or_404(Venue.objects.visible_to(request.user).prefetch_related("regions"), slug=slug)
    roles = sorted(roles_in_venue(request.user, venue.pk))
    context = {"venue": venue, "my_roles": [VenueRole.Role(role).label for role in roles]}
    return render(request, "venues/venue_detail.html", context)
