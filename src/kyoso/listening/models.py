"""Free-text answers of a survey or public comment, clustered into labelled topics (広聴, offline, no LLM).

An upload belongs to one venue. Its answers are residents' own words: nothing of an upload is public until
the secretariat publishes its result, and then only its topics (labels, sizes) and each topic's representative
answers are shown to the public (``SurveyUpload.objects.public()``); the secretariat sees everything.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kyoso.common.models import TimeStampedModel
from kyoso.venues.models import AgendaItem, Venue, VenueRole


class SurveyUploadQuerySet(models.QuerySet["SurveyUpload"]):
    def public(self) -> SurveyUploadQuerySet:
        """Published results that are complete, in public venues: what anyone may read."""
        return self.filter(is_published=True, status=SurveyUpload.Status.DONE, venue__is_public=True)

    def visible_to(self, user: Any) -> SurveyUploadQuerySet:
        """Staff and the venue's secretariat: every upload of the venue; everyone else: :meth:`public`."""
        if getattr(user, "is_staff", False):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.public()
        secretariat = VenueRole.objects.filter(user=user, role=VenueRole.Role.SECRETARIAT).values("venue")
        return self.filter(Q(venue__in=secretariat) | Q(pk__in=self.public().values("pk")))


class SurveyUpload(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("列の選択待ち")
        QUEUED = "queued", _("分類待ち")
        RUNNING = "running", _("分類中")
        DONE = "done", _("完了")
        FAILED = "failed", _("失敗")

    venue = models.ForeignKey(Venue, verbose_name=_("地域共創の場"), on_delete=models.CASCADE,
                              related_name="survey_uploads")
    title = models.CharField(_("名称"), max_length=200)
    source = models.TextField(_("出典・説明"), blank=True,
                              help_text=_("どの調査・意見募集の回答か（実施時期、対象、設問など）。"))
    filename = models.CharField(_("ファイル名"), max_length=255)
    content = models.BinaryField(_("ファイル"), editable=False, blank=True, default=b"")
    encoding = models.CharField(_("文字コード"), max_length=20, blank=True)
    columns = models.JSONField(_("列"), default=list, blank=True)
    preview = models.JSONField(_("先頭の行"), default=list, blank=True)
    text_column = models.CharField(_("自由記述の列"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登録者"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(_("処理の段階"), max_length=20, blank=True)
    progress = models.PositiveSmallIntegerField(_("進み具合（%）"), default=0)
    error = models.TextField(_("エラー"), blank=True)
    row_count = models.PositiveIntegerField(_("データの行数"), default=0)
    answer_count = models.PositiveIntegerField(_("回答数"), default=0)
    skipped_count = models.PositiveIntegerField(_("空欄の行数"), default=0)
    topic_count = models.PositiveIntegerField(_("トピック数"), default=0)
    parameters = models.JSONField(_("分類の条件"), default=dict, blank=True)
    groups = models.JSONField(_("大きなまとまり"), default=list, blank=True,
                              help_text=_("トピックの中心を Ward 法でまとめたもの（番号・見出し・件数・トピック）。"))
    computed_at = models.DateTimeField(_("分類日時"), null=True, blank=True)
    is_published = models.BooleanField(_("公開"), default=False)
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True)
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)
    agenda_item = models.ForeignKey(AgendaItem, verbose_name=_("議題"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = SurveyUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("自由記述の分類")
        verbose_name_plural = _("自由記述の分類")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("listening:upload_detail", args=[self.venue.slug, self.pk])

    def get_public_url(self) -> str:
        return reverse("listening_public:result_detail", args=[self.venue.slug, self.pk])

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class Topic(models.Model):
    upload = models.ForeignKey(SurveyUpload, verbose_name=_("自由記述の分類"), on_delete=models.CASCADE,
                               related_name="topics")
    number = models.PositiveSmallIntegerField(_("番号"))
    terms = models.JSONField(_("特徴語"), default=list)
    label = models.CharField(_("見出し"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("回答数"), default=0)
    representative_ids = models.JSONField(_("代表的な回答"), default=list)
    coarse = models.PositiveSmallIntegerField(_("大分類"), null=True, blank=True)

    class Meta:
        verbose_name = _("トピック")
        verbose_name_plural = _("トピック")
        ordering = ["upload", "number"]
        constraints = [models.UniqueConstraint(fields=["upload", "number"], name="topic_number_once")]

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"


class Answer(models.Model):
    upload = models.ForeignKey(SurveyUpload, verbose_name=_("自由記述の分類"), on_delete=models.CASCADE,
                               related_name="answers")
    row = models.PositiveIntegerField(_("行"))
    text = models.TextField(_("回答"))
    topic = models.ForeignKey(Topic, verbose_name=_("トピック"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="answers")

    class Meta:
        verbose_name = _("回答")
        verbose_name_plural = _("回答")
        ordering = ["upload", "row"]
        indexes = [models.Index(fields=["upload", "topic"], name="answer_upload_topic")]

    def __str__(self) -> str:
        return self.text[:50]
