"""Portfolio pages of a venue (members only): every project with its review signals, the projects × KPIs matrix,
resources provided against progress, and a project's own page with its ledger, milestones, outputs, reports,
reviews and the history review → decision → change.

Confidential cash amounts and outputs are shown only to the project's participants and the venue's
secretariat. Writes: the secretariat shapes projects and writes reviews; the project's participants (and the
secretariat) record commitments, provision, outputs, reports and milestones; observers only read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kyoso.common.access import SECRETARIAT, VENUE_PARTICIPANT, access
from kyoso.venues.access import MEMBER, venue_view
from kyoso.venues.access import member_venue as _venue
from kyoso.venues.models import Venue
from kyoso.venues.permissions import VenueAccess

from . import queries, services
from .domain.chart import ChartPoint, ChartText, render_progress_chart
from .domain.progress import quadrant
from .domain.signals import (
    PAST_END_DATE,
    SIGNAL_CODES,
    ReportFact,
    Thresholds,
    evaluate,
    report_due,
    report_is_late,
    report_period_ends,
    submissions_by_period,
)
from .forms import (
    CommitmentForm,
    MilestoneDoneForm,
    MilestoneForm,
    OutputForm,
    ParticipantForm,
    PortfolioFilterForm,
    ProjectForm,
    ProvisionForm,
    ReportForm,
    ReviewForm,
    SettingsForm,
)
from .messages import percent_text, reason_text, signal_name
from .models import Commitment, Milestone, Output, Project, Review
from .permissions import can_record, can_see_confidential
from .reporting import ledger_row, with_provided
from .services import change_value_label

PAGE_SIZE = 50
QUADRANTS = {
    "on_track": gettext_lazy("資源も進捗も順調"),
    "resources_without_progress": gettext_lazy("資源は提供されたが進捗が遅い"),
    "progress_despite_shortfall": gettext_lazy("資源は不足だが進捗している"),
    "both_lagging": gettext_lazy("資源も進捗も遅れ"),
}


def _signals(review: Any, show_amounts: bool) -> list[dict[str, Any]]:
    return [
        {"code": s.code, "name": signal_name(s.code), "fired": s.fired, "severity": s.severity,
         "reasons": [reason_text(r.code, r.params, show_amounts=show_amounts) for r in s.reasons]}
        for s in review.signals
    ]


def filtered_projects(request: HttpRequest, form: PortfolioFilterForm,
                      overview: dict[int, dict[str, Any]] | None = None) -> Any:
    """The venue's projects narrowed by the filter form, signal included (unfiltered when the form is invalid
    or empty); ``overview``: the reader's overview when the view has it already."""
    venue, rights = request.venue, request.venue_rights
    return queries.select_projects(
        venue, form.cleaned_data if form.is_bound and form.is_valid() else {},
        lambda: overview if overview is not None else queries.portfolio_overview_for(
            venue, timezone.localdate(), request.user, rights))


@require_safe
@venue_view(MEMBER)
def portfolio(request: HttpRequest, slug: str) -> HttpResponse:
    venue, rights = request.venue, request.venue_rights
    form = PortfolioFilterForm(request.GET or None, venue=venue)
    overview = queries.portfolio_overview_for(venue, timezone.localdate(), request.user, rights)
    projects = filtered_projects(request, form, overview)
    ids = list(projects.values_list("pk", flat=True))
    fired_counts: dict[str, int] = defaultdict(int)
    for pk in ids:
        for code, _severity in overview.get(pk, {}).get("fired", ()):
            fired_counts[code] += 1
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"project": p, "signals": [{"code": code, "name": signal_name(code), "severity": severity}
                                   for code, severity in overview.get(p.pk, {}).get("fired", ())]}
        for p in page
    ]
    context = {
        "venue": venue, "rights": rights, "rows": rows, "page": page, "form": form, "total": len(ids),
        "fired_counts": [(signal_name(code), fired_counts[code]) for code in SIGNAL_CODES if code in fired_counts],
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "portfolio/portfolio.html#results", context)
    return render(request, "portfolio/portfolio.html", context)


