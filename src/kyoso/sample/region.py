"""Build (idempotently) the sample region of `make demo`: a venue-to-be in western Shizuoka.

Real public institutions (浜松市, 静岡県, 静岡大学, …) come from the reference data by their names only.
Every company, person and statement here is invented and marked as sample data.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from kyoso.regions import services as region_services
from kyoso.regions.models import Organization, Person, Region
from kyoso.venues.models import Venue, VenueRole

from .personas import PERSONAS

VENUE_SLUG = "hamamatsu-sample"

# (key, name, name_en, sector, kind, municipality code)
SAMPLE_ORGANIZATIONS = (
    ("enshu-seimitsu", "遠州精密工業株式会社（サンプル）", "Enshu Precision Industries (sample)",
     "industry", "regional_leader", "22130"),
    ("tenryu-robotics", "天竜ロボティクス株式会社（サンプル）", "Tenryu Robotics (sample)",
     "industry", "university_spinout", "22130"),
    ("hamana-foods", "浜名湖フーズ合同会社（サンプル）", "Hamanako Foods (sample)", "industry", "sme", "22221"),
    ("enshu-mirai-bank", "遠州みらい銀行（サンプル）", "Enshu Mirai Bank (sample)", "finance", "regional_bank",
     "22130"),
    ("residents-forum", "NPO法人 浜松まちづくり市民フォーラム（サンプル）", "Hamamatsu Citizens' Forum (sample)",
     "civil_society", "npo", "22130"),
    ("national-programme", "共創の場プログラム事務局（サンプル）", "Co-creation Programme Office (sample)",
     "government", "national_government", "13101"),
)

# Real public bodies and schools in the sample venue's region (reference keys).
REAL_MEMBERS = ("jis:22", "jis:22130", "jis:22221", "jis:22211", "mext:F122110106224", "mext:F122110106233")


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _password_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-logins.txt"


def _passwords() -> dict[str, str]:
    """One random password per persona, generated once into var/ (never in the repository)."""
    path = _password_file()
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                username, password = line.split("\t", 1)
                known[username] = password
    changed = False
    for persona in PERSONAS:
        if persona.username not in known:
            known[persona.username] = secrets.token_urlsafe(9)
            changed = True
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{u}\t{p}\n" for u, p in known.items()), encoding="utf-8")
        path.chmod(0o600)
    return known


@transaction.atomic
def build_sample_region(*, passwords: dict[str, str] | None = None) -> DemoReport:
    """Create what is missing of the sample region; running it again creates nothing new."""
    report = DemoReport()
    passwords = passwords or _passwords()
    admin_user = None
    regions = {r.code: r for r in Region.objects.filter(code__in=["22", "22130", "22221", "22211", "13101"])}
    if "22130" not in regions:
        raise RuntimeError("Reference data missing: run `kyoso load-reference` first.")

    organizations = {o.reference_key: o for o in Organization.objects.filter(reference_key__in=REAL_MEMBERS)}
    for key, name, name_en, sector, kind, code in SAMPLE_ORGANIZATIONS:
        ref = f"sample:{key}"
        organization = Organization.objects.filter(reference_key=ref).first()
        if organization is None:
            organization = region_services.organization_create(
                actor=None, name=name, name_en=name_en, sector=sector, kind=kind, region=regions.get(code),
                reference_key=ref, is_sample=True,
                description="デモ用の架空の組織です。実在の企業・団体とは関係ありません。",
            )
            report.created.append(name)
        organizations[ref] = organization

    venue, created = Venue.objects.get_or_create(
        slug=VENUE_SLUG,
        defaults={
            "name": "浜松・遠州 地域共創の場（サンプル）",
            "name_en": "Hamamatsu–Enshu Regional Co-creation Venue (sample)",
            "purpose": (
                "【サンプル】静岡県西部（浜松市・湖西市・磐田市）の産学官金が、地域の将来像を共有し、"
                "ものづくりの高度化と健康長寿の実現に向けた共同研究を進めるための常設の場（デモ用の架空の設定）。"
            ),
            "is_public": True,
            "is_sample": True,
        },
    )
    if created:
        venue.regions.set([regions[c] for c in ("22130", "22221", "22211") if c in regions])
        report.created.append(venue.name)

    User = get_user_model()
    for persona in PERSONAS:
        user = User.objects.filter(username=persona.username).first()
        if user is None:
            user = User.objects.create_user(
                username=persona.username,
                password=passwords[persona.username],
                display_name=persona.display_name,
                email=f"{persona.username}@example.invalid",
                is_staff=persona.is_staff,
                is_superuser=persona.is_staff,
            )
            report.created.append(persona.username)
        if persona.is_staff:
            admin_user = user
        if persona.role:
            VenueRole.objects.get_or_create(venue=venue, user=user, role=persona.role)
        person = Person.objects.filter(user=user).first()
        if person is None:
            person = region_services.person_create(
                actor=admin_user, name=persona.display_name, name_en=persona.name_en, user=user,
                email=f"{persona.username}@example.invalid", is_sample=True,
                public_profile=persona.role in ("researcher", "member_representative"),
            )
            organization = organizations.get(persona.organization_key)
            if organization is not None:
                region_services.affiliation_create(
                    actor=admin_user, person=person, organization=organization, title=persona.title,
                    effort_share=80 if persona.username == "researcher" else 100,
                )
        report.logins.append((persona.username, passwords[persona.username], persona.display_name))

    # A cross-appointment: the sample researcher also works 20 % at the sample spin-out.
    researcher = Person.objects.filter(user__username="researcher").first()
    spinout = organizations["sample:tenryu-robotics"]
    if researcher and not researcher.affiliations.filter(organization=spinout).exists():
        region_services.affiliation_create(
            actor=admin_user, person=researcher, organization=spinout, title="技術顧問（クロスアポイントメント）",
            effort_share=20,
        )
    from .venue_content import build_venue_content

    if build_venue_content(venue, admin_user):
        report.created.append("venue content")
    from .vision_content import build_vision_content

    if build_vision_content(venue, admin_user):
        report.created.append("vision")
    from .portfolio_content import build_portfolio_content

    if build_portfolio_content(venue, admin_user):
        report.created.append("portfolio")
    return report
