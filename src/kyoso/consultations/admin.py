"""Staff can look at consultations and the moderation log here; every change goes through the pages (services,
audit events), so these admin pages are read-only."""

from typing import Any

from django.contrib import admin

from .models import Consultation, ModerationLog


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Consultation)
class ConsultationAdmin(ReadOnly):
    list_display = ("title", "venue", "status", "map_status", "map_published", "opened_at", "closed_at", "is_sample")
    list_filter = ("status", "map_published", "is_sample")
    search_fields = ("title",)
    exclude = ("map",)


@admin.register(ModerationLog)
class ModerationLogAdmin(ReadOnly):
    list_display = ("at", "consultation", "action", "kind", "text", "report_count", "actor")
    list_filter = ("action", "kind")
