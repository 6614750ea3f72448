"""The joint-research portfolio of a venue: projects, participants, what each partner committed and
actually provided, outputs, periodic reports and reviews. The review signals are computed by
``domain/signals.py`` from facts that ``queries.project_facts`` gathers without per-project queries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kyoso.common.models import TimeStampedModel

from .domain.signals import DEFAULT_REPORT_INTERVAL_MONTHS

# --- Who sees what: one rule per object, in its queryset ---------------------------------------------
#
# * public: a project the secretariat marked ``is_public`` in a public venue, its non-confidential outputs and
#   its non-confidential commitments; never reports or reviews (they are the venue's internal record).
# * member: everything of the projects of the venues where the user holds a role (observers included), except
#   confidential outputs; a confidential cash amount is there but hidden (``amount_visible``).
# * participant / secretariat: also the confidential outputs and amounts of the projects the user takes part in
#   (their Person is a Participant) or whose venue's secretariat they are. Staff see everything.
# ``kyoso.portfolio.permissions`` answers the same questions for objects already loaded, from these querysets.


def _is_staff(user: object) -> bool:
    return bool(getattr(user, "is_staff", False))


def _is_authenticated(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False))


class ProjectQuerySet(models.QuerySet["Project"]):
    def public(self) -> ProjectQuerySet:
        """Projects the secretariat made public, in public venues (the public site lists these)."""
        return self.filter(is_public=True, venue__is_public=True)

    def member_visible(self, user: object) -> ProjectQuerySet:
        """Projects of the venues where ``user`` holds a role (staff: all): the portfolio's internal pages."""
        from kyoso.venues.models import VenueRole

        if _is_staff(user):
            return self
        if not _is_authenticated(user):
            return self.none()
        return self.filter(venue__in=VenueRole.objects.filter(user=user).values("venue"))

    def visible_to(self, user: object) -> ProjectQuerySet:
        """What ``user`` may know exists: the member-visible projects and the public ones."""
        if _is_staff(user):
            return self
        if not _is_authenticated(user):
            return self.public()
        return self.filter(Q(pk__in=self.model.objects.member_visible(user).values("pk"))
                           | Q(pk__in=self.model.objects.public().values("pk")))

    def secretariat_of(self, user: object) -> ProjectQuerySet:
        """Projects of the venues whose secretariat ``user`` is (staff: all)."""
        from kyoso.venues.models import VenueRole

        if _is_staff(user):
            return self
        if not _is_authenticated(user):
            return self.none()
        return self.filter(venue__in=VenueRole.objects.filter(user=user, role=VenueRole.Role.SECRETARIAT)
                           .values("venue"))

    def participant_of(self, user: object) -> ProjectQuerySet:
        """Projects ``user`` takes part in: their Person is a Participant."""
        if not _is_authenticated(user):
            return self.none()
        return self.filter(pk__in=Participant.objects.filter(person__user=user).values("project"))

    def confidential_visible_to(self, user: object) -> ProjectQuerySet:
        """Projects whose confidential outputs and amounts ``user`` sees: its participants and its venue's
        secretariat (staff: all). The one confidentiality rule (``permissions`` asks it)."""
        if _is_staff(user):
            return self
        return self.filter(Q(pk__in=self.model.objects.secretariat_of(user).values("pk"))
                           | Q(pk__in=self.model.objects.participant_of(user).values("pk")))


class _ProjectPartQuerySet(models.QuerySet):
    """Rows that belong to a project (``project_path`` leads from the row to it)."""

    project_path = "project"

    def _in(self, projects: models.QuerySet) -> Q:
        return Q(**{f"{self.project_path}__in": projects.values("pk")})

    def member_visible(self, user: object) -> models.QuerySet:
        return self if _is_staff(user) else self.filter(self._in(Project.objects.member_visible(user)))


