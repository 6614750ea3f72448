"""Pages of the co-creation venue. Each view declares its URL-level access; object-level rights come from
the roles the user holds in the venue (``permissions.venue_access``). Writes go through ``services``."""

from __future__ import annotations

import difflib
import secrets
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kyoso.common.access import AUTHENTICATED, PUBLIC, SECRETARIAT, VENUE_PARTICIPANT, access
from kyoso.common.markdown import render_markdown

from . import exports, queries, services
from .access import MEMBER, venue_view
from .domain.actions import is_overdue
from .forms import (
    ActionItemForm,
    ActionProgressForm,
    AgendaItemForm,
    AttendanceForm,
    DecisionFilterForm,
    DecisionForm,
    DocumentForm,
    EndorsementForm,
    MeetingForm,
    MembershipForm,
    MinutesForm,
    RepresentativeForm,
    VenueForm,
)
from .models import ActionItem, Decision, Meeting, MeetingDocument, Membership, Venue, VenueRole
from .permissions import can_edit_minutes, can_update_action, person_of, require_member, venue_access


def _venue(request: HttpRequest, slug: str) -> Venue:
    return get_object_or_404(Venue.objects.visible_to(request.user), slug=slug)


def _secretariat(request: HttpRequest, venue: Venue) -> None:
    if not venue_access(request.user, venue).is_secretariat:
        raise PermissionDenied(_("この操作は場の事務局だけが行えます。"))


def _form_errors_from(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Venues -----------------------------------------------------------------------------------


@require_safe
@access(PUBLIC)
def venue_list(request: HttpRequest) -> HttpResponse:
    venues = Venue.objects.visible_to(request.user).prefetch_related("regions")
    return render(request, "venues/venue_list.html", {"venues": venues,
                                                      "can_create": SECRETARIAT.allows(request.user)})


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def venue_create(request: HttpRequest) -> HttpResponse:
    form = VenueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            venue = services.venue_create(
                actor=request.user, name=data["name"], name_en=data["name_en"], slug=data["slug"],
                purpose=data["purpose"], regions=data["regions"], hosts=data["hosts"], is_public=data["is_public"],
                required_sectors=data["required_sectors"], endorsement_rule=data["endorsement_rule"],
                min_endorsements=data["min_endorsements"], hosts_must_endorse=data["hosts_must_endorse"],
                top_layer_for_visions=data["top_layer_for_visions"],
                count_out_of_region=data["count_out_of_region"], endorsement_days=data["endorsement_days"],
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("地域共創の場「%(name)s」を作成しました。") % {"name": venue.name})
            return redirect(venue)
    return render(request, "venues/venue_form.html", {"form": form, "venue": None})


@require_http_methods(["GET", "POST"])
@venue_view(SECRETARIAT)
def venue_update(request: HttpRequest, slug: str) -> HttpResponse:
    venue = request.venue
    form = VenueForm(request.POST or None, instance=venue)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "slug"}
        try:
            services.venue_update(actor=request.user, venue=venue, **data)
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("地域共創の場を更新しました。"))
            return redirect(venue)
    return render(request, "venues/venue_form.html", {"form": form, "venue": venue})


