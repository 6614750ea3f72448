"""The venue's public site (``/v/<slug>/``): the vision, public KPIs, projects, decisions, meetings and open data,
for anyone, server-rendered (no JavaScript needed), in Japanese, English and やさしい日本語 (``?lang=easy``).

What is shown is decided by the models' ``public()`` querysets (through ``queries``), the same for every visitor,
so the pages are cacheable: each answers conditional requests (ETag / Last-Modified from ``queries.last_change``)
and sends ``Cache-Control``. The secretariat writes the やさしい日本語 summaries in ``easy_*`` (its own venue only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_http_methods, require_POST, require_safe

from kyoso.common import registry
from kyoso.common.access import PUBLIC, access
from kyoso.common.markdown import render_markdown
from kyoso.portfolio.models import Project
from kyoso.venues.access import SECRETARIAT_ONLY, venue_view
from kyoso.venues.models import Decision, Meeting
from kyoso.visions.charts import kpi_chart_svg
from kyoso.visions.models import Kpi, Vision

from . import opendata, queries, services
from .domain.readability import LONG_SENTENCE_CHARS, PLAIN_MINIMUM, assess
from .forms import EasySummaryForm
from .models import EasySummary

EASY = "easy"
PAGE_SIZE = 50
CACHE_SECONDS = 60
DATA_CACHE_SECONDS = 3600


def is_easy(request: HttpRequest) -> bool:
    return request.GET.get("lang") == EASY


def _stamp(request: HttpRequest, slug: str) -> tuple[Any, dt.datetime | None, str]:
    """The public venue and when its public content last changed, once per request."""
    cached = getattr(request, "_public_stamp", None)
    if cached is None or cached[0].slug != slug:
        venue = queries.public_venue(slug)
        cached = (venue, *queries.last_change(venue))
        request._public_stamp = cached  # type: ignore[attr-defined]
    return cached


def _etag(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> str:
    """What a page depends on: the venue's public content, today (a KPI's status and freshness change with the
    date), the language, the やさしい日本語 mode, the query (page number), and who is signed in (the header)."""
    _venue, _at, fingerprint = _stamp(request, slug)
    user = getattr(request, "user", None)
    reader = user.pk if user is not None and user.is_authenticated else 0
    extra = "-".join(str(v) for v in (*args, *kwargs.values(), request.GET.urlencode(), timezone.localdate()))
    digest = hashlib.sha256(extra.encode()).hexdigest()[:8]
    return f"{fingerprint}-{get_language()}-{int(is_easy(request))}-{reader}-{digest}"


def _last_modified(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> dt.datetime | None:
    """The last change of the public content, or the start of today if later (the statuses depend on the date)."""
    changed = _stamp(request, slug)[1]
    today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    return max(changed, today) if changed else today


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public-site page: GET/HEAD only, for anyone, conditional (ETag/Last-Modified), cacheable for a minute by
    the visitor's browser (``private``: the page holds the visitor's CSRF token for the language switch)."""
    conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(view)
    return require_safe(access(PUBLIC)(cache_control(max_age=CACHE_SECONDS, private=True)(conditional)))


def _context(request: HttpRequest, venue: Any, **extra: Any) -> dict[str, Any]:
    easy = is_easy(request)
    query = request.GET.copy()
    query.pop("lang", None)
    plain_query = query.urlencode()
    query["lang"] = EASY
    return {"venue": venue, "easy": easy, "easy_query": query.urlencode(), "plain_query": plain_query,
            "venue_name": (venue.name_en if venue.name_en and (get_language() or "ja").startswith("en")
                           else venue.name), **extra}


# --- Pages -----------------------------------------------------------------------------------------------


