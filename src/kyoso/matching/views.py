"""Pages of seeds–needs matching.

Researcher profiles are public data (``/researchers/``). Matching a need, shortlists, contacts made and
cross-appointment proposals are internal to a venue: its members read them, members who contribute (not
observers) write them, and the secretariat accepts a cross-appointment (which creates the affiliation).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kyoso.common.access import PUBLIC, SECRETARIAT, VENUE_PARTICIPANT, access
from kyoso.regions.models import Organization, Region
from kyoso.venues.access import MEMBER, venue_view
from kyoso.venues.access import member_venue as _venue
from kyoso.venues.permissions import VenueAccess
from kyoso.visions.views import _contributor, _errors  # the same rules and form errors as the vision pages

from . import queries, shortlists
from .forms import (
    ContactForm,
    EntryAddForm,
    EntryNoteForm,
    NeedForm,
    ProposalForm,
    ResearcherSearchForm,
    ShortlistForm,
    target_choices,
)
from .models import CrossAppointmentProposal, Researcher, Shortlist, ShortlistEntry

PAGE_SIZE = 50


def _prefectures() -> list[Region]:
    return list(Region.objects.filter(level=Region.Level.PREFECTURE).order_by("code"))


# --- Matching a need -------------------------------------------------------------------------------


@require_safe
@venue_view(MEMBER)
def match(request: HttpRequest, slug: str) -> HttpResponse:
    venue, rights = request.venue, request.venue_rights
    issues, themes = queries.venue_issues(venue)
    targets = target_choices(issues, themes)
    form = NeedForm(request.GET or None, targets=targets, prefectures=_prefectures())
    filters = queries.MatchFilters.from_data(request.GET)
    target = queries.target_of(venue, request.GET.get("target", ""))
    need = (request.GET.get("text", "") or "").strip()[:2000] or queries.need_text_of(target)
    result = None
    unavailable = False
    if need:
        try:
            result = queries.match_need(venue, need, filters, today=timezone.localdate())
        except queries.IndexUnavailable:
            unavailable = True
    save_form = None
    if result is not None and result.rows and rights.can_contribute:
        title = target.title if target is not None else need[:60]
        save_form = ShortlistForm(
            initial={"title": title, "target": queries.target_value(target), "need_text": need,
                     "filters": json.dumps(filters.as_dict()),
                     "researchers": [row.researcher.index_id for row in result.rows]},
            targets=targets, candidates=[(r.researcher.index_id, r.researcher.display_name) for r in result.rows],
        )
    existing = list(queries.shortlists_of(venue)[:20]) if save_form is not None else []
    context = {"venue": venue, "rights": rights, "form": form, "need": need, "target": target, "result": result,
               "unavailable": unavailable, "save_form": save_form, "filters": filters, "existing": existing}
    if request.htmx and not request.htmx.boosted:
        return render(request, "matching/match.html#results", context)
    return render(request, "matching/match.html", context)


# --- Shortlists ------------------------------------------------------------------------------------


@require_safe
@venue_view(MEMBER)
def shortlist_list(request: HttpRequest, slug: str) -> HttpResponse:
    venue, rights = request.venue, request.venue_rights
    context = {"venue": venue, "rights": rights, "shortlists": queries.shortlists_of(venue)}
    return render(request, "matching/shortlist_list.html", context)


@require_POST
@venue_view(MEMBER)
def shortlist_create(request: HttpRequest, slug: str) -> HttpResponse:
    venue, rights = request.venue, request.venue_rights
    _contributor(rights)
    issues, themes = queries.venue_issues(venue)
    posted = shortlists.researchers_for(request.POST.getlist("researchers"))
    form = ShortlistForm(request.POST, targets=target_choices(issues, themes),
                         candidates=[(r.index_id, r.display_name) for r in posted])
    if form.is_valid():
        data = form.cleaned_data
        filters = queries.MatchFilters.from_data(_json(data["filters"]))
        target = queries.target_of(venue, data["target"])
        matches = queries.matches_for(venue, data["need_text"], filters, today=timezone.localdate(),
                                      top=max(queries.TOP, len(posted)))
        chosen = set(data["researchers"])
        entries = [(r, matches.get(r.index_id)) for r in posted if r.index_id in chosen]
        issue = target.issue if hasattr(target, "issue") else target
        theme = target if target is not None and target is not issue else None
        try:
            shortlist = shortlists.shortlist_create(actor=request.user, venue=venue, title=data["title"],
                                                    need_text=data["need_text"], issue=issue, theme=theme,
                                                    filters=filters.as_dict(), entries=entries)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("候補リスト「%(title)s」を保存しました。") % {"title": shortlist.title})
            return redirect(shortlist)
    context = {"venue": venue, "rights": rights, "form": form}
    return render(request, "matching/shortlist_form.html", context, status=400)


def _json(raw: str) -> dict[str, Any]:
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@require_POST
@venue_view(MEMBER)
def entry_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add one researcher of the results to an existing shortlist of the venue."""
    venue, rights = request.venue, request.venue_rights
    _contributor(rights)
    form = EntryAddForm(request.POST, shortlists=Shortlist.objects.filter(venue=venue))
    if not form.is_valid():
        messages.error(request, _("追加先の候補リストと研究者を選んでください。"))
        return redirect("matching:match", slug=venue.slug)
    shortlist, researcher = form.cleaned_data["shortlist"], form.cleaned_data["researcher"]
    shortlists.shortlist_add(actor=request.user, shortlist=shortlist, researcher=researcher)
    messages.success(request, _("%(name)s さんを候補リスト「%(title)s」に追加しました。")
                     % {"name": researcher.display_name, "title": shortlist.title})
    return redirect(shortlist)


