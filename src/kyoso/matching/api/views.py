"""REST API of seeds–needs matching, with the same rules as the pages (``kyoso.matching.views``).

Researcher profiles are public data (read-only, everyone). Searching a need is for members of a venue (the
venue's regions decide in/out of region). Shortlists, their entries and contact notes are internal to a
venue: only its members see them (others get 404); observers read but never write (403).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from kyoso.api.scoped import VenueScopedViewSet
from kyoso.common.access import PUBLIC, VENUE_PARTICIPANT, policy
from kyoso.regions.models import Organization
from kyoso.venues.models import Venue
from kyoso.venues.permissions import venue_access

from .. import queries, shortlists
from ..models import CrossAppointmentProposal, Researcher, Shortlist
from .serializers import (
    ContactInputSerializer,
    ContactNoteSerializer,
    CrossAppointmentInputSerializer,
    CrossAppointmentSerializer,
    DecideInputSerializer,
    EntryAddSerializer,
    ResearcherDetailSerializer,
    ResearcherSerializer,
    SearchInputSerializer,
    SearchResultSerializer,
    ShortlistCreateSerializer,
    ShortlistDetailSerializer,
    ShortlistEntrySerializer,
    ShortlistSerializer,
    result_data,
)

VENUE_PARAM = OpenApiParameter("venue", str, required=True, description="Slug of the venue.")
REFUSED = OpenApiResponse(description="Not allowed for the caller in this venue (the message says why).")
INVALID = OpenApiResponse(description="Invalid input.")
NOT_FOUND = OpenApiResponse(description="No such shortlist, or not one of the caller's venues.")


def _member_venue(user: Any, slug: str) -> Venue:
    venue = get_object_or_404(Venue.objects.visible_to(user), slug=slug)
    if not venue_access(user, venue).is_member:
        raise NotFound
    return venue


def _require_contributor(user: Any, venue: Venue) -> None:
    if not venue_access(user, venue).can_contribute:
        raise PermissionDenied(_("オブザーバーは閲覧のみできます。"))


@extend_schema(tags=["matching"])
@extend_schema_view(
    list=extend_schema(summary="Researcher profiles (public), searched by name, organisation or keyword",
                       parameters=[OpenApiParameter("q", str, description="Search terms.")]),
    retrieve=extend_schema(summary="A researcher profile with its records (public)"),
)
class ResearcherViewSet(viewsets.ReadOnlyModelViewSet):
    """Researcher profiles imported from researchmap, KAKEN or JSON Lines: public data."""

    access = policy(PUBLIC)

    def get_serializer_class(self) -> type[ResearcherSerializer]:
        return ResearcherDetailSerializer if self.action == "retrieve" else ResearcherSerializer

    def get_queryset(self) -> QuerySet[Researcher]:
        if self.action == "retrieve":
            return Researcher.objects.visible_to(self.request.user).select_related("organization").prefetch_related(
                "records", "identities")
        return queries.researcher_directory(self.request.query_params.get("q", "")[:100])


@extend_schema(tags=["matching"])
class MatchSearchViewSet(viewsets.ViewSet):
    """Search a need: ranked researchers with the records that made them match (members of the venue)."""

    access = policy(VENUE_PARTICIPANT)

    @extend_schema(
        summary="Researchers for a need, with reasons, the capability gap and a consortium (venue members)",
        request=SearchInputSerializer,
        responses={200: SearchResultSerializer, 400: INVALID, 404: OpenApiResponse(description="No such venue.")},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = SearchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        venue = _member_venue(request.user, values["venue"])
        need = values["text"].strip() or queries.need_text_of(queries.target_of(venue, values["target"]))
        if not need:
            raise ValidationError({"text": [_("ニーズを入力するか、地域課題・研究開発テーマを選んでください。")]})
        filters = queries.MatchFilters.from_data(values)
        try:
            result = queries.match_need(venue, need, filters, today=timezone.localdate(), top=values["top"],
                                        with_gap=values["explain"], with_consortium=values["explain"],
                                        reasons=values["reasons"])
        except queries.IndexUnavailable:
            result = queries.MatchResult(need=need, filters=filters)
        return Response(SearchResultSerializer(result_data(result)).data)


@extend_schema(tags=["matching"])
@extend_schema_view(
    list=extend_schema(summary="Shortlists of a venue (members only)", parameters=[VENUE_PARAM]),
    retrieve=extend_schema(summary="A shortlist with its researchers and the contacts made (members only)"),
)
class ShortlistViewSet(VenueScopedViewSet):
    """Venue-internal shortlists of researchers for a need; contributors (not observers) write them."""

    access = policy(VENUE_PARTICIPANT)

    def get_serializer_class(self) -> type[ShortlistSerializer]:
        return ShortlistDetailSerializer if self.action == "retrieve" else ShortlistSerializer

    def get_queryset(self) -> QuerySet[Shortlist]:
        if getattr(self, "swagger_fake_view", False):
            return Shortlist.objects.none()
        qs = Shortlist.objects.visible_to(self.request.user).select_related("venue")
        if self.action == "list":
            qs = qs.filter(venue=self.member_venue_from_query())
        return qs.order_by("-updated_at", "-id")

    def _contributor(self, venue: Venue) -> None:
        if not self.rights(venue).can_contribute:
            raise PermissionDenied(_("オブザーバーは閲覧のみできます。"))

    @extend_schema(
        summary="Save a shortlist of researchers for a need (members except observers)",
        request=ShortlistCreateSerializer,
        responses={201: ShortlistDetailSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ShortlistCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        venue = _member_venue(request.user, values["venue"])
        _require_contributor(request.user, venue)
        target = queries.target_of(venue, values["target"])
        if values["target"] and target is None:
            raise ValidationError({"target": [_("この場のビジョンの地域課題・研究開発テーマを指定してください。")]})
        issue = getattr(target, "issue", target)
        theme = target if target is not None and target is not issue else None
        researchers = shortlists.researchers_for(str(pk) for pk in values["researchers"])
        matches = queries.matches_for(venue, values["need_text"], queries.MatchFilters(), today=timezone.localdate(),
                                      top=max(queries.TOP, len(researchers)))
        shortlist = shortlists.shortlist_create(
            actor=request.user, venue=venue, title=values["title"], need_text=values["need_text"], issue=issue,
            theme=theme, entries=[(r, matches.get(r.index_id)) for r in researchers])
        return Response(ShortlistDetailSerializer(shortlist).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Add a researcher to a shortlist (members except observers)",
        request=EntryAddSerializer,
        responses={201: ShortlistEntrySerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def entries(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        shortlist = self.get_object()
        self._contributor(shortlist.venue)
        data = EntryAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        researcher = Researcher.objects.filter(pk=data.validated_data["researcher"]).first()
        if researcher is None:
            raise ValidationError({"researcher": [_("研究者が見つかりません。")]})
        entry = shortlists.shortlist_add(actor=request.user, shortlist=shortlist, researcher=researcher,
                                         note=data.validated_data["note"])
        return Response(ShortlistEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record a contact made with a researcher of the shortlist (members except observers)",
        request=ContactInputSerializer,
        responses={201: ContactNoteSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def contacts(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        shortlist = self.get_object()
        self._contributor(shortlist.venue)
        data = ContactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        researcher = Researcher.objects.filter(pk=values.pop("researcher")).first()
        if researcher is None:
            raise ValidationError({"researcher": [_("研究者が見つかりません。")]})
        note = shortlists.contact_record(actor=request.user, shortlist=shortlist, researcher=researcher,
                                         **values)
        return Response(ContactNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Propose a cross-appointment for an outside researcher of the shortlist (members except observers)",
        request=CrossAppointmentInputSerializer,
        responses={201: CrossAppointmentSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def proposals(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        shortlist = self.get_object()
        self._contributor(shortlist.venue)
        data = CrossAppointmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        researcher = queries.outside_researchers(shortlist).filter(pk=values.pop("researcher")).first()
        if researcher is None:
            raise ValidationError({"researcher": [_("この候補リストの地域外の研究者を指定してください。")]})
        organization = Organization.objects.filter(pk=values.pop("organization")).first()
        if organization is None:
            raise ValidationError({"organization": [_("受入機関が見つかりません。")]})
        proposal = shortlists.cross_appointment_propose(actor=request.user, shortlist=shortlist,
                                                        researcher=researcher, organization=organization,
                                                        **values)
        return Response(CrossAppointmentSerializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record the outcome of a cross-appointment proposal (the venue's secretariat)",
        description="``accept`` creates the researcher's affiliation at the host organisation through the "
                    "people directory, whose rule (concurrent effort shares add up to at most 100 %) may refuse "
                    "it with a 400 that says why.",
        request=DecideInputSerializer,
        responses={200: CrossAppointmentSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        shortlist = self.get_object()
        self.require_secretariat(shortlist.venue)
        data = DecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = get_object_or_404(CrossAppointmentProposal, shortlist=shortlist,
                                     pk=data.validated_data["proposal"])
        decision = data.validated_data["decision"]
        if decision == "accept":
            proposal = shortlists.cross_appointment_accept(actor=request.user, proposal=proposal)
        else:
            proposal = shortlists.cross_appointment_decline(actor=request.user, proposal=proposal,
                                                            status=decision)
        return Response(CrossAppointmentSerializer(proposal).data)