@public_page
def site(request: HttpRequest, slug: str) -> HttpResponse:
    venue = _stamp(request, slug)[0]
    data = queries.site(venue, timezone.localdate())
    for section in data.goals:
        for block in section.kpis:
            block.chart = kpi_chart_svg(block.kpi, block.state)
    vision = data.vision
    return render(request, "public/site.html", _context(
        request, venue, site=data, vision=vision,
        vision_easy=data.easy.get(("vision", vision.pk), "") if vision else "",
        future_image_html=render_markdown(vision.future_image) if vision else "",
        open_data=_open_data_links(venue)))


@public_page
def kpi_detail(request: HttpRequest, slug: str, kpi: int) -> HttpResponse:
    venue = _stamp(request, slug)[0]
    vision = queries.public_vision(venue)
    if vision is None:
        raise Http404
    item = get_object_or_404(queries.public_kpis(vision), pk=kpi)
    block = queries.kpi_blocks([item], timezone.localdate(), queries.easy_texts(venue), n_boot=500)[0]
    return render(request, "public/kpi_detail.html", _context(
        request, venue, vision=vision, kpi=item, kpi_block=block, state=block.state,
        chart=kpi_chart_svg(item, block.state), targets=list(item.targets.all()),
        observations=list(reversed(block.state.history))[:60]))


@public_page
def project_list(request: HttpRequest, slug: str) -> HttpResponse:
    venue = _stamp(request, slug)[0]
    projects = queries.public_projects(venue).order_by("-start_date", "id")
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    easy = queries.easy_texts(venue)
    rows = [(p, easy.get(("project", p.pk), "")) for p in page.object_list]
    return render(request, "public/project_list.html", _context(request, venue, page_obj=page, rows=rows))


@public_page
def project_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue = _stamp(request, slug)[0]
    project = get_object_or_404(queries.public_projects(venue), pk=pk)
    page = queries.project_page(project)
    return render(request, "public/project_detail.html", _context(
        request, venue, project=project, page=page, easy_text=queries.easy_texts(venue).get(("project", pk), "")))


@public_page
def decision_list(request: HttpRequest, slug: str) -> HttpResponse:
    venue = _stamp(request, slug)[0]
    page = Paginator(queries.public_decisions(venue), PAGE_SIZE).get_page(request.GET.get("page"))
    easy = queries.easy_texts(venue)
    rows = [(d, easy.get(("decision", d.pk), "")) for d in page.object_list]
    return render(request, "public/decision_list.html", _context(request, venue, page_obj=page, rows=rows))


@public_page
def decision_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue = _stamp(request, slug)[0]
    decision = get_object_or_404(queries.public_decisions(venue).select_related("previous"), pk=pk)
    public = queries.public_decisions(venue)
    previous = public.filter(pk=decision.previous_id).first() if decision.previous_id else None
    successors = list(public.filter(previous=decision))
    return render(request, "public/decision_detail.html", _context(
        request, venue, decision=decision, previous=previous, successors=successors,
        easy_text=queries.easy_texts(venue).get(("decision", pk), "")))


@public_page
def meeting_list(request: HttpRequest, slug: str) -> HttpResponse:
    venue = _stamp(request, slug)[0]
    page = Paginator(queries.public_meetings(venue), PAGE_SIZE).get_page(request.GET.get("page"))
    published = set(Meeting.objects.public_minutes().filter(pk__in=[m.pk for m in page.object_list])
                    .values_list("pk", flat=True))
    return render(request, "public/meeting_list.html", _context(request, venue, page_obj=page, published=published))


@public_page
def meeting_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue = _stamp(request, slug)[0]
    meeting = get_object_or_404(queries.public_meetings(venue), pk=pk)
    minutes = queries.published_minutes(meeting)
    return render(request, "public/meeting_detail.html", _context(
        request, venue, meeting=meeting, agenda=list(queries.public_agenda(meeting)),
        minutes_html=render_markdown(minutes) if minutes else None))


def _open_data_links(venue: Any) -> list[dict[str, Any]]:
    declared = {export.key: export for export in registry.open_data()}
    return [{"table": table, "label": declared[f"public-{key}"].label if f"public-{key}" in declared else table.title,
             "urls": opendata.file_urls(table, venue)} for key, table in opendata.TABLES.items()]


