from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login account. The person it belongs to (if any) is ``regions.Person.user``."""

    display_name = models.CharField(_("表示名"), max_length=100, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("ユーザー")
        verbose_name_plural = _("ユーザー")

    def __str__(self) -> str:
        return self.display_name or self.get_username()
