"""Rules of the venue services, through the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.utils import timezone

from kyoso.common.models import AuditEvent
from kyoso.regions.models import Organization, Person
from kyoso.venues import services
from kyoso.venues.models import (
    ActionItem,
    Decision,
    ImmutableDecisionError,
    Meeting,
    Representative,
    Venue,
    VenueRole,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def venue(users):
    return Venue.objects.get(slug="hamamatsu-sample")


def rep(username):
    return Representative.objects.get(person__user__username=username)


def test_sample_venue_has_every_sector_meetings_decisions_and_actions_in_every_state(venue):
    assert set(venue.memberships.values_list("sector", flat=True)) == {
        "government", "academia", "industry", "finance", "civil_society"}
    assert venue.meetings.filter(minutes_status="final").count() >= 2
    assert venue.meetings.exclude(minutes="").count() >= 3
    assert venue.decisions.filter(status="finalised", proposal__endorsements__isnull=False).exists()
    assert set(ActionItem.objects.filter(venue=venue).values_list("status", flat=True)) == {
        "open", "in_progress", "done", "cancelled"}
    assert ActionItem.objects.filter(venue=venue, status__in=["open", "in_progress"],
                                     due_date__lt=timezone.localdate()).exists()


def test_membership_in_region_is_derived_from_the_location(venue, users):
    outside = Organization.objects.create(name="東京の企業（テスト）", sector="industry", kind="large_company",
                                          region=Organization.objects.get(reference_key="sample:national-programme")
                                          .region)
    membership = services.membership_add(actor=users["secretariat"], venue=venue, organization=outside)
    assert membership.in_region is False and membership.sector == "industry"
    with pytest.raises(ValidationError):
        services.membership_add(actor=users["secretariat"], venue=venue, organization=outside)


def test_representative_with_login_gets_the_member_role(venue, users):
    person = Person.objects.get(user__username="researcher")
    membership = venue.memberships.get(organization__reference_key="sample:tenryu-robotics")
    services.representative_add(actor=users["secretariat"], membership=membership, person=person, layer="key_person")
    assert VenueRole.objects.filter(venue=venue, user=users["researcher"], role="member_representative").exists()


def test_endorsement_flow_per_sector(venue, users):
    decision = services.decision_create(actor=users["secretariat"], venue=venue, title="テスト", text="実証実験を行う")
    proposal = services.decision_propose(actor=users["secretariat"], decision=decision)
    services.endorsement_record(actor=users["company"], proposal=proposal, representative=rep("company"),
                                stance="endorse")
    services.endorsement_record(actor=users["ura"], proposal=proposal, representative=rep("ura"), stance="endorse")
    decision.refresh_from_db()
    assert decision.status == "proposed"
    with pytest.raises(ValidationError):
        services.endorsement_record(actor=users["ura"], proposal=proposal, representative=rep("ura"),
                                    stance="endorse")
    services.endorsement_record(actor=users["secretariat"], proposal=proposal, representative=rep("secretariat"),
                                stance="endorse")
    decision.refresh_from_db()
    assert decision.status == "agreed"
    finalised = services.decision_finalise(actor=users["secretariat"], decision=decision)
    others = Decision.objects.filter(venue=venue).exclude(pk=decision.pk).aggregate(n=Max("number"))["n"]
    assert finalised.number == others + 1


def test_an_objection_needs_a_reason_and_rejects_under_unanimity(venue, users):
    decision = services.decision_create(actor=users["secretariat"], venue=venue, title="反対テスト", text="本文")
    proposal = services.decision_propose(actor=users["secretariat"], decision=decision)
    with pytest.raises(ValidationError):
        services.endorsement_record(actor=users["bank"], proposal=proposal, representative=rep("company"),
                                    stance="object")
    services.endorsement_record(actor=users["company"], proposal=proposal, representative=rep("company"),
                                stance="object", reason="費用負担が不明確")
    decision.refresh_from_db()
    assert decision.status == "rejected"


def test_a_finalised_decision_cannot_be_edited(venue, users):
    decision = venue.decisions.filter(status="finalised").first()
    with pytest.raises(PermissionDenied):
        services.decision_update(actor=users["secretariat"], decision=decision, expected_version=decision.version,
                                 text="書き換え")
    decision.text = "書き換え"
    with pytest.raises(ImmutableDecisionError):
        decision.save()
    decision.refresh_from_db()
    assert decision.text != "書き換え"


def test_amendment_chain_needs_a_finalised_previous_decision(venue, users):
    draft = venue.decisions.filter(status="draft").first()
    with pytest.raises(ValidationError):
        services.decision_create(actor=users["secretariat"], venue=venue, title="x", text="y", previous=draft,
                                 relation="amends")
    base = venue.decisions.filter(status="finalised").first()
    with pytest.raises(ValidationError):
        services.decision_create(actor=users["secretariat"], venue=venue, title="x", text="y", previous=base)


def test_concurrent_decision_draft_edits_conflict(venue, users):
    draft = services.decision_create(actor=users["secretariat"], venue=venue, title="案", text="最初の本文")
    services.decision_update(actor=users["secretariat"], decision=draft, expected_version=1, text="Aさんの本文")
    with pytest.raises(services.EditConflict) as conflict:
        services.decision_update(actor=users["admin"], decision=draft, expected_version=1, text="Bさんの本文")
    assert conflict.value.theirs == "Aさんの本文" and conflict.value.mine == "Bさんの本文"
    draft.refresh_from_db()
    assert draft.text == "Aさんの本文"


def test_concurrent_minutes_edits_conflict_and_final_minutes_are_immutable(venue, users):
    meeting = venue.meetings.get(minutes_status="draft")
    version = meeting.minutes_version
    services.minutes_save(actor=users["ura"], meeting=meeting, text="修正A", expected_version=version)
    with pytest.raises(services.EditConflict) as conflict:
        services.minutes_save(actor=users["company"], meeting=meeting, text="修正B", expected_version=version)
    assert conflict.value.theirs == "修正A"
    services.minutes_finalise(actor=users["secretariat"], meeting=meeting)
    with pytest.raises(PermissionDenied):
        services.minutes_save(actor=users["secretariat"], meeting=meeting, text="後から", expected_version=version + 1)


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [("資料.pdf", b"%PDF-1.7\n", True), ("table.xlsx", b"PK\x03\x04rest", True), ("virus.exe", b"MZ", False),
     ("fake.pdf", b"PK\x03\x04", False), ("empty.pdf", b"", False)],
)
def test_document_types_are_checked(venue, users, name, content, ok):
    meeting = venue.meetings.first()
    upload = SimpleUploadedFile(name, content)
    if ok:
        document = services.document_add(actor=users["ura"], meeting=meeting, title="", upload=upload)
        assert document.original_name == name and not document.file.name.endswith(name)
    else:
        with pytest.raises(ValidationError):
            services.document_add(actor=users["ura"], meeting=meeting, title="", upload=upload)
        assert not meeting.documents.exists()


def test_action_progress_sets_and_clears_completion(venue, users):
    action = ActionItem.objects.filter(venue=venue, status="open").first()
    services.action_progress(actor=users["ura"], action=action, status="done", note="完了")
    assert action.completed_on is not None
    services.action_progress(actor=users["ura"], action=action, status="in_progress", note="再開")
    assert action.completed_on is None and action.progress_notes.count() == 2
    with pytest.raises(ValidationError):
        services.action_progress(actor=users["ura"], action=action, status="in_progress", note="  ")


def test_services_write_audit_events(venue, users):
    before = AuditEvent.objects.count()
    services.meeting_create(actor=users["secretariat"], venue=venue, title="臨時会議",
                            starts_at=Meeting.objects.first().starts_at, agenda=["議題1", "", "議題2"])
    assert AuditEvent.objects.count() == before + 1
    assert Meeting.objects.get(title="臨時会議").agenda_items.count() == 2
