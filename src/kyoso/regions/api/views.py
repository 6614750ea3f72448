"""REST API for regions, organisations and people: read for everyone allowed. Writes follow the pages' rule, kept
in the querysets: an organisation is edited, and a person given an affiliation, by staff or by the secretariat of a
venue where the organisation (the person's organisation) is a member (``editable_by``); people are created by
staff."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from kyoso.common.access import PUBLIC, SECRETARIAT, STAFF, policy

from .. import queries, services
from ..models import Affiliation, Organization, Person, Region
from .serializers import (
    AffiliationInputSerializer,
    OrganizationInputSerializer,
    OrganizationSerializer,
    PersonInputSerializer,
    PersonSerializer,
    RegionSerializer,
)


@extend_schema(tags=["regions"])
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Prefectures and municipalities (JIS X 0401/0402 codes)."""

    access = policy(PUBLIC)
    serializer_class = RegionSerializer
    lookup_field = "code"

    @extend_schema(parameters=[
        OpenApiParameter("level", str, enum=["prefecture", "municipality"]),
        OpenApiParameter("parent", str, description="Prefecture code, e.g. 22"),
    ])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = Region.objects.select_related("parent").order_by("code")
        level = self.request.query_params.get("level")
        if level:
            qs = qs.filter(level=level)
        parent = self.request.query_params.get("parent")
        if parent:
            qs = qs.filter(parent__code=parent)
        return qs


@extend_schema(tags=["organizations"])
class OrganizationViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Organisations of the ecosystem. Filters: q, sector, kind, prefecture (as on the directory page)."""

    access = policy(read=PUBLIC, write=SECRETARIAT)
    serializer_class = OrganizationSerializer

    @extend_schema(parameters=[
        OpenApiParameter("q", str), OpenApiParameter("sector", str, enum=Organization.Sector.values),
        OpenApiParameter("kind", str, enum=Organization.Kind.values),
        OpenApiParameter("prefecture", str, description="Prefecture code, e.g. 22"),
    ])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        filters = queries.DirectoryFilters.from_querydict(self.request.query_params)
        return queries.organization_directory(filters).filter(
            pk__in=Organization.objects.visible_to(self.request.user).values("pk")
        )

    @extend_schema(request=OrganizationInputSerializer, responses={201: OrganizationSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        data = OrganizationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = services.organization_create(actor=request.user, **data.validated_data)
        return Response(OrganizationSerializer(organization).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OrganizationInputSerializer, responses=OrganizationSerializer)
    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        organization = self.get_object()
        if not Organization.objects.editable_by(request.user).filter(pk=organization.pk).exists():
            raise PermissionDenied(_("この組織を編集できるのは、この組織が構成員である場の事務局だけです。"))
        partial = kwargs.get("partial", False)
        data = OrganizationInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        services.organization_update(actor=request.user, organization=organization, **data.validated_data)
        return Response(OrganizationSerializer(organization).data)


@extend_schema(tags=["people"])
class PersonViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """People. Anonymous callers see only public profiles; e-mail only for staff and the person themself."""

    access = policy(read=PUBLIC, write=SECRETARIAT)
    serializer_class = PersonSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = Person.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("affiliations", queryset=Affiliation.objects.select_related("organization"))
        )
        q = self.request.query_params.get("q")
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(name_kana__icontains=q))
        return qs.order_by("name_kana", "name", "id")

    @extend_schema(request=PersonInputSerializer, responses={201: PersonSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        if not STAFF.allows(request.user):
            raise PermissionDenied(_("人を登録できるのはスタッフだけです。"))
        data = PersonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.person_create(actor=request.user, **data.validated_data)
        return Response(PersonSerializer(person, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Add an affiliation to a person (staff, or the secretariat of a venue where one of the "
                           "person's organisations is a member)",
                   request=AffiliationInputSerializer, responses={201: PersonSerializer})
    @action(detail=True, methods=["post"])
    def affiliations(self, request: Request, *args: object, **kwargs: object) -> Response:
        person = self.get_object()
        if not Person.objects.editable_by(request.user).filter(pk=person.pk).exists():
            raise PermissionDenied(_("所属を追加できるのは、この人が所属する組織が構成員である場の事務局だけです。"))
        data = AffiliationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.affiliation_create(actor=request.user, person=person, **data.validated_data)
        person = self.get_queryset().get(pk=person.pk)
        return Response(PersonSerializer(person, context={"request": request}).data, status=status.HTTP_201_CREATED)
