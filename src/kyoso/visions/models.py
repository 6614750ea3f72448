"""The regional vision (地域ビジョン): versions agreed by every sector, goals, KPIs with targets and
observations, milestones, and the backcasting links vision → goals → KPIs → regional issues → R&D themes.

The working structure (goals, KPIs, issues, themes) is live and editable; what the sectors agree on is a
*version*, which freezes a snapshot of the vision text and its goals/KPIs/targets at proposal time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kyoso.common.models import TimeStampedModel


def _member_venues(user: object) -> models.QuerySet:
    from kyoso.venues.models import VenueRole

    return VenueRole.objects.filter(user=user).values("venue")


class _VisionScoped(models.QuerySet):
    """Visibility of the vision area, decided once here and used by pages, API, exports, feeds and dashboards.

    Three levels: ``public()`` is what anyone may read (the venue and the vision are public, and for a KPI the
    KPI itself is marked public by the venue); ``of_members(user)`` is everything of the venues where the user
    holds a role (staff: everything); ``visible_to(user)`` is the union of the two. Observers read what other
    members read; writing rights are decided elsewhere (``kyoso.visions.permissions``).
    """

    #: The lookup from this model to its vision ("" for the vision itself).
    vision_path = "vision"
    #: Extra condition for a row to be public (e.g. the KPI's own flag), as a Q on this model.
    public_condition: Q = Q()

    def _path(self, field: str) -> str:
        return f"{self.vision_path}__{field}" if self.vision_path else field

    def _public_q(self) -> Q:
        return Q(**{self._path("is_public"): True, self._path("venue__is_public"): True}) & self.public_condition

    def public(self) -> models.QuerySet:
        return self.filter(self._public_q())

    def of_members(self, user: object) -> models.QuerySet:
        if getattr(user, "is_staff", False):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(**{f"{self._path('venue')}__in": _member_venues(user)})

    def visible_to(self, user: object) -> models.QuerySet:
        if getattr(user, "is_staff", False):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.public()
        return self.filter(self._public_q() | Q(**{f"{self._path('venue')}__in": _member_venues(user)}))


class VisionQuerySet(_VisionScoped):
    vision_path = ""


class GoalQuerySet(_VisionScoped):
    pass


class KpiQuerySet(_VisionScoped):
    public_condition = Q(is_public=True)


class ObservationQuerySet(_VisionScoped):
    vision_path = "kpi__vision"
    public_condition = Q(kpi__is_public=True)


class MilestoneQuerySet(_VisionScoped):
    pass


class Vision(TimeStampedModel):
    venue = models.ForeignKey("venues.Venue", verbose_name=_("地域共創の場"), on_delete=models.CASCADE,
                              related_name="visions")
    title = models.CharField(_("ビジョンの名称"), max_length=200)
    future_image = models.TextField(_("目指す将来像（Markdown）"), blank=True)
    horizon_year = models.PositiveSmallIntegerField(_("目標年度"), help_text=_("ビジョンの到達年度（例: 2035）。"))
    prefecture = models.ForeignKey("regions.Region", verbose_name=_("参照統計の都道府県"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   limit_choices_to={"level": "prefecture"})
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)
    is_public = models.BooleanField(_("一般に公開"), default=False,
                                    help_text=_("将来像と目標を誰でも読めるようにします（KPI は個別に公開します）。"))

    objects = VisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("地域ビジョン")
        verbose_name_plural = _("地域ビジョン")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("visions:vision_detail", kwargs={"slug": self.venue.slug, "pk": self.pk})


class VisionVersion(TimeStampedModel):
    """A numbered version of the vision: draft → proposed → agreed → superseded; immutable once proposed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("案")
        PROPOSED = "proposed", _("賛同受付中")
        AGREED = "agreed", _("合意")
        REJECTED = "rejected", _("不合意")
        SUPERSEDED = "superseded", _("改訂済み")

    vision = models.ForeignKey(Vision, verbose_name=_("地域ビジョン"), on_delete=models.CASCADE,
                               related_name="versions")
    number = models.PositiveIntegerField(_("版"))
    note = models.CharField(_("改訂の要点"), max_length=255, blank=True)
    snapshot = models.JSONField(_("内容"), default=dict,
                                help_text=_("提案した時点のビジョン・目標・KPI・目標値の写し。"))
    status = models.CharField(_("状態"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    proposal = models.OneToOneField("venues.Proposal", verbose_name=_("賛同の手続き"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="vision_version")
    agreed_at = models.DateTimeField(_("合意日時"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("作成者"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("ビジョンの版")
        verbose_name_plural = _("ビジョンの版")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["vision", "number"], name="vision_version_unique")]

    def __str__(self) -> str:
        return f"{self.vision} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("visions:version_detail",
                       kwargs={"slug": self.vision.venue.slug, "pk": self.vision_id, "number": self.number})


class Goal(TimeStampedModel):
    vision = models.ForeignKey(Vision, verbose_name=_("地域ビジョン"), on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField(_("順番"), default=1)
    title = models.CharField(_("目標"), max_length=200)
    description = models.TextField(_("説明"), blank=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("目標")
        verbose_name_plural = _("目標")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class Kpi(TimeStampedModel):
    class Direction(models.TextChoices):
        HIGHER = "higher", _("高いほどよい")
        LOWER = "lower", _("低いほどよい")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("毎月")
        QUARTERLY = "quarterly", _("四半期ごと")
        YEARLY = "yearly", _("毎年度")
        CENSUS = "census", _("国勢調査ごと（5年）")

    vision = models.ForeignKey(Vision, verbose_name=_("地域ビジョン"), on_delete=models.CASCADE, related_name="kpis",
                               editable=False)
    goal = models.ForeignKey(Goal, verbose_name=_("目標"), on_delete=models.CASCADE, related_name="kpis")
    code = models.SlugField(_("KPIコード"), max_length=40,
                            help_text=_("取込ファイルで使う英数字のコード（例: aging-rate）。ビジョン内で一意。"))
    name = models.CharField(_("KPI名"), max_length=200)
    definition = models.TextField(_("定義"), blank=True)
    unit = models.CharField(_("単位"), max_length=30, help_text=_("例: %、人、件、億円"))
    direction = models.CharField(_("望ましい方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    baseline_value = models.DecimalField(_("基準値"), max_digits=18, decimal_places=4, null=True, blank=True)
    baseline_date = models.DateField(_("基準値の時点"), null=True, blank=True)
    data_source = models.CharField(_("データの出典"), max_length=255, blank=True)
    reference_series = models.CharField(_("参照統計"), max_length=40, blank=True,
                                        help_text=_("公的統計から履歴を読み込む場合の系列。"))
    owner = models.ForeignKey("regions.Organization", verbose_name=_("担当組織"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="kpis")
    frequency = models.CharField(_("更新頻度"), max_length=10, choices=Frequency.choices, default=Frequency.YEARLY)
    is_public = models.BooleanField(_("一般に公開"), default=False,
                                    help_text=_("公開したビジョンの中で、このKPIと実績を誰でも読めるようにします。"))

    objects = KpiQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPI")
        ordering = ["goal__order", "id"]
        constraints = [models.UniqueConstraint(fields=["vision", "code"], name="kpi_code_unique_in_vision")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"

    def save(self, *args: object, **kwargs: object) -> None:
        self.vision_id = self.goal.vision_id  # kept in step with the goal: KPI codes are unique per vision
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("visions:kpi_detail", kwargs={"slug": self.vision.venue.slug, "pk": self.vision_id,
                                                     "kpi": self.pk})

    @property
    def is_percent(self) -> bool:
        return self.unit.strip() in {"%", "％", "パーセント"}


class KpiTarget(models.Model):
    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), on_delete=models.CASCADE, related_name="targets")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("目標値"), max_digits=18, decimal_places=4)

    class Meta:
        verbose_name = _("目標値")
        verbose_name_plural = _("目標値")
        ordering = ["fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["kpi", "fiscal_year"], name="kpi_target_unique")]

    def __str__(self) -> str:
        return f"{self.kpi.code} FY{self.fiscal_year}: {self.value}"


class ImportBatch(TimeStampedModel):
    """One upload of observations: parsed and checked in the background, previewed, then applied at once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("確認中")
        INVALID = "invalid", _("エラーあり")
        READY = "ready", _("取込可能")
        APPLYING = "applying", _("取込中")
        APPLIED = "applied", _("取込済み")
        FAILED = "failed", _("失敗")

    vision = models.ForeignKey(Vision, verbose_name=_("地域ビジョン"), on_delete=models.CASCADE,
                               related_name="imports")
    filename = models.CharField(_("ファイル名"), max_length=255)
    content = models.BinaryField(_("ファイル"), editable=False)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.PENDING)
    encoding = models.CharField(_("文字コード"), max_length=20, blank=True)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    problems = models.JSONField(_("エラー"), default=list, blank=True)
    summary = models.JSONField(_("集計"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登録者"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField(_("取込日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("観測値の取込")
        verbose_name_plural = _("観測値の取込")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class Observation(TimeStampedModel):
    class Source(models.TextChoices):
        FORM = "form", _("入力")
        IMPORT = "import", _("ファイル取込")
        REFERENCE = "reference", _("公的統計")

    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), on_delete=models.CASCADE, related_name="observations")
    date = models.DateField(_("時点"))
    value = models.DecimalField(_("値"), max_digits=18, decimal_places=4)
    source = models.CharField(_("入力元"), max_length=10, choices=Source.choices, default=Source.FORM)
    note = models.CharField(_("備考"), max_length=255, blank=True)
    batch = models.ForeignKey(ImportBatch, verbose_name=_("取込"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="observations")

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("観測値")
        verbose_name_plural = _("観測値")
        ordering = ["kpi", "date"]
        constraints = [models.UniqueConstraint(fields=["kpi", "date"], name="observation_once_per_date")]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.date}: {self.value}"


class Milestone(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("予定")
        ACHIEVED = "achieved", _("達成")
        MISSED = "missed", _("未達")
        CANCELLED = "cancelled", _("中止")

    vision = models.ForeignKey(Vision, verbose_name=_("地域ビジョン"), on_delete=models.CASCADE,
                               related_name="milestones")
    goal = models.ForeignKey(Goal, verbose_name=_("目標"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="milestones")
    title = models.CharField(_("マイルストーン"), max_length=200)
    due_date = models.DateField(_("期日"))
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    evidence = models.TextField(_("根拠・証跡"), blank=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("マイルストーン")
        verbose_name_plural = _("マイルストーン")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


class RegionalIssue(TimeStampedModel):
    """A social or economic issue of the region (地域課題), derived from the vision's goals and KPIs."""

    class Kind(models.TextChoices):
        SOCIAL = "social", _("社会課題")
        ECONOMIC = "economic", _("経済課題")

    vision = models.ForeignKey(Vision, verbose_name=_("地域ビジョン"), on_delete=models.CASCADE,
                               related_name="issues")
    goal = models.ForeignKey(Goal, verbose_name=_("目標"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="issues")
    kpis = models.ManyToManyField(Kpi, verbose_name=_("関連するKPI"), related_name="issues", blank=True)
    title = models.CharField(_("地域課題"), max_length=200)
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices, default=Kind.SOCIAL)
    description = models.TextField(_("説明"), blank=True)
    evidence = models.TextField(_("根拠（データ・調査）"), blank=True)

    class Meta:
        verbose_name = _("地域課題")
        verbose_name_plural = _("地域課題")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class ResearchTheme(TimeStampedModel):
    """An R&D theme (研究開発テーマ) that addresses a regional issue; projects attach to themes."""

    issue = models.ForeignKey(RegionalIssue, verbose_name=_("地域課題"), on_delete=models.CASCADE,
                              related_name="themes")
    title = models.CharField(_("研究開発テーマ"), max_length=200)
    description = models.TextField(_("説明"), blank=True)

    class Meta:
        verbose_name = _("研究開発テーマ")
        verbose_name_plural = _("研究開発テーマ")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