@require_safe
@venue_view(MEMBER)
def portfolio_matrix(request: HttpRequest, slug: str) -> HttpResponse:
    """Projects × KPIs: which project is expected to move which KPI, and the outputs linked to it."""
    venue, rights = request.venue, request.venue_rights
    today = timezone.localdate()
    form = PortfolioFilterForm(request.GET or None, venue=venue)
    projects = list(filtered_projects(request, form))
    ids = [p.pk for p in projects]
    expected = queries.expected_pairs(ids)
    kpi_ids = {kpi_id for _p, kpi_id in expected}
    linked = queries.linked_output_counts(ids, request.user)
    kpi_ids |= {kpi_id for _p, kpi_id in linked}
    kpis = queries.kpis_with_status(kpi_ids, today)
    rows = [
        {"project": p, "cells": [{"expected": (p.pk, k["id"]) in expected, "outputs": linked.get((p.pk, k["id"]), 0)}
                                 for k in kpis]}
        for p in projects
    ]
    return render(request, "portfolio/matrix.html", {"venue": venue, "rights": rights, "kpis": kpis, "rows": rows,
                                                      "form": form})


@require_safe
@venue_view(MEMBER)
def portfolio_chart(request: HttpRequest, slug: str) -> HttpResponse:
    """Resources provided against progress: one mark per project, and the same numbers as a table."""
    venue, rights = request.venue, request.venue_rights
    today = timezone.localdate()
    form = PortfolioFilterForm(request.GET or None, venue=venue)
    thresholds = queries.thresholds_of(venue)
    overview = queries.portfolio_overview_for(venue, today, request.user, rights, thresholds)
    projects = list(filtered_projects(request, form, overview))
    rows, chart_points = [], []
    for project in projects:
        item = overview[project.pk]
        point = item["point"]
        group = quadrant(point, thresholds.shortfall_ratio)
        provision = None if point.provision is None else (
            percent_text(point.provision, coarse=False) if not item["coarse"]
            else percent_text(item["band"] / 100, coarse=True))
        rows.append({"project": project, "point": point, "group": group, "group_label": QUADRANTS.get(group, ""),
                     "provision": provision,
                     "progress": None if point.progress is None else round(point.progress * 100)})
        if group is not None:
            chart_points.append(ChartPoint(
                project.title, point.provision, point.progress, group,
                _("%(title)s：提供率 %(provision)s%%、マイルストーン達成率 %(progress)s%%") % {
                    "title": project.title, "provision": provision, "progress": round(point.progress * 100)}))
    plotted = len(chart_points)
    svg = render_progress_chart(chart_points, ChartText(
        title=_("資源の提供と進捗"),
        description=_("%(n)s 件のプロジェクトについて、横軸に約束された資源の提供率、縦軸に期限を迎えたマイルストーンの"
                      "達成率を示します。破線は %(divide)s%% の基準です。") % {
            "n": plotted, "divide": round(thresholds.shortfall_ratio * 100)},
        x_label=_("資源の提供率（期限を迎えた約束）"), y_label=_("マイルストーン達成率")), thresholds.shortfall_ratio)
    legend = [(code, label) for code, label in QUADRANTS.items()]
    return render(request, "portfolio/chart.html", {"venue": venue, "rights": rights, "rows": rows, "svg": svg,
                                                     "legend": legend, "form": form, "plotted": plotted})


