"""Seeds–needs matching: researcher profiles and their records (public data), the imports that bring them
in, and the venue-internal work on them: shortlists, contact notes and cross-appointment proposals.

Profiles come from researchmap, KAKEN or the generic JSON Lines format (``domain/importing.py``); the
ranking index (``index.py``) is built from them and kept up to date by ``tasks.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kyoso.common.models import TimeStampedModel

from .domain.records import RECORD_TYPES


class Source(models.TextChoices):
    RESEARCHMAP = "researchmap", _("researchmap")
    KAKEN = "kaken", _("KAKEN")
    JSONL = "jsonl", _("JSON Lines")
    MANUAL = "manual", _("手入力")


class PublicQuerySet(models.QuerySet):
    """Researchers' profiles and records are public data (researchmap, KAKEN): everyone may read them."""

    def public(self) -> models.QuerySet:
        return self

    def visible_to(self, user: object) -> models.QuerySet:
        return self.public()


class VenueInternalQuerySet(models.QuerySet):
    """Shortlists, contacts and cross-appointment proposals are venue-internal: visible only to those holding a
    role in the venue (and staff), never to the public, whatever the venue's own visibility."""

    def visible_to(self, user: object) -> models.QuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if getattr(user, "is_staff", False):
            return self
        from kyoso.venues.models import VenueRole

        return self.filter(venue__in=VenueRole.objects.filter(user=user).values("venue"))


