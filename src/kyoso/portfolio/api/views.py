"""REST API of the joint-research portfolio, with the same rules as the pages (``kyoso.portfolio.views``).

Everything here is internal to a venue: the URL-level rule is ``venue_participant`` for reading and writing,
and the querysets hold only projects of venues where the caller has a role (staff: all), so anyone else gets
404. Writes check the caller's rights in the project's venue and answer 403 with a message otherwise:
observers only read; the secretariat and the project's participants record commitments, provision, outputs
and reports; the secretariat writes reviews, which become decision drafts of the venue. Writes go through
``kyoso.portfolio.services``; a Django ``ValidationError`` becomes a 400.

Confidentiality (``kyoso.portfolio.permissions``): a confidential cash amount is ``null`` with
``"amount_hidden": true`` and a confidential output is absent, unless the caller takes part in the project
or is the venue's secretariat (or staff); signal reasons mask cash amounts the same way.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
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
from kyoso.common.access import VENUE_PARTICIPANT, policy
from kyoso.regions.models import Organization
from kyoso.visions.models import Kpi

from .. import queries, services
from ..domain.signals import Thresholds
from ..forms import PortfolioFilterForm
from ..models import Commitment, Output, Project, Report, Review
from ..permissions import can_record, confidential_access, masked_signal_dicts
from ..reporting import project_report, with_provided
from .serializers import (
    CommitmentInputSerializer,
    CommitmentSerializer,
    OutputInputSerializer,
    OutputSerializer,
    ProjectDetailSerializer,
    ProjectFilterSerializer,
    ProjectScopeSerializer,
    ProjectSerializer,
    ProvisionInputSerializer,
    ReportInputSerializer,
    ReportSerializer,
    ReviewInputSerializer,
    ReviewSerializer,
)

REFUSED = OpenApiResponse(description="Not allowed for the caller in this project (the message says why).")
INVALID = OpenApiResponse(description="Invalid input.")
NOT_FOUND = OpenApiResponse(description="No such project, or not one of the caller's venues.")
SCOPE = [OpenApiParameter("project", int, description="Id of the project (this or venue is required)."),
         OpenApiParameter("venue", str, description="Slug of the venue: all its projects.")]


def member_projects(user: Any) -> QuerySet[Project]:
    """Projects of the venues where the user holds a role (staff: all)."""
    return Project.objects.member_visible(user)


class PortfolioScopedViewSet(VenueScopedViewSet):
    """Lists scoped by ``?project=`` or ``?venue=``; serializers told which projects' secrets the caller sees."""

    model: Any = None
    ordering: tuple[str, ...] = ()

    def project_of(self, obj: Any) -> Project:
        return obj.project

    def base_queryset(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        """Joins and filters of this view set, on top of "rows of projects in the caller's venues"."""
        return qs

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        user = self.request.user  # each model's own rule: rows of the caller's venues that the caller may see
        qs = self.base_queryset(self.model.objects.member_visible(user).visible_to(user))
        if self.action == "list":
            qs = self.scope(qs)
        return qs.order_by(*self.ordering)

    def create_with(self, request: Request, input_class: type, save: Any, *, secretariat: bool = False) -> Response:
        """Validate, check the caller's right in the project, write through ``save(project, fields)``, answer 201."""
        fields = self.validated(input_class, request)
        project = self.member_project(fields.pop("project"))
        if secretariat:
            self.require_secretariat(project.venue)
        else:
            self.require_recorder(project)
        created = save(project, fields)
        return self.render([self.get_queryset().get(pk=created.pk)], many=False, code=status.HTTP_201_CREATED)

    def member_project(self, pk: Any) -> Project:
        return get_object_or_404(member_projects(self.request.user).select_related("venue", "lead_organization"),
                                 pk=pk)

    def scope(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        data = ProjectScopeSerializer(data=self.request.query_params)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("project") is not None:
            return qs.filter(project=self.member_project(data.validated_data["project"]))
        if data.validated_data.get("venue"):
            return qs.filter(project__venue=self.member_venue_from_query())
        message = _("プロジェクトの id（project）か場のスラッグ（venue）を指定してください。")
        raise ValidationError({"project": [message]})

    def serializer_context_for(self, objects: list[Any]) -> dict[str, Any]:
        projects = {p.pk: p for p in (self.project_of(o) for o in objects)}
        return {**self.get_serializer_context(), "today": timezone.localdate(),
                "sees": confidential_access(self.request.user, projects.values(), self.venue_rights)}

    def render(self, objects: list[Any], *, many: bool, code: int = status.HTTP_200_OK) -> Response:
        context = self.serializer_context_for(objects)
        serializer = self.get_serializer_class()
        return Response(serializer(objects if many else objects[0], many=many, context=context).data, status=code)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is None:
            return self.render(list(queryset), many=True)
        context = self.serializer_context_for(list(page))
        return self.get_paginated_response(self.get_serializer_class()(page, many=True, context=context).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.render([self.get_object()], many=False)

    def require_recorder(self, project: Project) -> None:
        if not can_record(self.request.user, project, self.rights(project.venue)):
            raise PermissionDenied(_("記録できるのは、このプロジェクトの参加者と事務局です。"))

    def validated(self, serializer_class: type, request: Request) -> dict[str, Any]:
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)


# --- Projects --------------------------------------------------------------------------------------


@extend_schema(tags=["portfolio"])
@extend_schema_view(
    list=extend_schema(summary="Projects of a venue with the signals that fired (members only)",
                       parameters=[ProjectFilterSerializer]),
    retrieve=extend_schema(
        summary="A project: participants, expected KPIs, committed vs provided, outputs, reports, reviews, signals",
        description="Confidential cash amounts are null (amount_hidden) and confidential outputs absent unless "
                    "the caller takes part in the project or is the venue's secretariat."),
)
class ProjectViewSet(PortfolioScopedViewSet):
    """Joint-research projects of a venue, each with the five review signals and why they fired."""

    access = policy(VENUE_PARTICIPANT)

    def get_serializer_class(self) -> type[ProjectSerializer]:
        return ProjectSerializer if self.action == "list" else ProjectDetailSerializer

    def project_of(self, obj: Any) -> Project:
        return obj

    def get_queryset(self) -> QuerySet[Project]:
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return (member_projects(self.request.user).select_related("venue", "lead_organization")
                .prefetch_related("themes").order_by("-start_date", "id"))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = ProjectFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        venue = self.member_venue_from_query()
        form = PortfolioFilterForm(request.query_params, venue=venue)
        if not form.is_valid():
            raise ValidationError(form.errors)
        projects = list(queries.filter_projects(venue, form.cleaned_data).select_related("venue")
                        .prefetch_related("themes"))
        today = timezone.localdate()
        thresholds = queries.thresholds_of(venue)
        wanted = form.cleaned_data.get("signal")
        if wanted:  # from the cached overview of the whole portfolio, not by evaluating every project here
            overview = queries.portfolio_overview_for(venue, today, request.user, self.rights(venue), thresholds)
            fired = queries.fired_project_ids(overview, wanted)
            projects = [p for p in projects if p.pk in fired]
        page = self.paginate_queryset(projects)
        shown = page if page is not None else projects
        sees = confidential_access(request.user, shown, self.rights(venue))
        reviews = {r.project_id: r for r in queries.evaluate_projects(list(shown), today, thresholds, sees)}
        signals = {p.pk: masked_signal_dicts(reviews[p.pk].to_dict()["signals"], p.pk in sees) for p in shown}
        data = ProjectSerializer(shown, many=True, context={**self.get_serializer_context(), "signals": signals}).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = self.get_object()
        today = timezone.localdate()
        report = project_report(project, request.user, self.rights(project.venue), today)
        context = {**self.get_serializer_context(), "report": report, "today": today,
                   "sees": {project.pk} if report.show_confidential else set(),
                   "grace_days": queries.thresholds_of(project.venue).grace_days,
                   "signals": {project.pk: report.signals}}
        return Response(ProjectDetailSerializer(project, context=context).data)


# --- Commitments -----------------------------------------------------------------------------------


@extend_schema(tags=["portfolio"])
@extend_schema_view(
    list=extend_schema(summary="Commitments with what was provided (members only)", parameters=SCOPE),
    retrieve=extend_schema(summary="A commitment with its provisions (members only)"),
)
class CommitmentViewSet(PortfolioScopedViewSet):
    """What each partner promised per fiscal year and kind, and what it actually provided."""

    access = policy(VENUE_PARTICIPANT)
    serializer_class = CommitmentSerializer
    model = Commitment
    ordering = ("project_id", "fiscal_year", "partner__name", "kind", "id")

    def base_queryset(self, qs: QuerySet[Commitment]) -> QuerySet[Commitment]:
        return with_provided(qs.select_related("project__venue"))

    def serializer_context_for(self, objects: list[Any]) -> dict[str, Any]:
        venues = {o.project.venue_id for o in objects}
        grace = (queries.thresholds_of(objects[0].project.venue) if len(venues) == 1 else Thresholds()).grace_days
        return {**super().serializer_context_for(objects), "grace_days": grace}

    @extend_schema(
        summary="Record a commitment (the project's participants and the secretariat)",
        request=CommitmentInputSerializer,
        responses={201: CommitmentSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def save(project: Project, fields: dict[str, Any]) -> Commitment:
            partner = Organization.objects.filter(pk=fields.pop("partner")).first()
            if partner is None:
                raise ValidationError({"partner": [_("組織を指定してください。")]})
            return services.commitment_add(actor=request.user, project=project, partner=partner, **fields)

        return self.create_with(request, CommitmentInputSerializer, save)

    @extend_schema(
        summary="Record what was provided against a commitment (the project's participants and the secretariat)",
        request=ProvisionInputSerializer,
        responses={201: CommitmentSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def provision(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        commitment = self.get_object()
        self.require_recorder(commitment.project)
        fields = self.validated(ProvisionInputSerializer, request)
        services.provision_record(actor=request.user, commitment=commitment, **fields)
        return self.render([self.get_queryset().get(pk=commitment.pk)], many=False, code=status.HTTP_201_CREATED)


# --- Outputs ---------------------------------------------------------------------------------------


@extend_schema(tags=["portfolio"])
@extend_schema_view(
    list=extend_schema(summary="Outputs of projects (members only; confidential ones only for participants "
                               "and the secretariat)", parameters=SCOPE),
    retrieve=extend_schema(summary="An output"),
)
class OutputViewSet(PortfolioScopedViewSet):
    """Papers, patents, prototypes, field trials, products, services, start-ups and policy adoptions."""

    access = policy(VENUE_PARTICIPANT)
    serializer_class = OutputSerializer
    model = Output
    ordering = ("-date", "id")

    def base_queryset(self, qs: QuerySet[Output]) -> QuerySet[Output]:
        """Confidential outputs only for the project's participants and the secretariat (``visible_to``)."""
        return qs.select_related("project").prefetch_related("kpis")

    @extend_schema(
        summary="Record an output (the project's participants and the secretariat)",
        request=OutputInputSerializer,
        responses={201: OutputSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def save(project: Project, fields: dict[str, Any]) -> Output:
            wanted = set(fields.pop("kpis"))
            kpis = list(Kpi.objects.filter(pk__in=wanted, vision__venue_id=project.venue_id).select_related("vision"))
            if len(kpis) != len(wanted):
                raise ValidationError({"kpis": [_("この場のビジョンのKPIを選んでください。")]})
            return services.output_add(actor=request.user, project=project, kpis=kpis, **fields)

        return self.create_with(request, OutputInputSerializer, save)


# --- Reports ---------------------------------------------------------------------------------------


@extend_schema(tags=["portfolio"])
@extend_schema_view(
    list=extend_schema(summary="Periodic reports of projects, newest first (members only)", parameters=SCOPE),
    retrieve=extend_schema(summary="A periodic report"),
)
class ReportViewSet(PortfolioScopedViewSet):
    """Progress against milestones, problems and next steps, on the schedule the venue set."""

    access = policy(VENUE_PARTICIPANT)
    serializer_class = ReportSerializer
    model = Report
    ordering = ("-period_end", "id")

    def base_queryset(self, qs: QuerySet[Report]) -> QuerySet[Report]:
        return qs.select_related("project")

    @extend_schema(
        summary="Submit a periodic report (the project's participants and the secretariat)",
        request=ReportInputSerializer,
        responses={201: ReportSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.create_with(request, ReportInputSerializer, lambda project, fields: services.report_submit(
            actor=request.user, project=project, **fields))


# --- Reviews ---------------------------------------------------------------------------------------


@extend_schema(tags=["portfolio"])
@extend_schema_view(
    list=extend_schema(summary="Reviews of projects with the decisions they became (members only)",
                       parameters=SCOPE),
    retrieve=extend_schema(summary="A review: signals when written, decision, applied change"),
)
class ReviewViewSet(PortfolioScopedViewSet):
    """Reviews: an assessment and a recommendation that the venue decides on; the decision's change is applied
    to the project once the venue finalises it."""

    access = policy(VENUE_PARTICIPANT)
    serializer_class = ReviewSerializer
    model = Review
    ordering = ("-created_at", "-id")

    def base_queryset(self, qs: QuerySet[Review]) -> QuerySet[Review]:
        return qs.select_related("project", "decision", "reviewer", "change")

    @extend_schema(
        summary="Review a project; the recommendation becomes a decision draft of the venue (secretariat)",
        request=ReviewInputSerializer,
        responses={201: ReviewSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.create_with(request, ReviewInputSerializer, lambda project, fields: services.review_create(
            actor=request.user, project=project, **fields), secretariat=True)
