"""REST API of the regional vision, with the same rules as the pages (``kyoso.visions.views``).

Everything here is internal to a venue: the URL-level rule is ``venue_participant`` for reading and writing,
and the querysets hold only visions of venues where the caller has a role (staff: all), so anyone else gets
404. Writes check the caller's rights in the vision's venue and answer 403 with a message otherwise:
observers only read; the people of a KPI's owner organisation and the secretariat record and import its
values (``kyoso.visions.permissions``), official statistics are read-only; the secretariat
saves and proposes versions; representatives endorse them. Writes go through ``kyoso.visions.services``; a
Django ``ValidationError`` becomes a 400.

Imports run in the background: ``POST imports/`` stores the file and queues the check, ``GET imports/{id}/``
shows the status with every problem (line, code, translated message) or the summary of the changes, and
``POST imports/{id}/apply/`` queues the write of all rows at once.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from kyoso.api.scoped import VenueScopedViewSet, member_venues
from kyoso.common.access import VENUE_PARTICIPANT, policy
from kyoso.venues.api.serializers import EndorseSerializer
from kyoso.venues.api.views import record_endorsement
from kyoso.venues.models import Endorsement

from .. import exports, permissions, queries, services
from ..models import ImportBatch, Kpi, Observation, Vision, VisionVersion
from .serializers import (
    ImportBatchSerializer,
    ImportUploadSerializer,
    KpiDetailSerializer,
    KpiSerializer,
    ObservationInputSerializer,
    ObservationSerializer,
    VersionSaveSerializer,
    VisionSerializer,
    VisionVersionDetailSerializer,
    VisionVersionSerializer,
)

VENUE_PARAM = OpenApiParameter("venue", str, required=True, description="Slug of the venue.")
VISION_PARAM = OpenApiParameter("vision", int, required=True, description="Id of the vision.")
REFUSED = OpenApiResponse(description="Not allowed for the caller in this venue (the message says why).")
INVALID = OpenApiResponse(description="Invalid input, or not possible in the current state.")
NOT_FOUND = OpenApiResponse(description="No such vision, or not one of the caller's venues.")



def member_visions(user: Any) -> QuerySet[Vision]:
    """Visions the user may see (``Vision.objects.visible_to``) of the venues where they hold a role (staff: all):
    the vision API is internal to a venue; the public site reads ``.public()``."""
    return Vision.objects.visible_to(user).filter(venue__in=member_venues(user))


class VisionScopedViewSet(VenueScopedViewSet):
    """The ``?vision=`` parameter of lists and the object-level checks of the vision pages."""

    def member_vision(self, pk: Any) -> Vision:
        """The vision with this id among the caller's venues, or 404."""
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise ValidationError({"vision": [_("ビジョンの id（vision）を数字で指定してください。")]}) from None
        return get_object_or_404(member_visions(self.request.user).select_related("venue", "prefecture"), pk=pk)

    def vision_from_query(self) -> Vision:
        raw = self.request.query_params.get("vision", "")
        if not raw:
            raise ValidationError({"vision": [_("ビジョンの id（vision）を指定してください。")]})
        return self.member_vision(raw)


# --- Visions ---------------------------------------------------------------------------------------