class OutputQuerySet(_ProjectPartQuerySet):
    def public(self) -> OutputQuerySet:
        """Non-confidential outputs of public projects."""
        return self.filter(self._in(Project.objects.public()), is_confidential=False)

    def visible_to(self, user: object) -> OutputQuerySet:
        """Outputs of the projects ``user`` sees; confidential ones only for its participants and secretariat."""
        if _is_staff(user):
            return self
        return self.filter(self._in(Project.objects.visible_to(user))).filter(
            Q(is_confidential=False) | self._in(Project.objects.confidential_visible_to(user)))


class CommitmentQuerySet(_ProjectPartQuerySet):
    def public(self) -> CommitmentQuerySet:
        """Non-confidential commitments of public projects."""
        return self.filter(self._in(Project.objects.public()), is_confidential=False)

    def visible_to(self, user: object) -> CommitmentQuerySet:
        """Commitments of the member-visible projects (a confidential cash amount stays hidden: see
        :meth:`with_amount_visible`) and the public ones."""
        if _is_staff(user):
            return self
        return self.filter(self._in(Project.objects.member_visible(user))
                           | (self._in(Project.objects.public()) & Q(is_confidential=False)))

    def with_amount_visible(self, user: object) -> CommitmentQuerySet:
        """Annotate ``amount_visible``: False for a confidential cash amount ``user`` may not see."""
        from django.db.models import BooleanField, Case, Value, When

        if _is_staff(user):
            return self.annotate(amount_visible=Value(True, output_field=BooleanField()))
        hidden = Q(kind="cash", is_confidential=True) & ~self._in(Project.objects.confidential_visible_to(user))
        return self.annotate(amount_visible=Case(When(hidden, then=Value(False)), default=Value(True),
                                                 output_field=BooleanField()))


class ProvisionQuerySet(_ProjectPartQuerySet):
    project_path = "commitment__project"

    def visible_to(self, user: object) -> ProvisionQuerySet:
        """Provisions of the commitments ``user`` sees whose amounts they may see."""
        if _is_staff(user):
            return self
        visible = Commitment.objects.visible_to(user).with_amount_visible(user).filter(amount_visible=True)
        return self.filter(commitment__in=visible.values("pk"))


class PublicPartQuerySet(_ProjectPartQuerySet):
    """Participants (the partner organisations) and project milestones: public with their project; members of
    the venue read those of every project they see."""

    def public(self) -> models.QuerySet:
        return self.filter(self._in(Project.objects.public()))

    def visible_to(self, user: object) -> models.QuerySet:
        if _is_staff(user):
            return self
        return self.filter(self._in(Project.objects.visible_to(user)))


class ExpectedKpiQuerySet(PublicPartQuerySet):
    """A public project's expected contribution to a KPI is public when the KPI itself is
    (``Kpi.objects.public``)."""

    def public(self) -> models.QuerySet:
        from kyoso.visions.models import Kpi

        return super().public().filter(kpi__in=Kpi.objects.public().values("pk"))

    def visible_to(self, user: object) -> models.QuerySet:
        from kyoso.visions.models import Kpi

        if _is_staff(user):
            return self
        return super().visible_to(user).filter(kpi__in=Kpi.objects.visible_to(user).values("pk"))


class InternalPartQuerySet(_ProjectPartQuerySet):
    """Reports and reviews: the venue's internal record, never public."""

    def public(self) -> models.QuerySet:
        return self.none()

    def visible_to(self, user: object) -> models.QuerySet:
        return self.member_visible(user)


