"""Serializers of the vision API.

Read serializers render what the queries compute (``queries.dashboard``, ``queries.kpi_detail``): the
status of a KPI is ``{status, rule, params}`` exactly as :func:`kyoso.visions.domain.status.assess` decided
it, so a client can write its own sentence from the rule code and its numbers. Stored values (observations,
targets, baselines) are decimals rendered as strings; computed ones (forecasts) are numbers.

Input serializers only check shapes; the services enforce the rules (future dates, horizons, states).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kyoso.api.fields import EnumField
from kyoso.venues.api.serializers import (
    EndorsementSerializer,
    EvaluationSerializer,
    OrganizationRefSerializer,
    ProposalSerializer,
)

from .. import exports
from ..domain.forecast import Forecast
from ..domain.status import RULES, Status
from ..models import ImportBatch, Kpi, Observation, Vision, VisionVersion
from ..queries import Dashboard, KpiState

#: An import file may be this large (the same limit as the upload page).
MAX_UPLOAD_BYTES = 30 * 1024 * 1024

DECIMAL = {"max_digits": 18, "decimal_places": 4}


def _decimal(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(**DECIMAL, **kwargs)


# --- Status, targets, forecast ---------------------------------------------------------------------


class KpiStatusSerializer(serializers.Serializer):
    """The assessment of a KPI: its status, the rule that decided it and the numbers the rule used."""

    status = EnumField([(s.value, s.value) for s in Status], enum_name="KpiStatusEnum")
    rule = EnumField([(rule, rule) for rule in RULES], enum_name="KpiStatusRuleEnum")
    params = serializers.DictField(help_text="The numbers behind the rule (dates as ISO strings); "
                                             "see kyoso.visions.domain.status.Assessment.")
    freshness = EnumField([(f, f) for f in ("none", "current", "due", "stale")], enum_name="KpiFreshnessEnum",
                          help_text="Of the latest value, by the KPI's update frequency: due = 更新待ち, "
                                    "stale = 古いデータ.")


def status_data(state: KpiState) -> dict[str, Any]:
    assessment = state.assessment
    return {"status": str(assessment.status), "rule": assessment.rule, "params": assessment.explanation_params,
            "freshness": assessment.freshness}


class KpiTargetSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    value = _decimal()


class KpiLatestSerializer(serializers.Serializer):
    date = serializers.DateField()
    value = _decimal()


class ForecastPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    value = serializers.FloatField()
    low = serializers.FloatField()
    high = serializers.FloatField()


class ForecastSerializer(serializers.Serializer):
    """A robust straight-line forecast to the vision's horizon (Theil–Sen) with a bootstrap band."""

    method = serializers.CharField(help_text="theil_sen, flat or none.")
    reason = serializers.CharField(allow_null=True, help_text="Why there is no forecast, if there is none.")
    slope_per_year = serializers.FloatField(allow_null=True)
    level = serializers.FloatField(help_text="Coverage of the band (low–high), e.g. 0.8.")
    n_used = serializers.IntegerField(help_text="Points fitted (after downsampling).")
    horizon = serializers.DateField(allow_null=True)
    anchor = ForecastPointSerializer(allow_null=True, help_text="The fitted value at the latest observation.")
    points = ForecastPointSerializer(many=True, help_text="One point per fiscal-year end up to the horizon.")
    integer = serializers.BooleanField(help_text="Rounded to whole numbers (a KPI counted in 件, 人 …).")
    clamped = serializers.BooleanField(help_text="The straight line went below zero for a unit that cannot be "
                                                 "negative; values and band are clamped at 0.")


def forecast_data(forecast: Forecast | None) -> dict[str, Any] | None:
    if forecast is None:
        return None

    def point(p: Any) -> dict[str, Any]:
        return {"date": p.date, "value": p.value, "low": p.low, "high": p.high}

    return {"method": forecast.method, "reason": forecast.reason, "slope_per_year": forecast.slope_per_year,
            "level": forecast.level, "n_used": forecast.n_used, "horizon": forecast.horizon,
            "anchor": point(forecast.anchor) if forecast.anchor is not None else None,
            "points": [point(p) for p in forecast.points], "integer": forecast.integer,
            "clamped": forecast.clamped}


# --- KPIs ------------------------------------------------------------------------------------------


def direction_field(**kwargs: Any) -> EnumField:
    return EnumField(Kpi.Direction.choices, enum_name="KpiDirectionEnum", **kwargs)


