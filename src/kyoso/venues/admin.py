from django.contrib import admin

from .models import (
    ActionItem,
    ActionProgress,
    AgendaItem,
    Attendance,
    Decision,
    Endorsement,
    Meeting,
    MeetingDocument,
    Membership,
    Proposal,
    Representative,
    Venue,
    VenueRole,
)


class VenueRoleInline(admin.TabularInline):
    model = VenueRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_public", "is_sample")
    search_fields = ("name", "name_en", "slug")
    filter_horizontal = ("regions",)
    autocomplete_fields = ("hosts",)
    inlines = [VenueRoleInline]
    prepopulated_fields = {"slug": ("name_en",)}


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("organization", "venue", "sector", "in_region", "joined_on")
    list_filter = ("venue", "sector", "in_region")
    autocomplete_fields = ("organization",)
    inlines = [RepresentativeInline]


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["person"]


class DocumentInline(admin.TabularInline):
    model = MeetingDocument
    extra = 0
    readonly_fields = ("original_name", "extension", "content_type", "size", "uploaded_by")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "venue", "starts_at", "status", "minutes_status")
    list_filter = ("venue", "status", "minutes_status")
    search_fields = ("title", "minutes")
    inlines = [AgendaInline, AttendanceInline, DocumentInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("title", "venue", "number", "status", "decided_on", "is_public")
    list_filter = ("venue", "status", "is_public")
    search_fields = ("title", "text")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == Decision.Status.FINALISED:  # finalised decisions are immutable
            return [f.name for f in Decision._meta.fields]
        return ["number", "proposal", "finalised_at", "finalised_by", "version"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status != Decision.Status.FINALISED


class EndorsementInline(admin.TabularInline):
    model = Endorsement
    extra = 0
    readonly_fields = ("representative", "sector", "stance", "reason")
    can_delete = False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("id", "venue", "status", "rule", "created_at")
    list_filter = ("status",)
    inlines = [EndorsementInline]


class ProgressInline(admin.TabularInline):
    model = ActionProgress
    extra = 0


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("title", "venue", "owner_person", "owner_organization", "due_date", "status")
    list_filter = ("venue", "status")
    search_fields = ("title",)
    autocomplete_fields = ("owner_person", "owner_organization")
    inlines = [ProgressInline]
