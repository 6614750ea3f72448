"""Serializers of the venue API.

Read serializers decide per caller what is internal: they ask ``context["access"]`` (a
:class:`VenueRights`) for the caller's rights in the object's venue, the same rights the pages use
(``permissions.VenueAccess``). Input serializers only check shapes; the services enforce the rules.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kyoso.api.fields import EnumField, sector_field
from kyoso.api.scoped import RightsMixin
from kyoso.common.domain.sectors import sector_rank
from kyoso.regions.models import SectorChoices

from ..domain.actions import is_overdue
from ..domain.endorsement import Outcome, SectorState
from ..models import (
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
from ..services import evaluate_proposal

# --- References -------------------------------------------------------------------------------


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)


# --- Venues and members -----------------------------------------------------------------------


class VenueSerializer(RightsMixin, serializers.ModelSerializer):
    """A venue. ``required_sectors``, ``endorsement_rule`` and ``min_endorsements`` are internal:
    null unless the caller is a member of the venue (or staff)."""

    regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    hosts = OrganizationRefSerializer(many=True, read_only=True)
    is_member = serializers.SerializerMethodField()
    my_roles = serializers.SerializerMethodField()
    required_sectors = serializers.SerializerMethodField()
    endorsement_rule = serializers.SerializerMethodField()
    min_endorsements = serializers.SerializerMethodField()

    class Meta:
        model = Venue
        fields = ["slug", "name", "name_en", "purpose", "regions", "hosts", "is_public", "is_sample", "is_member",
                  "my_roles", "required_sectors", "endorsement_rule", "min_endorsements"]
        read_only_fields = fields

    def get_is_member(self, venue: Venue) -> bool:
        return self.rights(venue.pk).is_member

    @extend_schema_field(serializers.ListField(child=EnumField(VenueRole.Role.choices, enum_name="VenueRoleEnum")))
    def get_my_roles(self, venue: Venue) -> list[str]:
        return sorted(self.rights(venue.pk).roles)

    @extend_schema_field(serializers.ListField(child=sector_field(), allow_null=True))
    def get_required_sectors(self, venue: Venue) -> list[str] | None:
        return venue.sectors_required if self.rights(venue.pk).is_member else None

    @extend_schema_field(serializers.ChoiceField(choices=Venue.EndorsementRule.choices, allow_null=True))
    def get_endorsement_rule(self, venue: Venue) -> str | None:
        return venue.endorsement_rule if self.rights(venue.pk).is_member else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_min_endorsements(self, venue: Venue) -> int | None:
        return venue.min_endorsements if self.rights(venue.pk).is_member else None


class RepresentativeSerializer(serializers.ModelSerializer):
    """A member's representative; who it is (person and title) only for members of the venue."""

    person = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()

    class Meta:
        model = Representative
        fields = ["id", "layer", "person", "title"]
        read_only_fields = fields

    def _named(self) -> bool:
        return bool(self.context.get("show_names"))

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_person(self, representative: Representative) -> dict[str, Any] | None:
        return PersonRefSerializer(representative.person).data if self._named() else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_title(self, representative: Representative) -> str | None:
        return representative.title if self._named() else None


class VenueMemberSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True)
    representatives = RepresentativeSerializer(many=True, read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organization", "sector", "in_region", "joined_on", "representatives"]
        read_only_fields = fields


# --- Meetings ---------------------------------------------------------------------------------


class AgendaItemSerializer(serializers.ModelSerializer):
    decisions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "order", "title", "description", "decisions"]
        read_only_fields = fields


class AttendanceSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)
    organization = OrganizationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Attendance
        fields = ["person", "organization", "sector", "layer"]
        read_only_fields = fields


class MeetingDocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = MeetingDocument
        fields = ["id", "title", "original_name", "content_type", "size", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, document: MeetingDocument) -> str:
        """The members' download page (session login), not an API endpoint."""
        url = reverse("venues:document_download", kwargs={"slug": document.meeting.venue.slug, "pk": document.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class MeetingSerializer(serializers.ModelSerializer):
    venue = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    agenda_items = AgendaItemSerializer(many=True, read_only=True)
    attendances = AttendanceSerializer(many=True, read_only=True)
    documents = MeetingDocumentSerializer(many=True, read_only=True)
    status = EnumField(Meeting.Status.choices, enum_name="MeetingStatusEnum", read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "venue", "title", "starts_at", "ends_at", "place", "online_url", "status", "agenda_items",
                  "attendances", "documents", "minutes", "minutes_status", "minutes_version",
                  "minutes_finalised_at"]
        read_only_fields = fields


# --- Decisions --------------------------------------------------------------------------------


class SectorTallySerializer(serializers.Serializer):
    sector = serializers.ChoiceField(choices=SectorChoices.choices)
    required = serializers.BooleanField()
    endorse = serializers.IntegerField()
    object = serializers.IntegerField()
    abstain = serializers.IntegerField()
    state = EnumField([(s.value, s.value) for s in SectorState], enum_name="SectorStateEnum")


class EvaluationSerializer(serializers.Serializer):
    """Per-sector tally of a proposal under the rule fixed when it was proposed."""

    outcome = EnumField([(o.value, o.value) for o in Outcome], enum_name="OutcomeEnum")
    sectors = SectorTallySerializer(many=True)
    missing_sectors = serializers.ListField(child=sector_field())
    missing_organizations = serializers.ListField(
        child=serializers.IntegerField(), help_text="Required organisations (hosts, named members) not yet endorsing.")
    top_layer_missing = serializers.BooleanField(help_text="A top-layer endorsement is required and not yet given.")
    lapsed = serializers.BooleanField(help_text="The deadline passed without every requirement met.")


class ProposalSerializer(serializers.ModelSerializer):
    status = EnumField(Proposal.Status.choices, enum_name="ProposalStatusEnum", read_only=True)
    endorsement_rule = serializers.ChoiceField(Venue.EndorsementRule.choices, source="rule", read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "status", "required_sectors", "endorsement_rule", "min_endorsements", "required_organizations",
                  "require_top_layer", "count_out_of_region", "deadline", "closed_at"]
        read_only_fields = fields


class EndorsementSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(source="representative.person", read_only=True)
    organization = OrganizationRefSerializer(source="representative.membership.organization", read_only=True)

    class Meta:
        model = Endorsement
        fields = ["id", "representative", "person", "organization", "sector", "stance", "reason", "created_at"]
        read_only_fields = fields


class DecisionSerializer(RightsMixin, serializers.ModelSerializer):
    """A decision. Members of its venue see everything; others see only finalised public decisions, without
    the endorsement procedure (``proposal``, ``evaluation``, ``endorsements`` null) or meeting links."""

    venue = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status = EnumField(Decision.Status.choices, enum_name="DecisionStatusEnum", read_only=True)
    agenda_item = serializers.SerializerMethodField()
    meeting = serializers.SerializerMethodField()
    previous = serializers.SerializerMethodField()
    successors = serializers.SerializerMethodField()
    endorsed_sectors = serializers.SerializerMethodField()
    proposal = serializers.SerializerMethodField()
    evaluation = serializers.SerializerMethodField()
    endorsements = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "venue", "number", "reference", "title", "text", "rationale", "applies_to", "method",
                  "votes_for", "votes_against", "votes_abstain", "status", "is_editable", "is_public", "decided_on",
                  "version", "agenda_item", "meeting", "previous", "relation", "successors", "finalised_at",
                  "endorsed_sectors", "proposal", "evaluation", "endorsements"]
        read_only_fields = fields

    def _member(self, decision: Decision) -> bool:
        return self.rights(decision.venue_id).is_member

    def _visible(self, decision: Decision, other: Decision) -> bool:
        return self._member(decision) or other.is_public_record  # other: a decision of the same venue

    def _endorsements(self, decision: Decision) -> list[Endorsement]:
        return list(decision.proposal.endorsements.all()) if decision.proposal_id else []

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_agenda_item(self, decision: Decision) -> int | None:
        return decision.agenda_item_id if self._member(decision) else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_meeting(self, decision: Decision) -> int | None:
        if not self._member(decision) or decision.agenda_item is None:
            return None
        return decision.agenda_item.meeting_id

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_previous(self, decision: Decision) -> int | None:
        previous = decision.previous
        return previous.pk if previous is not None and self._visible(decision, previous) else None

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_successors(self, decision: Decision) -> list[int]:
        return sorted(s.pk for s in decision.successors.all() if self._visible(decision, s))

    @extend_schema_field(serializers.ListField(child=sector_field()))
    def get_endorsed_sectors(self, decision: Decision) -> list[str]:
        sectors = {e.sector for e in self._endorsements(decision) if e.stance == Endorsement.StanceChoices.ENDORSE}
        return sorted(sectors, key=sector_rank)

    @extend_schema_field(ProposalSerializer(allow_null=True))
    def get_proposal(self, decision: Decision) -> dict[str, Any] | None:
        if not decision.proposal_id or not self._member(decision):
            return None
        return ProposalSerializer(decision.proposal).data

    @extend_schema_field(EvaluationSerializer(allow_null=True))
    def get_evaluation(self, decision: Decision) -> dict[str, Any] | None:
        if not decision.proposal_id or not self._member(decision):
            return None
        evaluation = evaluate_proposal(decision.proposal, self._endorsements(decision))
        return EvaluationSerializer(evaluation).data

    @extend_schema_field(EndorsementSerializer(many=True, allow_null=True))
    def get_endorsements(self, decision: Decision) -> list[dict[str, Any]] | None:
        if not self._member(decision):
            return None
        return EndorsementSerializer(self._endorsements(decision), many=True).data


class DecisionFilterSerializer(serializers.Serializer):
    """Query parameters of the decision log (the same filters as the decision list page)."""

    venue = serializers.SlugField(help_text="Slug of the venue (required).")
    q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                              help_text="Substring of title, text, rationale or applies_to (NFKC-normalised).")
    status = serializers.ChoiceField(choices=Decision.Status.choices, required=False, allow_blank=True)
    sector = serializers.ChoiceField(choices=SectorChoices.choices, required=False, allow_blank=True,
                                     help_text="Only decisions this sector endorsed.")
    date_from = serializers.DateField(required=False, allow_null=True, help_text="Decided on or after.")
    date_to = serializers.DateField(required=False, allow_null=True, help_text="Decided on or before.")


