"""Writes of the venue area. Each service owns its transaction and records an audit event.

Rules enforced here (never only in views): finalised decisions and minutes are immutable;
concurrent edits of the same minutes or decision draft raise ``EditConflict`` instead of
overwriting; objections need a reason; only a representative may endorse, once per proposal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kyoso.common import audit
from kyoso.common.domain.sectors import SECTORS
from kyoso.regions.models import Organization, Person

from .domain import endorsement as rules
from .domain.actions import ActionStatus
from .domain.documents import DocumentProblem, check_document
from .domain.membership import is_in_region
from .models import (
    ActionItem,
    ActionProgress,
    AgendaItem,
    Attendance,
    Decision,
    Endorsement,
    Meeting,
    MeetingDocument,
    Membership,
    Proposal,
    Representative,
    Venue,
    VenueRole,
)
from .signals import decision_finalised, proposal_decided


@dataclass
class EditConflict(Exception):
    """Somebody else saved first: both versions are kept so that nothing typed is lost."""

    theirs: str
    mine: str
    current_version: int


# --- Venues and members -----------------------------------------------------------------------


@transaction.atomic
def venue_create(*, actor: Any, name: str, slug: str, purpose: str = "", regions: Iterable[Any] = (),
                 hosts: Iterable[Organization] = (), required_endorsers: Iterable[Organization] = (),
                 **fields: Any) -> Venue:
    """Create a venue; its creator becomes its secretariat."""
    venue = Venue(name=name, slug=slug, purpose=purpose, **fields)
    if not venue.required_sectors:
        venue.required_sectors = ["industry", "academia", "government"]
    venue.full_clean()
    venue.save()
    venue.regions.set(regions)
    venue.hosts.set(hosts)
    venue.required_endorsers.set(required_endorsers)
    if getattr(actor, "is_authenticated", False):
        VenueRole.objects.get_or_create(venue=venue, user=actor, role=VenueRole.Role.SECRETARIAT)
    audit.record(actor=actor, action="create", instance=venue, after=audit.snapshot(venue))
    return venue


@transaction.atomic
def venue_update(*, actor: Any, venue: Venue, regions: Iterable[Any] | None = None,
                 hosts: Iterable[Organization] | None = None, required_endorsers: Iterable[Organization] | None = None,
                 **changes: Any) -> Venue:
    return audit.update(actor=actor, instance=venue, changes=changes,
                        m2m={"regions": regions, "hosts": hosts, "required_endorsers": required_endorsers})


@transaction.atomic
def membership_add(*, actor: Any, venue: Venue, organization: Organization, sector: str = "",
                   in_region: bool | None = None, joined_on: dt.date | None = None, note: str = "") -> Membership:
    if Membership.objects.filter(venue=venue, organization=organization).exists():
        raise ValidationError({"organization": _("この組織はすでに構成員です。")})
    if in_region is None:
        codes = set(venue.regions.values_list("code", flat=True))
        in_region = is_in_region(organization.region.code if organization.region_id else None, codes)
    membership = Membership(venue=venue, organization=organization, sector=sector or organization.sector,
                            in_region=in_region, joined_on=joined_on or timezone.localdate(), note=note)
    membership.full_clean()
    membership.save()
    audit.record(actor=actor, action="create", instance=membership, after=audit.snapshot(membership))
    return membership


@transaction.atomic
def representative_add(*, actor: Any, membership: Membership, person: Person, layer: str,
                       title: str = "") -> Representative:
    """Add a representative; a person with a login also gets the member-representative role."""
    if Representative.objects.filter(membership=membership, person=person).exists():
        raise ValidationError({"person": _("この人はすでにこの構成員の代表者です。")})
    representative = Representative(membership=membership, person=person, layer=layer, title=title)
    representative.full_clean()
    representative.save()
    if person.user_id:
        VenueRole.objects.get_or_create(venue=membership.venue, user_id=person.user_id,
                                        role=VenueRole.Role.MEMBER_REPRESENTATIVE)
    audit.record(actor=actor, action="create", instance=representative, after=audit.snapshot(representative))
    return representative


# --- Meetings -------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, actor: Any, venue: Venue, title: str, starts_at: dt.datetime, agenda: Iterable[str] = (),
                   **fields: Any) -> Meeting:
    meeting = Meeting(venue=venue, title=title, starts_at=starts_at, **fields)
    meeting.full_clean()
    meeting.save()
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, order=i, title=t.strip()) for i, t in enumerate(agenda, 1) if t.strip()
    )
    audit.record(actor=actor, action="create", instance=meeting, after=audit.snapshot(meeting))
    return meeting


@transaction.atomic
def meeting_update(*, actor: Any, meeting: Meeting, **changes: Any) -> Meeting:
    return audit.update(actor=actor, instance=meeting, changes=changes)


@transaction.atomic
def meeting_publish_minutes(*, actor: Any, meeting: Meeting, minutes_public: bool) -> Meeting:
    """Publish (or withdraw) the meeting's minutes on the venue's public site. Only final minutes are ever shown
    (``Meeting.objects.public_minutes``); the flag may be set before they are final and takes effect then."""
    return audit.update(actor=actor, instance=meeting, changes={"minutes_public": bool(minutes_public)})


@transaction.atomic
def agenda_item_add(*, actor: Any, meeting: Meeting, title: str, description: str = "") -> AgendaItem:
    order = (meeting.agenda_items.aggregate(m=Max("order"))["m"] or 0) + 1
    item = AgendaItem(meeting=meeting, order=order, title=title, description=description)
    item.full_clean()
    item.save()
    audit.record(actor=actor, action="create", instance=item, after=audit.snapshot(item))
    return item


@transaction.atomic
def attendance_set(*, actor: Any, meeting: Meeting, people: Iterable[Person]) -> list[Attendance]:
    """Record who attended; each attendance keeps the person's organisation, sector and layer at the time."""
    people = list(people)
    reps = {
        r.person_id: r
        for r in Representative.objects.filter(membership__venue=meeting.venue, person__in=people)
        .select_related("membership")
    }
    before = sorted(meeting.attendances.values_list("person_id", flat=True))
    meeting.attendances.all().delete()
    rows = []
    for person in people:
        rep = reps.get(person.pk)
        rows.append(Attendance(
            meeting=meeting, person=person,
            organization_id=rep.membership.organization_id if rep else None,
            sector=rep.membership.sector if rep else "", layer=rep.layer if rep else "",
        ))
    Attendance.objects.bulk_create(rows)
    if meeting.status == Meeting.Status.SCHEDULED and rows and meeting.starts_at <= timezone.now():
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="update", instance=meeting, before={"attendance": before},
                 after={"attendance": sorted(p.pk for p in people)})
    return rows


