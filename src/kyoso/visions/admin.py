from django.contrib import admin

from .models import (
    Goal,
    ImportBatch,
    Kpi,
    KpiTarget,
    Milestone,
    Observation,
    RegionalIssue,
    ResearchTheme,
    Vision,
    VisionVersion,
)


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


@admin.register(Vision)
class VisionAdmin(admin.ModelAdmin):
    list_display = ("title", "venue", "horizon_year", "is_sample")
    list_filter = ("venue",)
    inlines = [GoalInline]


@admin.register(VisionVersion)
class VisionVersionAdmin(admin.ModelAdmin):
    list_display = ("vision", "number", "status", "agreed_at")
    list_filter = ("status",)
    readonly_fields = ("snapshot", "proposal", "agreed_at")

    def has_change_permission(self, request, obj=None):  # proposed and agreed versions are immutable
        return obj is None or obj.status == VisionVersion.Status.DRAFT


class TargetInline(admin.TabularInline):
    model = KpiTarget
    extra = 0


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "direction", "goal")
    list_filter = ("vision",)
    search_fields = ("code", "name")
    inlines = [TargetInline]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ("kpi", "date", "value", "source")
    list_filter = ("source",)
    date_hierarchy = "date"


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("filename", "vision", "status", "row_count", "created_at")
    list_filter = ("status",)
    exclude = ("content",)
    readonly_fields = ("problems", "summary")


admin.site.register(Milestone)
admin.site.register(RegionalIssue)
admin.site.register(ResearchTheme)
