"""Consultations (意見募集) of a venue: statements voted on Pol.is style, comments, moderation and the opinion map.

Residents take part without an account: a :class:`Participant` is a light identity per consultation, known by a
random token kept in a cookie (only its SHA-256 is stored) and optionally by an e-mail address confirmed through a
signed link. Visibility is decided here only, in the querysets (``public()`` / ``visible_to(user)``): a consultation
is public once opened (open or closed) in a public venue; its statements and comments while they are published;
drafts and hidden content only for the venue's members.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kyoso.common.models import TimeStampedModel
from kyoso.venues.models import InVenueQuerySet

from .domain.opinion import NEW_STATEMENT_PRIORITY

DEFAULT_HIDE_AFTER_REPORTS = 3  # Decidim's max_reports_before_hiding
STATEMENT_MAX_LENGTH = 500
COMMENT_MAX_LENGTH = 2000
OPENED = ("open", "closed")


class ConsultationQuerySet(InVenueQuerySet):
    """Open and closed consultations of public venues are public; drafts only for the venue's members."""

    public_condition = Q(status__in=OPENED)


class Consultation(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("準備中")
        OPEN = "open", _("受付中")
        CLOSED = "closed", _("終了")

    class MapStatus(models.TextChoices):
        NONE = "none", _("未計算")
        QUEUED = "queued", _("計算待ち")
        DONE = "done", _("計算済み")
        FAILED = "failed", _("失敗")

    venue = models.ForeignKey("venues.Venue", verbose_name=_("地域共創の場"), on_delete=models.CASCADE,
                              related_name="consultations")
    title = models.CharField(_("件名"), max_length=200)
    question = models.TextField(_("問いかけ"), help_text=_("参加者に意見を求める内容。"))
    vision_version = models.ForeignKey("visions.VisionVersion", verbose_name=_("対象のビジョンの版"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="consultations")
    regional_issue = models.ForeignKey("visions.RegionalIssue", verbose_name=_("対象の地域課題"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="consultations")
    status = models.CharField(_("状態"), max_length=8, choices=Status.choices, default=Status.DRAFT, db_index=True)
    opened_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    hide_after_reports = models.PositiveSmallIntegerField(
        _("自動で非表示にする通報数"), default=DEFAULT_HIDE_AFTER_REPORTS,
        help_text=_("この数の通報があった意見・コメントは、事務局が確認するまで非表示になります。"))
    premoderate = models.BooleanField(
        _("参加者の意見を事前に確認する"), default=False,
        help_text=_("オンにすると、参加者が書いた意見は事務局が確認して公開するまで表示されません。"))
    map = models.JSONField(_("意見マップ"), default=dict, blank=True)
    map_status = models.CharField(_("意見マップの計算"), max_length=8, choices=MapStatus.choices,
                                  default=MapStatus.NONE)
    map_computed_at = models.DateTimeField(_("意見マップの計算日時"), null=True, blank=True)
    map_k_state = models.JSONField(_("グループ数の平滑化の状態"), default=dict, blank=True)
    map_published = models.BooleanField(_("意見マップを公開"), default=False)
    reply = models.TextField(_("場からの回答"), blank=True)
    replied_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    agenda_item = models.ForeignKey("venues.AgendaItem", verbose_name=_("議題"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="consultations")
    decision = models.ForeignKey("venues.Decision", verbose_name=_("決定事項"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="consultations")
    is_sample = models.BooleanField(_("サンプル"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("作成者"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("意見募集")
        verbose_name_plural = _("意見募集")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations_public:detail", kwargs={"slug": self.venue.slug, "pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def map_is_public(self) -> bool:
        return self.map_published and bool(self.map)


class ModeratedQuerySet(InVenueQuerySet):
    """Published statements/comments of public consultations for everyone; everything for the venue's members."""

    venue_path = "consultation__venue"
    public_condition = Q(state="published", consultation__status__in=OPENED)

    def published(self) -> Any:
        return self.filter(state="published")

    def awaiting_review(self) -> Any:
        return self.filter(reviewed=False)


class Moderated(TimeStampedModel):
    """What statements and comments share: a moderation state and the reports since the last review."""

    class State(models.TextChoices):
        PUBLISHED = "published", _("公開")
        HIDDEN = "hidden", _("非表示")

    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.PUBLISHED,
                             db_index=True)
    reviewed = models.BooleanField(_("事務局が確認済み"), default=False)
    report_count = models.PositiveIntegerField(_("確認後の通報数"), default=0)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class Participant(models.Model):
    """A light identity: one per consultation and browser (cookie token, stored hashed), optionally an e-mail."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="participants")
    token_hash = models.CharField(max_length=64)
    email = models.EmailField(_("メールアドレス"), blank=True)
    email_confirmed_at = models.DateTimeField(_("メール確認日時"), null=True, blank=True)
    is_sample = models.BooleanField(_("サンプル"), default=False)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("参加者")
        verbose_name_plural = _("参加者")
        constraints = [models.UniqueConstraint(fields=["consultation", "token_hash"], name="participant_token")]

    def __str__(self) -> str:
        return _("参加者 %(id)s") % {"id": str(self.pk)[:8]}


class Statement(Moderated):
    consultation = models.ForeignKey(Consultation, verbose_name=_("意見募集"), on_delete=models.CASCADE,
                                     related_name="statements")
    text = models.CharField(_("意見"), max_length=STATEMENT_MAX_LENGTH)
    # SHA-256 of domain.moderation.statement_key(text): two statements with the same key are duplicates (a digest,
    # because NFKC may lengthen a text beyond the column's size).
    text_key = models.CharField(max_length=64, editable=False)
    is_seed = models.BooleanField(_("場が用意した意見"), default=False)
    author = models.ForeignKey(Participant, verbose_name=_("書いた参加者"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="statements")
    # Which statement a participant is shown next (domain.opinion step 9), refreshed with each opinion map.
    priority = models.FloatField(_("表示の優先度"), default=NEW_STATEMENT_PRIORITY, editable=False)

    objects = ModeratedQuerySet.as_manager()

    class Meta:
        verbose_name = _("意見")
        verbose_name_plural = _("意見")
        ordering = ["-is_seed", "id"]
        constraints = [models.UniqueConstraint(fields=["consultation", "text_key"], name="statement_unique_text")]

    def __str__(self) -> str:
        return self.text[:80]


class Vote(models.Model):
    class Value(models.IntegerChoices):
        AGREE = 1, _("賛成")
        PASS = 0, _("どちらでもない")
        DISAGREE = -1, _("反対")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(_("投票"), choices=Value.choices)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("投票")
        verbose_name_plural = _("投票")
        constraints = [
            models.UniqueConstraint(fields=["participant", "statement"], name="vote_once"),
            models.CheckConstraint(name="vote_value", condition=Q(value__in=(-1, 0, 1))),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.value}"


class Comment(Moderated):
    consultation = models.ForeignKey(Consultation, verbose_name=_("意見募集"), on_delete=models.CASCADE,
                                     related_name="comments")
    participant = models.ForeignKey(Participant, verbose_name=_("参加者"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="comments")
    text = models.TextField(_("コメント"), max_length=COMMENT_MAX_LENGTH)

    objects = ModeratedQuerySet.as_manager()

    class Meta:
        verbose_name = _("コメント")
        verbose_name_plural = _("コメント")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:80]


class Report(models.Model):
    """A participant's flag on a statement or a comment (one per participant and item)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="reports")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="reports")
    statement = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("通報日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("通報")
        verbose_name_plural = _("通報")
        constraints = [
            models.UniqueConstraint(fields=["participant", "statement"], name="report_statement_once"),
            models.UniqueConstraint(fields=["participant", "comment"], name="report_comment_once"),
            models.CheckConstraint(name="report_one_target",
                                   condition=Q(statement__isnull=False, comment__isnull=True)
                                   | Q(statement__isnull=True, comment__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"report {self.pk}"


class ModerationLog(models.Model):
    """Every hide and unhide of a statement or comment, automatic or by the secretariat (exported as CSV)."""

    class Action(models.TextChoices):
        AUTO_HIDE = "auto_hide", _("通報により自動で非表示")
        HIDE = "hide", _("事務局が非表示")
        UNHIDE = "unhide", _("事務局が再表示")
        APPROVE = "approve", _("事務局が確認（公開のまま）")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="moderation_log")
    statement = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    kind = models.CharField(_("対象"), max_length=10, choices=(("statement", _("意見")), ("comment", _("コメント"))))
    text = models.TextField(_("対象の文（記録時）"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("実行者"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    report_count = models.PositiveIntegerField(_("通報数"), default=0)
    note = models.CharField(_("メモ"), max_length=200, blank=True)
    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("モデレーションの記録")
        verbose_name_plural = _("モデレーションの記録")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