@extend_schema(tags=["visions"])
@extend_schema_view(
    list=extend_schema(summary="Visions of a venue with their goals and KPI statuses (members only)",
                       parameters=[VENUE_PARAM]),
    retrieve=extend_schema(summary="A vision: goals, KPIs with latest value and status, versions (members only)"),
)
class VisionViewSet(VisionScopedViewSet):
    """Regional visions: the dashboard of each (goals → KPIs with status) for members of the venue."""

    access = policy(VENUE_PARTICIPANT)
    serializer_class = VisionSerializer

    def get_queryset(self) -> QuerySet[Vision]:
        if getattr(self, "swagger_fake_view", False):
            return Vision.objects.none()
        qs = member_visions(self.request.user).select_related("venue", "prefecture")
        if self.action == "list":
            qs = qs.filter(venue=self.member_venue_from_query())
        return qs.order_by("-created_at", "-id")

    def _data(self, visions: list[Vision], *, many: bool) -> Any:
        today = timezone.localdate()
        dashboards = {vision.pk: queries.dashboard(vision, today, self.request.user) for vision in visions}
        context = {**self.get_serializer_context(), "dashboards": dashboards}
        return VisionSerializer(visions if many else visions[0], many=many, context=context).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(self._data(list(queryset), many=True))
        return self.get_paginated_response(self._data(list(page), many=True))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._data([self.get_object()], many=False))

    @extend_schema(
        summary="The whole vision as JSON: goals, KPIs, targets, every observation, milestones, issues, versions",
        responses={200: OpenApiTypes.OBJECT, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(exports.vision_json(self.get_object(), request.user))


# --- KPIs ------------------------------------------------------------------------------------------


@extend_schema(tags=["visions"])
@extend_schema_view(
    list=extend_schema(summary="KPIs of a vision with their latest value and status (members only)",
                       parameters=[VISION_PARAM]),
    retrieve=extend_schema(summary="A KPI: observations, targets, forecast to the horizon and assessment"),
)
class KpiViewSet(VisionScopedViewSet):
    """KPIs of a vision; contributors (not observers) record observations."""

    access = policy(VENUE_PARTICIPANT)

    def get_serializer_class(self) -> type[KpiSerializer]:
        return KpiDetailSerializer if self.action == "retrieve" else KpiSerializer

    def get_queryset(self) -> QuerySet[Kpi]:
        if getattr(self, "swagger_fake_view", False):
            return Kpi.objects.none()
        return (Kpi.objects.visible_to(self.request.user).filter(vision__in=member_visions(self.request.user))
                .select_related("goal", "owner", "vision__venue").prefetch_related("targets"))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        vision = self.vision_from_query()
        dashboard = queries.dashboard(vision, timezone.localdate(), request.user)
        states = [state for block in dashboard.goals for state in block.states]
        page = self.paginate_queryset(states)
        if page is None:
            return Response(KpiSerializer(states, many=True).data)
        return self.get_paginated_response(KpiSerializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kpi = self.get_object()
        state = queries.kpi_detail(kpi, timezone.localdate())
        context = {**self.get_serializer_context(),
                   "observations": Observation.objects.visible_to(request.user).filter(kpi=kpi).order_by("date")}
        return Response(KpiDetailSerializer(state, context=context).data)

    @extend_schema(
        summary="Record (or correct) the value of a KPI at a date (members except observers)",
        description="One value per KPI and date: a second value for the same date replaces the first. "
                    "Dates in the future are refused.",
        request=ObservationInputSerializer,
        responses={201: ObservationSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def observations(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kpi = self.get_object()
        if not permissions.can_record(request.user, kpi, self.rights(kpi.vision.venue)):
            raise PermissionDenied(_("このKPIの実績を記録できるのは、担当組織の人と場の事務局だけです。"))
        data = ObservationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        observation = services.observation_record(actor=request.user, kpi=kpi, **data.validated_data)
        return Response(ObservationSerializer(observation).data, status=status.HTTP_201_CREATED)


# --- Imports ---------------------------------------------------------------------------------------


@extend_schema(tags=["visions"])
@extend_schema_view(
    list=extend_schema(summary="Recent imports of a vision (members only)", parameters=[VISION_PARAM]),
    retrieve=extend_schema(
        summary="An import: its status, every problem with its line, or the changes it would make",
        description="``pending`` while the file is checked in the background, then ``invalid`` (see "
                    "``problems``; nothing can be written) or ``ready`` (see ``summary``); after apply, "
                    "``applying`` and then ``applied`` (or ``failed``).",
    ),
)
class ImportViewSet(VisionScopedViewSet):
    """Imports of observations from CSV or Excel files: upload, check in the background, then apply at once."""

    access = policy(VENUE_PARTICIPANT)
    serializer_class = ImportBatchSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> QuerySet[ImportBatch]:
        if getattr(self, "swagger_fake_view", False):
            return ImportBatch.objects.none()
        qs = (ImportBatch.objects.filter(vision__in=member_visions(self.request.user))
              .select_related("vision__venue", "uploaded_by").defer("content"))
        if self.action == "list":
            qs = qs.filter(vision=self.vision_from_query())
        return qs.order_by("-created_at", "-id")

    def _fresh(self, batch: ImportBatch, code: int) -> Response:
        fresh = self.get_queryset().get(pk=batch.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Upload a CSV or Excel file of observations (members except observers)",
        description="The file is stored and checked in the background; poll ``GET imports/{id}/``.",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportBatchSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vision = self.member_vision(data.validated_data["vision"])
        if not permissions.can_import(request.user, vision, self.rights(vision.venue)):
            raise PermissionDenied(_("実績を取り込めるのは、KPIの担当組織の人と場の事務局だけです。"))
        upload = data.validated_data["file"]
        batch = services.import_upload(actor=request.user, vision=vision, filename=upload.name,
                                       content=upload.read())
        return self._fresh(batch, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Write every row of a checked import at once (members except observers)",
        description="Only a ``ready`` import can be applied; the rows are checked again and written in one "
                    "transaction in the background. Rows equal to the stored values change nothing.",
        request=None,
        responses={202: ImportBatchSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        batch = self.get_object()
        if not permissions.can_apply_import(request.user, batch):
            raise PermissionDenied(_("取込を実行できるのは、ファイルを登録した人と場の事務局だけです。"))
        services.import_apply(actor=request.user, batch=batch)
        return self._fresh(batch, status.HTTP_202_ACCEPTED)


# --- Versions --------------------------------------------------------------------------------------


@extend_schema(tags=["visions"])
@extend_schema_view(
    list=extend_schema(summary="Versions of a vision, newest first (members only)", parameters=[VISION_PARAM]),
    retrieve=extend_schema(summary="A version with its snapshot and the per-sector evaluation (members only)"),
)
class VisionVersionViewSet(VisionScopedViewSet):
    """Numbered versions of a vision: saved as drafts, proposed to every sector, agreed, then superseded."""

    access = policy(VENUE_PARTICIPANT)

    def get_serializer_class(self) -> type[VisionVersionSerializer]:
        return VisionVersionSerializer if self.action == "list" else VisionVersionDetailSerializer

    def get_queryset(self) -> QuerySet[VisionVersion]:
        if getattr(self, "swagger_fake_view", False):
            return VisionVersion.objects.none()
        qs = (VisionVersion.objects.filter(vision__in=member_visions(self.request.user))
              .select_related("vision__venue", "proposal"))
        if self.action == "list":
            return qs.filter(vision=self.vision_from_query()).defer("snapshot").order_by("-number")
        endorsements = Endorsement.objects.select_related(
            "representative__person", "representative__membership__organization").order_by("sector", "created_at")
        return qs.prefetch_related(Prefetch("proposal__endorsements", queryset=endorsements)).order_by("-number")

    def _fresh(self, version: VisionVersion, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=version.pk)
        return Response(VisionVersionDetailSerializer(fresh, context=self.get_serializer_context()).data,
                        status=code)

    @extend_schema(
        summary="Save the vision as it stands as a draft version (secretariat of the venue)",
        description="Refreshes the latest draft if there is one, otherwise creates the next number.",
        request=VersionSaveSerializer,
        responses={201: VisionVersionDetailSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = VersionSaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vision = self.member_vision(data.validated_data["vision"])
        self.require_secretariat(vision.venue)
        version = services.version_save(actor=request.user, vision=vision, note=data.validated_data["note"])
        return self._fresh(version, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Freeze a draft version and ask every sector to endorse it (secretariat of the venue)",
        request=None, responses={200: VisionVersionDetailSerializer, 400: INVALID, 403: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        version = self.get_object()
        self.require_secretariat(version.vision.venue)
        services.version_propose(actor=request.user, version=version)
        return self._fresh(version)

    @extend_schema(
        summary="Endorse, object to (with a reason) or abstain from a proposed version",
        description="For the caller's representative in this venue; ``representative`` is required when they "
                    "represent several members. Each representative responds once. When every required "
                    "sector has endorsed, the version is agreed and the previous agreed version superseded.",
        request=EndorseSerializer, responses={200: VisionVersionDetailSerializer, 400: INVALID, 403: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def endorse(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        version = self.get_object()
        record_endorsement(request, version.vision.venue, version.proposal, _("この版は賛同を求めていません。"))
        return self._fresh(version)