class Researcher(TimeStampedModel):
    """A researcher's public profile (氏名・所属・キーワード). Profiles are public data: anyone may read them."""

    name = models.CharField(_("氏名"), max_length=200, db_index=True)
    name_kana = models.CharField(_("よみがな"), max_length=200, blank=True)
    name_en = models.CharField(_("英語表記"), max_length=200, blank=True)
    organization = models.ForeignKey(
        "regions.Organization", verbose_name=_("所属機関"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="researchers",
        help_text=_("所属機関の名称が組織ディレクトリの組織と一致したときに結び付けます。"),
    )
    organization_name = models.CharField(_("所属機関名"), max_length=300, blank=True)
    department = models.CharField(_("部署"), max_length=300, blank=True)
    job_title = models.CharField(_("職位"), max_length=200, blank=True)
    prefecture_code = models.CharField(_("都道府県コード"), max_length=2, blank=True, db_index=True)
    keywords = models.JSONField(_("キーワード"), default=list, blank=True)
    profile_url = models.URLField(_("プロフィールのURL"), max_length=500, blank=True)
    source = models.CharField(_("取込元"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    person = models.OneToOneField(
        "regions.Person", verbose_name=_("人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="researcher_profile",
        help_text=_("クロスアポイントメントなどで所属を登録するときに使う、人のディレクトリの記録。"),
    )
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = _("研究者")
        verbose_name_plural = _("研究者")
        ordering = ["name_kana", "name", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "ja").startswith("en"):
            return self.name_en
        return self.name

    @property
    def index_id(self) -> str:
        """The id of this researcher in the ranking index."""
        return str(self.pk)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("matching:researcher_detail", args=[self.pk])


class ResearcherIdentity(models.Model):
    """An identifier under which the researcher is known elsewhere; re-imports find the researcher by it."""

    class Kind(models.TextChoices):
        RESEARCHMAP = "researchmap", _("researchmap ID")
        KAKEN = "kaken", _("研究者番号（KAKEN・e-Rad）")
        ORCID = "orcid", _("ORCID")
        LOCAL = "local", _("取込ファイルのID")

    researcher = models.ForeignKey(Researcher, verbose_name=_("研究者"), on_delete=models.CASCADE,
                                   related_name="identities")
    kind = models.CharField(_("種類"), max_length=12, choices=Kind.choices)
    value = models.CharField(_("値"), max_length=200)

    class Meta:
        verbose_name = _("研究者の識別子")
        verbose_name_plural = _("研究者の識別子")
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="researcher_identity_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class ResearchRecord(TimeStampedModel):
    """A paper, grant, patent or technology seed sheet of a researcher."""

    class Type(models.TextChoices):
        PAPER = "paper", _("論文")
        GRANT = "grant", _("研究費（科研費など）")
        PATENT = "patent", _("特許")
        SEED = "seed", _("技術シーズ")

    researcher = models.ForeignKey(Researcher, verbose_name=_("研究者"), on_delete=models.CASCADE,
                                   related_name="records")
    type = models.CharField(_("種類"), max_length=8, choices=Type.choices, default=Type.PAPER)
    title = models.TextField(_("タイトル"))
    abstract = models.TextField(_("概要"), blank=True)
    year = models.PositiveSmallIntegerField(_("年"), null=True, blank=True, db_index=True)
    lang = models.CharField(_("言語"), max_length=5, blank=True)
    venue_name = models.CharField(_("掲載誌・会議・制度"), max_length=500, blank=True)
    external_id = models.CharField(_("外部ID"), max_length=200)
    url = models.URLField(_("URL"), max_length=500, blank=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = _("研究業績")
        verbose_name_plural = _("研究業績")
        ordering = ["researcher", "-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["researcher", "external_id"], name="research_record_once"),
            models.CheckConstraint(name="research_record_type_known", condition=Q(type__in=RECORD_TYPES)),
        ]

    def __str__(self) -> str:
        return self.title[:80]


class ResearcherImport(TimeStampedModel):
    """One import of researcher profiles from a file, run in the background with visible progress."""

    class Format(models.TextChoices):
        RESEARCHMAP = "researchmap", _("researchmap（API v2 の JSON、または CSV）")
        KAKEN = "kaken", _("KAKEN（CSV または XML）")
        JSONL = "jsonl", _("JSON Lines（汎用形式）")

    class Status(models.TextChoices):
        PENDING = "pending", _("待機中")
        RUNNING = "running", _("取込中")
        DONE = "done", _("完了")
        DONE_WITH_PROBLEMS = "partial", _("完了（エラーあり）")
        FAILED = "failed", _("失敗")

    filename = models.CharField(_("ファイル名"), max_length=255)
    format = models.CharField(_("形式"), max_length=12, choices=Format.choices)
    content = models.BinaryField(_("ファイル"), editable=False)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    total = models.PositiveIntegerField(_("研究者数"), default=0)
    processed = models.PositiveIntegerField(_("処理済み"), default=0)
    created_count = models.PositiveIntegerField(_("新規"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("変更なし"), default=0)
    failed_count = models.PositiveIntegerField(_("取込めなかった研究者"), default=0)
    problems = models.JSONField(_("エラー"), default=list, blank=True)
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登録者"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("研究者の取込")
        verbose_name_plural = _("研究者の取込")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status in (self.Status.DONE, self.Status.DONE_WITH_PROBLEMS) else 0
        return min(100, round(100 * self.processed / self.total))


class Shortlist(TimeStampedModel):
    """A venue-internal list of candidate researchers for a need, optionally tied to a regional issue or theme."""

    venue = models.ForeignKey("venues.Venue", verbose_name=_("地域共創の場"), on_delete=models.CASCADE,
                              related_name="shortlists")
    issue = models.ForeignKey("visions.RegionalIssue", verbose_name=_("地域課題"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="shortlists")
    theme = models.ForeignKey("visions.ResearchTheme", verbose_name=_("研究開発テーマ"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="shortlists")
    title = models.CharField(_("候補リスト名"), max_length=200)
    need_text = models.TextField(_("ニーズ"), blank=True)
    filters = models.JSONField(_("検索条件"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("作成者"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)

    objects = VenueInternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("候補リスト")
        verbose_name_plural = _("候補リスト")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("matching:shortlist_detail", args=[self.venue.slug, self.pk])


class ShortlistEntry(TimeStampedModel):
    """A researcher on a shortlist, with the score and reasons as they were when added."""

    shortlist = models.ForeignKey(Shortlist, verbose_name=_("候補リスト"), on_delete=models.CASCADE,
                                  related_name="entries")
    researcher = models.ForeignKey(Researcher, verbose_name=_("研究者"), on_delete=models.CASCADE,
                                   related_name="shortlist_entries")
    note = models.TextField(_("メモ"), blank=True)
    score = models.FloatField(_("スコア（追加時）"), null=True, blank=True)
    reasons = models.JSONField(_("一致の理由（追加時）"), default=list, blank=True)
    position = models.PositiveIntegerField(_("順番"), default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("追加した人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("候補リストの研究者")
        verbose_name_plural = _("候補リストの研究者")
        ordering = ["shortlist", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["shortlist", "researcher"], name="shortlist_entry_once")]

    def __str__(self) -> str:
        return f"{self.shortlist} — {self.researcher}"


class ContactNote(TimeStampedModel):
    """A venue-internal record of a contact with a researcher: who, when, how, and what came of it."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("メール")
        PHONE = "phone", _("電話")
        MEETING = "meeting", _("面談")
        ONLINE = "online", _("オンライン会議")
        INTRODUCTION = "introduction", _("紹介")
        OTHER = "other", _("その他")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("返事待ち")
        INTERESTED = "interested", _("関心あり")
        MEETING_SET = "meeting_set", _("打合せを設定")
        AGREED = "agreed", _("協力に合意")
        DECLINED = "declined", _("辞退")
        NO_REPLY = "no_reply", _("返事なし")

    venue = models.ForeignKey("venues.Venue", verbose_name=_("地域共創の場"), on_delete=models.CASCADE,
                              related_name="contact_notes")
    researcher = models.ForeignKey(Researcher, verbose_name=_("研究者"), on_delete=models.CASCADE,
                                   related_name="contact_notes")
    shortlist = models.ForeignKey(Shortlist, verbose_name=_("候補リスト"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="contact_notes")
    contacted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("連絡した人"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    contacted_by_name = models.CharField(_("連絡した人（氏名）"), max_length=200, blank=True)
    contacted_on = models.DateField(_("連絡日"))
    channel = models.CharField(_("方法"), max_length=12, choices=Channel.choices, default=Channel.EMAIL)
    outcome = models.CharField(_("結果"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    summary = models.TextField(_("内容"), blank=True)
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)

    objects = VenueInternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("連絡記録")
        verbose_name_plural = _("連絡記録")
        ordering = ["-contacted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.researcher} {self.contacted_on}"


class CrossAppointmentProposal(TimeStampedModel):
    """A proposal to invite a researcher by cross-appointment (クロスアポイントメント).

    ``regions.Affiliation`` has no notion of "proposed", so the proposal lives here; when it is accepted,
    the affiliation is created through ``regions.services.affiliation_create`` (which enforces the rule that
    concurrent effort shares add up to at most 100 %) and linked back.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("提案中")
        ACCEPTED = "accepted", _("合意（所属を登録済み）")
        DECLINED = "declined", _("不成立")
        WITHDRAWN = "withdrawn", _("取下げ")

    venue = models.ForeignKey("venues.Venue", verbose_name=_("地域共創の場"), on_delete=models.CASCADE,
                              related_name="cross_appointment_proposals")
    researcher = models.ForeignKey(Researcher, verbose_name=_("研究者"), on_delete=models.CASCADE,
                                   related_name="cross_appointment_proposals")
    shortlist = models.ForeignKey(Shortlist, verbose_name=_("候補リスト"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="cross_appointment_proposals")
    organization = models.ForeignKey("regions.Organization", verbose_name=_("受入機関"), on_delete=models.PROTECT,
                                     related_name="cross_appointment_proposals")
    department = models.CharField(_("部署"), max_length=200, blank=True)
    title = models.CharField(_("役職"), max_length=100, blank=True)
    effort_share = models.PositiveSmallIntegerField(
        _("エフォート（%）"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    start_date = models.DateField(_("開始日"), null=True, blank=True)
    end_date = models.DateField(_("終了日"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.PROPOSED,
                              db_index=True)
    note = models.TextField(_("メモ"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提案者"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)
    affiliation = models.OneToOneField(
        "regions.Affiliation", verbose_name=_("登録された所属"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="cross_appointment_proposal",
    )
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)

    objects = VenueInternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("クロスアポイントメントの提案")
        verbose_name_plural = _("クロスアポイントメントの提案")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="cross_appointment_share_1_100",
                                   condition=Q(effort_share__gte=1) & Q(effort_share__lte=100)),
            models.CheckConstraint(
                name="cross_appointment_end_after_start",
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.researcher} → {self.organization} ({self.effort_share}%)"


class IndexDatabase(models.Model):
    """A random id of this database, created once; the persisted matching index records it.

    The index directory is derived from the database's address (engine, name, host), but an address can
    be reused (a database dropped and created again, a copy of ``var/`` next to another database): this id,
    which lives inside the database itself, tells them apart (``kyoso.matching.index``).
    """

    uid = models.CharField(_("識別子"), max_length=32, unique=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("索引のデータベース識別子")
        verbose_name_plural = _("索引のデータベース識別子")

    def __str__(self) -> str:
        return self.uid