@transaction.atomic
def minutes_save(*, actor: Any, meeting: Meeting, text: str, expected_version: int) -> Meeting:
    """Save draft minutes. A stale ``expected_version`` raises EditConflict; final minutes are immutable."""
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.minutes_status == Meeting.MinutesStatus.FINAL:
        raise PermissionDenied(_("議事録は確定済みのため修正できません。"))
    if current.minutes_version != expected_version:
        raise EditConflict(theirs=current.minutes, mine=text, current_version=current.minutes_version)
    before = {"minutes": current.minutes, "minutes_version": current.minutes_version}
    current.minutes = text
    current.minutes_version += 1
    current.minutes_status = Meeting.MinutesStatus.DRAFT
    current.save(update_fields=["minutes", "minutes_version", "minutes_status", "updated_at"])
    audit.record(actor=actor, action="update", instance=current, before=before,
                 after={"minutes": current.minutes, "minutes_version": current.minutes_version})
    meeting.refresh_from_db()
    return current


@transaction.atomic
def minutes_finalise(*, actor: Any, meeting: Meeting) -> Meeting:
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not current.minutes.strip():
        raise ValidationError(_("議事録が空のため確定できません。"))
    if current.minutes_status == Meeting.MinutesStatus.FINAL:
        return current
    current.minutes_status = Meeting.MinutesStatus.FINAL
    current.minutes_finalised_at = timezone.now()
    current.save(update_fields=["minutes_status", "minutes_finalised_at", "updated_at"])
    audit.record(actor=actor, action="update", instance=current, before={"minutes_status": "draft"},
                 after={"minutes_status": "final"})
    return current


