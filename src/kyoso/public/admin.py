from django.contrib import admin

from .models import EasySummary


@admin.register(EasySummary)
class EasySummaryAdmin(admin.ModelAdmin):
    list_display = ("venue", "kind", "object_id", "score", "is_sample", "updated_at")
    list_filter = ("kind", "is_sample", "venue")
    search_fields = ("text",)
    readonly_fields = ("score", "updated_by")