@require_safe
@access(VENUE_PARTICIPANT)
def portfolio_resources(request: HttpRequest, slug: str) -> HttpResponse:
    """What each partner committed and provided, per fiscal year and kind, across the venue's projects, and what
    is overdue. Confidential cash counts only in the projects whose amounts the reader may see."""
    venue, rights = _venue(request, slug)
    today = timezone.localdate()
    thresholds = queries.thresholds_of(venue)
    ledger, overdue = queries.resource_ledger(venue, today, thresholds.grace_days, request.user)
    kinds = dict(Commitment.Kind.choices)
    for row in (*ledger, *overdue):
        row["kind_label"] = kinds.get(row["kind"], row["kind"])
    return render(request, "portfolio/resources.html", {
        "venue": venue, "rights": rights, "ledger": ledger, "overdue": overdue,
        "any_hidden": any(r["hidden"] for r in ledger), "grace_days": thresholds.grace_days})


def _ledger(project: Project, show_amounts: bool, today: dt.date, grace_days: int) -> list[Any]:
    commitments = with_provided(project.commitments.all()).order_by("fiscal_year", "partner__name", "kind")
    return [ledger_row(c, show_amounts, today, grace_days) for c in commitments]


def _report_schedule(project: Project, reports: list[Any], today: dt.date,
                     thresholds: Thresholds) -> list[dict[str, Any]]:
    """The venue's reporting schedule with each period's state, by the same rules as the stale-reporting signal."""
    ends = report_period_ends(project.start_date, project.end_date, project.report_interval_months,
                              until=today + dt.timedelta(days=200))
    submitted = submissions_by_period(ends, [ReportFact(r.period_end, r.submitted_on) for r in reports], today)
    return [
        {"period_end": end, "due": report_due(end, thresholds),
         "submitted_on": submitted.get(i),
         "state": "submitted" if i in submitted else ("missing" if report_is_late(end, today, thresholds)
                                                      else "upcoming")}
        for i, end in enumerate(ends)
    ]


@require_safe
@venue_view(MEMBER)
def project_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, rights = request.venue, request.venue_rights
    project = get_object_or_404(queries.projects_of(venue), pk=pk)
    show_amounts = can_see_confidential(request.user, project, rights)
    today = timezone.localdate()
    thresholds = queries.thresholds_of(venue)
    (facts,) = queries.project_facts([project], today, sees={project.pk} if show_amounts else set())
    review = evaluate(facts, today, thresholds)
    outputs = Output.objects.visible_to(request.user).filter(project=project).prefetch_related("kpis")
    reports = list(project.reports.all())
    changes = [
        {"change": c, "items": [{"field": services.CHANGE_LABELS.get(k, k),
                                 "before": change_value_label(k, c.before.get(k)),
                                 "after": change_value_label(k, v)} for k, v in c.after.items()]}
        for c in project.changes.select_related("review", "decision")
    ]
    context = {
        "venue": venue, "project": project, "rights": rights, "show_amounts": show_amounts,
        "can_record": can_record(request.user, project, rights),
        "signals": _signals(review, show_amounts),
        "past_end_date": review.signal(PAST_END_DATE).fired,
        "ledger": _ledger(project, show_amounts, today, thresholds.grace_days),
        "participants": project.participants.select_related("organization", "person"),
        "outputs": outputs, "reports": reports, "themes": project.themes.select_related("issue"),
        "schedule": _report_schedule(project, reports, today, thresholds),
        "expected": project.expected_kpis.select_related("kpi"),
        "milestones": project.milestones.all(), "today": today,
        "reviews": project.reviews.select_related("decision", "reviewer"), "changes": changes,
    }
    return render(request, "portfolio/project_detail.html", context)


# --- Writes ---------------------------------------------------------------------------------------


def _project(request: HttpRequest, slug: str, pk: int) -> tuple[Venue, VenueAccess, Project]:
    venue, rights = _venue(request, slug)
    return venue, rights, get_object_or_404(queries.projects_of(venue), pk=pk)


def _require_secretariat(rights: VenueAccess) -> None:
    if not rights.is_secretariat:
        raise PermissionDenied(_("この操作は事務局だけが行えます。"))


