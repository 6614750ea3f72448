"""Read-only REST API of consultations: the same visibility as the pages (``Consultation.objects.visible_to``)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from kyoso.common.access import PUBLIC, policy

from ..models import Consultation, Statement
from .serializers import ConsultationSerializer


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("venue", str, required=False, description="Slug of the venue.")]))
class ConsultationViewSet(viewsets.ReadOnlyModelViewSet):
    """Open and closed consultations of public venues (members of a venue: its drafts too)."""

    access = policy(read=PUBLIC)
    serializer_class = ConsultationSerializer

    def get_queryset(self) -> QuerySet[Consultation]:
        if getattr(self, "swagger_fake_view", False):
            return Consultation.objects.none()
        published = Statement.objects.published().order_by("-is_seed", "id")
        qs = (Consultation.objects.visible_to(self.request.user).select_related("venue", "decision")
              .prefetch_related(Prefetch("statements", queryset=published)))
        venue = self.request.query_params.get("venue")
        return qs.filter(venue__slug=venue) if venue else qs
