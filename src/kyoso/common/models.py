"""Shared model pieces: timestamps and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One create, update or delete made through a service function: who, what, when, before/after."""

    class Action(models.TextChoices):
        CREATE = "create", _("作成")
        UPDATE = "update", _("更新")
        DELETE = "delete", _("削除")

    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("実行者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("対象の種類"), max_length=100, db_index=True)
    object_id = models.CharField(_("対象のID"), max_length=64, db_index=True)
    object_repr = models.CharField(_("対象"), max_length=255)
    before = models.JSONField(_("変更前"), null=True, blank=True)
    after = models.JSONField(_("変更後"), null=True, blank=True)

    class Meta:
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class SubmissionToken(models.Model):
    """A form submission already received: the one-time token a page put into its form (see common.submission).

    The unique ``key`` is claimed before the view runs, so the same form sent twice (the back button, a double
    click, fifty parallel requests) reaches the view once; ``result_url`` is where the first submission led.
    """

    key = models.CharField(_("キー"), max_length=120, unique=True)
    path = models.CharField(_("送信先"), max_length=500)
    result_url = models.CharField(_("結果のURL"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("送信済みフォーム")
        verbose_name_plural = _("送信済みフォーム")

    def __str__(self) -> str:
        return f"{self.path} {self.created_at:%Y-%m-%d %H:%M}"
