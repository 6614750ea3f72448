"""Public pages of consultations (``/v/<venue>/consultations/``): no account needed, reading works without JavaScript.

Every form is a plain POST that redirects back (or re-renders with a translated message); htmx only enhances the
vote card (it swaps in the next statement). Visibility comes from the querysets (``public()``), never from here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kyoso.common.access import PUBLIC, access
from kyoso.venues.models import Venue

from . import identity, ratelimit, services
from .forms import CommentForm, EmailForm, StatementForm, posted_int
from .mapview import map_context
from .models import Comment, Consultation, Participant, Statement, Vote

RATE_LIMITED = 429


def _venue(slug: str, user: Any) -> Venue:
    return get_object_or_404(Venue.objects.visible_to(user), slug=slug)


def _consultation(request: HttpRequest, slug: str, pk: int) -> Consultation:
    return get_object_or_404(Consultation.objects.public().select_related(
        "venue", "vision_version__vision", "regional_issue", "agenda_item__meeting", "decision"),
        venue__slug=slug, pk=pk)


def _limited_message() -> str:
    return _("短い時間に送信が続いたため、受付を一時的に止めています。しばらく待ってからもう一度お試しください。")


def _allowed(kind: str, request: HttpRequest, token: str) -> bool:
    """Count one ``kind`` for this browser and address (``ratelimit``); False when either is over its limit."""
    return ratelimit.allow(kind, participant=identity.token_hash(token), address=identity.client_key(request))


def _next_statement(consultation_id: int, participant_pk: Any) -> Statement | None:
    """The next statement to vote on: of those the participant has not voted on, the one with the highest routing
    priority (Pol.is's, refreshed with each opinion map; new statements rank high), then the venue's own, oldest."""
    return (Statement.objects.public().filter(consultation_id=consultation_id)
            .exclude(votes__participant_id=participant_pk).order_by("-priority", "-is_seed", "id").first())


STATEMENTS_PER_PAGE = 50


def _context(request: HttpRequest, consultation: Consultation, token: str, **extra: Any) -> dict[str, Any]:
    hashed = identity.token_hash(token)
    participant_pk = identity.participant_id(consultation.pk, hashed)
    mine = Vote.objects.filter(statement=OuterRef("pk"), participant_id=participant_pk).values("value")[:1]
    published = Statement.objects.public().filter(consultation=consultation)
    page = Paginator(published.annotate(my_vote=Subquery(mine)).order_by("-is_seed", "id"),
                     STATEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "venue": consultation.venue, "consultation": consultation, "statements": page.object_list, "page_obj": page,
        "total": page.paginator.count,
        "voted": Vote.objects.filter(participant_id=participant_pk, statement__in=published).count(),
        "next_statement": _next_statement(consultation.pk, participant_pk) if consultation.is_open else None,
        "comments": Comment.objects.public().filter(consultation=consultation).order_by("id"),
        "statement_form": StatementForm(), "comment_form": CommentForm(), "email_form": EmailForm(),
        "decision_public": bool(consultation.decision and consultation.decision.is_public_record),
    }
    context.update(extra)
    return context


def _page(request: HttpRequest, consultation: Consultation, token: str, new: bool, status: int = 200,
          **extra: Any) -> HttpResponse:
    response = render(request, "consultations/public_detail.html", _context(request, consultation, token, **extra),
                      status=status)
    return identity.remember(response, token) if new else response


def _back(consultation: Consultation, token: str, new: bool, anchor: str = "") -> HttpResponse:
    response = redirect(reverse("consultations_public:detail", args=[consultation.venue.slug, consultation.pk])
                        + anchor, permanent=False)
    response.status_code = 303
    return identity.remember(response, token) if new else response


@require_safe
@access(PUBLIC)
def consultation_list(request: HttpRequest, slug: str) -> HttpResponse:
    venue = _venue(slug, request.user)
    consultations = (Consultation.objects.public().filter(venue=venue)
                     .annotate(n_statements=Count("statements", filter=Q(statements__state="published"),
                                                  distinct=True),
                               n_participants=Count("participants", distinct=True)))
    return render(request, "consultations/public_list.html", {
        "venue": venue,
        "open": [c for c in consultations if c.status == Consultation.Status.OPEN],
        "closed": [c for c in consultations if c.status == Consultation.Status.CLOSED],
    })


@require_safe
@access(PUBLIC)
def consultation_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug, pk)
    token, new = identity.token_of(request)
    return _page(request, consultation, token, new)


@require_POST
@access(PUBLIC)
def vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Cast a vote: one read (the statement, its open public consultation and whether this browser has taken
    part), then at most two writes; an htmx request gets the next statement's card back."""
    token, new = identity.token_of(request)
    hashed = identity.token_hash(token)
    statement_id = posted_int(request.POST.get("statement"))
    value = {"1": 1, "0": 0, "-1": -1}.get(request.POST.get("value", ""), 99)
    statement = (Statement.objects.public()
                 .filter(pk=statement_id, consultation_id=pk, consultation__venue__slug=slug,
                         consultation__status=Consultation.Status.OPEN)
                 .annotate(known=Exists(Participant.objects.filter(consultation_id=pk, token_hash=hashed)))
                 .first())
    htmx = bool(getattr(request, "htmx", False))
    error = ""
    if statement is None or value not in (-1, 0, 1):
        error = _("投票できませんでした。意見を選び、賛成・反対・どちらでもないのいずれかを押してください。")
    elif not ratelimit.allow("vote", participant=hashed, address=identity.client_key(request)):
        error = _limited_message()
    if error:
        if htmx:
            response = render(request, "consultations/_vote_card.html", {
                "error": error, "slug": slug, "pk": pk, "statement": statement}, status=200)
            return identity.remember(response, token) if new else response
        consultation = _consultation(request, slug, pk)
        status = RATE_LIMITED if statement is not None and value in (-1, 0, 1) else 400
        return _page(request, consultation, token, new, status=status, page_error=error)
    participant = services.vote_cast(statement=statement, token=token, value=value,
                                     participant_known=bool(statement.known))
    if htmx:
        response = render(request, "consultations/_vote_card.html", {
            "slug": slug, "pk": pk, "statement": _next_statement(pk, participant.pk),
            "thanks": True})
        return identity.remember(response, token) if new else response
    response = redirect(reverse("consultations_public:detail", args=[slug, pk]) + f"#statement-{statement.pk}")
    response.status_code = 303
    return identity.remember(response, token) if new else response


def _submit(request: HttpRequest, slug: str, pk: int, kind: str) -> HttpResponse:
    consultation = _consultation(request, slug, pk)
    token, new = identity.token_of(request)
    form_class = StatementForm if kind == "statement" else CommentForm
    form = form_class(request.POST)
    form_key = f"{kind}_form"
    if form.is_bot():  # the honeypot was filled: say nothing useful, store nothing
        return _page(request, consultation, token, new, status=400, **{form_key: form_class()})
    form.is_valid()
    if not consultation.is_open:
        return _page(request, consultation, token, new, status=400,
                     page_error=_("この意見募集は受付を終了しています。"))
    if not _allowed(kind, request, token):
        form.add_error(None, _limited_message())
        return _page(request, consultation, token, new, status=RATE_LIMITED, **{form_key: form})
    submit = services.statement_submit if kind == "statement" else services.comment_submit
    try:
        submit(consultation=consultation, token=token, text=form.cleaned_data.get("text", ""))
    except ValidationError as error:
        for message in error.message_dict.get("text", []) if hasattr(error, "error_dict") else error.messages:
            form.add_error("text" if hasattr(error, "error_dict") else None, message)
        return _page(request, consultation, token, new, status=400, **{form_key: form})
    if kind == "comment":
        messages.success(request, _("コメントを投稿しました。"))
    elif consultation.premoderate:
        messages.success(request, _("意見を受け付けました。事務局が確認してから公開します。"))
    else:
        messages.success(request, _("意見を追加しました。ほかの参加者が賛成・反対できるようになりました。"))
    return _back(consultation, token, new, "#statements" if kind == "statement" else "#comments")


@require_POST
@access(PUBLIC)
def statement_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _submit(request, slug, pk, "statement")


@require_POST
@access(PUBLIC)
def comment_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _submit(request, slug, pk, "comment")


@require_POST
@access(PUBLIC)
def report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug, pk)
    token, new = identity.token_of(request)
    model = Statement if request.POST.get("kind") == "statement" else Comment
    item = model.objects.public().filter(consultation=consultation, pk=posted_int(request.POST.get("item"))).first()
    if item is None:
        messages.error(request, _("通報する意見・コメントが見つかりません。"))
        return _back(consultation, token, new)
    if not _allowed("report", request, token):
        return _page(request, consultation, token, new, status=RATE_LIMITED, page_error=_limited_message())
    services.report_submit(item=item, token=token, reason=request.POST.get("reason", ""))
    messages.success(request, _("通報を受け付けました。事務局が確認します。"))
    return _back(consultation, token, new)


