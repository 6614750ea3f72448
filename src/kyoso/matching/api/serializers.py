"""Serializers of the matching API. Results render what ``kyoso.matching.queries`` computes; input
serializers only check shapes (the services enforce the rules)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kyoso.api.fields import EnumField, sector_field
from kyoso.regions.models import KindChoices
from kyoso.venues.api.serializers import OrganizationRefSerializer

from ..ids import identities_of, stable_id_data
from ..models import ContactNote, CrossAppointmentProposal, Researcher, ResearchRecord, Shortlist, ShortlistEntry
from ..queries import SCOPES


class ResearchRecordSerializer(serializers.ModelSerializer):
    type = EnumField(ResearchRecord.Type.choices, enum_name="ResearchRecordTypeEnum", read_only=True)

    class Meta:
        model = ResearchRecord
        fields = ["id", "type", "title", "abstract", "year", "lang", "venue_name", "external_id", "url"]
        read_only_fields = fields


class ResearcherSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    source_id = serializers.SerializerMethodField(
        help_text="The researcher's id in their source: the JSON Lines id, researchmap ID or KAKEN researcher number.")
    source_id_kind = serializers.SerializerMethodField(help_text="local, researchmap, kaken or orcid (null: none).")
    identities = serializers.SerializerMethodField(help_text="Every known identity: kind → value.")

    class Meta:
        model = Researcher
        fields = ["id", "source_id", "source_id_kind", "identities", "name", "name_kana", "name_en", "organization",
                  "organization_name", "department", "job_title", "prefecture_code", "keywords", "profile_url",
                  "source", "is_sample"]
        read_only_fields = fields

    def _stable(self, obj: Researcher) -> dict[str, Any]:
        cache = self.context.setdefault("stable_ids", {})
        if obj.pk not in cache:
            cache[obj.pk] = stable_id_data(obj.source, identities_of(obj))
        return cache[obj.pk]

    def get_source_id(self, obj: Researcher) -> str | None:
        return self._stable(obj)["source_id"]

    def get_source_id_kind(self, obj: Researcher) -> str | None:
        return self._stable(obj)["source_id_kind"]

    def get_identities(self, obj: Researcher) -> dict[str, str]:
        return self._stable(obj)["identities"]


class ResearcherDetailSerializer(ResearcherSerializer):
    records = ResearchRecordSerializer(many=True, read_only=True)

    class Meta(ResearcherSerializer.Meta):
        fields = [*ResearcherSerializer.Meta.fields, "records"]
        read_only_fields = fields


# --- Search ----------------------------------------------------------------------------------------


class SearchInputSerializer(serializers.Serializer):
    venue = serializers.SlugField(help_text="Slug of the venue whose region decides in/out of region.")
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                 help_text="The need, in Japanese or English.")
    target = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="``issue:<id>`` or ``theme:<id>`` of the venue's vision: its text is "
                                             "searched when ``text`` is empty.")
    scope = EnumField([(s, s) for s in SCOPES], enum_name="MatchScopeEnum", required=False, default="all",
                      help_text="all, in (in-region only) or out (outside only).")
    sector = sector_field(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=KindChoices.choices, required=False, allow_blank=True, default="")
    prefecture = serializers.RegexField(r"^\d{2}$", required=False, allow_blank=True, default="")
    recent = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=50,
                                      help_text="Only records of the last N years count.")
    top = serializers.IntegerField(required=False, default=10, min_value=1, max_value=50)
    explain = serializers.BooleanField(required=False, default=True,
                                       help_text="Also compute the capability gap and a consortium.")
    reasons = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=50,
                                       help_text="Reasons for the first N results only (0: none; default: all).")


class SpanSerializer(serializers.Serializer):
    text = serializers.CharField()
    hit = serializers.BooleanField()


class ReasonSerializer(serializers.Serializer):
    record_id = serializers.CharField(allow_null=True)
    record_type = serializers.CharField(allow_null=True)
    record_title = serializers.CharField(allow_null=True)
    year = serializers.IntegerField(allow_null=True)
    field = serializers.CharField(help_text="keyword, title or abstract")
    snippet = SpanSerializer(many=True)
    matched_terms = serializers.ListField(child=serializers.CharField())
    similarity = serializers.FloatField()


class ResultSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    researcher_id = serializers.CharField(help_text="Kyoso's internal id of the researcher.")
    source_id = serializers.CharField(allow_null=True, help_text="The researcher's id in their source.")
    source_id_kind = serializers.CharField(allow_null=True, help_text="local, researchmap, kaken or orcid.")
    researcher = ResearcherSerializer()
    score = serializers.FloatField(help_text="Fused score 0–1 (≈ probability that the researcher fits).")
    lexical = serializers.FloatField()
    dense = serializers.FloatField()
    in_region = serializers.BooleanField()
    reasons = ReasonSerializer(many=True)


class GapSerializer(serializers.Serializer):
    best_in_region = serializers.FloatField()
    best_outside = serializers.FloatField()
    best_in_region_id = serializers.CharField(allow_null=True)
    best_outside_id = serializers.CharField(allow_null=True)
    gap = serializers.FloatField()
    verdict = serializers.CharField(help_text="covered, stronger_outside, look_outside, not_covered or no_data")


class TeamMemberSerializer(serializers.Serializer):
    researcher = ResearcherSerializer()
    in_region = serializers.BooleanField()
    covers = serializers.ListField(child=serializers.BooleanField(), help_text="One per facet.")


class ConsortiumSerializer(serializers.Serializer):
    facets = serializers.ListField(child=serializers.CharField())
    members = TeamMemberSerializer(many=True)
    uncovered = serializers.ListField(child=serializers.CharField())
    institutions = serializers.IntegerField()


class SearchResultSerializer(serializers.Serializer):
    need = serializers.CharField()
    results = ResultSerializer(many=True)
    gap = GapSerializer(allow_null=True)
    consortium = ConsortiumSerializer(allow_null=True)


def result_data(result: Any) -> dict[str, Any]:
    def reason(r: Any) -> dict[str, Any]:
        record = r.record
        return {"record_id": str(record.pk) if record else None, "record_type": record.type if record else None,
                "record_title": record.title if record else None, "year": record.year if record else None,
                "field": r.field, "snippet": [{"text": s.text, "hit": s.hit} for s in r.spans],
                "matched_terms": list(r.matched_terms), "similarity": float(r.similarity)}

    def ids_of(researcher: Researcher) -> dict[str, Any]:
        return stable_id_data(researcher.source, identities_of(researcher))

    gap = result.gap.report if result.gap else None
    team = result.consortium
    return {
        "need": result.need,
        "results": [{"rank": row.rank, "researcher_id": str(row.researcher.pk), "researcher": row.researcher,
                     "source_id": ids_of(row.researcher)["source_id"],
                     "source_id_kind": ids_of(row.researcher)["source_id_kind"], "score": row.match.score,
                     "lexical": row.match.lexical, "dense": row.match.dense, "in_region": row.in_region,
                     "reasons": [reason(r) for r in row.reasons]} for row in result.rows],
        "gap": None if gap is None else {
            "best_in_region": gap.best_in_region, "best_outside": gap.best_outside,
            "best_in_region_id": gap.best_in_region_id, "best_outside_id": gap.best_outside_id,
            "gap": gap.gap, "verdict": gap.verdict},
        "consortium": None if team is None else {
            "facets": list(team.facets), "uncovered": list(team.uncovered), "institutions": team.institutions,
            "members": [{"researcher": m.researcher, "in_region": m.in_region, "covers": list(m.covers)}
                        for m in team.members]},
    }


# --- Shortlists ------------------------------------------------------------------------------------


class ContactNoteSerializer(serializers.ModelSerializer):
    channel = EnumField(ContactNote.Channel.choices, enum_name="ContactChannelEnum", read_only=True)
    outcome = EnumField(ContactNote.Outcome.choices, enum_name="ContactOutcomeEnum", read_only=True)

    class Meta:
        model = ContactNote
        fields = ["id", "researcher", "shortlist", "contacted_on", "channel", "contacted_by_name", "outcome",
                  "summary", "created_at"]
        read_only_fields = fields


class ShortlistEntrySerializer(serializers.ModelSerializer):
    researcher = ResearcherSerializer(read_only=True)

    class Meta:
        model = ShortlistEntry
        fields = ["id", "researcher", "note", "score", "reasons", "position", "created_at"]
        read_only_fields = fields


class ShortlistSerializer(serializers.ModelSerializer):
    venue = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Shortlist
        fields = ["id", "venue", "title", "need_text", "issue", "theme", "filters", "is_sample", "created_at",
                  "updated_at"]
        read_only_fields = fields


class CrossAppointmentSerializer(serializers.ModelSerializer):
    status = EnumField(CrossAppointmentProposal.Status.choices, enum_name="CrossAppointmentStatusEnum",
                       read_only=True)
    organization = OrganizationRefSerializer(read_only=True)

    class Meta:
        model = CrossAppointmentProposal
        fields = ["id", "researcher", "shortlist", "organization", "department", "title", "effort_share",
                  "start_date", "end_date", "status", "note", "decided_at", "affiliation", "created_at"]
        read_only_fields = fields


class CrossAppointmentInputSerializer(serializers.Serializer):
    researcher = serializers.IntegerField(help_text="A researcher of the shortlist from outside the region.")
    organization = serializers.IntegerField(help_text="The host organisation.")
    effort_share = serializers.IntegerField(min_value=1, max_value=100, help_text="Percent at the host.")
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    department = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DecideInputSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    decision = EnumField([("accept", "accept"), ("declined", "declined"), ("withdrawn", "withdrawn")],
                         enum_name="CrossAppointmentDecisionEnum",
                         help_text="accept creates the affiliation (concurrent effort shares ≤ 100 %).")


class ShortlistDetailSerializer(ShortlistSerializer):
    entries = serializers.SerializerMethodField()
    contacts = serializers.SerializerMethodField()
    proposals = serializers.SerializerMethodField()

    class Meta(ShortlistSerializer.Meta):
        fields = [*ShortlistSerializer.Meta.fields, "entries", "contacts", "proposals"]
        read_only_fields = fields

    @extend_schema_field(CrossAppointmentSerializer(many=True))
    def get_proposals(self, shortlist: Shortlist) -> list[dict[str, Any]]:
        proposals = shortlist.cross_appointment_proposals.select_related("organization").order_by("-created_at")
        return CrossAppointmentSerializer(proposals, many=True).data

    @extend_schema_field(ShortlistEntrySerializer(many=True))
    def get_entries(self, shortlist: Shortlist) -> list[dict[str, Any]]:
        entries = shortlist.entries.select_related("researcher", "researcher__organization").order_by("position")
        return ShortlistEntrySerializer(entries, many=True).data

    @extend_schema_field(ContactNoteSerializer(many=True))
    def get_contacts(self, shortlist: Shortlist) -> list[dict[str, Any]]:
        return ContactNoteSerializer(shortlist.contact_notes.order_by("-contacted_on", "-id"), many=True).data


class ShortlistCreateSerializer(serializers.Serializer):
    venue = serializers.SlugField()
    title = serializers.CharField(max_length=200)
    need_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    target = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="``issue:<id>`` or ``theme:<id>`` of the venue's vision.")
    researchers = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                        help_text="Researcher ids, in rank order.")


class EntryAddSerializer(serializers.Serializer):
    researcher = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ContactInputSerializer(serializers.Serializer):
    researcher = serializers.IntegerField(help_text="A researcher of the shortlist.")
    contacted_on = serializers.DateField()
    channel = EnumField(ContactNote.Channel.choices, enum_name="ContactChannelEnum")
    outcome = EnumField(ContactNote.Outcome.choices, enum_name="ContactOutcomeEnum", required=False,
                        default=ContactNote.Outcome.PENDING)
    contacted_by_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
