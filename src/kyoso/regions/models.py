"""Regions (prefectures and municipalities), organisations, people and their affiliations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kyoso.common.models import TimeStampedModel

from .domain.organizations import Kind, Sector


class Region(models.Model):
    """A prefecture (code ``22``) or a municipality (5-digit JIS X 0402 code, e.g. ``22130``)."""

    class Level(models.TextChoices):
        PREFECTURE = "prefecture", _("都道府県")
        MUNICIPALITY = "municipality", _("市区町村")

    class MunicipalityType(models.TextChoices):
        DESIGNATED_CITY = "designated_city", _("政令指定都市")
        CITY = "city", _("市")
        SPECIAL_WARD = "special_ward", _("特別区")
        TOWN = "town", _("町")
        VILLAGE = "village", _("村")

    code = models.CharField(_("地方公共団体コード"), max_length=5, unique=True)
    lg_code = models.CharField(_("全国地方公共団体コード（検査数字付き）"), max_length=6, unique=True)
    level = models.CharField(_("区分"), max_length=12, choices=Level.choices, db_index=True)
    municipality_type = models.CharField(
        _("市区町村の種別"), max_length=16, choices=MunicipalityType.choices, blank=True
    )
    name = models.CharField(_("名称"), max_length=50)
    name_kana = models.CharField(_("よみがな"), max_length=100, blank=True)
    name_en = models.CharField(_("英語名"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("都道府県"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="municipalities",
    )
    website = models.URLField(_("ウェブサイト"), blank=True)
    latitude = models.FloatField(_("緯度"), null=True, blank=True)
    longitude = models.FloatField(_("経度"), null=True, blank=True)

    class Meta:
        verbose_name = _("地域")
        verbose_name_plural = _("地域")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="region_parent_matches_level",
                condition=Q(level="prefecture", parent__isnull=True)
                | Q(level="municipality", parent__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("regions:region_detail", kwargs={"code": self.code})

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "ja").startswith("en"):
            return self.name_en
        return self.name

    @property
    def is_prefecture(self) -> bool:
        return self.level == self.Level.PREFECTURE

    @property
    def is_designated_city(self) -> bool:
        return self.municipality_type == self.MunicipalityType.DESIGNATED_CITY

    @property
    def prefecture_code(self) -> str:
        return self.code[:2]



class SectorChoices(models.TextChoices):
    GOVERNMENT = Sector.GOVERNMENT.value, _("官（行政）")
    ACADEMIA = Sector.ACADEMIA.value, _("学（大学・研究機関）")
    INDUSTRY = Sector.INDUSTRY.value, _("産（企業）")
    FINANCE = Sector.FINANCE.value, _("金（金融機関）")
    CIVIL_SOCIETY = Sector.CIVIL_SOCIETY.value, _("民（市民・NPO等）")


class KindChoices(models.TextChoices):
    NATIONAL_GOVERNMENT = Kind.NATIONAL_GOVERNMENT.value, _("国の機関")
    PREFECTURE = Kind.PREFECTURE.value, _("都道府県")
    DESIGNATED_CITY = Kind.DESIGNATED_CITY.value, _("政令指定都市")
    MUNICIPALITY = Kind.MUNICIPALITY.value, _("市区町村")
    NATIONAL_UNIVERSITY = Kind.NATIONAL_UNIVERSITY.value, _("国立大学")
    PUBLIC_UNIVERSITY = Kind.PUBLIC_UNIVERSITY.value, _("公立大学")
    PRIVATE_UNIVERSITY = Kind.PRIVATE_UNIVERSITY.value, _("私立大学")
    JUNIOR_COLLEGE = Kind.JUNIOR_COLLEGE.value, _("短期大学")
    KOSEN = Kind.KOSEN.value, _("高等専門学校")
    INTER_UNIVERSITY_RESEARCH_INSTITUTE = Kind.INTER_UNIVERSITY_RESEARCH_INSTITUTE.value, _("大学共同利用機関")
    NATIONAL_RESEARCH_INSTITUTE = Kind.NATIONAL_RESEARCH_INSTITUTE.value, _("国立研究開発法人")
    PUBLIC_TESTING_INSTITUTE = Kind.PUBLIC_TESTING_INSTITUTE.value, _("公設試験研究機関")
    SME = Kind.SME.value, _("中小企業")
    REGIONAL_LEADER = Kind.REGIONAL_LEADER.value, _("地域未来牽引企業（中堅企業）")
    LARGE_COMPANY = Kind.LARGE_COMPANY.value, _("大企業")
    UNIVERSITY_SPINOUT = Kind.UNIVERSITY_SPINOUT.value, _("大学発ベンチャー")
    REGIONAL_BANK = Kind.REGIONAL_BANK.value, _("地方銀行")
    SHINKIN_BANK = Kind.SHINKIN_BANK.value, _("信用金庫・信用組合")
    VENTURE_CAPITAL = Kind.VENTURE_CAPITAL.value, _("ベンチャーキャピタル・ファンド")
    NPO = Kind.NPO.value, _("NPO法人")
    ECONOMIC_ORGANISATION = Kind.ECONOMIC_ORGANISATION.value, _("経済団体・商工会議所")
    RESIDENTS_GROUP = Kind.RESIDENTS_GROUP.value, _("住民団体")
    OTHER = Kind.OTHER.value, _("その他")


# Who looks after which organisations is venues' business (a venue's secretariat looks after its member
# organisations), and venues sits above regions: the venues app registers the function that answers "which
# organisations does this user look after?" (a queryset of organisation ids) when it is ready. Until one is
# registered only staff edit the directory, so the rule fails closed.
_stewarded_by: Callable[[Any], Any] | None = None


def register_steward_provider(provider: Callable[[Any], Any]) -> None:
    """Called once by the app that owns venue roles (``kyoso.venues``)."""
    global _stewarded_by
    _stewarded_by = provider


def _stewarded_organization_ids(user: Any) -> Any:
    return _stewarded_by(user) if _stewarded_by is not None else None


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def visible_to(self, user: object) -> OrganizationQuerySet:
        """Organisations are public records; every one is visible (confidential fields live elsewhere)."""
        return self

    def editable_by(self, user: Any) -> OrganizationQuerySet:
        """Staff edit every organisation; the secretariat of a venue edits the organisations that are members of
        that venue — not the members of other venues. The pages and the API both ask this."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_staff:
            return self
        ids = _stewarded_organization_ids(user)
        return self.none() if ids is None else self.filter(pk__in=ids)

    def in_prefecture(self, prefecture: Region) -> OrganizationQuerySet:
        return self.filter(Q(region=prefecture) | Q(region__parent=prefecture))