def _require_recorder(request: HttpRequest, project: Project, rights: VenueAccess) -> None:
    if not can_record(request.user, project, rights):
        raise PermissionDenied(_("記録できるのは、このプロジェクトの参加者と事務局です。"))


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _form_page(request: HttpRequest, venue: Venue, form: Any, heading: str, project: Project | None = None,
               intro: str = "") -> HttpResponse:
    return render(request, "portfolio/form.html", {"venue": venue, "project": project, "form": form,
                                                    "heading": heading, "intro": intro})


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def project_create(request: HttpRequest, slug: str) -> HttpResponse:
    venue, rights = _venue(request, slug)
    _require_secretariat(rights)
    form = ProjectForm(request.POST or None, venue=venue,
                       initial={"report_interval_months": queries.report_interval_of(venue),
                                "start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        themes, kpis, contribution = data.pop("themes"), data.pop("expected_kpis"), data.pop("contribution")
        try:
            project = services.project_create(actor=request.user, venue=venue, themes=themes,
                                              expected_kpis=[(k, contribution) for k in kpis], **data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("プロジェクト「%(title)s」を登録しました。") % {"title": project.title})
            return redirect(project)
    return _form_page(request, venue, form, _("プロジェクトを登録"))


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def project_update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, rights, project = _project(request, slug, pk)
    _require_secretariat(rights)
    form = ProjectForm(request.POST or None, instance=project, venue=venue)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in ProjectForm.Meta.fields}
        existing = {e.kpi_id: e.contribution for e in project.expected_kpis.all()}
        contribution = form.cleaned_data["contribution"]
        kpis = [(k, existing.get(k.pk, contribution)) for k in form.cleaned_data["expected_kpis"]]
        try:
            services.project_update(actor=request.user, project=Project.objects.get(pk=project.pk),
                                    themes=form.cleaned_data["themes"], expected_kpis=kpis, **data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("プロジェクトを更新しました。"))
            return redirect(project)
    return _form_page(request, venue, form, _("プロジェクトを編集"), project)


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def participant_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, rights, project = _project(request, slug, pk)
    _require_secretariat(rights)
    form = ParticipantForm(request.POST or None, venue=venue)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.participant_add(actor=request.user, project=project, organization=data["organization"],
                                     person=data["person"], role=data["role"], in_region=form.in_region())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("参加者を追加しました。"))
            return redirect(project)
    return _form_page(request, venue, form, _("参加者を追加"), project)


