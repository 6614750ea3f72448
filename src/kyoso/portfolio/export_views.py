"""Downloads of the project report and the portfolio report (Excel, PDF), for members of the venue.

What a reader may see is decided by ``reporting`` (confidential amounts and outputs only for the project's
participants and the secretariat); the reports are built in the active language (Japanese by default).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kyoso.common.access import VENUE_PARTICIPANT, access
from kyoso.venues.models import Venue
from kyoso.venues.permissions import require_member, venue_access

from . import exports, queries, reporting
from .models import ReportJob

#: Portfolio reports of more projects than this are built by a background task, not inside the request.
SYNC_LIMIT = 100

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def _render(document: exports.Document, fmt: str) -> bytes:
    return exports.to_pdf(document) if fmt == "pdf" else exports.to_xlsx(document)


def _file_response(body: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(body, content_type=PDF if fmt == "pdf" else XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{fmt}")
    response["Cache-Control"] = "private, no-store"
    return response


def _download(document: exports.Document, filename: str, fmt: str) -> HttpResponse:
    return _file_response(_render(document, fmt), filename, fmt)


def _venue(request: HttpRequest, slug: str) -> tuple[Venue, Any]:
    venue = get_object_or_404(Venue.objects.visible_to(request.user), slug=slug)
    return venue, require_member(request.user, venue)


def _project_export(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    venue, rights = _venue(request, slug)
    project = get_object_or_404(queries.projects_of(venue).select_related("venue"), pk=pk)
    today = timezone.localdate()
    document = exports.project_document(reporting.project_report(project, request.user, rights, today))
    filename = _("プロジェクト報告_%(id)s_%(date)s") % {"id": project.pk, "date": today.isoformat()}
    return _download(document, filename, fmt)


def _portfolio_filename(venue: Venue, today: Any) -> str:
    return _("ポートフォリオ報告_%(venue)s_%(date)s") % {"venue": venue.slug, "date": today.isoformat()}


def _portfolio_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    venue, rights = _venue(request, slug)
    today = timezone.localdate()
    projects = portfolio_projects(request.GET, venue, request.user, rights)
    if len(projects) > SYNC_LIMIT:
        # Too large to build while the member waits: offer to build it in the background.
        return render(request, "portfolio/report_job_start.html", {
            "venue": venue, "rights": rights, "fmt": fmt, "query": request.GET.urlencode(), "count": len(projects)})
    report = reporting.portfolio_report(venue, projects, request.user, rights, today)
    document = exports.portfolio_document(report, reporting.participant_counts(projects))
    return _download(document, _portfolio_filename(venue, today), fmt)


def report_job_run(job_id: int) -> ReportJob:
    """Build a queued portfolio report with the rights its requester has in the venue now (the task's body)."""
    job = ReportJob.objects.select_related("venue", "requested_by").get(pk=job_id)
    if job.status not in (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING):
        return job
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING)
    user, venue = job.requested_by, job.venue
    rights = venue_access(user, venue)
    with translation.override(job.language):
        today = timezone.localdate()
        if not rights.is_member:
            job.status, job.error = ReportJob.Status.FAILED, _("この場の構成員ではなくなったため、作成できません。")
        else:
            projects = portfolio_projects(QueryDict(job.query), venue, user, rights)
            report = reporting.portfolio_report(venue, projects, user, rights, today)
            document = exports.portfolio_document(report, reporting.participant_counts(projects))
            job.content = _render(document, job.fmt)
            job.filename = _portfolio_filename(venue, today)
            job.status = ReportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "content", "filename", "finished_at", "updated_at"])
    return job


def portfolio_projects(params: QueryDict, venue: Venue, user: Any, rights: Any) -> list[Any]:
    """The projects of the portfolio page, with the same search and filters (``?q=&theme=…``), the signal
    filter as ``user`` may see the signals."""
    from .forms import PortfolioFilterForm

    form = PortfolioFilterForm(params or None, venue=venue)
    return list(queries.select_projects(
        venue, form.cleaned_data if form.is_bound and form.is_valid() else {},
        lambda: queries.portfolio_overview_for(venue, timezone.localdate(), user, rights)))


@require_safe
@access(VENUE_PARTICIPANT)
def project_export_xlsx(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _project_export(request, slug, pk, "xlsx")


@require_safe
@access(VENUE_PARTICIPANT)
def project_export_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _project_export(request, slug, pk, "pdf")


@require_safe
@access(VENUE_PARTICIPANT)
def portfolio_export_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    return _portfolio_export(request, slug, "xlsx")


@require_safe
@access(VENUE_PARTICIPANT)
def portfolio_export_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    return _portfolio_export(request, slug, "pdf")


def _own_job(request: HttpRequest, slug: str, pk: int) -> tuple[Venue, Any, ReportJob]:
    venue, rights = _venue(request, slug)
    job = ReportJob.objects.filter(venue=venue, pk=pk, requested_by=request.user).defer("content").first()
    if job is None:
        raise Http404  # a report holds what its requester may see: nobody else's to open
    return venue, rights, job


@require_POST
@access(VENUE_PARTICIPANT)
def report_job_create(request: HttpRequest, slug: str) -> HttpResponse:
    venue, _rights = _venue(request, slug)
    fmt = request.POST.get("fmt")
    if fmt not in ReportJob.Format.values:
        raise Http404
    from .tasks import build_portfolio_report

    with transaction.atomic():
        job = ReportJob.objects.create(venue=venue, requested_by=request.user, fmt=fmt,
                                       query=request.POST.get("query", "")[:1000],
                                       language=translation.get_language() or "ja")
        transaction.on_commit(lambda: build_portfolio_report.enqueue(job.pk))
    return redirect("portfolio:report_job_detail", venue.slug, job.pk)


@require_safe
@access(VENUE_PARTICIPANT)
def report_job_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, rights, job = _own_job(request, slug, pk)
    context = {"venue": venue, "rights": rights, "job": job}
    if request.htmx:
        return render(request, "portfolio/report_job.html#status", context)
    return render(request, "portfolio/report_job.html", context)


@require_safe
@access(VENUE_PARTICIPANT)
def report_job_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _venue_, _rights, job = _own_job(request, slug, pk)
    if job.status != ReportJob.Status.DONE:
        raise Http404
    body = ReportJob.objects.values_list("content", flat=True).get(pk=job.pk)
    return _file_response(bytes(body), job.filename, job.fmt)
