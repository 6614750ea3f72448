"""The venue's consultation pages (``/venues/<venue>/consultations/``): members read, the secretariat writes.

The opinion map is recomputed by a background task (``tasks.recompute_map``), never inside a request.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kyoso.common.access import SECRETARIAT
from kyoso.common.exports import safe_row
from kyoso.venues.access import MEMBER, venue_view

from . import services
from .forms import AgendaForm, ConsultationForm, ReplyForm, SeedForm, posted_int
from .mapview import map_context
from .models import Comment, Consultation, ModerationLog, Statement


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _error_message(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _get(request: HttpRequest, pk: int) -> Consultation:
    return get_object_or_404(Consultation.objects.visible_to(request.user).filter(venue=request.venue)
                             .select_related("venue", "agenda_item__meeting", "decision"), pk=pk)


def _manage(consultation: Consultation) -> HttpResponse:
    return redirect("consultations:manage", consultation.venue.slug, consultation.pk)


@require_safe
@venue_view(MEMBER)
def manage_list(request: HttpRequest, slug: str) -> HttpResponse:
    consultations = (Consultation.objects.visible_to(request.user).filter(venue=request.venue)
                     .annotate(n_participants=Count("participants", distinct=True),
                               n_pending=Count("statements", filter=Q(statements__reviewed=False), distinct=True)))
    return render(request, "consultations/manage_list.html", {
        "venue": request.venue, "rights": request.venue_rights, "consultations": consultations})


@require_http_methods(["GET", "POST"])
@venue_view(SECRETARIAT)
def create(request: HttpRequest, slug: str) -> HttpResponse:
    return _form_page(request, None)


@require_http_methods(["GET", "POST"])
@venue_view(SECRETARIAT)
def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _form_page(request, _get(request, pk))


def _form_page(request: HttpRequest, consultation: Consultation | None) -> HttpResponse:
    """Create (``consultation`` None) or edit a consultation."""
    form = ConsultationForm(request.POST or None, instance=consultation, venue=request.venue)
    if request.method == "POST" and form.is_valid():
        try:
            if consultation is None:
                consultation = services.consultation_create(actor=request.user, venue=request.venue,
                                                            **form.cleaned_data)
                messages.success(request, _("意見募集を作成しました。"
                                            "場が用意する意見を登録してから受付を始めてください。"))
            else:
                services.consultation_update(actor=request.user, consultation=consultation, **form.cleaned_data)
                messages.success(request, _("意見募集を保存しました。"))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return _manage(consultation)
    return render(request, "consultations/manage_form.html", {"venue": request.venue, "form": form,
                                                              "consultation": consultation})


@require_safe
@venue_view(MEMBER)
def manage(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _get(request, pk)
    venue = request.venue
    next_meeting = services.next_meeting(venue)
    context = {
        "venue": venue, "rights": request.venue_rights, "consultation": consultation,
        "statements": consultation.statements.annotate(n_votes=Count("votes")).order_by("-is_seed", "id"),
        "n_participants": consultation.participants.count(),
        "n_votes": consultation.votes.count(),
        "n_comments": consultation.comments.count(),
        "n_pending": consultation.statements.awaiting_review().count()
        + consultation.comments.awaiting_review().count(),
        "seed_form": SeedForm(),
        "agenda_form": AgendaForm(venue=venue, initial={"meeting": next_meeting}),
        "reply_form": ReplyForm(venue=venue, initial={"reply": consultation.reply,
                                                      "decision": consultation.decision_id}),
        **map_context(consultation),
    }
    return render(request, "consultations/manage_detail.html", context)


@require_POST
@venue_view(SECRETARIAT)
def set_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _get(request, pk)
    try:
        services.consultation_set_status(actor=request.user, consultation=consultation,
                                         status=request.POST.get("status", ""))
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("意見募集の状態を変更しました。"))
    return _manage(consultation)


@require_POST
@venue_view(SECRETARIAT)
def seed(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _get(request, pk)
    form = SeedForm(request.POST)
    form.is_valid()
    try:
        services.statement_seed(actor=request.user, consultation=consultation, text=form.cleaned_data.get("text", ""))
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("場の意見を登録しました。"))
    return _manage(consultation)


@require_POST
@venue_view(SECRETARIAT)
def map_recompute(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _get(request, pk)
    services.map_request(actor=request.user, consultation=consultation)
    messages.success(request, _("意見マップの計算を依頼しました。"
                                "バックグラウンドで計算し、終わるとこのページに表示されます。"))
    return _manage(consultation)


@require_POST
@venue_view(SECRETARIAT)
def map_publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _get(request, pk)
    published = request.POST.get("published", "1") == "1"
    try:
        services.map_publish(actor=request.user, consultation=consultation, published=published)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("意見マップを公開しました。") if published else _("意見マップを非公開にしました。"))
    return _manage(consultation)


@require_POST
@venue_view(SECRETARIAT)
def agenda(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _get(request, pk)
    form = AgendaForm(request.POST, venue=request.venue)
    if not form.is_valid():
        messages.error(request, _("議題にする会議を選んでください（開催予定の会議がなければ、先に会議を登録します）。"))
        return _manage(consultation)
    try:
        services.agenda_item_from(actor=request.user, consultation=consultation, meeting=form.cleaned_data["meeting"])
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("結果を会議の議題に追加しました。"))
    return _manage(consultation)


@require_POST
@venue_view(SECRETARIAT)
def reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _get(request, pk)
    form = ReplyForm(request.POST, venue=request.venue)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return _manage(consultation)
    try:
        services.reply_record(actor=request.user, consultation=consultation, reply=form.cleaned_data["reply"],
                              decision=form.cleaned_data.get("decision"))
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("場からの回答を記録しました。意見募集のページに公開されます。"))
    return _manage(consultation)


@require_http_methods(["GET", "POST"])
@venue_view(SECRETARIAT, SECRETARIAT)
def moderation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The moderation queue: new participant statements, reported or hidden items; hide, unhide or keep."""
    consultation = _get(request, pk)
    if request.method == "POST":
        model = Statement if request.POST.get("kind") == "statement" else Comment
        item = model.objects.filter(consultation=consultation, pk=posted_int(request.POST.get("item"))).first()
        action = request.POST.get("action", "")
        if item is None or action not in (ModerationLog.Action.HIDE, ModerationLog.Action.UNHIDE,
                                          ModerationLog.Action.APPROVE):
            messages.error(request, _("対象と操作を選んでください。"))
        else:
            services.moderate(actor=request.user, item=item, action=action, note=request.POST.get("note", ""))
            messages.success(request, _("確認の結果を記録しました。"))
        return redirect("consultations:moderation", slug, pk)
    queue = Q(reviewed=False) | Q(state="hidden")
    return render(request, "consultations/moderation.html", {
        "venue": request.venue, "consultation": consultation,
        "statements": consultation.statements.filter(queue).order_by("reviewed", "-report_count", "id"),
        "comments": consultation.comments.filter(queue).order_by("reviewed", "-report_count", "id"),
        "log": consultation.moderation_log.select_related("actor").order_by("-at", "-id")[:50],
    })


@require_safe
@venue_view(SECRETARIAT, SECRETARIAT)
def moderation_log_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Every hide and unhide, as CSV (UTF-8 with BOM; cells through ``safe_row``)."""
    consultation = _get(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="moderation-log-{consultation.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("日時"), _("操作"), _("対象"), _("対象のID"), _("文"), _("通報数"), _("実行者"), _("メモ")])
    for entry in consultation.moderation_log.select_related("actor").order_by("at", "id"):
        writer.writerow(safe_row([
            entry.at.isoformat(timespec="seconds"), entry.get_action_display(), entry.get_kind_display(),
            entry.statement_id or entry.comment_id or "", entry.text, entry.report_count,
            (entry.actor.get_username() if entry.actor else _("自動")), entry.note,
        ]))
    return response
