"""Writes of the consultations app. Each service owns its transaction and writes the audit event in it.

Participants' votes are the one exception to the audit trail: a vote is a row of its own (value, last change) and
one audit event per click would double the write load of a busy consultation; statements, comments, reports and
every secretariat action are audited. Changes to the venue's records (agenda items) go through
``kyoso.venues.services``.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kyoso.common import audit
from kyoso.venues import services as venue_services
from kyoso.venues.models import Decision, Meeting

from . import identity
from .domain import opinion
from .domain.moderation import auto_hides, check_text, clean_text, statement_digest
from .models import (
    COMMENT_MAX_LENGTH,
    STATEMENT_MAX_LENGTH,
    Comment,
    Consultation,
    ModerationLog,
    Participant,
    Report,
    Statement,
    Vote,
)

logger = logging.getLogger(__name__)
MAP_POINTS = 1500  # participants drawn on the published map at most (a deterministic sample beyond that)
MAP_SEED = 20260401


# ----------------------------------------------------------------------------------------------- secretariat


@transaction.atomic
def consultation_create(*, actor: Any, venue: Any, title: str, question: str, **fields: Any) -> Consultation:
    consultation = Consultation(venue=venue, title=title, question=question,
                                created_by=actor if getattr(actor, "is_authenticated", False) else None, **fields)
    _check_links(consultation)
    consultation.full_clean()
    consultation.save()
    audit.record(actor=actor, action="create", instance=consultation, after=audit.snapshot(consultation))
    return consultation


EDITABLE = ("title", "question", "vision_version", "regional_issue", "hide_after_reports", "premoderate")


@transaction.atomic
def consultation_update(*, actor: Any, consultation: Consultation, **changes: Any) -> Consultation:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    return audit.update(actor=actor, instance=consultation, changes=changes, check=_check_links)


def _check_links(consultation: Consultation) -> None:
    version, issue = consultation.vision_version, consultation.regional_issue
    if version is not None and version.vision.venue_id != consultation.venue_id:
        raise ValidationError({"vision_version": _("この場のビジョンの版を選んでください。")})
    if issue is not None and issue.vision.venue_id != consultation.venue_id:
        raise ValidationError({"regional_issue": _("この場の地域課題を選んでください。")})


@transaction.atomic
def consultation_set_status(*, actor: Any, consultation: Consultation, status: str) -> Consultation:
    """draft → open → closed (a closed consultation may be reopened)."""
    current = Consultation.objects.select_for_update().get(pk=consultation.pk)
    allowed = {"draft": {"open"}, "open": {"closed"}, "closed": {"open"}}
    if status not in allowed.get(current.status, set()):
        raise ValidationError(_("この意見募集の状態は変えられません。"))
    if status == Consultation.Status.OPEN and not current.statements.published().exists():
        raise ValidationError(_("受付を始める前に、場が用意する意見を1件以上登録してください。"))
    before = audit.snapshot(current)
    current.status = status
    now = timezone.now()
    if status == Consultation.Status.OPEN:
        current.opened_at = current.opened_at or now
        current.closed_at = None
    else:
        current.closed_at = now
    current.save(update_fields=["status", "opened_at", "closed_at", "updated_at"])
    audit.record(actor=actor, action="update", instance=current, before=before, after=audit.snapshot(current))
    return current


def _statement(consultation: Consultation, text: str, *, is_seed: bool, author: Participant | None) -> Statement:
    cleaned = clean_text(text)
    problem = check_text(cleaned, STATEMENT_MAX_LENGTH)
    if problem == "empty":
        raise ValidationError({"text": _("意見を入力してください。")})
    if problem == "too_long":
        raise ValidationError({"text": _("意見は%(max)d文字以内で書いてください（いま%(count)d文字です）。")
                               % {"max": STATEMENT_MAX_LENGTH, "count": len(cleaned)}})
    key = statement_digest(cleaned)
    if Statement.objects.filter(consultation=consultation, text_key=key).exists():
        raise ValidationError({"text": _("同じ意見がすでにあります。その意見に投票してください。")})
    held = not is_seed and consultation.premoderate  # shown only once the secretariat publishes it
    statement = Statement(consultation=consultation, text=cleaned, text_key=key, is_seed=is_seed, author=author,
                          reviewed=is_seed, state=Statement.State.HIDDEN if held else Statement.State.PUBLISHED)
    try:
        with transaction.atomic():
            statement.save()
    except IntegrityError as error:  # the same text sent twice at once
        raise ValidationError({"text": _("同じ意見がすでにあります。その意見に投票してください。")}) from error
    return statement


@transaction.atomic
def statement_seed(*, actor: Any, consultation: Consultation, text: str) -> Statement:
    """A statement written by the venue (marked as the venue's own)."""
    statement = _statement(consultation, text, is_seed=True, author=None)
    audit.record(actor=actor, action="create", instance=statement, after=audit.snapshot(statement))
    return statement


# ---------------------------------------------------------------------------------------------- participants


def _require_open(consultation: Consultation) -> None:
    if consultation.status != Consultation.Status.OPEN:
        raise ValidationError(_("この意見募集は受付を終了しています。"))


def participant_for(*, consultation: Consultation, token: str, is_sample: bool = False) -> Participant:
    """The participant of this browser in this consultation, created on first use."""
    hashed = identity.token_hash(token)
    pk = identity.participant_id(consultation.pk, hashed)
    Participant.objects.bulk_create(
        [Participant(id=pk, consultation=consultation, token_hash=hashed, is_sample=is_sample)],
        ignore_conflicts=True)
    return Participant(id=pk, consultation=consultation, token_hash=hashed, is_sample=is_sample)


@transaction.atomic
def participant_confirm_email(*, consultation: Consultation, participant_pk: str, email: str) -> bool:
    """Record the e-mail address a participant confirmed through the signed link (False: no such participant).

    The audit event says that an address was confirmed, not which (the address stays out of the audit log)."""
    try:
        participant = Participant.objects.select_for_update().filter(pk=participant_pk,
                                                                     consultation=consultation).first()
    except ValidationError:  # not a UUID
        return False
    if participant is None:
        return False
    participant.email, participant.email_confirmed_at = email, timezone.now()
    participant.save(update_fields=["email", "email_confirmed_at"])
    audit.record(actor=None, action="update", instance=participant, after={"email_confirmed": True})
    return True


@transaction.atomic
def statement_submit(*, consultation: Consultation, token: str, text: str) -> Statement:
    """A participant's statement, shown as written by a participant and queued for review: published at once, or
    held until the secretariat publishes it when the consultation is pre-moderated."""
    _require_open(consultation)
    author = participant_for(consultation=consultation, token=token)
    statement = _statement(consultation, text, is_seed=False, author=author)
    audit.record(actor=None, action="create", instance=statement, after=audit.snapshot(statement))
    return statement


def vote_cast(*, statement: Statement, token: str, value: int, participant_known: bool = False) -> Participant:
    """Record (or change) this browser's vote on ``statement``: at most 2 writes (participant on first use, vote).

    ``statement`` must come from ``Statement.objects.public()`` of an open consultation (the caller's one query).
    Each write is a single statement, atomic by itself (an insert that ignores an existing participant, an upsert of
    the vote), so no transaction is opened around them: a participant row left without a vote when the second
    fails is the same as a participant who has only opened a form, and a transaction would cost two more round
    trips on every vote."""
    if value not in (-1, 0, 1):
        raise ValidationError(_("賛成・反対・どちらでもない、のいずれかを選んでください。"))
    consultation_id = statement.consultation_id
    hashed = identity.token_hash(token)
    pk = identity.participant_id(consultation_id, hashed)
    if not participant_known:
        Participant.objects.bulk_create([Participant(id=pk, consultation_id=consultation_id, token_hash=hashed)],
                                        ignore_conflicts=True)
    Vote.objects.bulk_create(
        [Vote(consultation_id=consultation_id, participant_id=pk, statement=statement, value=value,
              updated_at=timezone.now())],
        update_conflicts=True, unique_fields=["participant", "statement"], update_fields=["value", "updated_at"])
    return Participant(id=pk, consultation_id=consultation_id, token_hash=hashed)


@transaction.atomic
def comment_submit(*, consultation: Consultation, token: str, text: str) -> Comment:
    _require_open(consultation)
    cleaned = clean_text(text, multiline=True)
    problem = check_text(cleaned, COMMENT_MAX_LENGTH)
    if problem == "empty":
        raise ValidationError({"text": _("コメントを入力してください。")})
    if problem == "too_long":
        raise ValidationError({"text": _("コメントは%(max)d文字以内で書いてください（いま%(count)d文字です）。")
                               % {"max": COMMENT_MAX_LENGTH, "count": len(cleaned)}})
    participant = participant_for(consultation=consultation, token=token)
    comment = Comment.objects.create(consultation=consultation, participant=participant, text=cleaned)
    audit.record(actor=None, action="create", instance=comment, after=audit.snapshot(comment))
    return comment


@transaction.atomic
def report_submit(*, item: Statement | Comment, token: str, reason: str = "") -> bool:
    """A participant flags a statement or a comment (once each). Returns True when the item was hidden now."""
    consultation = item.consultation
    participant = participant_for(consultation=consultation, token=token)
    target = {"statement": item} if isinstance(item, Statement) else {"comment": item}
    report, created = Report.objects.get_or_create(consultation=consultation, participant=participant,
                                                   defaults={"reason": clean_text(reason)[:200]}, **target)
    if not created:
        return False
    audit.record(actor=None, action="create", instance=report, after=audit.snapshot(report))
    model = type(item)
    model.objects.filter(pk=item.pk).update(report_count=F("report_count") + 1)
    current = model.objects.select_for_update().get(pk=item.pk)
    if current.is_published and auto_hides(current.report_count, consultation.hide_after_reports):
        before = audit.snapshot(current)
        current.state, current.reviewed = Statement.State.HIDDEN, False
        current.save(update_fields=["state", "reviewed", "updated_at"])
        _log(current, ModerationLog.Action.AUTO_HIDE, actor=None)
        audit.record(actor=None, action="update", instance=current, before=before, after=audit.snapshot(current))
        return True
    if current.reviewed:
        model.objects.filter(pk=item.pk).update(reviewed=False)  # back in the queue
    return False


def _log(item: Statement | Comment, action: str, *, actor: Any, note: str = "") -> ModerationLog:
    kind = {"statement": item} if isinstance(item, Statement) else {"comment": item}
    return ModerationLog.objects.create(
        consultation_id=item.consultation_id, action=action, kind=next(iter(kind)), text=item.text,
        actor=actor if getattr(actor, "is_authenticated", False) else None, report_count=item.report_count,
        note=note[:200], **kind)


@transaction.atomic
def moderate(*, actor: Any, item: Statement | Comment, action: str, note: str = "") -> Statement | Comment:
    """The secretariat reviews an item: ``hide``, ``unhide`` (publish again) or ``approve`` (keep published).

    A review clears the reports counted so far (later reports count again towards the threshold)."""
    current = type(item).objects.select_for_update().get(pk=item.pk)
    before = audit.snapshot(current)
    if action == ModerationLog.Action.HIDE:
        current.state = Statement.State.HIDDEN
    elif action in (ModerationLog.Action.UNHIDE, ModerationLog.Action.APPROVE):
        if action == ModerationLog.Action.UNHIDE and current.is_published:
            action = ModerationLog.Action.APPROVE
        if action == ModerationLog.Action.APPROVE and not current.is_published:
            action = ModerationLog.Action.UNHIDE
        current.state = Statement.State.PUBLISHED
    else:
        raise ValueError(action)
    _log(current, action, actor=actor, note=note)
    current.reviewed = True
    current.report_count = 0
    current.save(update_fields=["state", "reviewed", "report_count", "updated_at"])
    audit.record(actor=actor, action="update", instance=current, before=before, after=audit.snapshot(current))
    return current


# ----------------------------------------------------------------------------------------------- opinion map


@transaction.atomic
def map_request(*, actor: Any, consultation: Consultation) -> Consultation:
    """Queue the recomputation of the opinion map (a background task, ``tasks.recompute_map``)."""
    from . import tasks  # tasks import the services

    current = Consultation.objects.select_for_update().get(pk=consultation.pk)
    before = audit.snapshot(current)
    current.map_status = Consultation.MapStatus.QUEUED
    current.save(update_fields=["map_status", "updated_at"])
    audit.record(actor=actor, action="update", instance=current, before=before, after=audit.snapshot(current))
    pk = current.pk
    transaction.on_commit(lambda: tasks.recompute_map.enqueue(pk))
    return current


def votes_of(consultation: Consultation) -> tuple[opinion.Votes, list[Any], list[int]]:
    """The consultation's votes as the domain's arrays, with the participant ids and statement ids of the indices.

    Hidden statements are excluded (moderated out)."""
    statements = list(consultation.statements.order_by("id").values_list("id", "state"))
    statement_ids = [pk for pk, _state in statements]
    column = {pk: i for i, pk in enumerate(statement_ids)}
    excluded = frozenset(i for i, (_pk, state) in enumerate(statements) if state != "published")
    rows = Vote.objects.filter(consultation=consultation).values_list("participant_id", "statement_id", "value")
    participant_index: dict[Any, int] = {}
    p, s, v = [], [], []
    for participant, statement, value in rows.iterator(chunk_size=20_000):
        if statement not in column:
            continue
        p.append(participant_index.setdefault(participant, len(participant_index)))
        s.append(column[statement])
        v.append(value)
    votes = opinion.Votes(np.array(p, np.int32), np.array(s, np.int32), np.array(v, np.int8),
                          len(participant_index), len(statement_ids), excluded)
    return votes, list(participant_index), statement_ids


def _map_json(result: opinion.OpinionMap, votes: opinion.Votes, statement_ids: list[int],
              n_comments: int) -> dict[str, Any]:
    sid = statement_ids

    def rep(r: opinion.Repness) -> dict[str, Any]:
        return {"statement": sid[r.statement], "direction": r.direction, "agree": r.n_agree,
                "disagree": r.n_disagree, "seen": r.n_seen, "p": round(r.p, 4), "ratio": round(r.ratio, 3),
                "metric": round(r.metric, 3)}

    def cons(c: opinion.Consensus) -> dict[str, Any]:
        return {"statement": sid[c.statement], "direction": c.direction, "agree": c.n_agree,
                "disagree": c.n_disagree, "seen": c.n_seen, "p": round(c.p, 4)}

    n = len(result.participants)
    chosen = np.arange(n)
    if n > MAP_POINTS:
        chosen = np.sort(np.random.default_rng(MAP_SEED).choice(n, MAP_POINTS, replace=False))
    points = [[round(float(result.positions[i, 0]), 3), round(float(result.positions[i, 1]), 3),
               int(result.labels[i])] for i in chosen]
    return {
        "version": 1,
        "participants": int(votes.n_participants),
        "clustered": n,
        "votes": int(result.n_votes),
        "statements": int(votes.n_statements - len(votes.excluded)),
        "comments": n_comments,
        "k": result.k_state.k,
        "silhouettes": {str(k): round(v, 4) for k, v in result.silhouettes.items()},
        "groups": [{"id": g.id, "size": g.size, "representative": [rep(r) for r in g.representative]}
                   for g in result.groups],
        "consensus": {"agree": [cons(c) for c in result.consensus_agree],
                      "disagree": [cons(c) for c in result.consensus_disagree]},
        "group_consensus": [{"statement": sid[j], "value": round(value, 4)} for j, value in result.group_consensus_top],
        "points": points,
    }


def map_compute(*, consultation_id: int, seed: int = MAP_SEED) -> Consultation:
    """Compute and store the opinion map (called by the background task; the votes are read outside the lock)."""
    consultation = Consultation.objects.get(pk=consultation_id)
    votes, _participants, statement_ids = votes_of(consultation)
    previous = opinion.KState(**consultation.map_k_state) if consultation.map_k_state else None
    result = opinion.compute(votes, seed=seed, previous=previous)
    data = _map_json(result, votes, statement_ids, consultation.comments.published().count())
    state = {"k": result.k_state.k, "candidate": result.k_state.candidate, "streak": result.k_state.streak}
    with transaction.atomic():
        current = Consultation.objects.select_for_update().get(pk=consultation_id)
        if len(result.priority):
            Statement.objects.bulk_update(
                [Statement(pk=pk, priority=float(result.priority[j])) for j, pk in enumerate(statement_ids)],
                ["priority"], batch_size=500)
        before = {"map_status": current.map_status, "map_computed_at": audit.snapshot(current)["map_computed_at"]}
        current.map, current.map_k_state = data, state
        current.map_status = Consultation.MapStatus.DONE
        current.map_computed_at = timezone.now()
        current.save(update_fields=["map", "map_k_state", "map_status", "map_computed_at", "updated_at"])
        audit.record(actor=None, action="update", instance=current, before=before,
                     after={"map_status": current.map_status,
                            "map_computed_at": audit.snapshot(current)["map_computed_at"],
                            "groups": [g["size"] for g in data["groups"]]})
    return current


@transaction.atomic
def map_publish(*, actor: Any, consultation: Consultation, published: bool = True) -> Consultation:
    current = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if published and not current.map:
        raise ValidationError(_("公開する前に意見マップを計算してください。"))
    return audit.update(actor=actor, instance=current, changes={"map_published": published})


# ------------------------------------------------------------------------------------------ reply and agenda


def result_summary(consultation: Consultation) -> str:
    """A plain-text summary of the result for the agenda item (participants, groups, consensus, comments)."""
    data = consultation.map or {}
    texts = dict(consultation.statements.published().values_list("id", "text"))
    lines = [_("意見募集「%(title)s」の結果") % {"title": consultation.title}, ""]
    if data:
        lines.append(_("参加者 %(participants)d人、投票 %(votes)d件、意見 %(statements)d件、コメント %(comments)d件。")
                     % {"participants": data.get("participants", 0), "votes": data.get("votes", 0),
                        "statements": data.get("statements", 0), "comments": data.get("comments", 0)})
        for group in data.get("groups", []):
            lines.append(_("グループ%(label)s（%(size)d人）がとくに賛成・反対した意見:")
                         % {"label": group_label(group["id"]), "size": group["size"]})
            for r in group["representative"]:
                if r["statement"] in texts:
                    lines.append(f"- {_('賛成') if r['direction'] == 'agree' else _('反対')}: {texts[r['statement']]}")
        agreed = [c for c in data.get("consensus", {}).get("agree", []) if c["statement"] in texts]
        if agreed:
            lines.append(_("全体で多くが賛成した意見:"))
            lines.extend(f"- {texts[c['statement']]}" for c in agreed)
    else:
        lines.append(_("コメント %(comments)d件。") % {"comments": consultation.comments.published().count()})
    return "\n".join(lines)


def group_label(group_id: int) -> str:
    return "ABCDEFGHIJ"[group_id] if 0 <= group_id < 10 else str(group_id + 1)


@transaction.atomic
def agenda_item_from(*, actor: Any, consultation: Consultation, meeting: Meeting) -> Consultation:
    """Turn the result into an agenda item of ``meeting`` (a meeting of the same venue, not cancelled; the pages
    offer the scheduled ones, the next first), described by :func:`result_summary`."""
    current = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if meeting.venue_id != current.venue_id:
        raise ValidationError({"meeting": _("この場の会議を選んでください。")})
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"meeting": _("中止になった会議には議題を追加できません。")})
    if current.agenda_item_id:
        raise ValidationError(_("この意見募集はすでに議題になっています。"))
    item = venue_services.agenda_item_add(
        actor=actor, meeting=meeting, title=(_("意見募集の結果：%(title)s") % {"title": current.title})[:200],
        description=result_summary(current))
    return audit.update(actor=actor, instance=current, changes={"agenda_item": item})


@transaction.atomic
def reply_record(*, actor: Any, consultation: Consultation, reply: str,
                 decision: Decision | None = None) -> Consultation:
    """Record the venue's official reply, and the decision it led to (a decision of the same venue)."""
    current = Consultation.objects.select_for_update().get(pk=consultation.pk)
    text = clean_text(reply, multiline=True)
    if not text:
        raise ValidationError({"reply": _("回答を入力してください。")})
    if decision is not None and decision.venue_id != current.venue_id:
        raise ValidationError({"decision": _("この場の決定事項を選んでください。")})
    changes: dict[str, Any] = {"reply": text, "decision": decision}
    if not current.replied_at:
        changes["replied_at"] = timezone.now()
    return audit.update(actor=actor, instance=current, changes=changes)


def next_meeting(venue: Any) -> Meeting | None:
    """The venue's next scheduled meeting (the default target of an agenda item)."""
    return (Meeting.objects.filter(venue=venue, status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now())
            .order_by("starts_at").first())
