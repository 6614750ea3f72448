"""Writes of the matching area that concern researcher data: imports and the upkeep of the ranking index.

* :func:`researcher_import_create` stores an uploaded file and queues :func:`tasks.run_import`, which calls
  :func:`import_run`: the file is parsed (``domain/importing.py``), then each researcher is saved in its own
  transaction (identities matched first, so a re-import updates and never duplicates), progress is written
  as it goes, and bad records are listed with their position without stopping the good ones.
* After an import (or any change made through :func:`researcher_update` / :func:`researcher_delete` / the
  admin), :func:`schedule_index_update` queues :func:`tasks.update_index` for the researchers that changed;
  the task applies ``upsert``/``remove`` to the persisted index (``index.py``). ``kyoso matching-reindex``
  rebuilds it from scratch (:func:`index_rebuild`).

Shortlists, contact notes and cross-appointment proposals are written by ``shortlists.py``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from kyoso.common import audit
from kyoso.regions.models import Organization

from . import index
from .domain import importing
from .domain.records import RecordDoc, ResearcherDoc
from .models import Researcher, ResearcherIdentity, ResearcherImport, ResearchRecord, Source

PROGRESS_EVERY = 20
MAX_PROBLEMS = 1000

#: The message of each problem code (importer codes and the codes the services add).
PROBLEM_MESSAGES = {
    "empty": _("ファイルに研究者のデータがありません。"),
    "encoding": _("文字コードを読み取れません（UTF-8 または Shift_JIS で保存してください）。"),
    "json_syntax": _("JSON の書式が正しくありません（途中で切れている可能性があります）: %(message)s"),
    "xml_syntax": _("XML の書式が正しくありません: %(message)s"),
    "csv_syntax": _("CSV の書式が正しくありません: %(message)s"),
    "unknown_layout": _("選んだ形式（%(expected)s）のファイルではないようです。"),
    "not_an_object": _("研究者または業績がオブジェクト（{…}）ではありません（%(found)s）。"),
    "wrong_type": _("項目「%(field)s」の型が正しくありません（%(expected)s のはずが %(found)s）。"),
    "missing_name": _("氏名がありません。この研究者は取り込みませんでした。"),
    "missing_id": _("識別子（%(field)s）がありません。この研究者は取り込みませんでした。"),
    "duplicate_id": _("同じ研究者（%(id)s）がファイルに2回あります（最初は %(first)s）。"
                      "2回目は取り込みませんでした。"),
    "missing_title": _("業績にタイトルがありません。この業績は取り込みませんでした。"),
    "missing_record_id": _("業績に id がありません。この業績は取り込みませんでした。"),
    "duplicate_record": _("同じ業績（%(id)s）が2回あります。2回目は取り込みませんでした。"),
    "unknown_record_type": _("業績の種類「%(value)s」は paper, grant, patent, seed のどれでもありません。"),
    "bad_year": _("年「%(value)s」を読み取れません（1900〜2100 の西暦）。"),
    "bad_prefecture": _("都道府県コード「%(value)s」は 01〜47 ではありません。"),
    "too_many": _("研究者が多すぎます（上限 %(max)s）。そこで読み込みを止めました。"),
    "identity_conflict": _("識別子 %(kind)s:%(value)s は別の研究者（%(other)s）のものです。"
                           "この識別子は付けませんでした。"),
    "save_failed": _("保存できませんでした（%(message)s）。この研究者は取り込みませんでした。"),
}


def problem_message(problem: dict[str, Any]) -> str:
    """The translated message of a stored problem (``ResearcherImport.problems`` item)."""
    template = PROBLEM_MESSAGES.get(problem.get("code", ""))
    if template is None:
        return str(problem.get("code", ""))
    try:
        return str(template) % {k: v for k, v in (problem.get("detail") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return str(template).split("%(")[0].rstrip(": （")


def problem_position(problem: dict[str, Any]) -> str:
    """Where the problem is: "3行目 $.records[1].title" (or "line 3 …" in English)."""
    parts = []
    if problem.get("line"):
        parts.append(_t("%(line)s行目") % {"line": problem["line"]})
    if problem.get("path"):
        parts.append(str(problem["path"]))
    return " ".join(parts)


# --------------------------------------------------------------------------- documents for the index

def researcher_doc(researcher: Researcher) -> ResearcherDoc:
    """The index document of a researcher (its ``records`` should be prefetched)."""
    return ResearcherDoc(
        id=researcher.index_id, name=researcher.name, name_en=researcher.name_en,
        organization=(researcher.organization.name if researcher.organization_id and researcher.organization
                      else researcher.organization_name),
        prefecture_code=researcher.prefecture_code or None,
        keywords=tuple(str(k) for k in researcher.keywords or ()),
        records=tuple(RecordDoc(id=str(r.pk), type=r.type, title=r.title, abstract=r.abstract, year=r.year,
                                lang=r.lang or None) for r in researcher.records.all()),
    )


def researcher_docs(ids: Iterable[int] | None = None) -> list[ResearcherDoc]:
    """Index documents for the given researchers (all when ``ids`` is None): two queries per 2,000 researchers,
    read in chunks so that a full rebuild never holds every model instance at once."""
    queryset = Researcher.objects.select_related("organization").prefetch_related("records").order_by("pk")
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return [researcher_doc(r) for r in queryset.iterator(chunk_size=2000)]


def schedule_index_update(researcher_ids: Iterable[int]) -> None:
    """Queue an index update for these researchers once the current transaction commits."""
    ids = sorted({int(i) for i in researcher_ids})
    if not ids:
        return
    from .tasks import update_index

    transaction.on_commit(lambda: update_index.enqueue(ids))


def index_update(researcher_ids: Sequence[int]) -> tuple[str, int]:
    """Bring the index up to date for these researchers: upsert those that exist, remove the others."""
    docs = researcher_docs(researcher_ids)
    present = {d.id for d in docs}
    removed = [str(i) for i in researcher_ids if str(i) not in present]
    return index.update(docs, removed, build_all=researcher_docs)


def index_rebuild() -> tuple[str, int]:
    """Rebuild the whole index from the database (``kyoso matching-reindex``)."""
    return index.rebuild(researcher_docs())


# --------------------------------------------------------------------------- imports

@transaction.atomic
def researcher_import_create(*, actor: Any, filename: str, content: bytes, format: str,  # noqa: A002
                             is_sample: bool = False, run: bool = True) -> ResearcherImport:
    """Store an uploaded file and queue its import (``run=False`` leaves it to the caller)."""
    if format not in importing.FORMATS:
        raise ValueError(f"unknown format {format!r}")
    batch = ResearcherImport.objects.create(
        filename=filename[:255], format=format, content=content, is_sample=is_sample,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.record(actor=actor, action="create", instance=batch,
                 after={"filename": batch.filename, "format": format, "bytes": len(content)})
    if run:
        from .tasks import run_import

        transaction.on_commit(lambda: run_import.enqueue(batch.pk))
    return batch


def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).replace(" ", "").replace("\u3000", "").casefold()


def _organizations() -> dict[str, tuple[int, str]]:
    """Organisation name (and English name) → (id, prefecture code), for matching affiliations by name."""
    found: dict[str, tuple[int, str]] = {}
    rows = Organization.objects.values_list("pk", "name", "name_en", "region__code")
    for pk, name, name_en, code in rows.order_by("-reference_key", "pk"):
        for label in (name, name_en):
            if label:
                found.setdefault(_key(label), (pk, (code or "")[:2]))
    return found


def _known_identities(parsed: Sequence[importing.ParsedResearcher]) -> dict[tuple[str, str], int]:
    """(kind, value) → researcher id for every identity named in the file, in one query per kind."""
    by_kind: dict[str, set[str]] = {}
    for researcher in parsed:
        for identity in researcher.identities:
            by_kind.setdefault(identity.kind, set()).add(identity.value)
    if not by_kind:
        return {}
    condition = Q()
    for kind, values in by_kind.items():
        condition |= Q(kind=kind, value__in=values)
    return {(k, v): r for k, v, r in ResearcherIdentity.objects.filter(condition)
            .values_list("kind", "value", "researcher_id")}


_PROFILE_FIELDS = ("name", "name_en", "name_kana", "organization_name", "department", "job_title",
                   "prefecture_code", "profile_url")
_RECORD_FIELDS = ("type", "title", "abstract", "year", "lang", "venue_name", "url")


def _record_values(record: importing.ParsedRecord) -> dict[str, Any]:
    return {"type": record.type, "title": record.title, "abstract": record.abstract, "year": record.year,
            "lang": record.lang or "", "venue_name": record.venue_name[:500], "url": record.url[:500]}


def _save_researcher(parsed: importing.ParsedResearcher, *, actor: Any, source: str, is_sample: bool,
                     known: dict[tuple[str, str], int], organizations: dict[str, tuple[int, str]],
                     problems: list[dict]) -> tuple[str, int]:
    """Create or update one researcher with its identities and records; returns (outcome, researcher id)."""
    owner_ids = [known[(i.kind, i.value)] for i in parsed.identities if (i.kind, i.value) in known]
    organization = organizations.get(_key(parsed.organization)) if parsed.organization else None
    values: dict[str, Any] = {
        "name": parsed.name[:200], "name_en": parsed.name_en[:200], "name_kana": parsed.name_kana[:200],
        "organization_name": parsed.organization[:300], "department": parsed.department[:300],
        "job_title": parsed.job_title[:200],
        "prefecture_code": parsed.prefecture_code or (organization[1] if organization else ""),
        "profile_url": parsed.profile_url[:500],
    }
    if owner_ids:
        researcher = Researcher.objects.select_for_update().get(pk=owner_ids[0])
        before = {f: getattr(researcher, f) for f in _PROFILE_FIELDS}
        before.update(organization_id=researcher.organization_id, keywords=list(researcher.keywords or []))
        # Fields the file leaves empty keep what is stored (a works-only file must not blank the affiliation).
        for name, value in values.items():
            if value:
                setattr(researcher, name, value)
        if parsed.organization:  # the affiliation as the file names it: link it, or unlink when unknown
            researcher.organization_id = organization[0] if organization else None
            if not parsed.prefecture_code:
                researcher.prefecture_code = organization[1] if organization else ""
        if parsed.keywords:
            researcher.keywords = list(parsed.keywords)
        after = {f: getattr(researcher, f) for f in _PROFILE_FIELDS}
        after.update(organization_id=researcher.organization_id, keywords=list(researcher.keywords or []))
        profile_changed = before != after
        if profile_changed:
            researcher.save()
        outcome = "updated" if profile_changed else "unchanged"
    else:
        researcher = Researcher.objects.create(
            **values, organization_id=organization[0] if organization else None, keywords=list(parsed.keywords),
            source=source, is_sample=is_sample)
        before, after, profile_changed, outcome = None, None, True, "created"
    for identity in parsed.identities:
        owner = known.get((identity.kind, identity.value))
        if owner is None:
            ResearcherIdentity.objects.create(researcher=researcher, kind=identity.kind, value=identity.value[:200])
            known[(identity.kind, identity.value)] = researcher.pk
        elif owner != researcher.pk:
            problems.append({"code": "identity_conflict", "line": parsed.line, "path": parsed.position,
                             "detail": {"kind": identity.kind, "value": identity.value, "other": owner}})
    existing = {r.external_id: r for r in researcher.records.all()} if outcome != "created" else {}
    new, changed = [], []
    for record in parsed.records:
        record_values = _record_values(record)
        current = existing.get(record.external_id[:200])
        if current is None:
            new.append(ResearchRecord(researcher=researcher, external_id=record.external_id[:200], **record_values))
        elif any(getattr(current, f) != v for f, v in record_values.items()):
            for f, v in record_values.items():
                setattr(current, f, v)
            changed.append(current)
    ResearchRecord.objects.bulk_create(new)
    ResearchRecord.objects.bulk_update(changed, _RECORD_FIELDS)
    if outcome == "unchanged" and (new or changed):
        outcome = "updated"
    if outcome == "created":
        audit.record(actor=actor, action="create", instance=researcher,
                     after={"name": researcher.name, "records": len(new), "source": source})
    elif outcome == "updated":
        audit.record(actor=actor, action="update", instance=researcher, before=before,
                     after={**(after or {}), "records_added": len(new), "records_changed": len(changed)})
    return outcome, researcher.pk


def import_run(batch: ResearcherImport, *, actor: Any = None, update_index: bool = True) -> ResearcherImport:
    """Parse the batch's file and save each researcher in its own transaction; progress as it goes."""
    actor = actor if actor is not None else batch.uploaded_by
    ResearcherImport.objects.filter(pk=batch.pk).update(status=ResearcherImport.Status.RUNNING,
                                                         started_at=timezone.now(), processed=0)
    result = importing.parse(bytes(batch.content), batch.format)
    problems: list[dict] = [p.as_dict() for p in result.problems]
    total = len(result.researchers)
    ResearcherImport.objects.filter(pk=batch.pk).update(total=total)
    source = {"researchmap": Source.RESEARCHMAP, "kaken": Source.KAKEN}.get(batch.format, Source.JSONL)
    known = _known_identities(result.researchers)
    organizations = _organizations()
    counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    touched: list[int] = []
    for number, parsed in enumerate(result.researchers, start=1):
        try:
            with transaction.atomic():
                outcome, researcher_id = _save_researcher(
                    parsed, actor=actor, source=source, is_sample=batch.is_sample, known=known,
                    organizations=organizations, problems=problems)
        except DatabaseError as exc:
            known = _known_identities(result.researchers)  # identities written in the rolled-back transaction
            counts["failed"] += 1
            problems.append({"code": "save_failed", "line": parsed.line, "path": parsed.position,
                             "detail": {"message": str(exc)[:200]}})
        else:
            counts[outcome] += 1
            if outcome != "unchanged":
                touched.append(researcher_id)
        if number % PROGRESS_EVERY == 0:
            ResearcherImport.objects.filter(pk=batch.pk).update(processed=number)
    failed = counts["failed"] + sum(1 for p in problems if p["code"] in {"missing_name", "missing_id",
                                                                          "duplicate_id", "not_an_object"})
    batch.total, batch.processed = total, total
    batch.created_count, batch.updated_count = counts["created"], counts["updated"]
    batch.unchanged_count, batch.failed_count = counts["unchanged"], failed
    batch.problems = problems[:MAX_PROBLEMS]
    if total == 0 and problems:
        batch.status = ResearcherImport.Status.FAILED
    elif problems:
        batch.status = ResearcherImport.Status.DONE_WITH_PROBLEMS
    else:
        batch.status = ResearcherImport.Status.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["total", "processed", "created_count", "updated_count", "unchanged_count",
                              "failed_count", "problems", "status", "finished_at", "updated_at"])
    batch.touched_ids = touched  # not stored: the researchers created or changed, for the caller
    if update_index and touched:
        schedule_index_update(touched)
    return batch


# --------------------------------------------------------------------------- single researchers

@transaction.atomic
def researcher_update(*, actor: Any, researcher: Researcher, **changes: Any) -> Researcher:
    allowed = {"name", "name_en", "name_kana", "organization", "organization_name", "department", "job_title",
               "prefecture_code", "keywords", "profile_url"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    audit.update(actor=actor, instance=researcher, changes=changes)
    schedule_index_update([researcher.pk])
    return researcher


@transaction.atomic
def researcher_identity_add(*, actor: Any, researcher: Researcher, kind: str, value: str) -> ResearcherIdentity:
    """Record that ``researcher`` is also known as ``kind:value`` (a later import with it then updates them)."""
    identity = ResearcherIdentity(researcher=researcher, kind=kind, value=value)
    identity.full_clean()
    identity.save()
    audit.record(actor=actor, action="create", instance=identity, after={"researcher": researcher.pk,
                                                                          "kind": kind, "value": value})
    return identity


@transaction.atomic
def researcher_delete(*, actor: Any, researcher: Researcher) -> None:
    audit.record(actor=actor, action="delete", instance=researcher, before={"name": researcher.name})
    pk = researcher.pk
    researcher.delete()
    schedule_index_update([pk])
