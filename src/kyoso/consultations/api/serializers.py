from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kyoso.api.scoped import RightsMixin

from ..models import Consultation, Statement


class StatementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Statement
        fields = ["id", "text", "is_seed"]


class ConsultationSerializer(RightsMixin, serializers.ModelSerializer):
    """A consultation with its published statements (the view set prefetches only those); the opinion map once
    published (members of the venue: as soon as it is computed); the decision it led to when that decision is public
    (members: always)."""

    venue = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    statements = serializers.SerializerMethodField()
    map = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()

    class Meta:
        model = Consultation
        fields = ["id", "venue", "title", "question", "status", "opened_at", "closed_at", "statements", "map",
                  "map_computed_at", "reply", "replied_at", "decision"]
        read_only_fields = fields

    def get_statements(self, obj: Consultation) -> list[dict[str, Any]]:
        return StatementSerializer(obj.statements.all(), many=True).data  # type: ignore[return-value]  # published

    def get_map(self, obj: Consultation) -> dict[str, Any] | None:
        if obj.map_is_public or (obj.map and self.rights(obj.venue_id).is_member):
            return obj.map
        return None

    def get_decision(self, obj: Consultation) -> int | None:
        decision = obj.decision
        if decision is None:
            return None
        return decision.pk if decision.is_public_record or self.rights(obj.venue_id).is_member else None
