from django.contrib import admin

from .models import Commitment, ExpectedKpi, Output, Participant, Project, Provision, Report, Review


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    autocomplete_fields = ("organization", "person")


class ExpectedKpiInline(admin.TabularInline):
    model = ExpectedKpi
    extra = 0


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    autocomplete_fields = ("partner",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "venue", "stage", "lead_organization", "start_date", "end_date", "is_sample")
    list_filter = ("venue", "stage", "is_sample")
    search_fields = ("title",)
    filter_horizontal = ("themes",)
    inlines = [ParticipantInline, ExpectedKpiInline, CommitmentInline]


class ProvisionInline(admin.TabularInline):
    model = Provision
    extra = 0


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("project", "partner", "fiscal_year", "kind", "amount", "is_confidential")
    list_filter = ("kind", "fiscal_year", "is_confidential")
    inlines = [ProvisionInline]


@admin.register(Output)
class OutputAdmin(admin.ModelAdmin):
    list_display = ("title", "project", "kind", "date", "is_confidential")
    list_filter = ("kind", "is_confidential")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("project", "recommendation", "created_at", "decision")
    readonly_fields = ("signals",)


admin.site.register(Report)
