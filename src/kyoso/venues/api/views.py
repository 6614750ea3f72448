"""REST API of the co-creation venues, with the same rules as the pages (``kyoso.venues.views``).

URL-level access is declared on each view set (``access``); which objects a caller sees comes from
querysets: public venues (and the caller's own) via ``Venue.objects.visible_to``, internal data only in
venues where the caller holds a role (or is staff), otherwise 404. Writes check the caller's rights in
the object's venue (secretariat, representative, action owner: otherwise 403 with a message) and go
through ``services``; a Django ``ValidationError`` becomes a 400 (``kyoso.api.errors``), an edit conflict a 409.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from kyoso.api.scoped import VenueScopedViewSet
from kyoso.common.access import PUBLIC, VENUE_PARTICIPANT, policy

from .. import queries, services
from ..models import (
    ActionItem,
    ActionProgress,
    AgendaItem,
    Attendance,
    Decision,
    Endorsement,
    Meeting,
    MeetingDocument,
    Venue,
)
from ..permissions import can_update_action, person_of
from .serializers import (
    ActionFilterSerializer,
    ActionItemDetailSerializer,
    ActionItemSerializer,
    ActionProgressSerializer,
    DecisionCreateSerializer,
    DecisionFilterSerializer,
    DecisionSerializer,
    DecisionUpdateSerializer,
    EditConflictSerializer,
    EndorseSerializer,
    FinaliseSerializer,
    MeetingSerializer,
    VenueMemberSerializer,
    VenueSerializer,
)

VENUE_PARAM = OpenApiParameter("venue", str, required=True, description="Slug of the venue.")
REFUSED = OpenApiResponse(description="Not allowed for the caller in this venue (the message says why).")
INVALID = OpenApiResponse(description="Invalid input, or not possible in the decision's current state.")


# --- Venues -----------------------------------------------------------------------------------


@extend_schema(tags=["venues"])
@extend_schema_view(
    list=extend_schema(summary="Venues the caller may see (public venues and their own)"),
    retrieve=extend_schema(summary="A venue; internal settings only for its members"),
)
class VenueViewSet(VenueScopedViewSet):
    """Co-creation venues. Everyone sees public venues' purpose; members also see internal settings."""

    access = policy(read=PUBLIC, write=VENUE_PARTICIPANT)
    serializer_class = VenueSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Venue]:
        return Venue.objects.visible_to(self.request.user).prefetch_related("regions", "hosts").order_by("name", "pk")

    @extend_schema(
        summary="Member organisations of a venue, with their representatives",
        description="Public for public venues; who the representatives are (person, title) only for members.",
        responses=VenueMemberSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def members(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        venue = self.get_object()
        context = {**self.get_serializer_context(), "show_names": self.rights(venue).is_member}
        return Response(VenueMemberSerializer(queries.memberships(venue), many=True, context=context).data)


# --- Meetings ---------------------------------------------------------------------------------


@extend_schema(tags=["meetings"])
@extend_schema_view(
    list=extend_schema(summary="Meetings of a venue (members only)", parameters=[
        VENUE_PARAM, OpenApiParameter("status", str, enum=Meeting.Status.values),
    ]),
    retrieve=extend_schema(summary="A meeting with agenda, attendance, documents and minutes (members only)"),
)
class MeetingViewSet(VenueScopedViewSet):
    """Meetings: only for members of the venue (observers included); others get 404."""

    access = policy(VENUE_PARTICIPANT)
    serializer_class = MeetingSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        # The API serves whole meetings (attendance, minutes): members of the meeting's venue only, never the
        # public part that ``visible_to`` adds (the public site reads that through ``Meeting.objects.public``).
        qs = Meeting.objects.of_members(self.request.user).select_related("venue")
        if self.action == "list":
            qs = qs.filter(venue=self.member_venue_from_query())
            meeting_status = self.request.query_params.get("status", "")
            if meeting_status:
                if meeting_status not in Meeting.Status.values:
                    raise ValidationError({"status": [_("状態の指定が正しくありません。")]})
                qs = qs.filter(status=meeting_status)
        return qs.prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.prefetch_related("decisions")),
            Prefetch("attendances", queryset=Attendance.objects.select_related("person", "organization")
                     .order_by("sector", "layer", "id")),
            Prefetch("documents", queryset=MeetingDocument.objects.visible_to(self.request.user)),
        ).order_by("-starts_at", "-id")


# --- Decisions --------------------------------------------------------------------------------