class Project(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("実施中")
        PAUSED = "paused", _("一時停止中")
        STOPPED = "stopped", _("中止")
        COMPLETED = "completed", _("終了")

    class Stage(models.TextChoices):
        BASIC = "basic_research", _("基礎研究")
        APPLIED = "applied_research", _("応用研究")
        FIELD_TRIAL = "field_trial", _("実証")
        IMPLEMENTATION = "implementation", _("社会実装")
        COMMERCIALISED = "commercialised", _("事業化")

    venue = models.ForeignKey("venues.Venue", verbose_name=_("地域共創の場"), on_delete=models.CASCADE,
                              related_name="projects")
    title = models.CharField(_("プロジェクト名"), max_length=200)
    summary_public = models.TextField(_("概要（公開）"), blank=True)
    summary_internal = models.TextField(_("概要（内部）"), blank=True)
    stage = models.CharField(_("段階"), max_length=20, choices=Stage.choices, default=Stage.APPLIED)
    status = models.CharField(_("状況"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    start_date = models.DateField(_("開始日"))
    end_date = models.DateField(_("終了日"), null=True, blank=True)
    lead_organization = models.ForeignKey("regions.Organization", verbose_name=_("代表機関"),
                                          on_delete=models.PROTECT, related_name="led_projects")
    themes = models.ManyToManyField("visions.ResearchTheme", verbose_name=_("研究開発テーマ"),
                                    related_name="projects", blank=True)
    report_interval_months = models.PositiveSmallIntegerField(_("報告の間隔（月）"),
                                                              default=DEFAULT_REPORT_INTERVAL_MONTHS)
    is_public = models.BooleanField(
        _("一般に公開"), default=False,
        help_text=_("オンにすると、プロジェクト名・公開の概要・非公開でない成果が一般に公開されます（公開の場のみ）。"))
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("プロジェクト")
        verbose_name_plural = _("プロジェクト")
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(name="project_ends_after_start",
                                   condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date"))),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portfolio:project_detail", args=[self.venue.slug, self.pk])


class ExpectedKpi(models.Model):
    """A KPI the project is expected to move, and how."""

    project = models.ForeignKey(Project, verbose_name=_("プロジェクト"), on_delete=models.CASCADE,
                                related_name="expected_kpis")
    kpi = models.ForeignKey("visions.Kpi", verbose_name=_("KPI"), on_delete=models.CASCADE, related_name="+")
    contribution = models.TextField(_("期待される寄与"), blank=True)

    objects = ExpectedKpiQuerySet.as_manager()

    class Meta:
        verbose_name = _("期待されるKPIへの寄与")
        verbose_name_plural = _("期待されるKPIへの寄与")
        constraints = [models.UniqueConstraint(fields=["project", "kpi"], name="expected_kpi_once")]

    def __str__(self) -> str:
        return f"{self.project} → {self.kpi}"


class Participant(TimeStampedModel):
    class Role(models.TextChoices):
        PI = "pi", _("研究代表者")
        CO_RESEARCHER = "co_researcher", _("共同研究者")
        COMPANY_LEAD = "company_lead", _("企業側責任者")
        COORDINATOR = "coordinator", _("コーディネーター")
        GOVERNMENT_CONTACT = "government_contact", _("自治体の担当者")

    project = models.ForeignKey(Project, verbose_name=_("プロジェクト"), on_delete=models.CASCADE,
                                related_name="participants")
    organization = models.ForeignKey("regions.Organization", verbose_name=_("組織"), on_delete=models.PROTECT,
                                     related_name="participations")
    person = models.ForeignKey("regions.Person", verbose_name=_("人"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices)
    in_region = models.BooleanField(_("地域内"), default=True)

    objects = PublicPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("参加者")
        verbose_name_plural = _("参加者")
        ordering = ["role", "id"]

    def __str__(self) -> str:
        return f"{self.person or self.organization} ({self.get_role_display()})"


class Commitment(TimeStampedModel):
    """What a partner promised for a fiscal year: cash, staff, equipment, data or a demonstration field."""

    class Kind(models.TextChoices):
        CASH = "cash", _("資金")
        STAFF = "staff", _("人員（人月）")
        EQUIPMENT = "equipment", _("設備")
        DATA = "data", _("データ")
        FIELD = "field", _("実証フィールド")

    project = models.ForeignKey(Project, verbose_name=_("プロジェクト"), on_delete=models.CASCADE,
                                related_name="commitments")
    partner = models.ForeignKey("regions.Organization", verbose_name=_("提供する組織"), on_delete=models.PROTECT,
                                related_name="commitments")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("約束した量"), max_digits=16, decimal_places=2,
                                 help_text=_("資金は円、人員は人月、設備・データ・フィールドは件数。"))
    indirect_cost_ratio = models.DecimalField(_("間接経費率（%）"), max_digits=5, decimal_places=2, null=True,
                                              blank=True)
    description = models.CharField(_("内容"), max_length=255, blank=True)
    is_confidential = models.BooleanField(
        _("金額を非公開"), default=False,
        help_text=_("オンにすると、金額はこのプロジェクトの参加者と事務局だけに表示されます。"),
    )

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("約束（コミットメント）")
        verbose_name_plural = _("約束（コミットメント）")
        ordering = ["fiscal_year", "partner_id", "kind"]
        constraints = [models.CheckConstraint(name="commitment_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.partner} FY{self.fiscal_year} {self.get_kind_display()}"


class Provision(TimeStampedModel):
    """What was actually provided against a commitment, with its evidence."""

    commitment = models.ForeignKey(Commitment, verbose_name=_("約束"), on_delete=models.CASCADE,
                                   related_name="provisions")
    amount = models.DecimalField(_("提供した量"), max_digits=16, decimal_places=2)
    provided_on = models.DateField(_("提供日"))
    evidence = models.TextField(_("証跡"), blank=True)

    objects = ProvisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("提供実績")
        verbose_name_plural = _("提供実績")
        ordering = ["provided_on", "id"]
        constraints = [models.CheckConstraint(name="provision_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.commitment}: {self.amount}"


class Output(TimeStampedModel):
    class Kind(models.TextChoices):
        PAPER = "paper", _("論文")
        PRESENTATION = "presentation", _("学会発表")
        PATENT = "patent", _("特許")
        PROTOTYPE = "prototype", _("試作品")
        FIELD_TRIAL = "field_trial", _("実証実験")
        PRODUCT = "product", _("製品")
        SERVICE = "service", _("地域で使われるサービス")
        STARTUP = "startup", _("起業")
        POLICY_ADOPTION = "policy_adoption", _("政策への採用")

    project = models.ForeignKey(Project, verbose_name=_("プロジェクト"), on_delete=models.CASCADE,
                                related_name="outputs")
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=255)
    date = models.DateField(_("日付"))
    identifier = models.CharField(_("番号など"), max_length=100, blank=True,
                                  help_text=_("特許の出願・登録番号、DOI など。"))
    kpis = models.ManyToManyField("visions.Kpi", verbose_name=_("動かしたKPI"), related_name="+", blank=True)
    is_confidential = models.BooleanField(_("非公開"), default=False)

    objects = OutputQuerySet.as_manager()

    class Meta:
        verbose_name = _("成果")
        verbose_name_plural = _("成果")
        ordering = ["-date", "id"]

    def __str__(self) -> str:
        return self.title


class Report(TimeStampedModel):
    project = models.ForeignKey(Project, verbose_name=_("プロジェクト"), on_delete=models.CASCADE,
                                related_name="reports")
    period_end = models.DateField(_("対象期間の末日"))
    submitted_on = models.DateField(_("提出日"))
    progress = models.TextField(_("進捗（マイルストーンに対して）"))
    problems = models.TextField(_("課題"), blank=True)
    next_steps = models.TextField(_("次の取り組み"), blank=True)

    objects = InternalPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("定期報告")
        verbose_name_plural = _("定期報告")
        ordering = ["-period_end"]
        constraints = [models.UniqueConstraint(fields=["project", "period_end"], name="report_once_per_period")]

    def __str__(self) -> str:
        return f"{self.project} {self.period_end}"


class Review(TimeStampedModel):
    class Recommendation(models.TextChoices):
        CONTINUE = "continue", _("継続")
        ADJUST = "adjust", _("見直し")
        PAUSE = "pause", _("一時停止")
        STOP = "stop", _("中止")
        COMPLETE = "complete", _("終了")

    project = models.ForeignKey(Project, verbose_name=_("プロジェクト"), on_delete=models.CASCADE,
                                related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("評価者"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    signals = models.JSONField(_("シグナル（評価時点）"), default=dict)
    assessment = models.TextField(_("評価"))
    recommendation = models.CharField(_("提言"), max_length=10, choices=Recommendation.choices)
    proposed_stage = models.CharField(_("変更後の段階"), max_length=20, choices=Project.Stage.choices, blank=True,
                                      help_text=_("見直しで段階を変える場合に選びます。"))
    proposed_end_date = models.DateField(_("変更後の終了日"), null=True, blank=True,
                                         help_text=_("見直しで期間を延長・短縮する場合に入力します。"))
    decision = models.OneToOneField("venues.Decision", verbose_name=_("場の決定"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="review")

    objects = InternalPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("評価")
        verbose_name_plural = _("評価")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.project} — {self.get_recommendation_display()}"


class Milestone(TimeStampedModel):
    """A milestone of the project; partner-facing ones (a field trial with the city, a prototype for the
    company) feed rule B of the researcher-convenience signal."""

    project = models.ForeignKey(Project, verbose_name=_("プロジェクト"), on_delete=models.CASCADE,
                                related_name="milestones")
    title = models.CharField(_("マイルストーン"), max_length=200)
    due_date = models.DateField(_("期限"))
    partner_facing = models.BooleanField(
        _("連携先に関わる"), default=False,
        help_text=_("自治体との実証、企業向けの試作品など、連携先が待っているマイルストーンです。"))
    done_on = models.DateField(_("達成日"), null=True, blank=True)
    evidence = models.TextField(_("証跡"), blank=True)

    objects = PublicPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("マイルストーン")
        verbose_name_plural = _("マイルストーン")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


class ProjectChange(TimeStampedModel):
    """A change applied to a project because a venue decision (usually from a review) was finalised:
    the chain review → decision → change that the project's history shows."""

    project = models.ForeignKey(Project, verbose_name=_("プロジェクト"), on_delete=models.CASCADE,
                                related_name="changes")
    review = models.OneToOneField(Review, verbose_name=_("評価"), null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="change")
    decision = models.ForeignKey("venues.Decision", verbose_name=_("場の決定"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="project_changes")
    before = models.JSONField(_("変更前"), default=dict)
    after = models.JSONField(_("変更後"), default=dict)

    class Meta:
        verbose_name = _("プロジェクトの変更")
        verbose_name_plural = _("プロジェクトの変更")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project}: {self.after}"


class PortfolioSettings(models.Model):
    """A venue's own thresholds for the review signals (overrides of ``domain.signals.Thresholds``) and the
    reporting schedule it sets for new projects."""

    venue = models.OneToOneField("venues.Venue", verbose_name=_("地域共創の場"), on_delete=models.CASCADE,
                                 related_name="portfolio_settings")
    thresholds = models.JSONField(_("シグナルの閾値"), default=dict, blank=True)
    report_interval_months = models.PositiveSmallIntegerField(_("定期報告の間隔（月）"),
                                                              default=DEFAULT_REPORT_INTERVAL_MONTHS)

    class Meta:
        verbose_name = _("ポートフォリオの設定")
        verbose_name_plural = _("ポートフォリオの設定")

    def __str__(self) -> str:
        return str(self.venue)


class ReportJob(TimeStampedModel):
    """A portfolio report too large to build inside a request: built by a background task with the rights of
    the member who asked for it, kept for that member to download."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("待機中")
        RUNNING = "running", _("作成中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失敗")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel")
        PDF = "pdf", _("PDF")

    venue = models.ForeignKey("venues.Venue", verbose_name=_("地域共創の場"), on_delete=models.CASCADE,
                              related_name="report_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("依頼した人"), on_delete=models.CASCADE,
                                     related_name="+")
    fmt = models.CharField(_("形式"), max_length=4, choices=Format.choices)
    query = models.CharField(_("絞り込みの条件"), max_length=1000, blank=True)
    language = models.CharField(_("言語"), max_length=10, default="ja")
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    filename = models.CharField(_("ファイル名"), max_length=200, blank=True)
    content = models.BinaryField(_("内容"), null=True, blank=True, editable=False)
    error = models.TextField(_("エラー"), blank=True)
    finished_at = models.DateTimeField(_("完了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("報告書の作成")
        verbose_name_plural = _("報告書の作成")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.venue} {self.fmt} {self.status}"
