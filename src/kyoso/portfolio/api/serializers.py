"""Serializers of the portfolio API.

Confidentiality is decided before serializing: the view puts ``context["sees"]``, the ids of the projects
whose confidential cash amounts and outputs the caller may see (``permissions.confidential_access``, one
query for the page). A hidden amount is ``null`` with ``"amount_hidden": true`` (with the provisions'
amounts and evidence); hidden outputs never reach a serializer (the querysets leave them out); signal
reasons come with cash amounts masked (``permissions.masked_signal_dicts``).

Input serializers only check shapes; the services enforce the rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kyoso.api.fields import EnumField
from kyoso.common.domain.fiscal import fiscal_year_label
from kyoso.venues.api.serializers import OrganizationRefSerializer, PersonRefSerializer

from ..domain.signals import SEVERITIES, SIGNAL_CODES, Thresholds
from ..models import Commitment, Milestone, Output, Participant, Project, Report, Review
from ..permissions import amount_hidden
from ..reporting import ledger_row

DECIMAL = {"max_digits": 16, "decimal_places": 2}


def _money(value: Any) -> str:
    """An amount as the API writes decimals: a string with two decimal places."""
    return f"{Decimal(value):.2f}"


def stage_field(**kwargs: Any) -> EnumField:
    return EnumField(Project.Stage.choices, enum_name="ProjectStageEnum", **kwargs)


def project_status_field(**kwargs: Any) -> EnumField:
    return EnumField(Project.Status.choices, enum_name="ProjectStatusEnum", **kwargs)


def commitment_kind_field(**kwargs: Any) -> EnumField:
    return EnumField(Commitment.Kind.choices, enum_name="CommitmentKindEnum", **kwargs)


def output_kind_field(**kwargs: Any) -> EnumField:
    return EnumField(Output.Kind.choices, enum_name="OutputKindEnum", **kwargs)


def recommendation_field(**kwargs: Any) -> EnumField:
    return EnumField(Review.Recommendation.choices, enum_name="RecommendationEnum", **kwargs)


class SeesMixin:
    context: dict[str, Any]

    def sees(self, project_id: int) -> bool:
        return project_id in self.context.get("sees", ())

    def today(self) -> dt.date:
        return self.context.get("today") or timezone.localdate()

    def grace_days(self) -> int:
        return self.context.get("grace_days", Thresholds().grace_days)


# --- Signals ---------------------------------------------------------------------------------------


class SignalReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField(help_text="The reason as a sentence in the active language.")
    params = serializers.DictField(help_text="The numbers behind it (see kyoso.portfolio.domain.signals); cash "
                                             "amounts are null, with amounts_hidden true, for non-participants.")


class SignalSerializer(serializers.Serializer):
    code = EnumField([(c, c) for c in SIGNAL_CODES], enum_name="SignalCodeEnum")
    name = serializers.CharField()
    fired = serializers.BooleanField()
    severity = EnumField([(s, s) for s in SEVERITIES], enum_name="SignalSeverityEnum")
    reasons = SignalReasonSerializer(many=True)


class FiredSignalSerializer(serializers.Serializer):
    code = EnumField([(c, c) for c in SIGNAL_CODES], enum_name="SignalCodeEnum")
    name = serializers.CharField()
    severity = EnumField([(s, s) for s in SEVERITIES], enum_name="SignalSeverityEnum")


# --- Parts of a project ------------------------------------------------------------------------------


class ParticipantSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True)
    person = PersonRefSerializer(read_only=True, allow_null=True)
    role = EnumField(Participant.Role.choices, enum_name="ParticipantRoleEnum", read_only=True)

    class Meta:
        model = Participant
        fields = ["id", "organization", "person", "role", "in_region"]
        read_only_fields = fields


class ThemeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ExpectedKpiSerializer(serializers.Serializer):
    kpi = serializers.IntegerField(source="kpi_id")
    code = serializers.CharField(source="kpi.code")
    name = serializers.CharField(source="kpi.name")
    contribution = serializers.CharField()


class ProvisionSerializer(SeesMixin, serializers.Serializer):
    id = serializers.IntegerField()
    provided_on = serializers.DateField()
    amount = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    def _hidden(self, provision: Any) -> bool:
        return amount_hidden(provision.commitment, self.sees(provision.commitment.project_id))

    @extend_schema_field(serializers.DecimalField(**DECIMAL, allow_null=True))
    def get_amount(self, provision: Any) -> str | None:
        return None if self._hidden(provision) else _money(provision.amount)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evidence(self, provision: Any) -> str | None:
        return None if self._hidden(provision) else provision.evidence


class CommitmentSerializer(SeesMixin, serializers.ModelSerializer):
    """A commitment with what was provided. A confidential cash amount is null (``amount_hidden``) for anyone
    but the project's participants and the venue's secretariat; the provision ratio is then only its band."""

    partner = OrganizationRefSerializer(read_only=True)
    kind = commitment_kind_field(read_only=True)
    fiscal_year_label = serializers.SerializerMethodField()
    amount = serializers.SerializerMethodField()
    amount_hidden = serializers.SerializerMethodField()
    provided = serializers.SerializerMethodField()
    ratio = serializers.SerializerMethodField()
    ratio_coarse = serializers.SerializerMethodField()
    due = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    provisions = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = ["id", "project", "partner", "fiscal_year", "fiscal_year_label", "kind", "amount", "amount_hidden",
                  "provided", "ratio", "ratio_coarse", "due", "overdue", "indirect_cost_ratio", "description",
                  "is_confidential", "provisions"]
        read_only_fields = fields

    def _row(self, commitment: Commitment) -> Any:
        cache = self.context.setdefault("_ledger_rows", {})
        if commitment.pk not in cache:
            cache[commitment.pk] = ledger_row(commitment, self.sees(commitment.project_id), self.today(),
                                              self.grace_days())
        return cache[commitment.pk]

    def get_fiscal_year_label(self, commitment: Commitment) -> str:
        from django.utils.translation import get_language

        return fiscal_year_label(commitment.fiscal_year, get_language() or "ja")

    @extend_schema_field(serializers.DecimalField(**DECIMAL, allow_null=True))
    def get_amount(self, commitment: Commitment) -> str | None:
        row = self._row(commitment)
        return None if row.hidden else _money(row.committed)

    def get_amount_hidden(self, commitment: Commitment) -> bool:
        return self._row(commitment).hidden

    @extend_schema_field(serializers.DecimalField(**DECIMAL, allow_null=True))
    def get_provided(self, commitment: Commitment) -> str | None:
        row = self._row(commitment)
        return None if row.hidden else _money(row.provided)

    @extend_schema_field(serializers.IntegerField(
        allow_null=True, help_text="Provided ÷ committed, in %; when the amounts are hidden only the lower bound "
                                   "of its 10-point band (ratio_coarse)."))
    def get_ratio(self, commitment: Commitment) -> int | None:
        return self._row(commitment).ratio

    @extend_schema_field(serializers.BooleanField(help_text="The ratio is only the lower bound of a 10-point band."))
    def get_ratio_coarse(self, commitment: Commitment) -> bool:
        return self._row(commitment).ratio_coarse

    @extend_schema_field(serializers.DateField())
    def get_due(self, commitment: Commitment) -> dt.date:
        return self._row(commitment).due

    @extend_schema_field(serializers.BooleanField(help_text="Due (plus the grace period) and not fully provided."))
    def get_overdue(self, commitment: Commitment) -> bool:
        return self._row(commitment).overdue

    @extend_schema_field(ProvisionSerializer(many=True))
    def get_provisions(self, commitment: Commitment) -> list[dict[str, Any]]:
        provisions = list(commitment.provisions.all())
        for provision in provisions:
            provision.commitment = commitment
        return ProvisionSerializer(provisions, many=True, context=self.context).data


class OutputSerializer(serializers.ModelSerializer):
    kind = output_kind_field(read_only=True)
    kpis = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Output
        fields = ["id", "project", "kind", "title", "date", "identifier", "kpis", "is_confidential"]
        read_only_fields = fields


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "project", "period_end", "submitted_on", "progress", "problems", "next_steps"]
        read_only_fields = fields


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_date", "partner_facing", "done_on", "evidence"]
        read_only_fields = fields


class DecisionBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()


class ChangeSerializer(serializers.Serializer):
    before = serializers.DictField()
    after = serializers.DictField()
    created_at = serializers.DateTimeField()


class ReviewSerializer(SeesMixin, serializers.ModelSerializer):
    """A review with the signals as they stood when it was written (cash amounts masked for
    non-participants), the venue decision it became and the change that decision applied."""

    recommendation = recommendation_field(read_only=True)
    proposed_stage = serializers.CharField(read_only=True)
    reviewer = serializers.SerializerMethodField()
    signals = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    change = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "project", "created_at", "reviewer", "assessment", "recommendation", "proposed_stage",
                  "proposed_end_date", "signals", "decision", "change"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reviewer(self, review: Review) -> str | None:
        return str(review.reviewer) if review.reviewer is not None else None

    @extend_schema_field(SignalSerializer(many=True))
    def get_signals(self, review: Review) -> list[dict[str, Any]]:
        from ..reporting import review_signals

        return review_signals(review, self.sees(review.project_id))

    @extend_schema_field(DecisionBriefSerializer(allow_null=True))
    def get_decision(self, review: Review) -> dict[str, Any] | None:
        d = review.decision
        if d is None:
            return None
        return {"id": d.pk, "reference": d.reference, "title": d.title, "status": d.status}

    @extend_schema_field(ChangeSerializer(allow_null=True))
    def get_change(self, review: Review) -> dict[str, Any] | None:
        change = getattr(review, "change", None)
        if change is None:
            return None
        return {"before": change.before, "after": change.after, "created_at": change.created_at}


# --- Projects --------------------------------------------------------------------------------------


class ProjectSerializer(serializers.ModelSerializer):
    """A project in the list, with the signals that fired (``context["signals"]``: project id → signals)."""

    venue = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    lead_organization = OrganizationRefSerializer(read_only=True)
    stage = stage_field(read_only=True)
    status = project_status_field(read_only=True)
    themes = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    fired_signals = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "venue", "title", "summary_public", "stage", "status", "start_date", "end_date",
                  "lead_organization", "themes", "report_interval_months", "is_sample", "fired_signals"]
        read_only_fields = fields

    @extend_schema_field(FiredSignalSerializer(many=True))
    def get_fired_signals(self, project: Project) -> list[dict[str, Any]]:
        return [{"code": s["code"], "name": s["name"], "severity": s["severity"]}
                for s in self.context.get("signals", {}).get(project.pk, []) if s["fired"]]


class ProjectDetailSerializer(ProjectSerializer):
    """Everything about a project that the venue reviews. The parts are in ``context["report"]``
    (``reporting.ProjectReport``), already without what the caller may not see."""

    themes = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()
    expected_kpis = serializers.SerializerMethodField()
    ledger = serializers.SerializerMethodField()
    outputs = serializers.SerializerMethodField()
    reports = serializers.SerializerMethodField()
    milestones = serializers.SerializerMethodField()
    reviews = serializers.SerializerMethodField()
    signals = serializers.SerializerMethodField()
    confidential_visible = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "summary_internal", "confidential_visible", "participants",
                  "expected_kpis", "ledger", "outputs", "reports", "milestones", "reviews", "signals"]
        read_only_fields = fields

    def _report(self) -> Any:
        return self.context["report"]

    @extend_schema_field(ThemeRefSerializer(many=True))
    def get_themes(self, project: Project) -> list[dict[str, Any]]:
        return [{"id": t.pk, "title": t.title} for t in self._report().themes]

    @extend_schema_field(serializers.BooleanField(help_text="The caller sees confidential amounts and outputs."))
    def get_confidential_visible(self, project: Project) -> bool:
        return self._report().show_confidential

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, project: Project) -> Any:
        return ParticipantSerializer(self._report().participants, many=True).data

    @extend_schema_field(ExpectedKpiSerializer(many=True))
    def get_expected_kpis(self, project: Project) -> Any:
        return ExpectedKpiSerializer(self._report().expected, many=True).data

    @extend_schema_field(CommitmentSerializer(many=True))
    def get_ledger(self, project: Project) -> Any:
        return CommitmentSerializer([row.commitment for row in self._report().ledger], many=True,
                                    context=self.context).data

    @extend_schema_field(OutputSerializer(many=True))
    def get_outputs(self, project: Project) -> Any:
        return OutputSerializer(self._report().outputs, many=True).data

    @extend_schema_field(ReportSerializer(many=True))
    def get_reports(self, project: Project) -> Any:
        return ReportSerializer(self._report().reports, many=True).data

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_milestones(self, project: Project) -> Any:
        return MilestoneSerializer(self._report().milestones, many=True).data

    @extend_schema_field(ReviewSerializer(many=True))
    def get_reviews(self, project: Project) -> Any:
        return ReviewSerializer([r["review"] for r in self._report().reviews], many=True, context=self.context).data

    @extend_schema_field(SignalSerializer(many=True))
    def get_signals(self, project: Project) -> list[dict[str, Any]]:
        return self._report().signals


# --- Input -----------------------------------------------------------------------------------------


class ProjectFilterSerializer(serializers.Serializer):
    """Query parameters of the project list (the same filters as the portfolio page)."""

    venue = serializers.SlugField(help_text="Slug of the venue (required).")
    q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                              help_text="Words in the title, the summaries or a participating organisation's name.")
    theme = serializers.IntegerField(required=False, help_text="Id of an R&D theme of the venue's vision.")
    stage = serializers.ChoiceField(choices=Project.Stage.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Project.Status.choices, required=False, allow_blank=True)
    partner = serializers.IntegerField(required=False, help_text="Id of an organisation that leads, takes part in "
                                                                 "or commits resources to the project.")
    region = serializers.ChoiceField(choices=[("in", "in"), ("out", "out")], required=False, allow_blank=True,
                                     help_text="in: only organisations from inside the region; out: at least one "
                                               "participant from outside.")
    signal = serializers.ChoiceField(choices=[(c, c) for c in SIGNAL_CODES], required=False, allow_blank=True,
                                     help_text="Only projects where this signal fired.")


class ProjectScopeSerializer(serializers.Serializer):
    """``?project=`` or ``?venue=`` of the lists of commitments, outputs, reports and reviews."""

    project = serializers.IntegerField(required=False, help_text="Id of the project.")
    venue = serializers.SlugField(required=False, help_text="Slug of the venue (all its projects).")


class CommitmentInputSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    partner = serializers.IntegerField(help_text="Id of the organisation that commits the resource.")
    fiscal_year = serializers.IntegerField(min_value=1990, max_value=2100)
    kind = commitment_kind_field()
    amount = serializers.DecimalField(**DECIMAL, help_text="Yen for cash, person-months for staff, a count "
                                                           "for equipment, data and demonstration fields.")
    indirect_cost_ratio = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    is_confidential = serializers.BooleanField(required=False, default=False)


class ProvisionInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**DECIMAL)
    provided_on = serializers.DateField()
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class OutputInputSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    kind = output_kind_field()
    title = serializers.CharField(max_length=255)
    date = serializers.DateField()
    identifier = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    kpis = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                 help_text="Ids of KPIs of the venue's vision that the output moved.")
    is_confidential = serializers.BooleanField(required=False, default=False)


class ReportInputSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    period_end = serializers.DateField()
    progress = serializers.CharField()
    problems = serializers.CharField(required=False, allow_blank=True, default="")
    next_steps = serializers.CharField(required=False, allow_blank=True, default="")
    submitted_on = serializers.DateField(required=False, allow_null=True)


class ReviewInputSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    assessment = serializers.CharField()
    recommendation = recommendation_field()
    proposed_stage = stage_field(required=False, allow_blank=True, default="")
    proposed_end_date = serializers.DateField(required=False, allow_null=True)