@extend_schema(tags=["decisions"])
@extend_schema_view(
    list=extend_schema(
        summary="The decision log of a venue",
        description="Members see every decision; everyone else only finalised decisions marked public.",
        parameters=[DecisionFilterSerializer],
    ),
    retrieve=extend_schema(summary="A decision, with its per-sector evaluation for members"),
)
class DecisionViewSet(VenueScopedViewSet):
    """Decisions, their endorsement by each sector and their finalisation (numbered, then immutable)."""

    access = policy(read=PUBLIC, write=VENUE_PARTICIPANT)
    serializer_class = DecisionSerializer

    def get_queryset(self) -> QuerySet[Decision]:
        if getattr(self, "swagger_fake_view", False):
            return Decision.objects.none()
        user = self.request.user
        if self.action == "list":
            venue = self.venue_from_query()
            filters = DecisionFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            data = filters.validated_data
            wanted = queries.DecisionFilters(q=data.get("q", ""), status=data.get("status", ""),
                                             sector=data.get("sector", ""), date_from=data.get("date_from"),
                                             date_to=data.get("date_to"))
            qs = queries.decision_log(venue, wanted, user=user)
        else:
            successors = Prefetch("successors", queryset=Decision.objects.visible_to(user))
            qs = Decision.objects.visible_to(user).select_related(
                "agenda_item__meeting", "previous", "proposal").prefetch_related(successors)
        endorsements = Endorsement.objects.select_related(
            "representative__person", "representative__membership__organization").order_by("sector", "created_at")
        return qs.select_related("venue").prefetch_related(Prefetch("proposal__endorsements", queryset=endorsements))

    def _fresh(self, decision: Decision) -> Response:
        decision = self.get_queryset().get(pk=decision.pk)
        return Response(self.get_serializer(decision).data)

    @extend_schema(
        summary="Create a decision draft (secretariat of the venue)",
        request=DecisionCreateSerializer,
        responses={201: DecisionSerializer, 400: INVALID, 403: REFUSED, 404: OpenApiResponse(
            description="No such venue (or not visible to the caller).")},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = DecisionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        venue = get_object_or_404(Venue.objects.visible_to(request.user), slug=fields.pop("venue"))
        self.require_secretariat(venue)
        previous_id = fields.pop("previous", None)
        if previous_id is not None:
            fields["previous"] = venue.decisions.filter(pk=previous_id).first()
            if fields["previous"] is None:
                raise ValidationError({"previous": [_("この場の決定を指定してください。")]})
        self._resolve_agenda_item(venue, fields)
        decision = services.decision_create(actor=request.user, venue=venue, **fields)
        decision = self.get_queryset().get(pk=decision.pk)
        return Response(self.get_serializer(decision).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _resolve_agenda_item(venue: Venue, fields: dict[str, Any]) -> None:
        if "agenda_item" not in fields:
            return
        item_id = fields.pop("agenda_item")
        if item_id is None:
            fields["agenda_item"] = None
            return
        fields["agenda_item"] = AgendaItem.objects.filter(meeting__venue=venue, pk=item_id).first()
        if fields["agenda_item"] is None:
            raise ValidationError({"agenda_item": [_("この場の会議の議題を指定してください。")]})

    @extend_schema(
        summary="Edit a decision draft (secretariat of the venue)",
        description="Only drafts can be edited; a decision past the draft stage is changed by a new decision "
                    "that amends or revokes it. A stale ``version`` answers 409 with both texts.",
        request=DecisionUpdateSerializer,
        responses={200: DecisionSerializer, 400: INVALID, 403: REFUSED, 409: EditConflictSerializer},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        decision = self.get_object()
        self.require_secretariat(decision.venue)  # whether it is still editable: the service (Decision.is_editable)
        data = DecisionUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = changes.pop("version", None)
        if version is None:
            raise ValidationError({"version": [_("編集を始めた版（version）を指定してください。")]})
        self._resolve_agenda_item(decision.venue, changes)
        try:
            services.decision_update(actor=request.user, decision=decision, expected_version=version, **changes)
        except services.EditConflict as conflict:
            body = {"detail": _("ほかの人が先に保存しました。保存済みの版を確認してから、もう一度保存してください。"),
                    "current_version": conflict.current_version, "theirs": conflict.theirs, "mine": conflict.mine}
            return Response(EditConflictSerializer(body).data, status=status.HTTP_409_CONFLICT)
        return self._fresh(decision)

    @extend_schema(
        summary="Ask each sector to endorse a draft (secretariat of the venue)",
        request=None, responses={200: DecisionSerializer, 400: INVALID, 403: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        decision = self.get_object()
        self.require_secretariat(decision.venue)
        services.decision_propose(actor=request.user, decision=decision)
        return self._fresh(decision)

    @extend_schema(
        summary="Endorse, object to (with a reason) or abstain from a proposed decision",
        description="For the caller's representative in this venue; ``representative`` is required when they "
                    "represent several members. Each representative responds once.",
        request=EndorseSerializer, responses={200: DecisionSerializer, 400: INVALID, 403: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def endorse(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        decision = self.get_object()
        record_endorsement(request, decision.venue, decision.proposal, _("この決定は賛同を求めていません。"))
        return self._fresh(decision)

    @extend_schema(
        summary="Finalise an agreed decision, or a draft decided at a meeting (secretariat of the venue)",
        description="Assigns the venue's next number; the decision is immutable from then on.",
        request=FinaliseSerializer, responses={200: DecisionSerializer, 400: INVALID, 403: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def finalise(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        decision = self.get_object()
        self.require_secretariat(decision.venue)
        data = FinaliseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decision_finalise(actor=request.user, decision=decision,
                                   decided_on=data.validated_data.get("decided_on"))
        return self._fresh(decision)


# --- Actions ----------------------------------------------------------------------------------


@extend_schema(tags=["actions"])
@extend_schema_view(
    list=extend_schema(summary="Action items of a venue, or the caller's own (members only)",
                       parameters=[ActionFilterSerializer]),
    retrieve=extend_schema(summary="An action item with its progress notes (members only)"),
)
class ActionItemViewSet(VenueScopedViewSet):
    """Follow-up of finalised decisions. Only members of the venue see them; others get 404."""

    access = policy(VENUE_PARTICIPANT)

    def get_serializer_class(self) -> type[ActionItemSerializer]:
        return ActionItemSerializer if self.action == "list" else ActionItemDetailSerializer

    def get_queryset(self) -> QuerySet[ActionItem]:
        if getattr(self, "swagger_fake_view", False):
            return ActionItem.objects.none()
        user = self.request.user
        qs = ActionItem.objects.visible_to(user).select_related(
            "venue", "decision", "owner_person", "owner_organization")
        if self.action == "list":
            filters = ActionFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            wanted = filters.validated_data
            if not wanted.get("venue") and not wanted["mine"]:
                raise ValidationError({"venue": [_("場のスラッグ（venue）か mine=1 を指定してください。")]})
            if wanted.get("venue"):
                qs = qs.filter(venue=self.member_venue_from_query())
            if wanted["mine"]:
                person = person_of(user)
                qs = qs.filter(owner_person=person) if person is not None else qs.none()
            if wanted.get("status") == "overdue":
                qs = qs.overdue(timezone.localdate())
            elif wanted.get("status"):
                qs = qs.filter(status=wanted["status"])
            return qs.order_by("due_date", "id")
        notes = ActionProgress.objects.select_related("author")
        return qs.prefetch_related(Prefetch("progress_notes", queryset=notes)).order_by("due_date", "id")

    @extend_schema(
        summary="Record progress on an action item (its owner or the secretariat)",
        request=ActionProgressSerializer,
        responses={200: ActionItemDetailSerializer, 400: INVALID, 403: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        action_item = self.get_object()
        if not can_update_action(request.user, action_item, self.rights(action_item.venue)):
            raise PermissionDenied(_("進捗を記入できるのは、担当者と事務局だけです。"))
        data = ActionProgressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.action_progress(actor=request.user, action=action_item, **data.validated_data)
        fresh = self.get_queryset().get(pk=action_item.pk)
        return Response(ActionItemDetailSerializer(fresh, context=self.get_serializer_context()).data)


def record_endorsement(request: Request, venue: Any, proposal: Any, not_proposed: str) -> None:
    """Record the caller's endorsement of a proposal (a decision draft or a vision version) of ``venue``.

    The caller must represent a member of the venue; with several memberships, ``representative`` names the
    one they speak for. Errors become 400/403 with the services' messages.
    """
    representatives = list(queries.representatives_of_user(request.user, venue))
    if not representatives:
        raise PermissionDenied(_("賛同できるのは、この場の構成員代表だけです。"))
    if proposal is None:
        raise ValidationError({"detail": not_proposed})
    data = EndorseSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    chosen = data.validated_data.get("representative")
    if chosen is not None:
        matches = [r for r in representatives if r.pk == chosen]
        if not matches:
            raise ValidationError({"representative": [_("あなたが代表する構成員を指定してください。")]})
        representative = matches[0]
    elif len(representatives) == 1:
        representative = representatives[0]
    else:
        raise ValidationError({"representative": [
            _("複数の構成員を代表しているため、どの構成員として意思表示するか（representative）を指定してください。")
        ]})
    services.endorsement_record(actor=request.user, proposal=proposal, representative=representative,
                                stance=data.validated_data["stance"], reason=data.validated_data["reason"])