DOCUMENT_MESSAGES = {
    "type": gettext_noop("このファイル形式（.%(extension)s）は添付できません。使える形式: %(allowed)s"),
    "empty": gettext_noop("ファイルが空です。"),
    "size": gettext_noop("ファイルが大きすぎます（%(size_mb)s MB）。%(max_mb)s MB 以下にしてください。"),
    "content": gettext_noop("ファイルの中身が拡張子（.%(extension)s）と一致しません。"),
}


@transaction.atomic
def document_add(*, actor: Any, meeting: Meeting, title: str, upload: UploadedFile) -> MeetingDocument:
    head = upload.read(16)
    upload.seek(0)
    try:
        checked = check_document(upload.name or "", upload.size or 0, head)
    except DocumentProblem as problem:
        raise ValidationError({"file": _(DOCUMENT_MESSAGES[problem.code]) % problem.params}) from problem
    document = MeetingDocument(meeting=meeting, title=title or upload.name, original_name=(upload.name or "")[:255],
                               extension=checked.extension, content_type=checked.content_type, size=checked.size,
                               uploaded_by=actor if getattr(actor, "is_authenticated", False) else None)
    document.file.save(upload.name or f"document.{checked.extension}", upload, save=False)
    document.save()
    audit.record(actor=actor, action="create", instance=document, after=audit.snapshot(document))
    return document


# --- Decisions and endorsements -------------------------------------------------------------

DECISION_FIELDS = ("title", "text", "rationale", "applies_to", "method", "votes_for", "votes_against",
                   "votes_abstain", "is_public", "agenda_item", "decided_on")


def _check_agenda_item(venue: Venue, agenda_item: AgendaItem | None) -> None:
    if agenda_item is not None and agenda_item.meeting.venue_id != venue.pk:
        raise ValidationError({"agenda_item": _("この場の会議の議題を選んでください。")})


def _validate_votes(decision: Decision) -> None:
    if decision.method == Decision.Method.VOTE and decision.votes_for is None:
        raise ValidationError({"votes_for": _("採決の場合は賛成の数を入力してください。")})


@transaction.atomic
def decision_create(*, actor: Any, venue: Venue, title: str, text: str, previous: Decision | None = None,
                    relation: str = "", **fields: Any) -> Decision:
    if previous is not None:
        if previous.venue_id != venue.pk or previous.status != Decision.Status.FINALISED:
            raise ValidationError({"previous": _("変更・取消しできるのは、この場の確定した決定だけです。")})
        if not relation:
            raise ValidationError({"relation": _("前の決定との関係（変更か取消しか）を選んでください。")})
    _check_agenda_item(venue, fields.get("agenda_item"))
    decision = Decision(venue=venue, title=title, text=text, previous=previous, relation=relation, **fields)
    _validate_votes(decision)
    decision.full_clean()
    decision.save()
    audit.record(actor=actor, action="create", instance=decision, after=audit.snapshot(decision))
    return decision


