from django.contrib import admin

from .models import Affiliation, Organization, Person, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_kana", "name_en", "level", "municipality_type", "parent")
    list_filter = ("level", "municipality_type")
    search_fields = ("code", "name", "name_kana", "name_en")
    list_select_related = ("parent",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "kind", "region", "is_sample")
    list_filter = ("sector", "kind", "is_sample")
    search_fields = ("name", "name_kana", "name_en", "reference_key")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ("organization",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "public_profile", "is_sample")
    search_fields = ("name", "name_kana", "name_en", "email")
    list_filter = ("public_profile", "is_sample")
    inlines = [AffiliationInline]
    autocomplete_fields = ("user",)
