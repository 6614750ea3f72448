"""The venue's endorsement settings in use: hosts, named members, out-of-region members, deadline and reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kyoso.regions.models import Organization
from kyoso.venues import services
from kyoso.venues.models import Decision, Proposal, Representative, Venue

pytestmark = pytest.mark.django_db


def sample_venue() -> Venue:
    return Venue.objects.get(is_sample=True)


def rep(venue: Venue, org_key: str) -> Representative:
    return Representative.objects.filter(membership__venue=venue, membership__organization__reference_key=org_key) \
        .select_related("membership", "person").order_by("id").first()


def propose(venue: Venue, title: str = "設定のテスト（サンプル）") -> Proposal:
    decision = services.decision_create(actor=None, venue=venue, title=title, text="本文")
    return services.decision_propose(actor=None, decision=decision)


def endorse(proposal: Proposal, representative: Representative, stance: str = "endorse") -> str:
    services.endorsement_record(actor=None, proposal=proposal, representative=representative, stance=stance,
                                reason="理由" if stance == "object" else "")
    proposal.refresh_from_db()
    return proposal.status


def test_every_host_government_must_endorse(users):
    venue = sample_venue()
    city, pref = (Organization.objects.get(reference_key=k) for k in ("sample:city", "sample:pref"))
    venue.hosts.set([city, pref])
    proposal = propose(venue)
    assert sorted(proposal.required_organizations) == sorted([city.pk, pref.pk])
    assert endorse(proposal, rep(venue, "sample:uni")) == "open"
    assert endorse(proposal, rep(venue, "sample:enshu-seimitsu")) == "open"
    assert endorse(proposal, rep(venue, "sample:pref")) == "open"  # the prefecture does not speak for the city
    assert endorse(proposal, rep(venue, "sample:city")) == "agreed"
    assert Decision.objects.get(proposal=proposal).status == Decision.Status.AGREED


def test_named_members_and_out_of_region_members(users):
    venue = sample_venue()
    bank = Organization.objects.get(reference_key="sample:enshu-mirai-bank")
    venue.required_endorsers.set([bank])
    proposal = propose(venue)
    for key in ("sample:uni", "sample:enshu-seimitsu", "sample:city"):
        assert endorse(proposal, rep(venue, key)) == "open"
    assert endorse(proposal, rep(venue, "sample:enshu-mirai-bank")) == "agreed"
    # An out-of-region member does not count for its sector unless the venue says so.
    venue.required_endorsers.clear()
    company = rep(venue, "sample:enshu-seimitsu").membership
    company.in_region = False
    company.save()
    proposal = propose(venue, "地域外のテスト（サンプル）")
    for key in ("sample:uni", "sample:city", "sample:enshu-seimitsu"):
        assert endorse(proposal, rep(venue, key)) == "open"
    evaluation = services.evaluate_proposal(proposal)
    assert evaluation.missing_sectors == ["industry"]


def test_deadline_evaluates_after_it_and_reminds_non_responders(users):
    venue = sample_venue()
    venue.endorsement_days = 14
    venue.save()
    today = timezone.localdate()
    decision = services.decision_create(actor=None, venue=venue, title="期限つきの決定（サンプル）", text="本文")
    services.decision_propose(actor=None, decision=decision)
    proposal = Decision.objects.get(pk=decision.pk).proposal
    proposal.deadline = today + dt.timedelta(days=14)
    proposal.save()
    for key in ("sample:uni", "sample:enshu-seimitsu", "sample:city"):
        assert endorse(proposal, rep(venue, key)) == "open"  # all sectors agreed, but the deadline has not passed
    mail.outbox.clear()
    assert services.endorsement_deadlines_process(today=today) == {"closed": 0, "reminded": 0}
    near = proposal.deadline - dt.timedelta(days=2)
    result = services.endorsement_deadlines_process(today=near)
    responded = set(proposal.endorsements.values_list("representative__person__email", flat=True))
    recipients = {address for message in mail.outbox for address in message.to}
    assert result["reminded"] == len(mail.outbox) > 0 and not recipients & responded
    assert "期限" in mail.outbox[0].subject
    assert services.endorsement_deadlines_process(today=near)["reminded"] == 0  # once
    after = proposal.deadline + dt.timedelta(days=1)
    assert services.endorsement_deadlines_process(today=after) == {"closed": 1, "reminded": 0}
    proposal.refresh_from_db()
    assert proposal.status == "agreed" and Decision.objects.get(pk=decision.pk).status == "agreed"


def test_a_deadline_that_passes_without_the_required_endorsements_rejects(users):
    venue = sample_venue()
    venue.endorsement_days = 7
    venue.save()
    proposal = propose(venue)
    endorse(proposal, rep(venue, "sample:uni"))
    after = proposal.deadline + dt.timedelta(days=1)
    assert services.endorsement_deadlines_process(today=after)["closed"] == 1
    proposal.refresh_from_db()
    assert proposal.status == "rejected"


def test_secretariat_edits_the_settings_in_the_venue_form(client, users):
    venue = sample_venue()
    bank = Organization.objects.get(reference_key="sample:enshu-mirai-bank")
    client.force_login(users["secretariat"])
    form = client.get(reverse("venues:venue_update", args=[venue.slug])).content.decode()
    for name in ("hosts_must_endorse", "required_endorsers", "top_layer_for_visions", "count_out_of_region",
                 "endorsement_days"):
        assert f'name="{name}"' in form
    data = {"name": venue.name, "slug": venue.slug, "purpose": venue.purpose, "is_public": "on",
            "required_sectors": ["industry", "academia", "government"], "endorsement_rule": "unanimous",
            "min_endorsements": 1, "hosts_must_endorse": "on", "required_endorsers": [bank.pk],
            "count_out_of_region": "on", "endorsement_days": 10}
    token = client.get(reverse("venues:venue_update", args=[venue.slug])).context["form"].initial.get("token")
    if token:
        data["token"] = token
    response = client.post(reverse("venues:venue_update", args=[venue.slug]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    venue.refresh_from_db()
    assert venue.endorsement_days == 10 and venue.count_out_of_region and not venue.top_layer_for_visions
    assert list(venue.required_endorsers.all()) == [bank]