def _shortlist(request: HttpRequest, slug: str, pk: int) -> tuple[Shortlist, VenueAccess]:
    venue, rights = _venue(request, slug)
    shortlist = get_object_or_404(Shortlist.objects.visible_to(request.user).select_related(
                                      "venue", "issue", "theme", "created_by"),
                                  venue=venue, pk=pk)
    return shortlist, rights


@require_safe
@access(VENUE_PARTICIPANT)
def shortlist_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    shortlist, rights = _shortlist(request, slug, pk)
    context = {"venue": shortlist.venue, "rights": rights, "shortlist": shortlist,
               **queries.shortlist_page(shortlist)}
    return render(request, "matching/shortlist_detail.html", context)


@require_POST
@access(VENUE_PARTICIPANT)
def entry_note(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    shortlist, rights = _shortlist(request, slug, pk)
    _contributor(rights)
    form = EntryNoteForm(request.POST)
    if form.is_valid():
        entry = get_object_or_404(ShortlistEntry, shortlist=shortlist, pk=form.cleaned_data["entry"])
        shortlists.shortlist_entry_note(actor=request.user, entry=entry, note=form.cleaned_data["note"])
        messages.success(request, _("メモを保存しました。"))
    else:
        messages.error(request, _("メモを保存できませんでした。"))
    return redirect(shortlist)


@require_http_methods(["GET", "POST"])
@access(VENUE_PARTICIPANT)
def contact_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    shortlist, rights = _shortlist(request, slug, pk)
    _contributor(rights)
    researchers = Researcher.objects.filter(shortlist_entries__shortlist=shortlist).order_by("name_kana", "name")
    form = ContactForm(request.POST or None, researchers=researchers,
                       initial={"researcher": request.GET.get("researcher"), "contacted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            shortlists.contact_record(actor=request.user, shortlist=shortlist, **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("連絡の記録を保存しました。"))
            return redirect(shortlist)
    context = {"venue": shortlist.venue, "rights": rights, "shortlist": shortlist, "form": form,
               "heading": _("連絡を記録")}
    return render(request, "matching/shortlist_form.html", context)


@require_http_methods(["GET", "POST"])
@access(VENUE_PARTICIPANT)
def proposal_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    shortlist, rights = _shortlist(request, slug, pk)
    _contributor(rights)
    venue = shortlist.venue
    outside = queries.outside_researchers(shortlist)
    organizations = Organization.objects.filter(memberships__venue=venue, memberships__left_on__isnull=True,
                                                memberships__in_region=True).distinct().order_by("name_kana", "name")
    form = ProposalForm(request.POST or None, researchers=outside, organizations=organizations,
                        initial={"researcher": request.GET.get("researcher")})
    if request.method == "POST" and form.is_valid():
        try:
            shortlists.cross_appointment_propose(actor=request.user, shortlist=shortlist, **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("クロスアポイントメントを提案しました。"
                                        "事務局が合意を記録すると所属が登録されます。"))
            return redirect(shortlist)
    context = {"venue": venue, "rights": rights, "shortlist": shortlist, "form": form,
               "heading": _("クロスアポイントメントを提案")}
    return render(request, "matching/shortlist_form.html", context)


@require_POST
@access(SECRETARIAT)
def proposal_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, rights = _venue(request, slug)
    if not rights.is_secretariat:
        raise PermissionDenied(_("この操作は場の事務局だけが行えます。"))
    proposal = get_object_or_404(CrossAppointmentProposal.objects.visible_to(request.user).select_related(
                                     "shortlist", "researcher"), venue=venue, pk=pk)
    decision = request.POST.get("decision", "")
    try:
        if decision == "accept":
            shortlists.cross_appointment_accept(actor=request.user, proposal=proposal)
            messages.success(request, _("クロスアポイントメントの合意を記録し、%(name)s さんの所属を登録しました。")
                             % {"name": proposal.researcher.display_name})
        elif decision in (CrossAppointmentProposal.Status.DECLINED, CrossAppointmentProposal.Status.WITHDRAWN):
            shortlists.cross_appointment_decline(actor=request.user, proposal=proposal, status=decision)
            messages.success(request, _("提案の結果を記録しました。"))
        else:
            messages.error(request, _("合意・不成立・取下げのいずれかを選んでください。"))
    except ValidationError as error:
        text = " ".join(m for messages_ in getattr(error, "message_dict", {"": error.messages}).values()
                        for m in messages_)
        messages.error(request, _("所属を登録できませんでした：%(error)s") % {"error": text})
    if proposal.shortlist_id:
        return redirect(proposal.shortlist)
    return redirect("matching:shortlist_list", slug=venue.slug)


# --- Public profiles -------------------------------------------------------------------------------


@require_safe
@access(PUBLIC)
def researcher_list(request: HttpRequest) -> HttpResponse:
    form = ResearcherSearchForm(request.GET or None)
    q = (request.GET.get("q", "") or "")[:100]
    page = Paginator(queries.researcher_directory(q), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "q": q}
    if request.htmx and not request.htmx.boosted:
        return render(request, "matching/researcher_list.html#results", context)
    context["sources"] = queries.directory_sources()
    return render(request, "matching/researcher_list.html", context)


@require_safe
@access(PUBLIC)
def researcher_detail(request: HttpRequest, pk: int) -> HttpResponse:
    researcher = get_object_or_404(Researcher.objects.visible_to(request.user).select_related(
        "organization", "organization__region"), pk=pk)
    context = {"researcher": researcher, "records": researcher.records.order_by("-year", "type", "id"),
               "identities": researcher.identities.all(), "sources": queries.profile_sources(researcher)}
    return render(request, "matching/researcher_detail.html", context)