@require_safe
@access(PUBLIC)
def venue_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Members see the venue home; everyone else sees what the secretariat publishes."""
    venue = _venue(request, slug)
    rights = venue_access(request.user, venue)
    if not rights.is_member:
        members = list(queries.memberships(venue))
        decisions = list(venue.decisions.public().order_by("-decided_on", "-number")[:20])
        return render(request, "venues/venue_public.html",
                      {"venue": venue, "members": members, "decisions": decisions})
    home = queries.venue_home(venue, timezone.localdate())
    context = {"venue": venue, "home": home, "rights": rights,
               "my_roles": [role.label for role in VenueRole.Role if role in rights.roles]}
    return render(request, "venues/venue_home.html", context)


# --- Members ----------------------------------------------------------------------------------


@require_safe
@access(PUBLIC)
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    venue = _venue(request, slug)
    rights = venue_access(request.user, venue)
    members = list(queries.memberships(venue))
    context = {"venue": venue, "members": members, "rights": rights,
               "composition": queries.composition(venue, members) if rights.is_member else None}
    return render(request, "venues/member_list.html", context)


@require_http_methods(["GET", "POST"])
@venue_view(SECRETARIAT)
def member_add(request: HttpRequest, slug: str) -> HttpResponse:
    venue = request.venue
    form = MembershipForm(request.POST or None, venue=venue)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.membership_add(actor=request.user, venue=venue, organization=data["organization"],
                                                 sector=data["sector"], in_region=data["in_region"],
                                                 joined_on=data["joined_on"], note=data["note"])
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("「%(name)s」を構成員に加えました。") % {"name": membership.organization})
            return redirect("venues:representative_add", slug=venue.slug, pk=membership.pk)
    return render(request, "venues/member_form.html", {"form": form, "venue": venue})


@require_http_methods(["GET", "POST"])
@venue_view(SECRETARIAT)
def representative_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue = request.venue
    membership = get_object_or_404(Membership.objects.select_related("organization"), venue=venue, pk=pk)
    form = RepresentativeForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.representative_add(actor=request.user, membership=membership, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("代表者を登録しました。"))
            return redirect("venues:member_list", slug=venue.slug)
    return render(request, "venues/representative_form.html",
                  {"form": form, "venue": venue, "membership": membership})


# --- Meetings ---------------------------------------------------------------------------------


def _meeting(request: HttpRequest, slug: str, pk: int) -> tuple[Venue, Meeting, Any]:
    venue = _venue(request, slug)
    rights = require_member(request.user, venue)
    meeting = get_object_or_404(venue.meetings.visible_to(request.user), pk=pk)
    return venue, meeting, rights


@require_safe
@venue_view(MEMBER)
def meeting_list(request: HttpRequest, slug: str) -> HttpResponse:
    venue, rights = request.venue, request.venue_rights
    meetings = Paginator(venue.meetings.visible_to(request.user).order_by("-starts_at"), 30) \
        .get_page(request.GET.get("page"))
    return render(request, "venues/meeting_list.html", {"venue": venue, "page_obj": meetings, "rights": rights})


@require_http_methods(["GET", "POST"])
@venue_view(SECRETARIAT)
def meeting_create(request: HttpRequest, slug: str) -> HttpResponse:
    venue = request.venue
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        agenda = data.pop("agenda", "").splitlines()
        meeting = services.meeting_create(actor=request.user, venue=venue, agenda=agenda, **data)
        messages.success(request, _("会議「%(title)s」を登録しました。") % {"title": meeting.title})
        return redirect(meeting)
    return render(request, "venues/meeting_form.html", {"form": form, "venue": venue, "meeting": None})


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def meeting_update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, meeting, rights = _meeting(request, slug, pk)
    _secretariat(request, venue)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        services.meeting_update(actor=request.user, meeting=meeting, **form.cleaned_data)
        messages.success(request, _("会議を更新しました。"))
        return redirect(meeting)
    return render(request, "venues/meeting_form.html", {"form": form, "venue": venue, "meeting": meeting})


@require_safe
@access(VENUE_PARTICIPANT)
def meeting_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, meeting, rights = _meeting(request, slug, pk)
    context = {
        "venue": venue, "meeting": meeting, "rights": rights,
        "agenda": meeting.agenda_items.prefetch_related("decisions"),
        "attendances": meeting.attendances.select_related("person", "organization").order_by("sector", "layer"),
        "documents": meeting.documents.visible_to(request.user),
        "minutes_html": render_markdown(meeting.minutes),
        "can_edit_minutes": can_edit_minutes(request.user, meeting, rights),
        "agenda_form": AgendaItemForm(), "document_form": DocumentForm(),
    }
    return render(request, "venues/meeting_detail.html", context)


@require_POST
@access(SECRETARIAT)
def agenda_item_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, meeting, rights = _meeting(request, slug, pk)
    _secretariat(request, venue)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        services.agenda_item_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        messages.success(request, _("議題を追加しました。"))
    else:
        messages.error(request, _("議題を入力してください。"))
    return redirect(meeting)


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def attendance_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, meeting, rights = _meeting(request, slug, pk)
    _secretariat(request, venue)
    initial = {"people": list(meeting.attendances.values_list("person_id", flat=True))}
    form = AttendanceForm(request.POST or None, venue=venue, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.attendance_set(actor=request.user, meeting=meeting, people=form.cleaned_data["people"])
        messages.success(request, _("出席を記録しました。"))
        return redirect(meeting)
    return render(request, "venues/attendance_form.html", {"form": form, "venue": venue, "meeting": meeting})


@require_http_methods(["GET", "POST"])
@access(VENUE_PARTICIPANT)
def minutes_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Draft minutes, corrected by attendees and the secretariat; a concurrent save shows both versions."""
    venue, meeting, rights = _meeting(request, slug, pk)
    if not can_edit_minutes(request.user, meeting, rights):
        raise PermissionDenied(_("議事録を修正できるのは、出席者と事務局だけです（確定前まで）。"))
    form = MinutesForm(request.POST or None,
                       initial={"minutes": meeting.minutes, "version": meeting.minutes_version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_save(actor=request.user, meeting=meeting, text=form.cleaned_data["minutes"],
                                  expected_version=form.cleaned_data["version"])
        except services.EditConflict as error:
            conflict = _conflict_context(error)
            form = MinutesForm(initial={"minutes": error.mine, "version": error.current_version})
        else:
            messages.success(request, _("議事録を保存しました。"))
            return redirect(meeting)
    return render(request, "venues/minutes_form.html",
                  {"form": form, "venue": venue, "meeting": meeting, "conflict": conflict},
                  status=409 if conflict else 200)


def _conflict_context(error: services.EditConflict) -> dict[str, Any]:
    diff = difflib.unified_diff(error.theirs.splitlines(), error.mine.splitlines(),
                                fromfile=_("保存済みの版"), tofile=_("あなたの版"), lineterm="")
    return {"theirs": error.theirs, "mine": error.mine, "diff": "\n".join(diff)}


@require_POST
@access(SECRETARIAT)
def minutes_finalise(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, meeting, rights = _meeting(request, slug, pk)
    _secretariat(request, venue)
    try:
        services.minutes_finalise(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("議事録を確定しました。以後は修正できません。"))
    return redirect(meeting)


@require_POST
@access(VENUE_PARTICIPANT)
def document_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, meeting, rights = _meeting(request, slug, pk)
    if not rights.can_contribute:
        raise PermissionDenied
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(actor=request.user, meeting=meeting, title=form.cleaned_data["title"],
                                  upload=form.cleaned_data["file"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("資料を添付しました。"))
    else:
        messages.error(request, _("ファイルを選んでください。"))
    return redirect(meeting)


@require_safe
@access(VENUE_PARTICIPANT)
def document_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    venue = _venue(request, slug)
    require_member(request.user, venue)
    document = get_object_or_404(MeetingDocument.objects.visible_to(request.user).select_related("meeting"),
                                 meeting__venue=venue, pk=pk)
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@access(PUBLIC)
def meeting_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """iCalendar feed of a venue's meetings: for members, or for anyone holding the venue's feed token."""
    venue = get_object_or_404(Venue, slug=slug)
    token = request.GET.get("token", "")
    if token and secrets.compare_digest(token, venue.feed_token):
        meetings = venue.meetings.all()  # the feed token stands for a member's calendar subscription
    elif venue_access(request.user, venue).is_member:
        meetings = venue.meetings.visible_to(request.user)
    else:
        raise Http404
    body = exports.meetings_ical(venue, meetings.order_by("starts_at"), request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{venue.slug}-meetings.ics"'
    return response


# --- Decisions --------------------------------------------------------------------------------


def _decision_filters(request: HttpRequest) -> tuple[DecisionFilterForm, queries.DecisionFilters]:
    form = DecisionFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, queries.DecisionFilters(
        q=data.get("q", ""), status=data.get("status", ""), sector=data.get("sector", ""),
        date_from=data.get("date_from"), date_to=data.get("date_to"),
    )


@require_safe
@access(PUBLIC)
def decision_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The decision log: members see every decision, the public only finalised ones marked public."""
    venue = _venue(request, slug)
    rights = venue_access(request.user, venue)
    form, filters = _decision_filters(request)
    decisions = queries.decision_log(venue, filters, user=request.user)
    page = Paginator(decisions, 50).get_page(request.GET.get("page"))
    context = {"venue": venue, "form": form, "page_obj": page, "rights": rights,
               "sectors_by_decision": queries.endorsed_sectors(list(page.object_list))}
    if request.htmx and not request.htmx.boosted:
        return render(request, "venues/decision_list.html#results", context)
    return render(request, "venues/decision_list.html", context)


@require_safe
@access(PUBLIC)
def decision_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    venue = _venue(request, slug)
    _, filters = _decision_filters(request)
    decisions = list(queries.decision_log(venue, filters, user=request.user))
    sectors = queries.endorsed_sectors(decisions)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "csv":
        response = HttpResponse(exports.decisions_csv(decisions, sectors), content_type="text/csv; charset=utf-8")
        filename = f"{venue.slug}-decisions-{stamp}.csv"
    else:
        response = HttpResponse(
            exports.decisions_xlsx(decisions, sectors, venue.name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"{venue.slug}-decisions-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _decision(request: HttpRequest, slug: str, pk: int) -> tuple[Venue, Decision, Any]:
    venue = _venue(request, slug)
    rights = venue_access(request.user, venue)
    qs = venue.decisions.visible_to(request.user)
    decision = get_object_or_404(qs.select_related("agenda_item__meeting", "previous", "proposal"), pk=pk)
    return venue, decision, rights


@require_safe
@access(PUBLIC)
def decision_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, decision, rights = _decision(request, slug, pk)
    earlier, later = queries.decision_chain(decision, request.user)
    context: dict[str, Any] = {"venue": venue, "decision": decision, "rights": rights,
                               "earlier": earlier, "later": later}
    if rights.is_member:
        endorsements = []
        if decision.proposal_id:
            endorsements = list(decision.proposal.endorsements.select_related(
                "representative__person", "representative__membership__organization").order_by("sector", "created_at"))
            context["evaluation"] = services.evaluate_proposal(decision.proposal, endorsements)
            mine = queries.representatives_of_user(request.user, venue).exclude(
                pk__in=[e.representative_id for e in endorsements])
            if decision.proposal.status == "open" and mine.exists():
                context["endorse_form"] = EndorsementForm(representatives=mine)
        context["endorsements"] = endorsements
        context["actions"] = decision.action_items.select_related("owner_person", "owner_organization")
    return render(request, "venues/decision_detail.html", context)


@require_http_methods(["GET", "POST"])
@venue_view(SECRETARIAT)
def decision_create(request: HttpRequest, slug: str) -> HttpResponse:
    venue = request.venue
    initial = {"agenda_item": request.GET.get("agenda_item"), "previous": request.GET.get("previous")}
    form = DecisionForm(request.POST or None, venue=venue, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            decision = services.decision_create(actor=request.user, venue=venue, **data)
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("決定事項の案を作成しました。"))
            return redirect(decision)
    return render(request, "venues/decision_form.html", {"form": form, "venue": venue, "decision": None})


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def decision_update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, decision, rights = _decision(request, slug, pk)
    _secretariat(request, venue)
    if not decision.is_editable:
        messages.error(request, _("案の段階を過ぎた決定は編集できません。変更は新しい決定で行います。"))
        return redirect(decision)
    form = DecisionForm(request.POST or None, instance=decision, venue=venue)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.decision_update(actor=request.user, decision=decision,
                                     expected_version=form.cleaned_data.get("version") or 0, **data)
        except services.EditConflict as error:
            conflict = _conflict_context(error)
            decision.refresh_from_db()
            form.data = form.data.copy()
            form.data["version"] = str(error.current_version)
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("決定事項の案を保存しました。"))
            return redirect(decision)
    return render(request, "venues/decision_form.html",
                  {"form": form, "venue": venue, "decision": decision, "conflict": conflict},
                  status=409 if conflict else 200)


@require_POST
@access(SECRETARIAT)
def decision_propose(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, decision, rights = _decision(request, slug, pk)
    _secretariat(request, venue)
    try:
        services.decision_propose(actor=request.user, decision=decision)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("各セクターの構成員代表に賛同を求めました。"))
    return redirect(decision)


@require_POST
@access(VENUE_PARTICIPANT)
def decision_endorse(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, decision, rights = _decision(request, slug, pk)
    if not decision.proposal_id:
        raise Http404
    representatives = queries.representatives_of_user(request.user, venue)
    if not representatives.exists():
        raise PermissionDenied(_("賛同できるのは、この場の構成員代表だけです。"))
    form = EndorsementForm(request.POST, representatives=representatives)
    if form.is_valid():
        try:
            services.endorsement_record(actor=request.user, proposal=decision.proposal,
                                        representative=form.cleaned_data["representative"],
                                        stance=form.cleaned_data["stance"], reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("意思表示を記録しました。"))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(decision)


@require_POST
@access(SECRETARIAT)
def decision_finalise(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, decision, rights = _decision(request, slug, pk)
    _secretariat(request, venue)
    try:
        services.decision_finalise(actor=request.user, decision=decision)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("決定を確定しました。以後は変更できません。"))
    return redirect(decision)


# --- Actions ----------------------------------------------------------------------------------


@require_safe
@venue_view(MEMBER)
def action_list(request: HttpRequest, slug: str) -> HttpResponse:
    venue, rights = request.venue, request.venue_rights
    status = request.GET.get("status", "")
    actions = venue.action_items.visible_to(request.user).select_related("owner_person", "owner_organization",
                                                                         "decision")
    if status == "overdue":
        actions = actions.overdue(timezone.localdate())
    elif status in ActionItem.StatusChoices.values:
        actions = actions.filter(status=status)
    page = Paginator(actions.order_by("due_date", "id"), 50).get_page(request.GET.get("page"))
    return render(request, "venues/action_list.html",
                  {"venue": venue, "page_obj": page, "rights": rights, "status": status,
                   "today": timezone.localdate(), "statuses": ActionItem.StatusChoices.choices})


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def action_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, decision, rights = _decision(request, slug, pk)
    _secretariat(request, venue)
    form = ActionItemForm(request.POST or None, venue=venue)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(actor=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("アクションを登録しました。"))
            return redirect(action)
    return render(request, "venues/action_form.html", {"form": form, "venue": venue, "decision": decision})


@require_http_methods(["GET", "POST"])
@venue_view(MEMBER)
def action_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, rights = request.venue, request.venue_rights
    action = get_object_or_404(venue.action_items.visible_to(request.user)
                               .select_related("owner_person", "owner_organization", "decision"), pk=pk)
    can_update = can_update_action(request.user, action, rights)
    form = ActionProgressForm(request.POST or None, initial={"status": action.status})
    if request.method == "POST":
        if not can_update:
            raise PermissionDenied(_("進捗を記入できるのは、担当者と事務局だけです。"))
        if form.is_valid():
            try:
                services.action_progress(actor=request.user, action=action, **form.cleaned_data)
            except ValidationError as error:
                _form_errors_from(form, error)
            else:
                messages.success(request, _("進捗を記録しました。"))
                return redirect(action)
    context = {"venue": venue, "action": action, "rights": rights, "form": form, "can_update": can_update,
               "notes": action.progress_notes.select_related("author"), "today": timezone.localdate()}
    return render(request, "venues/action_detail.html", context)


@require_safe
@access(AUTHENTICATED)
def my_actions(request: HttpRequest) -> HttpResponse:
    """The signed-in person's action items across venues, overdue first."""
    person = person_of(request.user)
    actions = list(queries.actions_of_person(person, request.user)) if person else []
    today = timezone.localdate()
    overdue = [a for a in actions if is_overdue(a.status, a.due_date, today)]
    return render(request, "venues/my_actions.html", {"actions": actions, "overdue": overdue, "today": today})
