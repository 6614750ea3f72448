"""Pages of the regional vision. Members of the venue read; the secretariat shapes the vision; members who
contribute (not observers) keep the numbers current by form or file import."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kyoso.common.access import SECRETARIAT, VENUE_PARTICIPANT, access
from kyoso.common.markdown import render_markdown
from kyoso.venues import queries as venue_queries
from kyoso.venues import services as venue_services
from kyoso.venues.access import MEMBER, venue_view
from kyoso.venues.access import member_venue as _venue
from kyoso.venues.forms import EndorsementForm
from kyoso.venues.permissions import VenueAccess

from . import exports, permissions, queries, services
from .charts import graph_svg, kpi_chart_svg
from .domain.versions import diff_snapshots
from .forms import (
    GoalForm,
    ImportForm,
    IssueForm,
    KpiForm,
    MilestoneForm,
    ObservationForm,
    ThemeForm,
    VersionForm,
    VisionForm,
)
from .models import ImportBatch, Kpi, Milestone, Vision, VisionVersion


def _vision(request: HttpRequest, slug: str, pk: int) -> tuple[Vision, VenueAccess]:
    venue, rights = _venue(request, slug)
    vision = get_object_or_404(Vision.objects.visible_to(request.user).select_related("venue", "prefecture"),
                               venue=venue, pk=pk)
    return vision, rights


def _secretariat(rights: VenueAccess) -> None:
    if not rights.is_secretariat:
        raise PermissionDenied(_("この操作は場の事務局だけが行えます。"))


def _contributor(rights: VenueAccess) -> None:
    if not rights.can_contribute:
        raise PermissionDenied(_("オブザーバーは閲覧のみできます。"))


def _errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Vision ---------------------------------------------------------------------------------------


@require_safe
@venue_view(MEMBER)
def vision_list(request: HttpRequest, slug: str) -> HttpResponse:
    venue, rights = request.venue, request.venue_rights
    visions = Vision.objects.visible_to(request.user).filter(venue=venue).prefetch_related("versions")
    return render(request, "visions/vision_list.html", {"venue": venue, "visions": visions, "rights": rights})


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def vision_create(request: HttpRequest, slug: str) -> HttpResponse:
    venue, rights = _venue(request, slug)
    _secretariat(rights)
    form = VisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        vision = services.vision_create(actor=request.user, venue=venue, **form.cleaned_data)
        messages.success(request, _("地域ビジョンを作成しました。目標とKPIを加えてください。"))
        return redirect(vision)
    return render(request, "visions/vision_form.html", {"venue": venue, "form": form, "vision": None})


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def vision_update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    _secretariat(rights)
    form = VisionForm(request.POST or None, instance=vision)
    if request.method == "POST" and form.is_valid():
        services.vision_update(actor=request.user, vision=vision, **form.cleaned_data)
        messages.success(request, _("地域ビジョンを更新しました。"))
        return redirect(vision)
    return render(request, "visions/vision_form.html", {"venue": vision.venue, "form": form, "vision": vision})


@require_safe
@access(VENUE_PARTICIPANT)
def vision_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The vision dashboard: each goal with its KPIs' statuses, milestones due, changes since the last meeting."""
    vision, rights = _vision(request, slug, pk)
    context = {"venue": vision.venue, "vision": vision, "rights": rights,
               "can_import": permissions.can_import(request.user, vision, rights),
               "agreed": queries.agreed_content(vision),
               "dashboard": queries.dashboard(vision, timezone.localdate(), request.user),
               "future_image_html": render_markdown(vision.future_image)}
    return render(request, "visions/vision_detail.html", context)


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def goal_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    _secretariat(rights)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.goal_create(actor=request.user, vision=vision, **form.cleaned_data)
        messages.success(request, _("目標を追加しました。"))
        return redirect(vision)
    return render(request, "visions/simple_form.html",
                  {"venue": vision.venue, "vision": vision, "form": form, "heading": _("目標を追加")})


# --- KPIs -----------------------------------------------------------------------------------------


