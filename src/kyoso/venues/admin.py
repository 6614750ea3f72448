from django.contrib import admin

from .models import Venue, VenueRole


class VenueRoleInline(admin.TabularInline):
    model = VenueRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_public", "is_sample")
    search_fields = ("name", "name_en", "slug")
    filter_horizontal = ("regions",)
    inlines = [VenueRoleInline]
    prepopulated_fields = {"slug": ("name_en",)}
