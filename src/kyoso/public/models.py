"""The public site's own records: the やさしい日本語 (plain Japanese) summaries the secretariat writes for the
public objects of its venue (the vision, each KPI, each project, each decision).

A summary is public exactly when its object is (``EasySummaryQuerySet.public``, which asks each object's own
queryset: ``Vision/Kpi/Project/Decision.objects.public()``); the secretariat may write it before publishing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kyoso.common.models import TimeStampedModel


class EasySummaryQuerySet(models.QuerySet["EasySummary"]):
    def public(self) -> EasySummaryQuerySet:
        """Summaries of objects anyone may read."""
        from kyoso.portfolio.models import Project
        from kyoso.venues.models import Decision
        from kyoso.visions.models import Kpi, Vision

        condition = Q()
        for kind, queryset in ((EasySummary.Kind.VISION, Vision.objects.public()),
                               (EasySummary.Kind.KPI, Kpi.objects.public()),
                               (EasySummary.Kind.PROJECT, Project.objects.public()),
                               (EasySummary.Kind.DECISION, Decision.objects.public())):
            condition |= Q(kind=kind, object_id__in=queryset.values("pk"))
        return self.filter(condition, venue__is_public=True)

    def of(self, kind: str, ids: Any) -> EasySummaryQuerySet:
        return self.filter(kind=kind, object_id__in=list(ids))


class EasySummary(TimeStampedModel):
    class Kind(models.TextChoices):
        VISION = "vision", _("地域ビジョン")
        KPI = "kpi", _("KPI")
        PROJECT = "project", _("プロジェクト")
        DECISION = "decision", _("決定事項")

    venue = models.ForeignKey("venues.Venue", verbose_name=_("地域共創の場"), on_delete=models.CASCADE,
                              related_name="easy_summaries")
    kind = models.CharField(_("対象の種類"), max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("対象のID"))
    text = models.TextField(_("やさしい日本語の説明"), max_length=2000)
    score = models.FloatField(_("読みやすさの点数"), null=True, blank=True,
                              help_text=_("保存した時点の jReadability の点数（高いほど読みやすい）。"))
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("更新した人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = EasySummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("やさしい日本語の説明")
        verbose_name_plural = _("やさしい日本語の説明")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="easy_summary_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id}"