class KpiSerializer(serializers.Serializer):
    """A KPI with its targets, its latest value and its status; renders a :class:`~kyoso.visions.queries.KpiState`."""

    id = serializers.IntegerField(source="kpi.pk")
    vision = serializers.IntegerField(source="kpi.vision_id")
    goal = serializers.IntegerField(source="kpi.goal_id")
    code = serializers.CharField(source="kpi.code")
    name = serializers.CharField(source="kpi.name")
    definition = serializers.CharField(source="kpi.definition")
    unit = serializers.CharField(source="kpi.unit")
    direction = direction_field(source="kpi.direction")
    frequency = EnumField(Kpi.Frequency.choices, enum_name="KpiFrequencyEnum", source="kpi.frequency")
    baseline_value = _decimal(source="kpi.baseline_value", allow_null=True)
    baseline_date = serializers.DateField(source="kpi.baseline_date", allow_null=True)
    data_source = serializers.CharField(source="kpi.data_source")
    reference_series = serializers.CharField(source="kpi.reference_series",
                                             help_text="Public statistics series the history is loaded from.")
    owner = OrganizationRefSerializer(source="kpi.owner", allow_null=True)
    targets = KpiTargetSerializer(source="kpi.targets", many=True)
    latest = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    @extend_schema_field(KpiLatestSerializer(allow_null=True, help_text="The most recent observation."))
    def get_latest(self, state: KpiState) -> dict[str, Any] | None:
        if state.latest is None:
            return None
        day, value = state.latest
        return KpiLatestSerializer({"date": day, "value": value}).data

    @extend_schema_field(KpiStatusSerializer)
    def get_status(self, state: KpiState) -> dict[str, Any]:
        return KpiStatusSerializer(status_data(state)).data


class ObservationSerializer(serializers.ModelSerializer):
    value = _decimal(read_only=True)
    source = EnumField(Observation.Source.choices, enum_name="ObservationSourceEnum", read_only=True)

    class Meta:
        model = Observation
        fields = ["id", "date", "value", "source", "note", "batch", "updated_at"]
        read_only_fields = fields


class KpiDetailSerializer(KpiSerializer):
    """A KPI with every observation (oldest first), its forecast to the horizon and its assessment.

    ``context["observations"]`` holds the KPI's observations.
    """

    observations = serializers.SerializerMethodField()
    forecast = serializers.SerializerMethodField()

    @extend_schema_field(ObservationSerializer(many=True))
    def get_observations(self, state: KpiState) -> list[dict[str, Any]]:
        return ObservationSerializer(self.context["observations"], many=True).data

    @extend_schema_field(ForecastSerializer(allow_null=True, help_text="None without any observation."))
    def get_forecast(self, state: KpiState) -> dict[str, Any] | None:
        forecast = forecast_data(state.forecast)
        return ForecastSerializer(forecast).data if forecast is not None else None


class ObservationInputSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The date the value refers to (not in the future).")
    value = _decimal()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


# --- Visions ---------------------------------------------------------------------------------------


class VersionRefSerializer(serializers.ModelSerializer):
    status = EnumField(VisionVersion.Status.choices, enum_name="VisionVersionStatusEnum", read_only=True)

    class Meta:
        model = VisionVersion
        fields = ["id", "number", "status", "note", "agreed_at"]
        read_only_fields = fields


class GoalBlockSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="goal.pk")
    order = serializers.IntegerField(source="goal.order")
    title = serializers.CharField(source="goal.title")
    description = serializers.CharField(source="goal.description")
    kpis = KpiSerializer(source="states", many=True)


class KpiStatusCountsSerializer(serializers.Serializer):
    on_track = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    off_track = serializers.IntegerField()
    no_data = serializers.IntegerField(help_text="KPIs without any observation.")
    stale = serializers.IntegerField(help_text="KPIs whose latest value is too old to judge (rule stale).")


class VisionSerializer(serializers.ModelSerializer):
    """A vision with its goals and their KPIs (latest value and status), the agreed and the latest version.

    ``context["dashboards"]`` maps vision ids to their :class:`~kyoso.visions.queries.Dashboard`.
    """

    venue = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    prefecture = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    status_counts = serializers.SerializerMethodField()
    current_version = serializers.SerializerMethodField()
    latest_version = serializers.SerializerMethodField()
    goals = serializers.SerializerMethodField()

    class Meta:
        model = Vision
        fields = ["id", "venue", "title", "future_image", "horizon_year", "prefecture", "is_sample", "created_at",
                  "updated_at", "status_counts", "current_version", "latest_version", "goals"]
        read_only_fields = fields

    def _dashboard(self, vision: Vision) -> Dashboard:
        return self.context["dashboards"][vision.pk]

    @extend_schema_field(KpiStatusCountsSerializer)
    def get_status_counts(self, vision: Vision) -> dict[str, int]:
        counts = self._dashboard(vision).status_counts
        return {**{status.value: counts.get(status.value, 0) for status in Status}, "stale": counts.get("stale", 0)}

    @extend_schema_field(VersionRefSerializer(allow_null=True, help_text="The version in force (agreed)."))
    def get_current_version(self, vision: Vision) -> dict[str, Any] | None:
        version = self._dashboard(vision).current_version
        return VersionRefSerializer(version).data if version is not None else None

    @extend_schema_field(VersionRefSerializer(allow_null=True))
    def get_latest_version(self, vision: Vision) -> dict[str, Any] | None:
        version = self._dashboard(vision).latest_version
        return VersionRefSerializer(version).data if version is not None else None

    @extend_schema_field(GoalBlockSerializer(many=True))
    def get_goals(self, vision: Vision) -> list[dict[str, Any]]:
        return GoalBlockSerializer(self._dashboard(vision).goals, many=True, context=self.context).data


