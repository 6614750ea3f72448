"""Every edit form, through its page: the audit event names the changed fields with their real before and after.

The forms are ModelForms: they copy the submitted values onto the instance before the view calls the service, so a
service that took "before" from that instance recorded {} -> {} (issue 10). ``audit.update`` reads the row again.
"""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from django.urls import reverse

from kyoso.common.models import AuditEvent

pytestmark = pytest.mark.django_db
SLUG = "hamamatsu-sample"


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date | decimal.Decimal):
        return str(value)
    return value


def form_data(form) -> dict:
    """What a browser would submit for the unchanged form as the page renders it."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[form.add_prefix(name)] = _plain(value)
    return data


def edit_through_page(client, user, url, field, value):
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.context["form"])
    data[field] = value
    response = client.post(url, data)
    assert response.status_code == 302, getattr(response.context.get("form") if response.context else None,
                                                 "errors", response.status_code)


def last_update(instance) -> AuditEvent:
    return AuditEvent.objects.filter(action="update", object_type=instance._meta.label_lower,
                                     object_id=str(instance.pk)).latest("id")


def _vision():
    from kyoso.visions.models import Vision

    return Vision.objects.filter(venue__slug=SLUG).order_by("id").first()


def _cases():
    """(name, object, persona, url, field) for each edit page; the object is looked up after the sample is built."""
    from kyoso.portfolio.models import Project
    from kyoso.regions.models import Organization
    from kyoso.venues.models import Meeting, Venue
    from kyoso.visions.models import Kpi, Milestone

    venue = Venue.objects.get(slug=SLUG)
    vision = _vision()
    kpi = Kpi.objects.filter(vision=vision).order_by("id").first()
    milestone = Milestone.objects.filter(vision=vision).order_by("id").first()
    meeting = Meeting.objects.filter(venue=venue).order_by("id").first()
    organization = Organization.objects.filter(memberships__venue=venue, is_sample=True).order_by("id").first()
    project = Project.objects.filter(venue=venue).order_by("id").first()
    return {
        "vision": (vision, reverse("visions:vision_update", args=[SLUG, vision.pk]), "title"),
        "kpi": (kpi, reverse("visions:kpi_update", args=[SLUG, vision.pk, kpi.pk]), "name"),
        "milestone": (milestone, reverse("visions:milestone_update", args=[SLUG, vision.pk, milestone.pk]),
                      "title"),
        "venue": (venue, reverse("venues:venue_update", args=[SLUG]), "name"),
        "meeting": (meeting, reverse("venues:meeting_update", args=[SLUG, meeting.pk]), "title"),
        "organization": (organization, reverse("regions:organization_update", args=[organization.pk]), "name"),
        "project": (project, reverse("portfolio:project_update", args=[SLUG, project.pk]), "title"),
    }


@pytest.mark.parametrize("name", ["vision", "kpi", "milestone", "venue", "meeting", "organization", "project"])
def test_edit_form_records_the_changed_field(client, users, name):
    instance, url, field = _cases()[name]
    old = getattr(instance, field)
    new = f"{old}（改訂・サンプル）"
    edit_through_page(client, users["secretariat"], url, field, new)
    event = last_update(instance)
    assert event.before.get(field) == old
    assert event.after.get(field) == new
    assert event.actor == users["secretariat"]


def test_unchanged_edit_records_no_difference(client, users):
    instance, url, field = _cases()["meeting"]
    edit_through_page(client, users["secretariat"], url, field, instance.title)
    assert last_update(instance).after == {}


def test_venue_hosts_change_is_recorded(client, users):
    from kyoso.regions.models import Organization
    from kyoso.venues import services
    from kyoso.venues.models import Venue

    venue = Venue.objects.get(slug=SLUG)
    old_hosts = sorted(venue.hosts.values_list("pk", flat=True))
    extra = Organization.objects.exclude(pk__in=old_hosts).filter(sector="government").first()
    from django.db import transaction

    with transaction.atomic():
        services.venue_update(actor=users["secretariat"], venue=venue, hosts=[*venue.hosts.all(), extra])
    event = last_update(venue)
    assert sorted(event.before["hosts"]) == old_hosts
    assert sorted(event.after["hosts"]) == sorted([*old_hosts, extra.pk])