@transaction.atomic
def decision_update(*, actor: Any, decision: Decision, expected_version: int, **changes: Any) -> Decision:
    """Edit a draft. Anything but a draft is immutable; a stale version raises EditConflict."""
    current = Decision.objects.select_for_update().get(pk=decision.pk)
    if not current.is_editable:
        raise PermissionDenied(_("案の段階を過ぎた決定は編集できません。変更は新しい決定で行います。"))
    if current.version != expected_version:
        raise EditConflict(theirs=current.text, mine=changes.get("text", current.text),
                           current_version=current.version)
    unknown = set(changes) - set(DECISION_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if "agenda_item" in changes:
        _check_agenda_item(current.venue, changes["agenda_item"])
    before = audit.snapshot(current)
    for field, value in changes.items():
        setattr(current, field, value)
    current.version += 1
    _validate_votes(current)
    current.full_clean()
    current.save()
    audit.record(actor=actor, action="update", instance=current, before=before, after=audit.snapshot(current))
    return current


def proposal_open(*, venue: Venue, for_vision: bool = False, today: dt.date | None = None) -> Proposal:
    """Open a per-sector endorsement with the venue's rule at this moment (used for decisions and visions).

    The proposal keeps what the venue requires at this moment: the endorsement of each host government that is a
    member and of each member the venue names, a top-layer endorsement for a vision version (when the venue asks for
    it), whether out-of-region members count, and the deadline ``endorsement_days`` from today."""
    today = today or timezone.localdate()
    members = set(venue.memberships.filter(left_on__isnull=True).values_list("organization_id", flat=True))
    required = set(venue.required_endorsers.values_list("pk", flat=True))
    if venue.hosts_must_endorse:
        required |= set(venue.hosts.values_list("pk", flat=True))
    deadline = today + dt.timedelta(days=venue.endorsement_days) if venue.endorsement_days else None
    return Proposal.objects.create(
        venue=venue, required_sectors=venue.sectors_required, rule=venue.endorsement_rule,
        min_endorsements=venue.min_endorsements, required_organizations=sorted(required & members),
        require_top_layer=for_vision and venue.top_layer_for_visions, count_out_of_region=venue.count_out_of_region,
        deadline=deadline,
    )


@transaction.atomic
def decision_propose(*, actor: Any, decision: Decision) -> Proposal:
    """Open per-sector endorsement of a draft, with the venue's rule at this moment."""
    current = Decision.objects.select_for_update().select_related("venue").get(pk=decision.pk)
    if current.status != Decision.Status.DRAFT:
        raise ValidationError(_("賛同を求められるのは案の段階の決定だけです。"))
    venue = current.venue
    proposal = proposal_open(venue=venue)
    current.proposal = proposal
    current.status = Decision.Status.PROPOSED
    current.save(update_fields=["proposal", "status", "updated_at"])
    audit.record(actor=actor, action="update", instance=current, before={"status": "draft"},
                 after={"status": "proposed", "proposal": proposal.pk})
    return proposal


def evaluate_proposal(proposal: Proposal, endorsements: Iterable[Endorsement] | None = None,
                      today: dt.date | None = None) -> rules.Evaluation:
    """The proposal's evaluation under the rule and requirements it was opened with (``domain.endorsement``)."""
    if endorsements is None:
        endorsements = proposal.endorsements.select_related("representative__membership")
    return rules.evaluate(
        [rules.Response(e.sector, rules.Stance(e.stance), e.representative.membership.organization_id,
                        e.representative.membership.in_region, e.representative.layer) for e in endorsements],
        required_sectors=proposal.required_sectors,
        rule=rules.Rule(proposal.rule),
        min_endorsements=proposal.min_endorsements,
        all_sectors=SECTORS,
        requirements=rules.Requirements(organizations=frozenset(proposal.required_organizations or ()),
                                        top_layer=proposal.require_top_layer,
                                        count_out_of_region=proposal.count_out_of_region,
                                        deadline=proposal.deadline),
        today=today or timezone.localdate(),
    )


def _close_if_decided(proposal: Proposal, today: dt.date | None = None) -> rules.Outcome:
    """Close a locked open proposal when its evaluation is decided; its decision follows (agreed / rejected)."""
    outcome = evaluate_proposal(proposal, today=today).outcome
    if outcome != rules.Outcome.OPEN:
        proposal.status = outcome.value
        proposal.closed_at = timezone.now()
        proposal.save(update_fields=["status", "closed_at", "updated_at"])
        Decision.objects.filter(proposal=proposal).update(
            status=Decision.Status.AGREED if outcome == rules.Outcome.AGREED else Decision.Status.REJECTED,
            updated_at=timezone.now(),
        )
        proposal_decided.send(sender=Proposal, proposal=proposal, outcome=outcome.value)
        audit.record(actor=None, action="update", instance=proposal, before={"status": "open"},
                     after={"status": outcome.value})
    return outcome


@transaction.atomic
def endorsement_record(*, actor: Any, proposal: Proposal, representative: Representative, stance: str,
                       reason: str = "") -> Endorsement:
    """Record a representative's endorsement, objection (with reason) or abstention; re-evaluate the proposal."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.OPEN:
        raise ValidationError(_("この提案の賛同受付は終了しています。"))
    if representative.membership.venue_id != proposal.venue_id:
        raise PermissionDenied(_("この場の構成員代表ではありません。"))
    if stance == rules.Stance.OBJECT and not reason.strip():
        raise ValidationError({"reason": _("反対する場合は理由を書いてください。")})
    if Endorsement.objects.filter(proposal=proposal, representative=representative).exists():
        raise ValidationError(_("この提案にはすでに意思表示をしています。"))
    endorsement = Endorsement.objects.create(proposal=proposal, representative=representative,
                                             sector=representative.membership.sector, stance=stance,
                                             reason=reason.strip())
    audit.record(actor=actor, action="create", instance=endorsement, after=audit.snapshot(endorsement))
    _close_if_decided(proposal)
    return endorsement


def _not_responded(proposal: Proposal) -> QuerySet[Representative]:
    responded = proposal.endorsements.values("representative")
    return (Representative.objects.filter(membership__venue_id=proposal.venue_id, membership__left_on__isnull=True)
            .exclude(pk__in=responded).select_related("person", "membership__organization"))


def proposal_remind(*, proposal: Proposal, today: dt.date) -> int:
    """E-mail every current representative who has not responded to an open proposal; returns how many were sent.

    Representatives without an e-mail address are skipped (the secretariat sees them as not responded)."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().select_related("venue").get(pk=proposal.pk)
        if proposal.status != Proposal.Status.OPEN:
            return 0
        proposal.last_reminded_on = today
        proposal.save(update_fields=["last_reminded_on", "updated_at"])
        audit.record(actor=None, action="update", instance=proposal, after={"last_reminded_on": today.isoformat()})
    subject_item = getattr(getattr(proposal, "decision", None), "title", "") or _("地域ビジョンの版")
    sent = 0
    for representative in _not_responded(proposal):
        address = representative.person.email
        if not address:
            continue
        body = _("%(venue)s の「%(item)s」への賛同の期限は %(deadline)s です。まだ意思表示をいただいていません"
                 "（%(organization)s の代表者として）。賛同・反対（理由つき）・棄権のいずれかをお知らせください。") % {
            "venue": proposal.venue.name, "item": subject_item, "organization": representative.membership.organization,
            "deadline": proposal.deadline.isoformat() if proposal.deadline else "",
        }
        sent += send_mail(_("【Kyoso】賛同の期限が近づいています: %(item)s") % {"item": subject_item}, body, None,
                          [address], fail_silently=True)
    return sent


def endorsement_deadlines_process(*, today: dt.date) -> dict[str, int]:
    """For every open proposal with a deadline: evaluate it once the deadline has passed, and remind those who have
    not responded in the last days before it (``domain.endorsement.reminder_due``). Run by the task
    ``venues.tasks.process_endorsement_deadlines`` (daily)."""
    closed = reminded = 0
    for proposal in Proposal.objects.filter(status=Proposal.Status.OPEN, deadline__isnull=False):
        if today > proposal.deadline:
            with transaction.atomic():
                locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
                if locked.status == Proposal.Status.OPEN and _close_if_decided(locked, today) != rules.Outcome.OPEN:
                    closed += 1
        elif rules.reminder_due(proposal.deadline, proposal.last_reminded_on, today):
            reminded += proposal_remind(proposal=proposal, today=today)
    return {"closed": closed, "reminded": reminded}


@transaction.atomic
def decision_record_agreement(*, actor: Any, proposal: Proposal, title: str, text: str, applies_to: str = "",
                              is_public: bool = False, decided_on: dt.date | None = None) -> Decision:
    """Record in the decision log an agreement reached through a proposal of another kind (a vision version): a
    consensus decision linked to the proposal (so its per-sector endorsements show), finalised and numbered."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.AGREED:
        raise ValidationError(_("合意していない提案は決定事項として記録できません。"))
    existing = Decision.objects.filter(proposal=proposal).first()
    if existing is not None:
        return existing
    decision = Decision(venue_id=proposal.venue_id, title=title[:200], text=text, applies_to=applies_to[:255],
                        method=Decision.Method.CONSENSUS, proposal=proposal, status=Decision.Status.AGREED,
                        is_public=is_public)
    decision.full_clean()
    decision.save()
    audit.record(actor=actor, action="create", instance=decision, after=audit.snapshot(decision))
    return decision_finalise(actor=actor, decision=decision, decided_on=decided_on)


@transaction.atomic
def decision_finalise(*, actor: Any, decision: Decision, decided_on: dt.date | None = None) -> Decision:
    """Finalise: an agreed proposal, or a draft decided at a meeting without the endorsement procedure.

    The decision gets the venue's next number and is immutable from then on.
    """
    current = Decision.objects.select_for_update().get(pk=decision.pk)
    if current.status not in (Decision.Status.AGREED, Decision.Status.DRAFT):
        raise ValidationError(_("確定できるのは、合意した決定か、賛同手続きを使わない案だけです。"))
    _validate_votes(current)
    Venue.objects.select_for_update().filter(pk=current.venue_id).first()  # serialise numbering per venue
    last = Decision.objects.filter(venue_id=current.venue_id).aggregate(n=Max("number"))["n"] or 0
    before = audit.snapshot(current)
    current.number = last + 1
    current.status = Decision.Status.FINALISED
    current.decided_on = decided_on or current.decided_on or timezone.localdate()
    current.finalised_at = timezone.now()
    current.finalised_by = actor if getattr(actor, "is_authenticated", False) else None
    current.save()
    audit.record(actor=actor, action="update", instance=current, before=before, after=audit.snapshot(current))
    decision_finalised.send(sender=Decision, decision=current, actor=actor)
    return current


# --- Actions ---------------------------------------------------------------------------------


@transaction.atomic
def action_create(*, actor: Any, decision: Decision, title: str, owner_person: Person | None = None,
                  owner_organization: Organization | None = None, due_date: dt.date | None = None,
                  description: str = "") -> ActionItem:
    if decision.status != Decision.Status.FINALISED:
        raise ValidationError(_("アクションは確定した決定から作成します。"))
    if owner_person is None and owner_organization is None:
        raise ValidationError({"owner_person": _("担当者か担当組織のどちらかを選んでください。")})
    if owner_organization is not None and not Membership.objects.filter(
            venue_id=decision.venue_id, organization=owner_organization).exists():
        raise ValidationError({"owner_organization": _("担当組織はこの場の構成員から選んでください。")})
    if owner_person is not None and not Representative.objects.filter(
            membership__venue_id=decision.venue_id, person=owner_person).exists():
        raise ValidationError({"owner_person": _("担当者はこの場の構成員代表から選んでください。")})
    action = ActionItem(venue_id=decision.venue_id, decision=decision, title=title, owner_person=owner_person,
                        owner_organization=owner_organization, due_date=due_date, description=description)
    action.full_clean()
    action.save()
    audit.record(actor=actor, action="create", instance=action, after=audit.snapshot(action))
    return action


@transaction.atomic
def action_progress(*, actor: Any, action: ActionItem, status: str, note: str = "",
                    today: dt.date | None = None) -> ActionItem:
    """Record progress: a note and (possibly) a new status; completion dates are kept in step."""
    if not note.strip() and status == action.status:
        raise ValidationError({"note": _("進捗メモか状態の変更を入力してください。")})
    before = audit.snapshot(action)
    action.status = status
    action.completed_on = (today or timezone.localdate()) if status == ActionStatus.DONE else None
    action.full_clean()
    action.save()
    ActionProgress.objects.create(action=action, author=actor if getattr(actor, "is_authenticated", False) else None,
                                  note=note.strip(), status=status)
    audit.record(actor=actor, action="update", instance=action, before=before, after=audit.snapshot(action))
    return action