def _kpi(request: HttpRequest, vision: Vision, kpi_pk: int) -> Kpi:
    return get_object_or_404(queries.vision_kpis(vision, request.user), pk=kpi_pk)


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def kpi_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    _secretariat(rights)
    form = KpiForm(request.POST or None, vision=vision, initial={"goal": request.GET.get("goal")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        targets = data.pop("targets")
        try:
            kpi = services.kpi_create(actor=request.user, targets=targets, **data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("KPI「%(name)s」を追加しました。") % {"name": kpi.name})
            return redirect(kpi)
    return render(request, "visions/kpi_form.html", {"venue": vision.venue, "vision": vision, "form": form,
                                                      "kpi": None})


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def kpi_update(request: HttpRequest, slug: str, pk: int, kpi: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    _secretariat(rights)
    item = _kpi(request, vision, kpi)
    form = KpiForm(request.POST or None, instance=item, vision=vision)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        targets = data.pop("targets")
        try:
            services.kpi_update(actor=request.user, kpi=item, targets=targets, **data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("KPIを更新しました。"))
            return redirect(item)
    return render(request, "visions/kpi_form.html", {"venue": vision.venue, "vision": vision, "form": form,
                                                      "kpi": item})


@require_safe
@access(VENUE_PARTICIPANT)
def kpi_detail(request: HttpRequest, slug: str, pk: int, kpi: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    item = _kpi(request, vision, kpi)
    state = queries.kpi_detail(item, timezone.localdate())
    context = {"venue": vision.venue, "vision": vision, "kpi": item, "state": state, "rights": rights,
               "can_record": permissions.can_record(request.user, item, rights),
               "chart": kpi_chart_svg(item, state), "observation_form": ObservationForm(),
               "observations": list(reversed(state.history))[:60],
               "targets": list(item.targets.all())}
    return render(request, "visions/kpi_detail.html", context)


@require_POST
@access(VENUE_PARTICIPANT)
def kpi_observe(request: HttpRequest, slug: str, pk: int, kpi: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    item = _kpi(request, vision, kpi)
    if not permissions.can_record(request.user, item, rights):
        raise PermissionDenied(_("このKPIの実績を記録できるのは、担当組織の人と場の事務局だけです。"))
    form = ObservationForm(request.POST)
    if form.is_valid():
        try:
            services.observation_record(actor=request.user, kpi=item, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("実績を記録しました。"))
    else:
        messages.error(request, " ".join(f"{form.fields[f].label}: {e}" for f, errs in form.errors.items()
                                         for e in errs if f in form.fields))
    return redirect(item)


@require_POST
@access(SECRETARIAT)
def kpi_reference(request: HttpRequest, slug: str, pk: int, kpi: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    _secretariat(rights)
    item = _kpi(request, vision, kpi)
    try:
        count = services.kpi_load_reference(actor=request.user, kpi=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("公的統計から %(n)s 件の実績を読み込みました。") % {"n": count})
    return redirect(item)


# --- Imports --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@access(VENUE_PARTICIPANT)
def import_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    if not permissions.can_import(request.user, vision, rights):
        raise PermissionDenied(_("実績を取り込めるのは、KPIの担当組織の人と場の事務局だけです。"))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = services.import_upload(actor=request.user, vision=vision, filename=upload.name,
                                       content=upload.read())
        return redirect("visions:import_detail", slug=slug, pk=vision.pk, batch=batch.pk)
    recent = vision.imports.defer("content")[:10]
    return render(request, "visions/import_form.html",
                  {"venue": vision.venue, "vision": vision, "form": form, "recent": recent,
                   "kpis": queries.vision_kpis(vision, request.user).order_by("code")})


@require_safe
@access(VENUE_PARTICIPANT)
def import_detail(request: HttpRequest, slug: str, pk: int, batch: int) -> HttpResponse:
    """The preview: every bad row with its line and reason, or the changes the import would make."""
    vision, rights = _vision(request, slug, pk)
    item = get_object_or_404(vision.imports.defer("content"), pk=batch)
    context = {"venue": vision.venue, "vision": vision, "batch": item, "rights": rights,
               "can_apply": permissions.can_apply_import(request.user, item),
               "problems": [dict(p, message=exports.problem_message(p)) for p in item.problems],
               "busy": item.status in (ImportBatch.Status.PENDING, ImportBatch.Status.APPLYING)}
    if request.htmx and not request.htmx.boosted:
        return render(request, "visions/import_detail.html#status", context)
    return render(request, "visions/import_detail.html", context)


@require_POST
@access(VENUE_PARTICIPANT)
def import_apply(request: HttpRequest, slug: str, pk: int, batch: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    item = get_object_or_404(vision.imports.defer("content"), pk=batch)
    if not permissions.can_apply_import(request.user, item):
        raise PermissionDenied(_("取込を実行できるのは、ファイルを登録した人と場の事務局だけです。"))
    try:
        services.import_apply(actor=request.user, batch=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("visions:import_detail", slug=slug, pk=vision.pk, batch=item.pk)


# --- Versions and agreement ----------------------------------------------------------------------


@require_safe
@access(VENUE_PARTICIPANT)
def version_list(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    versions = vision.versions.select_related("proposal", "created_by")
    return render(request, "visions/version_list.html", {"venue": vision.venue, "vision": vision,
                                                          "versions": versions, "rights": rights,
                                                          "form": VersionForm()})


@require_POST
@access(SECRETARIAT)
def version_save(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    _secretariat(rights)
    form = VersionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    version = services.version_save(actor=request.user, vision=vision, note=note)
    messages.success(request, _("現在の内容を第%(n)s版（案）として保存しました。") % {"n": version.number})
    return redirect(version)


def _version(vision: Vision, number: int) -> VisionVersion:
    return get_object_or_404(vision.versions.select_related("proposal"), number=number)


@require_safe
@access(VENUE_PARTICIPANT)
def version_detail(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    version = _version(vision, number)
    context: dict[str, Any] = {"venue": vision.venue, "vision": vision, "version": version, "rights": rights,
                               "future_image_html": render_markdown(version.snapshot.get("future_image", ""))}
    if version.proposal_id:
        endorsements = list(version.proposal.endorsements.select_related(
            "representative__person", "representative__membership__organization").order_by("sector", "created_at"))
        context["endorsements"] = endorsements
        context["evaluation"] = venue_services.evaluate_proposal(version.proposal, endorsements)
        mine = venue_queries.representatives_of_user(request.user, vision.venue).exclude(
            pk__in=[e.representative_id for e in endorsements])
        if version.proposal.status == "open" and mine.exists():
            context["endorse_form"] = EndorsementForm(representatives=mine)
    previous = vision.versions.filter(number__lt=number).order_by("-number").first()
    context["previous"] = previous
    return render(request, "visions/version_detail.html", context)


@require_POST
@access(SECRETARIAT)
def version_propose(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    _secretariat(rights)
    version = _version(vision, number)
    try:
        services.version_propose(actor=request.user, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("第%(n)s版について、各セクターの構成員代表に賛同を求めました。") % {"n": number})
    return redirect(version)


@require_POST
@access(VENUE_PARTICIPANT)
def version_endorse(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    version = _version(vision, number)
    if not version.proposal_id:
        raise Http404
    representatives = venue_queries.representatives_of_user(request.user, vision.venue)
    if not representatives.exists():
        raise PermissionDenied(_("賛同できるのは、この場の構成員代表だけです。"))
    form = EndorsementForm(request.POST, representatives=representatives)
    if form.is_valid():
        try:
            venue_services.endorsement_record(actor=request.user, proposal=version.proposal,
                                              representative=form.cleaned_data["representative"],
                                              stance=form.cleaned_data["stance"],
                                              reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("意思表示を記録しました。"))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(version)


@require_safe
@access(VENUE_PARTICIPANT)
def version_diff(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Any two versions compared as a readable diff (?a=1&b=2); 'current' compares with the live vision."""
    vision, rights = _vision(request, slug, pk)
    versions = list(vision.versions.order_by("number"))
    a, b = request.GET.get("a", ""), request.GET.get("b", "current")

    def pick(value: str) -> tuple[str, dict[str, Any]]:
        if value == "current":
            return _("現在の内容（未保存）"), services.snapshot_of(vision)
        for v in versions:
            if str(v.number) == value:
                return _("第%(n)s版") % {"n": v.number}, v.snapshot
        raise Http404

    if not a and versions:
        a = str(versions[-1].number)
    if not a:
        raise Http404
    label_a, snap_a = pick(a)
    label_b, snap_b = pick(b)
    lines = diff_snapshots(snap_a, snap_b, exports.snapshot_labels())
    context = {"venue": vision.venue, "vision": vision, "versions": versions, "a": a, "b": b,
               "label_a": label_a, "label_b": label_b, "lines": lines,
               "changed": any(line.op != "same" for line in lines)}
    return render(request, "visions/version_diff.html", context)


# --- Milestones, backcasting ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def milestone_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    _secretariat(rights)
    form = MilestoneForm(request.POST or None, vision=vision)
    if request.method == "POST" and form.is_valid():
        services.milestone_create(actor=request.user, vision=vision, **form.cleaned_data)
        messages.success(request, _("マイルストーンを追加しました。"))
        return redirect(vision)
    return render(request, "visions/simple_form.html",
                  {"venue": vision.venue, "vision": vision, "form": form, "heading": _("マイルストーンを追加")})


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def milestone_update(request: HttpRequest, slug: str, pk: int, milestone: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    _secretariat(rights)
    item = get_object_or_404(Milestone, vision=vision, pk=milestone)
    form = MilestoneForm(request.POST or None, instance=item, vision=vision)
    if request.method == "POST" and form.is_valid():
        services.milestone_update(actor=request.user, milestone=item, **form.cleaned_data)
        messages.success(request, _("マイルストーンを更新しました。"))
        return redirect(vision)
    return render(request, "visions/simple_form.html",
                  {"venue": vision.venue, "vision": vision, "form": form, "heading": _("マイルストーンを編集")})


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def issue_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    _secretariat(rights)
    form = IssueForm(request.POST or None, vision=vision, initial={"goal": request.GET.get("goal")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        services.issue_create(actor=request.user, vision=vision, kpis=data.pop("kpis"), **data)
        messages.success(request, _("地域課題を追加しました。"))
        return redirect("visions:tree", slug=slug, pk=vision.pk)
    return render(request, "visions/simple_form.html",
                  {"venue": vision.venue, "vision": vision, "form": form, "heading": _("地域課題を追加")})


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def theme_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    _secretariat(rights)
    form = ThemeForm(request.POST or None, vision=vision, initial={"issue": request.GET.get("issue")})
    if request.method == "POST" and form.is_valid():
        services.theme_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("研究開発テーマを追加しました。"))
        return redirect("visions:tree", slug=slug, pk=vision.pk)
    return render(request, "visions/simple_form.html",
                  {"venue": vision.venue, "vision": vision, "form": form, "heading": _("研究開発テーマを追加")})


@require_safe
@access(VENUE_PARTICIPANT)
def tree(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    context = {"venue": vision.venue, "vision": vision, "rights": rights,
               "goals": queries.backcasting_tree(vision, request.user),
               "gaps": queries.gaps(vision, request.user), "agreed": queries.agreed_content(vision)}
    return render(request, "visions/tree.html", context)


@require_safe
@access(VENUE_PARTICIPANT)
def graph(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    nodes, edges = queries.backcasting_graph(vision, request.user)
    context = {"venue": vision.venue, "vision": vision, "rights": rights, "svg": graph_svg(vision, nodes, edges),
               "nodes": nodes}
    return render(request, "visions/graph.html", context)


@require_safe
@access(VENUE_PARTICIPANT)
def export(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    vision, rights = _vision(request, slug, pk)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "json":
        body = json.dumps(exports.vision_json(vision, request.user), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        filename = f"vision-{vision.pk}-{stamp}.json"
    else:
        response = HttpResponse(exports.vision_xlsx(vision, request.user),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        filename = f"vision-{vision.pk}-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
