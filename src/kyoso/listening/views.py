"""Pages of free-text clustering (広聴): the secretariat's uploads and results, and the public result pages.

Every upload page is the venue secretariat's (answers are residents' own words and stay internal); the public
pages show only published results (``SurveyUpload.objects.public()``): topics, sizes, representative answers.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kyoso.common.access import SECRETARIAT
from kyoso.venues.access import ANYONE, venue_view

from . import services
from .forms import ColumnForm, UploadForm
from .models import Answer, SurveyUpload, Topic

PAGE_SIZE = 100


def _upload(request: HttpRequest, pk: int) -> SurveyUpload:
    found: SurveyUpload = get_object_or_404(
        SurveyUpload.objects.visible_to(request.user).filter(venue=request.venue).defer("content"),
        pk=pk)
    return found


def topics_with_answers(upload: SurveyUpload, limit: int = 3) -> list[dict[str, Any]]:
    """Each topic with its representative answers (one query for all answers shown)."""
    found = list(upload.topics.order_by("number"))
    wanted = [pk for t in found for pk in t.representative_ids[:limit]]
    texts = dict(Answer.objects.filter(upload=upload, pk__in=wanted).values_list("pk", "text"))
    total = max(1, upload.answer_count)
    return [{"topic": t, "share": round(100 * t.size / total), "representatives":
             [texts[pk] for pk in t.representative_ids[:limit] if pk in texts]} for t in found]


@require_safe
@venue_view(SECRETARIAT)
def upload_list(request: HttpRequest, slug: str) -> HttpResponse:
    uploads = SurveyUpload.objects.visible_to(request.user).filter(venue=request.venue).defer("content")
    return render(request, "listening/upload_list.html", {"venue": request.venue, "uploads": uploads})


@require_http_methods(["GET", "POST"])
@venue_view(SECRETARIAT)
def upload_create(request: HttpRequest, slug: str) -> HttpResponse:
    venue = request.venue
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = services.upload_create(actor=request.user, venue=venue, title=form.cleaned_data["title"],
                                             source=form.cleaned_data["source"], filename=upload.name,
                                             content=upload.read())
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect("listening:upload_column", slug=slug, pk=created.pk)
    return render(request, "listening/upload_form.html", {"venue": venue, "form": form})


@require_http_methods(["GET", "POST"])
@venue_view(SECRETARIAT)
def upload_column(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    upload = _upload(request, pk)
    if upload.status != SurveyUpload.Status.PENDING:
        return redirect(upload)
    form = ColumnForm(request.POST or None, columns=list(upload.columns),
                      initial_column=services.suggested_column(upload))
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_choose_column(actor=request.user, upload=upload, column=form.cleaned_data["column"],
                                          k=form.cleaned_data["k"])
        except ValidationError as error:
            form.add_error("column", error.messages)
        else:
            return redirect(upload)
    return render(request, "listening/upload_column.html", {"venue": request.venue, "upload": upload,
                                                            "form": form})


@require_safe
@venue_view(SECRETARIAT)
def upload_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    upload = _upload(request, pk)
    if upload.status == SurveyUpload.Status.PENDING:
        return redirect("listening:upload_column", slug=slug, pk=upload.pk)
    context = {"venue": request.venue, "upload": upload, "busy": upload.busy,
               "topics": topics_with_answers(upload) if upload.status == SurveyUpload.Status.DONE else [],
               "next_meeting": services.next_meeting(upload.venue)}
    if request.htmx and not request.htmx.boosted:
        return render(request, "listening/upload_detail.html#status", context)
    return render(request, "listening/upload_detail.html", context)


@require_safe
@venue_view(SECRETARIAT)
def upload_answers(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Every answer of one topic (``?topic=N``), or of the whole upload, with its line in the file."""
    upload = _upload(request, pk)
    answers = upload.answers.select_related("topic").order_by("row", "pk")
    topic = None
    number = request.GET.get("topic", "")
    if number.isdigit():
        topic = get_object_or_404(Topic, upload=upload, number=int(number))
        answers = answers.filter(topic=topic)
    page_obj = Paginator(answers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "listening/upload_answers.html", {
        "venue": request.venue, "upload": upload, "topic": topic, "page_obj": page_obj,
        "topics": upload.topics.order_by("number"),
        "page_range": page_obj.paginator.get_elided_page_range(page_obj.number)})


@require_POST
@venue_view(SECRETARIAT)
def upload_publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    upload = _upload(request, pk)
    publish = request.POST.get("publish") == "1"
    try:
        services.upload_publish(actor=request.user, upload=upload, publish=publish)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("公開しました。だれでも公開ページで見られます。") if publish
                         else _("公開を取りやめました。"))
    return redirect(upload)


@require_POST
@venue_view(SECRETARIAT)
def upload_agenda(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    upload = _upload(request, pk)
    try:
        item = services.upload_to_agenda(actor=request.user, upload=upload)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(upload)
    messages.success(request, _("会議「%(meeting)s」の議題に追加しました。") % {"meeting": item.meeting.title})
    return redirect(item.meeting.get_absolute_url())


# --- Public pages ----------------------------------------------------------------------------------


@require_safe
@venue_view(ANYONE)
def result_list(request: HttpRequest, slug: str) -> HttpResponse:
    venue = request.venue
    results = SurveyUpload.objects.public().filter(venue=venue).defer("content").order_by("-published_at", "-pk")
    return render(request, "listening/public_list.html", {"venue": venue, "results": results})


@require_safe
@venue_view(ANYONE)
def result_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue = request.venue
    upload = get_object_or_404(SurveyUpload.objects.public().filter(venue=venue).defer("content"), pk=pk)
    return render(request, "listening/public_detail.html",
                  {"venue": venue, "upload": upload, "topics": topics_with_answers(upload)})