@public_page
def open_data(request: HttpRequest, slug: str) -> HttpResponse:
    venue = _stamp(request, slug)[0]
    return render(request, "public/open_data.html", _context(
        request, venue, files=_open_data_links(venue), licence=opendata.LICENCE,
        region=queries.region_code(venue)))


def _data_view(key: str) -> Callable[..., HttpResponse]:
    table = opendata.TABLES[key]

    @require_safe
    @access(PUBLIC)
    @cache_control(public=True, max_age=DATA_CACHE_SECONDS)
    @condition(etag_func=lambda request, slug, format: f"{_stamp(request, slug)[2]}-{key}-{format}-"
                                                        f"{timezone.localdate().isoformat()}",
               last_modified_func=_last_modified)
    def view(request: HttpRequest, slug: str, format: str) -> HttpResponse:  # noqa: A002 - the URL's name
        venue = _stamp(request, slug)[0]
        base = request.build_absolute_uri("/").rstrip("/")
        filename = f"{venue.slug}-{key}"
        if format == "csv":
            response = HttpResponse(opendata.to_csv(table, venue), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        elif format == "json":
            response = HttpResponse(opendata.to_json(table, venue, base), content_type="application/json")
            response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
        else:
            body = json.dumps(opendata.schema(table, venue, base), ensure_ascii=False, indent=1)
            response = HttpResponse(body.encode(), content_type="application/schema+json")
            response["Content-Disposition"] = f'inline; filename="{filename}.schema.json"'
        urls = opendata.file_urls(table, venue)
        response["Link"] = (f'<{base}{urls["schema"]}>; rel="describedby", '
                            f'<{opendata.LICENCE["path"]}>; rel="license"')
        return response

    view.__name__ = f"data_{key}"
    return view


DATA_VIEWS = {key: _data_view(key) for key in opendata.TABLES}


# --- The secretariat's やさしい日本語 editor ----------------------------------------------------------------


def _targets(venue: Any) -> list[tuple[str, Any, str]]:
    """Every object of the venue that can get a plain summary: (kind, object, label), public or not yet."""
    found: list[tuple[str, Any, str]] = []
    for vision in Vision.objects.filter(venue=venue).order_by("-created_at"):
        found.append(("vision", vision, vision.title))
    for kpi in Kpi.objects.filter(vision__venue=venue).order_by("vision_id", "goal__order", "id"):
        found.append(("kpi", kpi, kpi.name))
    for project in Project.objects.filter(venue=venue).order_by("-start_date", "id")[:200]:
        found.append(("project", project, project.title))
    finalised = Decision.objects.filter(venue=venue, status=Decision.Status.FINALISED)
    for decision in finalised.order_by("-decided_on")[:200]:
        found.append(("decision", decision, str(decision)))
    return found


PUBLIC_MODELS: dict[str, Any] = {"vision": Vision, "kpi": Kpi, "project": Project, "decision": Decision}


def _public_ids(venue: Any) -> dict[str, set[int]]:
    """The ids of the venue's public objects of each kind (each model's ``public()``), four queries."""
    paths = {"vision": "venue", "kpi": "vision__venue", "project": "venue", "decision": "venue"}
    return {kind: set(model.objects.public().filter(**{paths[kind]: venue}).values_list("pk", flat=True))
            for kind, model in PUBLIC_MODELS.items()}


def _is_public(kind: str, obj: Any) -> bool:
    return bool(PUBLIC_MODELS[kind].objects.public().filter(pk=obj.pk).exists())


def _target(venue: Any, value: str) -> tuple[str, Any]:
    kind, _sep, pk = (value or "").partition("-")
    lookups: dict[str, Any] = {
        "vision": Vision.objects.filter(venue=venue), "kpi": Kpi.objects.filter(vision__venue=venue),
        "project": Project.objects.filter(venue=venue), "decision": Decision.objects.filter(venue=venue),
    }
    if kind not in lookups or not pk.isdigit():
        raise Http404
    return kind, get_object_or_404(lookups[kind], pk=int(pk))


def _original_text(kind: str, obj: Any) -> str:
    return {"vision": lambda: obj.future_image, "kpi": lambda: obj.definition or obj.name,
            "project": lambda: obj.summary_public, "decision": lambda: obj.text}[kind]()


def _report_context(text: str) -> dict[str, Any]:
    return {"report": assess(text) if text.strip() else None, "minimum": PLAIN_MINIMUM,
            "long_chars": LONG_SENTENCE_CHARS}


@require_safe
@venue_view(SECRETARIAT_ONLY)
def easy_list(request: HttpRequest, slug: str) -> HttpResponse:
    venue = request.venue  # type: ignore[attr-defined]
    summaries = {(s.kind, s.object_id): s for s in EasySummary.objects.filter(venue=venue)}
    public = _public_ids(venue)
    rows = [{"kind": kind, "kind_label": EasySummary.Kind(kind).label, "object": obj, "label": label,
             "summary": summaries.get((kind, obj.pk)), "public": obj.pk in public[kind],
             "edit": reverse("public:easy_edit", args=[venue.slug]) + "?" + urlencode({"target": f"{kind}-{obj.pk}"})}
            for kind, obj, label in _targets(venue)]
    return render(request, "public/easy_list.html", {"venue": venue, "rows": rows})


@require_http_methods(["GET", "POST"])
@venue_view(SECRETARIAT_ONLY)
def easy_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Write one object's plain summary; "確かめる" checks the text without saving (the no-JavaScript path)."""
    venue = request.venue  # type: ignore[attr-defined]
    target = request.POST.get("target") if request.method == "POST" else request.GET.get("target")
    kind, obj = _target(venue, target or "")
    existing = EasySummary.objects.filter(kind=kind, object_id=obj.pk).first()
    form = EasySummaryForm(request.POST or None, initial={"text": existing.text if existing else ""})
    text = existing.text if existing else ""
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        if request.POST.get("action") != "check":
            try:
                services.easy_summary_save(actor=request.user, venue=venue, kind=kind, object_id=obj.pk, text=text)
            except ValidationError as error:
                form.add_error("text" if hasattr(error, "error_dict") else None,
                               error.message_dict.get("text", error.messages) if hasattr(error, "error_dict")
                               else error.messages)
            else:
                messages.success(request, _("やさしい日本語の説明を保存しました。"))
                return redirect(reverse("public:easy_edit", args=[venue.slug]) + "?" + urlencode({"target": target}))
    public_url = _public_url(venue, kind, obj)
    return render(request, "public/easy_edit.html", {
        "venue": venue, "form": form, "kind": kind, "kind_label": EasySummary.Kind(kind).label, "object": obj,
        "target": target, "original": _original_text(kind, obj), "is_public": _is_public(kind, obj),
        "public_url": public_url, "saved": existing, **_report_context(text)})


def _public_url(venue: Any, kind: str, obj: Any) -> str:
    if kind == "kpi":
        return reverse("public:kpi_detail", args=[venue.slug, obj.pk])
    if kind == "project":
        return reverse("public:project_detail", args=[venue.slug, obj.pk])
    if kind == "decision":
        return reverse("public:decision_detail", args=[venue.slug, obj.pk])
    return reverse("public:site", args=[venue.slug])


@require_POST
@venue_view(SECRETARIAT_ONLY)
def easy_check(request: HttpRequest, slug: str) -> HttpResponse:
    """The live check while writing (htmx): the readability report of the posted text, as a fragment."""
    text = request.POST.get("text", "")[: services.MAX_CHARS * 2]
    response = render(request, "public/_readability.html", _report_context(text))
    response["Cache-Control"] = "no-store"
    return response