@require_POST
@access(PUBLIC)
def email_start(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Send a signed confirmation link to the e-mail address a participant gives (optional)."""
    consultation = _consultation(request, slug, pk)
    token, new = identity.token_of(request)
    form = EmailForm(request.POST)
    if form.is_bot():
        return _page(request, consultation, token, new, status=400)
    if not form.is_valid():
        return _page(request, consultation, token, new, status=400, email_form=form)
    if not _allowed("email", request, token):
        form.add_error(None, _limited_message())
        return _page(request, consultation, token, new, status=RATE_LIMITED, email_form=form)
    participant = services.participant_for(consultation=consultation, token=token)
    link = request.build_absolute_uri(
        reverse("consultations_public:email_confirm", args=[slug, pk])
        + "?t=" + identity.email_token(participant.pk, form.cleaned_data["email"]))
    send_mail(_("【Kyoso】意見募集への参加の確認"),
              _("次のリンクを開くと、意見募集「%(title)s」への参加を確認します（3日間有効）。\n\n%(link)s\n")
              % {"title": consultation.title, "link": link}, None, [form.cleaned_data["email"]])
    messages.success(request, _("確認のメールを送りました。メールのリンクを開いてください。"))
    return _back(consultation, token, new)


@require_safe
@access(PUBLIC)
def email_confirm(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug, pk)
    found = identity.read_email_token(request.GET.get("t", ""))
    updated = bool(found) and services.participant_confirm_email(consultation=consultation, participant_pk=found[0],
                                                                 email=found[1])
    if updated:
        messages.success(request, _("メールアドレスを確認しました。ご参加ありがとうございます。"))
    else:
        messages.error(request, _("確認のリンクが正しくないか、期限が切れています。もう一度お試しください。"))
    return redirect("consultations_public:detail", slug, pk)


@require_safe
@access(PUBLIC)
def opinion_map(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug, pk)
    if not consultation.map_is_public:
        raise Http404
    return render(request, "consultations/public_map.html", {
        "venue": consultation.venue, "consultation": consultation, **map_context(consultation)})
