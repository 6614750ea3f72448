from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Affiliation, Organization, Person, Region


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "lg_code", "level", "municipality_type", "name", "name_kana", "name_en", "parent",
                  "website", "latitude", "longitude"]


class OrganizationSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "name_kana", "name_en", "sector", "kind", "region", "address", "website",
                  "description", "reference_key", "is_sample", "created_at", "updated_at"]


class OrganizationInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    name_kana = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sector = serializers.ChoiceField(choices=Organization.Sector.choices)
    kind = serializers.ChoiceField(choices=Organization.Kind.choices)
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(), required=False,
                                          allow_null=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)


class AffiliationSerializer(serializers.ModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Affiliation
        fields = ["id", "organization", "organization_name", "department", "title", "effort_share", "start_date",
                  "end_date"]


class PersonSerializer(serializers.ModelSerializer):
    """A person; the e-mail address is personal data, given only to staff and the person themself."""

    affiliations = AffiliationSerializer(many=True, read_only=True)
    email = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "name", "name_kana", "name_en", "email", "public_profile", "researchmap_id", "orcid",
                  "erad_id", "is_sample", "affiliations"]

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_email(self, person: Person) -> str | None:
        user: Any = self.context["request"].user
        return person.email if person.contact_visible_to(user) else None


class PersonInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    name_kana = serializers.CharField(max_length=100, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    public_profile = serializers.BooleanField(required=False, default=False)
    researchmap_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    orcid = serializers.CharField(max_length=19, required=False, allow_blank=True)
    erad_id = serializers.CharField(max_length=8, required=False, allow_blank=True)


class AffiliationInputSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    department = serializers.CharField(max_length=200, required=False, allow_blank=True)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    effort_share = serializers.IntegerField(min_value=0, max_value=100)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
