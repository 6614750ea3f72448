"""The regional co-creation venue (地域共創の場): members, meetings, decisions, endorsements, actions.

Roles are granted per venue (``VenueRole``); members are organisations (``Membership``) whose people
take part as representatives in a layer (top / middle / key person). Meetings carry the agenda,
attendance, minutes and documents; decisions are recorded from agenda items, may require per-sector
endorsement through a ``Proposal``, become immutable when finalised, and are followed up by actions.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kyoso.common.models import TimeStampedModel
from kyoso.regions.models import SectorChoices

from .domain.actions import ACTIVE, ActionStatus, is_overdue
from .domain.composition import Layer
from .domain.endorsement import Outcome, Rule, Stance


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class VenueQuerySet(models.QuerySet["Venue"]):
    def visible_to(self, user: object) -> VenueQuerySet:
        """Public venues for everyone; a private venue only for those holding a role in it (and staff)."""
        if getattr(user, "is_staff", False):
            return self
        if getattr(user, "is_authenticated", False):
            return self.filter(Q(is_public=True) | Q(pk__in=VenueRole.objects.filter(user=user).values("venue")))
        return self.filter(is_public=True)


def member_venue_ids(user: Any) -> Any:
    """Ids of the venues whose internal records the user reads: those where they hold any role (a subquery)."""
    return VenueRole.objects.filter(user=user).values("venue")


class InVenueQuerySet(models.QuerySet[Any]):
    """Visibility of records that belong to one venue (``venue_path`` leads from the record to it).

    ``public()`` is what anyone may read (what the subclass's ``public_condition`` allows, in a public venue);
    ``visible_to(user)`` adds everything of the venues where the user holds a role (staff: everything). Pages, API,
    exports, search and feeds read records only through these."""

    venue_path = "venue"
    public_condition: Q | None = None  # None: nothing of this kind is public

    def _path(self, lookup: str) -> str:
        return f"{self.venue_path}__{lookup}"

    def _public_q(self) -> Q:
        return Q(self.public_condition, **{self._path("is_public"): True})

    def public(self) -> Any:
        return self.none() if self.public_condition is None else self.filter(self._public_q())

    def of_members(self, user: Any) -> Any:
        """The records of the venues where the user holds a role (staff: all)."""
        if getattr(user, "is_staff", False):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(**{f"{self._path('id')}__in": member_venue_ids(user)})

    def visible_to(self, user: Any) -> Any:
        if getattr(user, "is_staff", False):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.public()
        members = Q(**{f"{self._path('id')}__in": member_venue_ids(user)})
        return self.filter(members if self.public_condition is None else members | self._public_q())


class Venue(TimeStampedModel):
    class EndorsementRule(models.TextChoices):
        UNANIMOUS = Rule.UNANIMOUS.value, _("全会一致（各セクターで反対なし）")
        MAJORITY = Rule.MAJORITY.value, _("多数決（各セクターで賛成が反対を上回る）")

    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英語名"), max_length=200, blank=True)
    slug = models.SlugField(_("スラッグ"), max_length=60, unique=True,
                            help_text=_("URL に使う英数字の短い名前（例: hamamatsu）。"))
    purpose = models.TextField(_("目的"), blank=True)
    regions = models.ManyToManyField("regions.Region", verbose_name=_("対象地域"), related_name="venues", blank=True)
    hosts = models.ManyToManyField(
        "regions.Organization", verbose_name=_("運営する自治体"), related_name="hosted_venues", blank=True,
        help_text=_("複数の自治体が共同で運営できます。"),
    )
    is_public = models.BooleanField(_("公開"), default=True, help_text=_("目的と構成員を一般に公開します。"))
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)
    required_sectors = models.JSONField(
        _("合意に必要なセクター"), default=list, blank=True,
        help_text=_("提案が合意となるために賛同が必要なセクター。既定は産・学・官。"),
    )
    endorsement_rule = models.CharField(_("セクター内の合意ルール"), max_length=20,
                                        choices=EndorsementRule.choices, default=Rule.UNANIMOUS.value)
    min_endorsements = models.PositiveSmallIntegerField(_("各セクターの最低賛同数"), default=1)
    hosts_must_endorse = models.BooleanField(
        _("運営する自治体すべての賛同を必要とする"), default=True,
        help_text=_("共同で運営する自治体のそれぞれが賛同するまで合意になりません。"),
    )
    required_endorsers = models.ManyToManyField(
        "regions.Organization", verbose_name=_("賛同が必要な構成員"), related_name="+", blank=True,
        help_text=_("ここで選んだ構成員のそれぞれが賛同するまで合意になりません。"),
    )
    top_layer_for_visions = models.BooleanField(
        _("ビジョンの版にはトップ層の賛同を必要とする"), default=True,
        help_text=_("首長・学長・社長などトップ層の代表者の賛同が少なくとも1つ必要です。"),
    )
    count_out_of_region = models.BooleanField(
        _("地域外の構成員の意思表示をセクターに数える"), default=False,
        help_text=_("オフの場合、地域外の構成員の意思表示は表示しますが、セクターの合意には数えません。"),
    )
    endorsement_days = models.PositiveSmallIntegerField(
        _("賛同の期限（日数）"), null=True, blank=True,
        help_text=_("提案からこの日数が過ぎた後に合意ルールを判定します。空欄なら期限なし（条件がそろった時点で合意）。"),
    )
    feed_token = models.CharField(_("カレンダー配信用トークン"), max_length=64, default=new_feed_token, editable=False)

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("地域共創の場")
        verbose_name_plural = _("地域共創の場")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("venues:venue_detail", kwargs={"slug": self.slug})

    @property
    def sectors_required(self) -> list[str]:
        return list(self.required_sectors or ["industry", "academia", "government"])


class VenueRole(TimeStampedModel):
    """A role a user holds in one venue. Roles are granted per venue; staff is a flag on the user."""

    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", _("事務局")
        MEMBER_REPRESENTATIVE = "member_representative", _("構成員代表")
        RESEARCHER = "researcher", _("研究者")
        OBSERVER = "observer", _("オブザーバー")

    venue = models.ForeignKey(Venue, verbose_name=_("地域共創の場"), on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ユーザー"), on_delete=models.CASCADE, related_name="venue_roles"
    )
    role = models.CharField(_("役割"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("役割")
        verbose_name_plural = _("役割")
        constraints = [models.UniqueConstraint(fields=["venue", "user", "role"], name="venue_role_unique")]

    def __str__(self) -> str:
        return f"{self.user} / {self.venue} / {self.get_role_display()}"


class Membership(TimeStampedModel):
    """An organisation's membership of a venue, with its sector and whether it is from outside the region."""

    venue = models.ForeignKey(Venue, verbose_name=_("地域共創の場"), on_delete=models.CASCADE,
                              related_name="memberships")
    organization = models.ForeignKey("regions.Organization", verbose_name=_("組織"), on_delete=models.PROTECT,
                                     related_name="memberships")
    sector = models.CharField(_("セクター"), max_length=20, choices=SectorChoices.choices)
    in_region = models.BooleanField(_("地域内"), default=True, help_text=_("地域外からの参加ならオフにします。"))
    joined_on = models.DateField(_("参加日"), null=True, blank=True)
    left_on = models.DateField(_("退会日"), null=True, blank=True)
    note = models.CharField(_("備考"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("構成員")
        verbose_name_plural = _("構成員")
        ordering = ["sector", "organization__name_kana", "organization__name"]
        constraints = [models.UniqueConstraint(fields=["venue", "organization"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.organization} @ {self.venue}"


class Representative(TimeStampedModel):
    """A person who takes part for a member organisation, in a layer."""

    class LayerChoices(models.TextChoices):
        TOP = Layer.TOP.value, _("トップ層（首長・学長・社長など）")
        MIDDLE = Layer.MIDDLE.value, _("ミドル層（管理職）")
        KEY_PERSON = Layer.KEY_PERSON.value, _("キーパーソン")

    membership = models.ForeignKey(Membership, verbose_name=_("構成員"), on_delete=models.CASCADE,
                                   related_name="representatives")
    person = models.ForeignKey("regions.Person", verbose_name=_("人"), on_delete=models.PROTECT,
                               related_name="representations")
    layer = models.CharField(_("層"), max_length=20, choices=LayerChoices.choices)
    title = models.CharField(_("役職"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("代表者")
        verbose_name_plural = _("代表者")
        constraints = [models.UniqueConstraint(fields=["membership", "person"], name="representative_unique")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_layer_display()})"


class MeetingQuerySet(InVenueQuerySet):
    """Members read every meeting of their venue. Anyone reads, in a public venue, that a meeting takes place
    (title, date, place, status, agenda: ``public()``); its minutes only once the secretariat published them and
    they are final (``public_minutes()``). The attendance and the documents stay internal."""

    public_condition = Q()

    def public_minutes(self) -> MeetingQuerySet:
        """Public meetings whose final minutes the secretariat published (``Meeting.minutes_public``)."""
        return self.public().filter(minutes_public=True, minutes_status=Meeting.MinutesStatus.FINAL)


class MeetingPartQuerySet(InVenueQuerySet):
    """Attendance and documents: internal to the venue (members only)."""

    venue_path = "meeting__venue"


class AgendaItemQuerySet(MeetingPartQuerySet):
    """Agenda items are public with their meeting (``MeetingQuerySet.public``)."""

    public_condition = Q()


class Meeting(TimeStampedModel):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("開催予定")
        HELD = "held", _("開催済み")
        CANCELLED = "cancelled", _("中止")

    class MinutesStatus(models.TextChoices):
        NONE = "none", _("未作成")
        DRAFT = "draft", _("案（修正可）")
        FINAL = "final", _("確定")

    venue = models.ForeignKey(Venue, verbose_name=_("地域共創の場"), on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("会議名"), max_length=200)
    starts_at = models.DateTimeField(_("開始日時"), db_index=True)
    ends_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    place = models.CharField(_("場所"), max_length=200, blank=True)
    online_url = models.URLField(_("オンライン会議のURL"), blank=True)
    status = models.CharField(_("状態"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    minutes = models.TextField(_("議事録（Markdown）"), blank=True)
    minutes_status = models.CharField(_("議事録の状態"), max_length=8, choices=MinutesStatus.choices,
                                      default=MinutesStatus.NONE)
    minutes_version = models.PositiveIntegerField(_("議事録の版"), default=0)
    minutes_finalised_at = models.DateTimeField(_("議事録の確定日時"), null=True, blank=True)
    minutes_public = models.BooleanField(
        _("議事録を一般に公開"), default=False,
        help_text=_("オンにすると、確定した議事録を場の公開サイトに掲載します（公開の場のみ）。"))

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("会議")
        verbose_name_plural = _("会議")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(name="meeting_ends_after_start",
                                   condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at"))),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("venues:meeting_detail", kwargs={"slug": self.venue.slug, "pk": self.pk})


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("順番"), default=1)
    title = models.CharField(_("議題"), max_length=200)
    description = models.TextField(_("説明"), blank=True)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("議題")
        verbose_name_plural = _("議題")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Attendance(models.Model):
    """Who came to a meeting, in which layer (a snapshot: layers can change later)."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey("regions.Person", verbose_name=_("人"), on_delete=models.PROTECT,
                               related_name="attendances")
    organization = models.ForeignKey("regions.Organization", verbose_name=_("組織"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    sector = models.CharField(_("セクター"), max_length=20, choices=SectorChoices.choices, blank=True)
    layer = models.CharField(_("層"), max_length=20, choices=Representative.LayerChoices.choices, blank=True)

    class Meta:
        verbose_name = _("出席")
        verbose_name_plural = _("出席")
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_unique")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.meeting}"


def meeting_document_path(instance: MeetingDocument, filename: str) -> str:
    """Stored under a random name: the original name is kept in the row, never trusted as a path."""
    meeting = instance.meeting
    return f"venues/{meeting.venue_id}/meetings/{meeting.pk}/{secrets.token_hex(8)}.{instance.extension}"


class MeetingDocument(TimeStampedModel):
    meeting = models.ForeignKey(Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("資料名"), max_length=200)
    file = models.FileField(_("ファイル"), upload_to=meeting_document_path)
    original_name = models.CharField(_("元のファイル名"), max_length=255)
    extension = models.CharField(_("拡張子"), max_length=8)
    content_type = models.CharField(_("種類"), max_length=120)
    size = models.PositiveIntegerField(_("サイズ（バイト）"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登録者"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("会議資料")
        verbose_name_plural = _("会議資料")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class Proposal(TimeStampedModel):
    """Something that requires endorsement by each sector (a decision draft; later a vision version)."""

    class Status(models.TextChoices):
        OPEN = Outcome.OPEN.value, _("賛同受付中")
        AGREED = Outcome.AGREED.value, _("合意")
        REJECTED = Outcome.REJECTED.value, _("不合意")
        WITHDRAWN = "withdrawn", _("取り下げ")

    venue = models.ForeignKey(Venue, verbose_name=_("地域共創の場"), on_delete=models.CASCADE, related_name="proposals")
    required_sectors = models.JSONField(_("合意に必要なセクター"), default=list)
    rule = models.CharField(_("合意ルール"), max_length=20, choices=Venue.EndorsementRule.choices)
    min_endorsements = models.PositiveSmallIntegerField(_("各セクターの最低賛同数"), default=1)
    required_organizations = models.JSONField(_("賛同が必要な組織"), default=list, blank=True,
                                              help_text=_("提案時点の、運営する自治体と指名された構成員（組織のID）。"))
    require_top_layer = models.BooleanField(_("トップ層の賛同が必要"), default=False)
    count_out_of_region = models.BooleanField(_("地域外の構成員を数える"), default=True)
    deadline = models.DateField(_("賛同の期限"), null=True, blank=True)
    last_reminded_on = models.DateField(_("最後に催促した日"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=12, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("締切日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("提案")
        verbose_name_plural = _("提案")

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"

    @property
    def required_organization_list(self) -> list[Any]:
        """The organisations whose own endorsement this proposal requires (hosts and named members), by name."""
        from kyoso.regions.models import Organization

        return list(Organization.objects.filter(pk__in=self.required_organizations or []).order_by("name_kana"))


class Endorsement(TimeStampedModel):
    class StanceChoices(models.TextChoices):
        ENDORSE = Stance.ENDORSE.value, _("賛同")
        OBJECT = Stance.OBJECT.value, _("反対")
        ABSTAIN = Stance.ABSTAIN.value, _("棄権")

    proposal = models.ForeignKey(Proposal, verbose_name=_("提案"), on_delete=models.CASCADE,
                                 related_name="endorsements")
    representative = models.ForeignKey(Representative, verbose_name=_("代表者"), on_delete=models.PROTECT,
                                       related_name="endorsements")
    sector = models.CharField(_("セクター"), max_length=20, choices=SectorChoices.choices)
    stance = models.CharField(_("態度"), max_length=10, choices=StanceChoices.choices)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("賛同")
        verbose_name_plural = _("賛同")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "representative"], name="endorsement_once"),
            models.CheckConstraint(name="objection_has_reason", condition=~Q(stance="object") | ~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.representative}: {self.get_stance_display()}"


class ImmutableDecisionError(Exception):
    """Raised when something tries to change a finalised decision."""


# A decision anyone may read: finalised and marked public (in a public venue: ``DecisionQuerySet.public``).
PUBLIC_DECISION = Q(status="finalised", is_public=True)


class DecisionQuerySet(InVenueQuerySet):
    """Members of the venue read every decision; everyone else finalised decisions marked public."""

    public_condition = PUBLIC_DECISION

    def editable(self) -> DecisionQuerySet:
        """Drafts: the only decisions that can still be edited (``Decision.is_editable``)."""
        return self.filter(status=Decision.Status.DRAFT)


class Decision(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("案")
        PROPOSED = "proposed", _("賛同受付中")
        AGREED = "agreed", _("合意（確定待ち）")
        REJECTED = "rejected", _("不合意")
        FINALISED = "finalised", _("確定")

    class Method(models.TextChoices):
        CONSENSUS = "consensus", _("合意（コンセンサス）")
        VOTE = "vote", _("採決")

    class Relation(models.TextChoices):
        AMENDS = "amends", _("変更")
        REVOKES = "revokes", _("取消し")

    venue = models.ForeignKey(Venue, verbose_name=_("地域共創の場"), on_delete=models.CASCADE,
                              related_name="decisions")
    agenda_item = models.ForeignKey(AgendaItem, verbose_name=_("議題"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="decisions")
    number = models.PositiveIntegerField(_("番号"), null=True, blank=True,
                                         help_text=_("確定時に場ごとの通し番号が付きます。"))
    title = models.CharField(_("件名"), max_length=200)
    text = models.TextField(_("決定内容"))
    rationale = models.TextField(_("理由・背景"), blank=True)
    applies_to = models.CharField(_("対象"), max_length=255, blank=True,
                                  help_text=_("この決定が適用されるもの（事業、ビジョン、規程など）。"))
    method = models.CharField(_("決定方法"), max_length=12, choices=Method.choices, default=Method.CONSENSUS)
    votes_for = models.PositiveIntegerField(_("賛成"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反対"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("棄権"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    proposal = models.OneToOneField(Proposal, verbose_name=_("賛同の手続き"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="decision")
    previous = models.ForeignKey("self", verbose_name=_("変更・取消しする決定"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="successors")
    relation = models.CharField(_("前の決定との関係"), max_length=10, choices=Relation.choices, blank=True)
    decided_on = models.DateField(_("決定日"), null=True, blank=True, db_index=True)
    is_public = models.BooleanField(_("一般に公開"), default=False)
    version = models.PositiveIntegerField(_("版"), default=1)
    finalised_at = models.DateTimeField(_("確定日時"), null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("確定した人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("決定事項")
        verbose_name_plural = _("決定事項")
        ordering = ["-decided_on", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "number"], name="decision_number_unique"),
            models.CheckConstraint(name="decision_relation_with_previous",
                                   condition=Q(previous__isnull=True, relation="")
                                   | Q(previous__isnull=False) & ~Q(relation="")),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return reverse("venues:decision_detail", kwargs={"slug": self.venue.slug, "pk": self.pk})

    def save(self, *args: object, **kwargs: object) -> None:
        """A finalised decision is immutable: amend or revoke it with a later decision instead."""
        if self.pk:
            stored = Decision.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == Decision.Status.FINALISED:
                raise ImmutableDecisionError(self.pk)
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        return f"No.{self.number}" if self.number else ""

    @property
    def is_editable(self) -> bool:
        """Only a draft is edited; anything later is changed by a new decision (the one rule: services, views, API)."""
        return self.status == self.Status.DRAFT

    @property
    def is_public_record(self) -> bool:
        """The object-level form of ``PUBLIC_DECISION`` (for a decision already in hand, e.g. a link to it)."""
        return self.status == self.Status.FINALISED and self.is_public


class ActionItemQuerySet(InVenueQuerySet):
    """Action items are internal to their venue (members only)."""

    def active(self) -> ActionItemQuerySet:
        return self.filter(status__in=[s.value for s in ACTIVE])

    def overdue(self, today: dt.date) -> ActionItemQuerySet:
        """The queryset form of ``domain.actions.is_overdue``: active, with a due date before today."""
        return self.active().filter(due_date__lt=today)


class ActionItem(TimeStampedModel):
    class StatusChoices(models.TextChoices):
        OPEN = ActionStatus.OPEN.value, _("未着手")
        IN_PROGRESS = ActionStatus.IN_PROGRESS.value, _("対応中")
        DONE = ActionStatus.DONE.value, _("完了")
        CANCELLED = ActionStatus.CANCELLED.value, _("中止")

    venue = models.ForeignKey(Venue, verbose_name=_("地域共創の場"), on_delete=models.CASCADE,
                              related_name="action_items")
    decision = models.ForeignKey(Decision, verbose_name=_("決定事項"), on_delete=models.PROTECT,
                                 related_name="action_items")
    title = models.CharField(_("件名"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    owner_person = models.ForeignKey("regions.Person", verbose_name=_("担当者"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="action_items")
    owner_organization = models.ForeignKey("regions.Organization", verbose_name=_("担当組織"), null=True,
                                           blank=True, on_delete=models.PROTECT, related_name="action_items")
    due_date = models.DateField(_("期限"), null=True, blank=True, db_index=True)
    status = models.CharField(_("状態"), max_length=12, choices=StatusChoices.choices,
                              default=ActionStatus.OPEN.value, db_index=True)
    completed_on = models.DateField(_("完了日"), null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("アクション")
        verbose_name_plural = _("アクション")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["venue", "status", "due_date"])]
        constraints = [
            models.CheckConstraint(name="action_has_owner",
                                   condition=Q(owner_person__isnull=False) | Q(owner_organization__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("venues:action_detail", kwargs={"slug": self.venue.slug, "pk": self.pk})

    @property
    def is_overdue(self) -> bool:
        """Overdue today (``domain.actions.is_overdue``; for pages, which have no other way to pass today)."""
        from django.utils import timezone

        return is_overdue(self.status, self.due_date, timezone.localdate())


class ActionProgress(TimeStampedModel):
    action = models.ForeignKey(ActionItem, verbose_name=_("アクション"), on_delete=models.CASCADE,
                               related_name="progress_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("記入者"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("進捗"))
    status = models.CharField(_("状態（記入時）"), max_length=12, choices=ActionItem.StatusChoices.choices)

    class Meta:
        verbose_name = _("進捗メモ")
        verbose_name_plural = _("進捗メモ")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.note[:40]
