"""Writes of the venue-internal matching work: shortlists, their entries, contacts made and cross-appointment
proposals. Each service owns its transaction and records an audit event inside it.

Accepting a cross-appointment proposal creates the researcher's affiliation through
``regions.services.affiliation_create``, so its rule (concurrent effort shares add up to at most 100 %) is
the one that decides; its error is raised as this service's error, for the ``effort_share`` field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kyoso.common import audit
from kyoso.regions import services as region_services
from kyoso.venues.models import Venue
from kyoso.visions.models import RegionalIssue, ResearchTheme

from .models import ContactNote, CrossAppointmentProposal, Researcher, Shortlist, ShortlistEntry


def _save(instance: Any, actor: Any) -> Any:
    instance.full_clean()
    instance.save()
    audit.record(actor=actor, action="create", instance=instance, after=audit.snapshot(instance))
    return instance


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_target(venue: Venue, issue: RegionalIssue | None, theme: ResearchTheme | None) -> None:
    if issue is not None and issue.vision.venue_id != venue.pk:
        raise ValidationError({"issue": _("この場のビジョンの地域課題を選んでください。")})
    if theme is not None and theme.issue.vision.venue_id != venue.pk:
        raise ValidationError({"theme": _("この場のビジョンの研究開発テーマを選んでください。")})


def reasons_data(match: Any) -> list[dict[str, Any]]:
    """The reasons of a ``Match`` as plain JSON (kept on the entry as they were when it was added)."""
    return [
        {"record_id": r.record_id, "field": r.field, "matched_terms": list(r.matched_terms),
         "similarity": round(float(r.similarity), 4),
         "snippet": [{"text": s.text, "hit": bool(s.hit)} for s in r.snippet]}
        for r in getattr(match, "reasons", ())
    ]


@transaction.atomic
def shortlist_create(*, actor: Any, venue: Venue, title: str, need_text: str = "",
                     issue: RegionalIssue | None = None, theme: ResearchTheme | None = None,
                     filters: dict[str, Any] | None = None,
                     entries: Sequence[tuple[Researcher, Any]] = (), is_sample: bool = False) -> Shortlist:
    """A shortlist of the venue, tied to a regional issue or an R&D theme of its vision (or neither).

    ``entries``: (researcher, match or None) in rank order; a match's score and reasons are kept.
    """
    if theme is not None and issue is None:
        issue = theme.issue
    _check_target(venue, issue, theme)
    if theme is not None and theme.issue_id != issue.pk:  # type: ignore[union-attr]
        raise ValidationError({"theme": _("研究開発テーマは、選んだ地域課題のものを選んでください。")})
    shortlist = Shortlist(venue=venue, title=title, need_text=need_text, issue=issue, theme=theme,
                          filters=filters or {}, created_by=_user(actor), is_sample=is_sample)
    shortlist.full_clean()
    shortlist.save()
    seen: set[int] = set()
    rows = []
    for researcher, match in entries:
        if researcher.pk in seen:
            continue
        seen.add(researcher.pk)
        rows.append(_entry(actor, shortlist, researcher, match, position=len(rows) + 1))
    ShortlistEntry.objects.bulk_create(rows)
    audit.record(actor=actor, action="create", instance=shortlist,
                 after={**audit.snapshot(shortlist), "entries": sorted(seen)})
    return shortlist


def _entry(actor: Any, shortlist: Shortlist, researcher: Researcher, match: Any, *, position: int,
           note: str = "") -> ShortlistEntry:
    entry = ShortlistEntry(shortlist=shortlist, researcher=researcher, note=note, position=position,
                           score=round(float(match.score), 4) if match is not None else None,
                           reasons=reasons_data(match) if match is not None else [], added_by=_user(actor))
    entry.clean_fields()
    return entry


def _add(*, actor: Any, shortlist: Shortlist, researcher: Researcher, match: Any = None,
         note: str = "") -> ShortlistEntry:
    existing = ShortlistEntry.objects.filter(shortlist=shortlist, researcher=researcher).first()
    if existing is not None:
        return existing
    entry = _entry(actor, shortlist, researcher, match, position=shortlist.entries.count() + 1, note=note)
    entry.save()
    audit.record(actor=actor, action="create", instance=entry, after=audit.snapshot(entry))
    return entry


@transaction.atomic
def shortlist_add(*, actor: Any, shortlist: Shortlist, researcher: Researcher, match: Any = None,
                  note: str = "") -> ShortlistEntry:
    """Add a researcher to a shortlist (once: adding them again returns the existing entry)."""
    entry = _add(actor=actor, shortlist=shortlist, researcher=researcher, match=match, note=note)
    Shortlist.objects.filter(pk=shortlist.pk).update(updated_at=timezone.now())
    return entry


@transaction.atomic
def shortlist_entry_note(*, actor: Any, entry: ShortlistEntry, note: str) -> ShortlistEntry:
    before = audit.snapshot(entry)
    entry.note = note
    entry.full_clean()
    entry.save(update_fields=["note", "updated_at"])
    audit.record(actor=actor, action="update", instance=entry, before=before, after=audit.snapshot(entry))
    return entry


def _entry_researcher(shortlist: Shortlist, researcher: Researcher) -> None:
    if not shortlist.entries.filter(researcher=researcher).exists():
        raise ValidationError({"researcher": _("この候補リストに載っている研究者を選んでください。")})


@transaction.atomic
def contact_record(*, actor: Any, shortlist: Shortlist, researcher: Researcher, contacted_on: dt.date,
                   channel: str, outcome: str, summary: str = "", contacted_by_name: str = "",
                   today: dt.date | None = None) -> ContactNote:
    """Record a contact made with a researcher of the shortlist (date, channel, by whom, outcome)."""
    _entry_researcher(shortlist, researcher)
    today = today or timezone.localdate()
    if contacted_on > today:
        raise ValidationError({"contacted_on": _("連絡日に未来の日付は指定できません。")})
    user = _user(actor)
    name = contacted_by_name.strip() or (getattr(user, "display_name", "") or getattr(user, "username", "")
                                          if user else "")
    note = _save(ContactNote(venue=shortlist.venue, researcher=researcher, shortlist=shortlist, contacted_by=user,
                             contacted_by_name=name, contacted_on=contacted_on, channel=channel, outcome=outcome,
                             summary=summary), actor)
    Shortlist.objects.filter(pk=shortlist.pk).update(updated_at=timezone.now())
    return note


@transaction.atomic
def cross_appointment_propose(*, actor: Any, shortlist: Shortlist, researcher: Researcher, organization: Any,
                              effort_share: int, start_date: dt.date | None = None,
                              end_date: dt.date | None = None, department: str = "", title: str = "",
                              note: str = "") -> CrossAppointmentProposal:
    """Propose to invite a researcher of the shortlist by cross-appointment at a host organisation."""
    _entry_researcher(shortlist, researcher)
    if researcher.organization_id and researcher.organization_id == organization.pk:
        raise ValidationError({"organization": _("研究者がすでに所属している機関です。別の受入機関を選んでください。")})
    return _save(CrossAppointmentProposal(
        venue=shortlist.venue, researcher=researcher, shortlist=shortlist, organization=organization,
        effort_share=effort_share, start_date=start_date, end_date=end_date, department=department, title=title,
        note=note, proposed_by=_user(actor)), actor)


def _person_of(actor: Any, researcher: Researcher) -> Any:
    """The researcher's entry in the people directory, created from the profile when there is none."""
    if researcher.person_id:
        return researcher.person
    person = region_services.person_create(actor=actor, name=researcher.name, name_kana=researcher.name_kana,
                                           name_en=researcher.name_en, is_sample=researcher.is_sample)
    before = audit.snapshot(researcher)
    researcher.person = person
    researcher.save(update_fields=["person", "updated_at"])
    audit.record(actor=actor, action="update", instance=researcher, before=before, after=audit.snapshot(researcher))
    return person


