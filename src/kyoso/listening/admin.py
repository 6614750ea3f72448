"""Read-only admin pages for staff: uploads are created, clustered and published through the services (the
secretariat's pages), which audit every change."""

from django.contrib import admin

from .models import SurveyUpload, Topic


class TopicInline(admin.TabularInline):
    model = Topic
    fields = ("number", "label", "size", "coarse")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SurveyUpload)
class SurveyUploadAdmin(admin.ModelAdmin):
    list_display = ("title", "venue", "status", "answer_count", "topic_count", "is_published", "created_at")
    list_filter = ("status", "is_published", "venue")
    search_fields = ("title", "source")
    exclude = ("content",)
    inlines = [TopicInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in SurveyUpload._meta.fields if f.name != "content"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
