from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

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


class ImportUploadForm(forms.ModelForm):
    upload = forms.FileField(label=_("ファイル"),
                             help_text=_("researchmap・KAKEN・JSON Lines の形式（README を参照）。"))

    class Meta:
        model = ResearcherImport
        fields = ("format", "is_sample")


@admin.register(ResearcherImport)
class ResearcherImportAdmin(admin.ModelAdmin):
    """Staff upload a file here; the import runs in the background and this page shows its progress."""

    list_display = ("filename", "format", "status", "progress", "created_count", "updated_count",
                    "unchanged_count", "failed_count", "created_at")
    list_filter = ("status", "format")
    readonly_fields = ("filename", "status", "progress", "created_count", "updated_count", "unchanged_count",
                       "failed_count", "problem_list", "started_at", "finished_at")

    @admin.display(description=_("進み具合"))
    def progress(self, obj: ResearcherImport) -> str:
        return f"{obj.processed} / {obj.total} ({obj.percent} %)"

    @admin.display(description=_("エラー"))
    def problem_list(self, obj: ResearcherImport) -> str:
        rows = ((services.problem_position(p), services.problem_message(p)) for p in obj.problems or [])
        return format_html_join("", "<p>{}: {}</p>", rows)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ImportUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("upload", "format", "is_sample")
        return ("format", "is_sample", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data["upload"]
        created = services.researcher_import_create(
            actor=request.user, filename=upload.name, content=upload.read(), format=form.cleaned_data["format"],
            is_sample=form.cleaned_data["is_sample"])
        obj.pk, obj.filename = created.pk, created.filename

    def has_change_permission(self, request, obj=None):  # an import is a record of what happened
        return False


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
