from django.contrib import admin

from . import services
from .models import (
    ContactNote,
    CrossAppointmentProposal,
    Researcher,
    ResearcherIdentity,
    ResearcherImport,
    ResearchRecord,
    Shortlist,
    ShortlistEntry,
)


class IdentityInline(admin.TabularInline):
    model = ResearcherIdentity
    extra = 0


class RecordInline(admin.TabularInline):
    model = ResearchRecord
    extra = 0
    fields = ("type", "title", "year", "lang", "external_id")


@admin.register(Researcher)
class ResearcherAdmin(admin.ModelAdmin):
    """Edits here keep the matching index up to date (an index update is queued for the researcher)."""

    list_display = ("name", "name_en", "organization_name", "prefecture_code", "source", "is_sample")
    list_filter = ("source", "is_sample", "prefecture_code")
    search_fields = ("name", "name_en", "name_kana", "organization_name", "identities__value")
    raw_id_fields = ("organization", "person")
    inlines = [IdentityInline, RecordInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.schedule_index_update([form.instance.pk])

    def delete_model(self, request, obj):
        services.researcher_delete(actor=request.user, researcher=obj)

    def delete_queryset(self, request, queryset):
        for researcher in queryset:
            services.researcher_delete(actor=request.user, researcher=researcher)


@admin.register(ResearcherImport)
class ResearcherImportAdmin(admin.ModelAdmin):
    list_display = ("filename", "format", "status", "total", "processed", "created_count", "updated_count",
                    "failed_count", "created_at")
    list_filter = ("status", "format")
    readonly_fields = ("status", "total", "processed", "created_count", "updated_count", "unchanged_count",
                       "failed_count", "problems", "started_at", "finished_at")


class EntryInline(admin.TabularInline):
    model = ShortlistEntry
    extra = 0
    raw_id_fields = ("researcher",)


@admin.register(Shortlist)
class ShortlistAdmin(admin.ModelAdmin):
    list_display = ("title", "venue", "issue", "theme", "updated_at")
    list_filter = ("venue",)
    inlines = [EntryInline]


@admin.register(ContactNote)
class ContactNoteAdmin(admin.ModelAdmin):
    list_display = ("researcher", "venue", "contacted_on", "channel", "outcome")
    list_filter = ("venue", "channel", "outcome")
    raw_id_fields = ("researcher", "shortlist")


@admin.register(CrossAppointmentProposal)
class CrossAppointmentProposalAdmin(admin.ModelAdmin):
    list_display = ("researcher", "organization", "effort_share", "start_date", "end_date", "status")
    list_filter = ("status", "venue")
    raw_id_fields = ("researcher", "organization", "shortlist", "affiliation")
    readonly_fields = ("affiliation", "decided_at")
