"""Downloads of the project report and the portfolio report (Excel, PDF), for members of the venue.

What a reader may see is decided by ``reporting`` (confidential amounts and outputs only for the project's
participants and the secretariat); the reports are built in the active language (Japanese by default).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kyoso.common.access import VENUE_PARTICIPANT, access
from kyoso.venues.models import Venue
from kyoso.venues.permissions import require_member

from . import exports, queries, reporting

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def _download(document: exports.Document, filename: str, fmt: str) -> HttpResponse:
    if fmt == "pdf":
        body, content_type = exports.to_pdf(document), PDF
    else:
        body, content_type = exports.to_xlsx(document), XLSX
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{fmt}")
    response["Cache-Control"] = "private, no-store"
    return response


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


def _portfolio_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    venue, rights = _venue(request, slug)
    today = timezone.localdate()
    projects = portfolio_projects(request, venue, rights)
    report = reporting.portfolio_report(venue, projects, request.user, rights, today)
    document = exports.portfolio_document(report, reporting.participant_counts(projects))
    return _download(document, _("ポートフォリオ報告_%(venue)s_%(date)s") % {"venue": venue.slug,
                                                                       "date": today.isoformat()}, fmt)


def portfolio_projects(request: HttpRequest, venue: Venue, rights: Any) -> list[Any]:
    """The projects of the portfolio page, with the same search and filters (``?q=&theme=…``)."""
    from .forms import PortfolioFilterForm

    form = PortfolioFilterForm(request.GET or None, venue=venue)
    projects = list(queries.filter_projects(venue, form.cleaned_data if form.is_bound and form.is_valid() else {}))
    wanted = form.cleaned_data.get("signal") if form.is_bound and form.is_valid() else ""
    if wanted:
        overview = queries.portfolio_overview(venue, timezone.localdate())
        projects = [p for p in projects if any(code == wanted for code, _s in overview[p.pk]["fired"])]
    return projects


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
