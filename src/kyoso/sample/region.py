"""Build (idempotently) the sample region of `make demo`: an invented venue set in western Shizuoka.

Convention for the demo (and for every sample builder that comes after it):

* **Real reference data stays reference data.** Regions (prefectures and municipalities with their codes) and
  the real public bodies and universities loaded by ``kyoso load-reference`` (``reference_key`` ``jis:…``,
  ``mext:…``; ``is_sample`` false) appear only as what they are: a name, a code, a place. No invented record is
  attached to them: they are not members of the sample venue, commit or provide nothing, lead or join no
  project, own no KPI, are named in no decision, minutes or report, and employ no invented person or researcher.
  The venue is *about* a real area (its regions are Hamamatsu, Kosai and Iwata, the vision's official
  statistics are Shizuoka's), but the governments that run it and every member are invented.
* **Every invented organisation says so in its name.** All of them are created here (``SAMPLE_ORGANIZATIONS``,
  ``reference_key`` ``sample:…``, ``is_sample``). Governments and universities carry 「サンプル」 in the body's
  own name (「サンプル県」「遠州サンプル市」「サンプル工業大学」), because a realistic name with a suffix could still
  be read as standing for a real body; companies, banks and groups have an invented trade name followed by
  「（サンプル）」. Invented researchers elsewhere in Japan sit at invented universities named the same way
  (「北海道サンプル大学」, see ``matching_content``).
* **Every invented person, figure, statement and record is marked.** People's names end with 「（サンプル）」, texts
  end with or contain 「（サンプル）」, invented people are affiliated only to invented organisations, and the site
  banner says that everything marked サンプル is invented.

``kyoso.sample.tests.test_honest_sample`` enforces this on the built demo.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from kyoso.common import registry
from kyoso.regions import services as region_services
from kyoso.regions.models import Organization, Person, Region
from kyoso.venues.models import Venue, VenueRole

from .personas import PERSONAS

VENUE_SLUG = "hamamatsu-sample"

# (key, name, name_en, sector, kind, municipality code); every name contains サンプル (see the module docstring).
SAMPLE_ORGANIZATIONS = (
    # The co-running governments of the venue and its universities: invented bodies, not the real ones.
    ("city", "遠州サンプル市", "Enshu Sample City", "government", "designated_city", "22130"),
    ("pref", "サンプル県", "Sample Prefecture", "government", "prefecture", "22"),
    ("town", "浜名サンプル町", "Hamana Sample Town", "government", "municipality", "22221"),
    ("uni", "サンプル工業大学", "Sample Institute of Technology", "academia", "national_university", "22130"),
    ("medical", "サンプル医科大学", "Sample Medical University", "academia", "national_university", "22130"),
    ("enshu-seimitsu", "遠州精密工業株式会社（サンプル）", "Enshu Precision Industries (sample)",
     "industry", "regional_leader", "22130"),
    ("tenryu-robotics", "天竜ロボティクス株式会社（サンプル）", "Tenryu Robotics (sample)",
     "industry", "university_spinout", "22130"),
    ("hamana-foods", "浜名湖フーズ合同会社（サンプル）", "Hamanako Foods (sample)", "industry", "sme", "22221"),
    ("enshu-mirai-bank", "遠州みらい銀行（サンプル）", "Enshu Mirai Bank (sample)", "finance", "regional_bank",
     "22130"),
    ("residents-forum", "NPO法人 浜松まちづくり市民フォーラム（サンプル）", "Hamamatsu Citizens' Forum (sample)",
     "civil_society", "npo", "22130"),
    ("national-programme", "地域共創サンプルプログラム事務局", "Regional Co-creation Sample Programme Office",
     "government", "national_government", "13101"),
    # Further invented universities of the area, homes of the sample researchers (matching_content); not members.
    ("arts", "サンプル文化芸術大学", "Sample University of Art and Culture", "academia", "public_university",
     "22130"),
    ("photonics", "サンプル光技術大学院大学", "Sample Graduate School for Photonics", "academia",
     "private_university", "22130"),
    ("nursing", "サンプル看護福祉大学", "Sample University of Nursing and Welfare", "academia",
     "private_university", "22130"),
    ("agri", "サンプル農林環境専門職大学", "Sample Professional University of Agriculture and Forestry",
     "academia", "public_university", "22211"),
    ("science", "サンプル理工科大学", "Sample University of Science and Engineering", "academia",
     "private_university", "22"),  # in the prefecture, outside the venue's area
)

@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    venue: Venue | None = None  # the sample venue and the actor of its content, for the demo-only steps
    actor: Any = None


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
    codes = {"22130", "22221", "22211", *(row[5] for row in SAMPLE_ORGANIZATIONS)}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    if "22130" not in regions:
        raise RuntimeError("Reference data missing: run `kyoso load-reference` first.")

    organizations: dict[str, Organization] = {}
    for key, name, name_en, sector, kind, code in SAMPLE_ORGANIZATIONS:
        ref = f"sample:{key}"
        organization = Organization.objects.filter(reference_key=ref).first()
        if organization is None:
            organization = region_services.organization_create(
                actor=None, name=name, name_en=name_en, sector=sector, kind=kind, region=regions.get(code),
                reference_key=ref, is_sample=True,
                description="デモ用の架空の組織です。実在の自治体・大学・企業・団体とは関係ありません。",
            )
            report.created.append(name)
        organizations[ref] = organization

    venue, created = Venue.objects.get_or_create(
        slug=VENUE_SLUG,
        defaults={
            "name": "浜松・遠州 地域共創の場（サンプル）",
            "name_en": "Hamamatsu–Enshu Regional Co-creation Venue (sample)",
            "purpose": (
                "【サンプル】遠州地域（浜松・湖西・磐田）を舞台にした架空の地域共創の場。架空の自治体"
                "（遠州サンプル市・サンプル県・浜名サンプル町）、大学、企業、金融機関が、地域の将来像を共有し、"
                "ものづくりの高度化と健康長寿の実現に向けた共同研究を進める（デモ用の架空の設定）。"
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
    # Each app's sample content, in app order, as its manifest declares it (kyoso.common.registry).
    for step in registry.sample_builders(in_fixtures=True):
        if step.run(venue=venue, actor=admin_user):
            report.created.append(step.label)
    report.venue = venue
    report.actor = admin_user
    return report