# --- Versions --------------------------------------------------------------------------------------


class VisionVersionSerializer(serializers.ModelSerializer):
    vision = serializers.IntegerField(source="vision_id", read_only=True)
    status = EnumField(VisionVersion.Status.choices, enum_name="VisionVersionStatusEnum", read_only=True)
    proposal = ProposalSerializer(read_only=True, allow_null=True)

    class Meta:
        model = VisionVersion
        fields = ["id", "vision", "number", "status", "note", "agreed_at", "created_at", "proposal"]
        read_only_fields = fields


class VisionVersionDetailSerializer(VisionVersionSerializer):
    """A version with its frozen snapshot and, once proposed, the per-sector evaluation and endorsements."""

    snapshot = serializers.DictField(read_only=True, help_text="The vision, goals, KPIs and targets as proposed.")
    evaluation = serializers.SerializerMethodField()
    endorsements = serializers.SerializerMethodField()

    class Meta(VisionVersionSerializer.Meta):
        fields = [*VisionVersionSerializer.Meta.fields, "snapshot", "evaluation", "endorsements"]
        read_only_fields = fields

    def _endorsements(self, version: VisionVersion) -> list[Any]:
        return list(version.proposal.endorsements.all()) if version.proposal_id else []

    @extend_schema_field(EvaluationSerializer(allow_null=True))
    def get_evaluation(self, version: VisionVersion) -> dict[str, Any] | None:
        if not version.proposal_id:
            return None
        from kyoso.venues.services import evaluate_proposal

        evaluation = evaluate_proposal(version.proposal, self._endorsements(version))
        return EvaluationSerializer(evaluation).data

    @extend_schema_field(EndorsementSerializer(many=True))
    def get_endorsements(self, version: VisionVersion) -> list[dict[str, Any]]:
        return EndorsementSerializer(self._endorsements(version), many=True).data


class VersionSaveSerializer(serializers.Serializer):
    vision = serializers.IntegerField(help_text="Id of the vision; only its venue's secretariat saves versions.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255,
                                 help_text="What changed in this version.")


# --- Imports ---------------------------------------------------------------------------------------


class ImportProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Physical line (CSV) or row (Excel), 1-based.")
    code = serializers.CharField(help_text="Reason code (see kyoso.visions.domain.importing.PROBLEM_CODES).")
    detail = serializers.DictField()
    message = serializers.CharField(help_text="The reason in the caller's language.")


class ImportPreviewRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    kpi = serializers.CharField()
    date = serializers.DateField()
    value = serializers.CharField()
    change = EnumField([(c, c) for c in ("new", "changed", "unchanged")], enum_name="ImportChangeEnum")
    old = serializers.CharField(help_text="The value it replaces (changed rows only).")


class ImportSummarySerializer(serializers.Serializer):
    """Checked and valid: what the import would write. Invalid: ``problem_count``. Applied: ``written_*``."""

    rows = serializers.IntegerField(required=False)
    new = serializers.IntegerField(required=False)
    changed = serializers.IntegerField(required=False)
    unchanged = serializers.IntegerField(required=False)
    preview = ImportPreviewRowSerializer(many=True, required=False)
    problem_count = serializers.IntegerField(required=False)
    written_new = serializers.IntegerField(required=False)
    written_changed = serializers.IntegerField(required=False)


class ImportBatchSerializer(serializers.ModelSerializer):
    vision = serializers.IntegerField(source="vision_id", read_only=True)
    status = EnumField(ImportBatch.Status.choices, enum_name="ImportStatusEnum", read_only=True)
    problems = serializers.SerializerMethodField()
    summary = ImportSummarySerializer(read_only=True)
    uploaded_by = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = ImportBatch
        fields = ["id", "vision", "filename", "status", "encoding", "row_count", "problems", "summary",
                  "uploaded_by", "created_at", "applied_at"]
        read_only_fields = fields

    @extend_schema_field(ImportProblemSerializer(many=True))
    def get_problems(self, batch: ImportBatch) -> list[dict[str, Any]]:
        return [{**problem, "message": exports.problem_message(problem)} for problem in batch.problems]


class ImportUploadSerializer(serializers.Serializer):
    vision = serializers.IntegerField(help_text="Id of the vision the observations belong to.")
    file = serializers.FileField(help_text="CSV (UTF-8 or Shift_JIS) or .xlsx; columns kpi, date, value "
                                           "(unit, note optional). At most 30 MB.")

    def validate_file(self, upload: Any) -> Any:
        if upload.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(_("ファイルが大きすぎます（30 MB まで）。"))
        return upload