class Organization(TimeStampedModel):
    """A member of the ecosystem: government, university, company, bank, NPO, …"""

    Sector = SectorChoices
    Kind = KindChoices

    name = models.CharField(_("名称"), max_length=200, db_index=True)
    name_kana = models.CharField(_("よみがな"), max_length=200, blank=True)
    name_en = models.CharField(_("英語名"), max_length=200, blank=True)
    sector = models.CharField(_("セクター"), max_length=20, choices=SectorChoices.choices, db_index=True)
    kind = models.CharField(_("種別"), max_length=40, choices=KindChoices.choices, db_index=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在地（地域）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    address = models.CharField(_("住所"), max_length=255, blank=True)
    website = models.URLField(_("ウェブサイト"), blank=True)
    description = models.TextField(_("概要"), blank=True)
    reference_key = models.CharField(
        _("参照データのキー"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("参照データから読み込んだ組織の識別子（例: jis:22130, mext:F122110106224）。"),
    )
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("組織")
        verbose_name_plural = _("組織")
        ordering = ["name_kana", "name", "id"]
        indexes = [models.Index(fields=["sector", "kind"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "ja").startswith("en"):
            return self.name_en
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("regions:organization_detail", kwargs={"pk": self.pk})


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: object) -> PersonQuerySet:
        """Signed-in users see everyone; anonymous visitors only people with a public profile."""
        if getattr(user, "is_authenticated", False):
            return self
        return self.filter(public_profile=True)

    def editable_by(self, user: Any) -> PersonQuerySet:
        """People whose affiliations the user may add: staff, everyone; a venue's secretariat, the people who
        belong to (are affiliated with) an organisation they look after (``Organization.objects.editable_by``)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_staff:
            return self
        organizations = Organization.objects.editable_by(user).values("pk")
        return self.filter(pk__in=Affiliation.objects.filter(organization__in=organizations).values("person"))


class Person(TimeStampedModel):
    """A person in the ecosystem (researcher, officer, company staff …). Personal data lives here."""

    name = models.CharField(_("氏名"), max_length=100, db_index=True)
    name_kana = models.CharField(_("よみがな"), max_length=100, blank=True)
    name_en = models.CharField(_("英語表記"), max_length=100, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ログインアカウント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    public_profile = models.BooleanField(
        _("プロフィールを公開"),
        default=False,
        help_text=_("オンにすると、ログインしていない人にも氏名と所属が表示されます。"),
    )
    researchmap_id = models.CharField(_("researchmap ID"), max_length=100, blank=True)
    orcid = models.CharField(_("ORCID"), max_length=19, blank=True)
    erad_id = models.CharField(_("研究者番号（e-Rad）"), max_length=8, blank=True)
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人")
        verbose_name_plural = _("人")
        ordering = ["name_kana", "name", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "ja").startswith("en"):
            return self.name_en
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("regions:person_detail", kwargs={"pk": self.pk})

    def contact_visible_to(self, user: object) -> bool:
        """Contact details are personal data: only staff and the person themself see them."""
        if not getattr(user, "is_authenticated", False):
            return False
        return bool(getattr(user, "is_staff", False) or (self.user_id and self.user_id == user.pk))  # type: ignore[attr-defined]


class Affiliation(TimeStampedModel):
    """A person's position in an organisation, with its effort share (エフォート) in percent."""

    person = models.ForeignKey(Person, verbose_name=_("人"), on_delete=models.CASCADE, related_name="affiliations")
    organization = models.ForeignKey(
        Organization, verbose_name=_("組織"), on_delete=models.PROTECT, related_name="affiliations"
    )
    department = models.CharField(_("部署"), max_length=200, blank=True)
    title = models.CharField(_("役職"), max_length=100, blank=True)
    effort_share = models.PositiveSmallIntegerField(
        _("エフォート（%）"), default=100, validators=[MaxValueValidator(100)]
    )
    start_date = models.DateField(_("開始日"), null=True, blank=True)
    end_date = models.DateField(_("終了日"), null=True, blank=True)

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(name="affiliation_share_0_100", condition=Q(effort_share__lte=100)),
            models.CheckConstraint(
                name="affiliation_end_after_start",
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.organization}"