def _record_page(request: HttpRequest, slug: str, pk: int, form_class: Any, heading: str, save: Any,
                 done: str, form_needs_project: bool = False) -> HttpResponse:
    """GET shows the form; POST validates it, calls ``save(project, cleaned_data)`` and goes back to the project."""
    venue, rights, project = _project(request, slug, pk)
    _require_recorder(request, project, rights)
    form = form_class(request.POST or None, **({"project": project} if form_needs_project else {}))
    if request.method == "POST" and form.is_valid():
        try:
            save(project, form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(project)
    return _form_page(request, venue, form, heading, project)


@require_http_methods(["GET", "POST"])
@access(VENUE_PARTICIPANT)
def commitment_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    def save(project: Project, data: dict[str, Any]) -> None:
        services.commitment_add(actor=request.user, project=project, **data)

    return _record_page(request, slug, pk, CommitmentForm, _("約束（コミットメント）を登録"), save,
                        _("約束を登録しました。"), form_needs_project=True)


@require_http_methods(["GET", "POST"])
@access(VENUE_PARTICIPANT)
def provision_add(request: HttpRequest, slug: str, pk: int, commitment: int) -> HttpResponse:
    venue, rights, project = _project(request, slug, pk)
    _require_recorder(request, project, rights)
    item = get_object_or_404(project.commitments.select_related("partner"), pk=commitment)
    form = ProvisionForm(request.POST or None, initial={"provided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.provision_record(actor=request.user, commitment=item, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("提供実績を記録しました。"))
            return redirect(project)
    intro = _("%(partner)s の%(year)s年度の%(kind)s") % {"partner": item.partner.display_name,
                                                    "year": item.fiscal_year, "kind": item.get_kind_display()}
    return _form_page(request, venue, form, _("提供実績を記録"), project, intro)


@require_http_methods(["GET", "POST"])
@access(VENUE_PARTICIPANT)
def output_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    def save(project: Project, data: dict[str, Any]) -> None:
        services.output_add(actor=request.user, project=project, **data)

    return _record_page(request, slug, pk, OutputForm, _("成果を登録"), save, _("成果を登録しました。"),
                        form_needs_project=True)


@require_http_methods(["GET", "POST"])
@access(VENUE_PARTICIPANT)
def report_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    def save(project: Project, data: dict[str, Any]) -> None:
        services.report_submit(actor=request.user, project=project, **data)

    return _record_page(request, slug, pk, ReportForm, _("定期報告を提出"), save, _("定期報告を登録しました。"))


@require_http_methods(["GET", "POST"])
@access(VENUE_PARTICIPANT)
def milestone_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    def save(project: Project, data: dict[str, Any]) -> None:
        services.milestone_add(actor=request.user, project=project, **data)

    return _record_page(request, slug, pk, MilestoneForm, _("マイルストーンを追加"), save,
                        _("マイルストーンを追加しました。"))


@require_POST
@access(VENUE_PARTICIPANT)
def milestone_done(request: HttpRequest, slug: str, pk: int, item: int) -> HttpResponse:
    venue, rights, project = _project(request, slug, pk)
    _require_recorder(request, project, rights)
    milestone = get_object_or_404(Milestone, project=project, pk=item)
    form = MilestoneDoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_complete(actor=request.user, milestone=milestone, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("マイルストーン「%(title)s」の達成を記録しました。")
                             % {"title": milestone.title})
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(project)


def review_initial(params: Any, project: Project) -> dict[str, Any]:
    """The review form prefilled from the project page's prompt for a project past its end date
    (``?recommendation=complete``: close it; ``?recommendation=adjust``: extend it)."""
    wanted = params.get("recommendation")
    if wanted in (Review.Recommendation.COMPLETE, Review.Recommendation.ADJUST):
        return {"recommendation": wanted}
    return {}


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def review_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, rights, project = _project(request, slug, pk)
    _require_secretariat(rights)
    form = ReviewForm(request.POST or None, initial=review_initial(request.GET, project))
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("評価を記録し、提言を場の決定案「%(title)s」にしました。")
                             % {"title": review.decision.title})
            return redirect(project)
    today = timezone.localdate()
    (facts,) = queries.project_facts([project], today)
    signals = [s for s in _signals(evaluate(facts, today, queries.thresholds_of(venue)), True) if s["fired"]]
    return render(request, "portfolio/review_form.html", {"venue": venue, "project": project, "form": form,
                                                           "signals": signals})


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def portfolio_settings(request: HttpRequest, slug: str) -> HttpResponse:
    venue, rights = _venue(request, slug)
    _require_secretariat(rights)
    current = queries.thresholds_of(venue)
    initial = {name: getattr(current, name) for name in SettingsForm().fields if hasattr(current, name)}
    initial["report_interval_months"] = queries.report_interval_of(venue)
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(actor=request.user, venue=venue, thresholds=form.thresholds(),
                                     report_interval_months=form.cleaned_data["report_interval_months"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("シグナルの閾値を保存しました。"))
            return redirect("portfolio:portfolio", venue.slug)
    return _form_page(request, venue, form, _("シグナルの閾値と報告の間隔"),
                      intro=_("閾値の意味は各シグナルの説明のとおりです。変更すると、すべてのプロジェクトのシグナルが"
                              "新しい閾値で計算されます。"))

