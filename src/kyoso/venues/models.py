"""The regional co-creation venue (地域共創の場) and the roles people hold in it.

The foundation defines the venue and its roles, because every permission is granted per venue;
members, meetings, decisions and endorsements come with the venue issue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kyoso.common.models import TimeStampedModel


class VenueQuerySet(models.QuerySet["Venue"]):
    def visible_to(self, user: object) -> VenueQuerySet:
        """Public venues for everyone; a private venue only for those holding a role in it (and staff)."""
        if getattr(user, "is_staff", False):
            return self
        if getattr(user, "is_authenticated", False):
            return self.filter(models.Q(is_public=True) | models.Q(roles__user=user)).distinct()
        return self.filter(is_public=True)


class Venue(TimeStampedModel):
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英語名"), max_length=200, blank=True)
    slug = models.SlugField(_("スラッグ"), max_length=60, unique=True)
    purpose = models.TextField(_("目的"), blank=True)
    regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("対象地域"), related_name="venues", blank=True
    )
    is_public = models.BooleanField(_("公開"), default=True, help_text=_("目的と構成員を一般に公開します。"))
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("地域共創の場")
        verbose_name_plural = _("地域共創の場")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("venues:venue_detail", kwargs={"slug": self.slug})


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