@transaction.atomic
def cross_appointment_accept(*, actor: Any, proposal: CrossAppointmentProposal) -> CrossAppointmentProposal:
    """Accept a proposal: the affiliation is created (effort-share rule of ``regions``) and linked to it."""
    proposal = CrossAppointmentProposal.objects.select_for_update(of=("self",)).select_related(
        "researcher", "researcher__person", "organization").get(pk=proposal.pk)
    if proposal.status != CrossAppointmentProposal.Status.PROPOSED:
        raise ValidationError(_("この提案はすでに決着しています（%(status)s）。")
                              % {"status": proposal.get_status_display()})
    person = _person_of(actor, proposal.researcher)
    affiliation = region_services.affiliation_create(
        actor=actor, person=person, organization=proposal.organization, effort_share=proposal.effort_share,
        start_date=proposal.start_date, end_date=proposal.end_date, title=proposal.title,
        department=proposal.department)
    before = audit.snapshot(proposal)
    proposal.status = CrossAppointmentProposal.Status.ACCEPTED
    proposal.affiliation = affiliation
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "affiliation", "decided_at", "updated_at"])
    audit.record(actor=actor, action="update", instance=proposal, before=before, after=audit.snapshot(proposal))
    return proposal


@transaction.atomic
def cross_appointment_decline(*, actor: Any, proposal: CrossAppointmentProposal,
                              status: str = CrossAppointmentProposal.Status.DECLINED) -> CrossAppointmentProposal:
    if status not in (CrossAppointmentProposal.Status.DECLINED, CrossAppointmentProposal.Status.WITHDRAWN):
        raise ValidationError(_("不成立か取下げを選んでください。"))
    if proposal.status != CrossAppointmentProposal.Status.PROPOSED:
        raise ValidationError(_("この提案はすでに決着しています（%(status)s）。")
                              % {"status": proposal.get_status_display()})
    before = audit.snapshot(proposal)
    proposal.status = status
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at", "updated_at"])
    audit.record(actor=actor, action="update", instance=proposal, before=before, after=audit.snapshot(proposal))
    return proposal


def researchers_for(ids: Iterable[str]) -> list[Researcher]:
    pks = [int(i) for i in ids if str(i).isdigit()]
    by = {r.pk: r for r in Researcher.objects.filter(pk__in=pks)}
    return [by[pk] for pk in pks if pk in by]