class DecisionWriteSerializer(serializers.Serializer):
    """Fields of a decision draft. ``agenda_item`` must be an agenda item of the venue's meetings."""

    title = serializers.CharField(max_length=200)
    text = serializers.CharField()
    rationale = serializers.CharField(required=False, allow_blank=True)
    applies_to = serializers.CharField(required=False, allow_blank=True, max_length=255)
    method = serializers.ChoiceField(choices=Decision.Method.choices, required=False)
    votes_for = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    votes_against = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    votes_abstain = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    is_public = serializers.BooleanField(required=False)
    agenda_item = serializers.IntegerField(required=False, allow_null=True)
    decided_on = serializers.DateField(required=False, allow_null=True)


class DecisionCreateSerializer(DecisionWriteSerializer):
    venue = serializers.SlugField(help_text="Slug of the venue; only its secretariat may create decisions.")
    previous = serializers.IntegerField(required=False, allow_null=True,
                                        help_text="A finalised decision of the venue that this one amends or revokes.")
    relation = serializers.ChoiceField(choices=Decision.Relation.choices, required=False, allow_blank=True)


class DecisionUpdateSerializer(DecisionWriteSerializer):
    """A partial update of a draft; ``version`` is the version the edit started from (edit conflict: 409)."""

    version = serializers.IntegerField(min_value=1)


class EditConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()
    theirs = serializers.CharField()
    mine = serializers.CharField()


class EndorseSerializer(serializers.Serializer):
    stance = serializers.ChoiceField(choices=Endorsement.StanceChoices.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="Required when objecting.")
    representative = serializers.IntegerField(
        required=False, allow_null=True,
        help_text="Representative id; required when the caller represents several members of the venue.",
    )


class FinaliseSerializer(serializers.Serializer):
    decided_on = serializers.DateField(required=False, allow_null=True,
                                       help_text="Date of the decision; default: as recorded, else today.")


# --- Actions ----------------------------------------------------------------------------------


class DecisionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "number", "reference", "title"]
        read_only_fields = fields


def action_status_field(**kwargs: Any) -> EnumField:
    return EnumField(ActionItem.StatusChoices.choices, enum_name="ActionStatusEnum", **kwargs)


class ActionProgressNoteSerializer(serializers.ModelSerializer):
    status = action_status_field(read_only=True)
    author = serializers.SerializerMethodField()

    class Meta:
        model = ActionProgress
        fields = ["id", "status", "note", "author", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, note: ActionProgress) -> str | None:
        return str(note.author) if note.author is not None else None


class ActionItemSerializer(serializers.ModelSerializer):
    venue = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    decision = DecisionRefSerializer(read_only=True)
    owner_person = PersonRefSerializer(read_only=True, allow_null=True)
    owner_organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    status = action_status_field(read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = ["id", "venue", "decision", "title", "description", "owner_person", "owner_organization",
                  "due_date", "status", "completed_on", "is_overdue", "created_at", "updated_at"]
        read_only_fields = fields

    def get_is_overdue(self, action: ActionItem) -> bool:
        return is_overdue(action.status, action.due_date, timezone.localdate())


class ActionItemDetailSerializer(ActionItemSerializer):
    progress_notes = ActionProgressNoteSerializer(many=True, read_only=True)

    class Meta(ActionItemSerializer.Meta):
        fields = [*ActionItemSerializer.Meta.fields, "progress_notes"]
        read_only_fields = fields


class ActionFilterSerializer(serializers.Serializer):
    venue = serializers.SlugField(required=False, help_text="Slug of the venue (this or mine=1 is required).")
    mine = serializers.BooleanField(required=False, default=False,
                                    help_text="Only the caller's own actions, across the venues they belong to.")
    status = serializers.ChoiceField(choices=[*ActionItem.StatusChoices.choices, ("overdue", "overdue")],
                                     required=False, allow_blank=True)


class ActionProgressSerializer(serializers.Serializer):
    status = action_status_field()
    note = serializers.CharField(required=False, allow_blank=True, default="")
