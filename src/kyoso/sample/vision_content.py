"""Sample vision of the demo venue: goals, KPIs (two fed from real public statistics for Shizuoka, the
others with invented sample figures), targets per fiscal year, milestones, regional issues and R&D themes,
and an agreed first version endorsed by every sector. All text and invented figures are marked as sample;
every KPI is owned by an invented body (遠州サンプル市, サンプル工業大学), and the official series are loaded as they
are (real data, with their source), never overwritten with invented values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kyoso.common.domain.fiscal import fiscal_year
from kyoso.regions.models import Organization, Region
from kyoso.venues import services as venue_services
from kyoso.venues.models import Representative, Venue
from kyoso.visions import services
from kyoso.visions.models import Vision

FUTURE_IMAGE = """【サンプル】2035年度、浜名湖と遠州の森・海・ものづくりがつながり、
高齢になっても住み慣れた地域で働き、学び、移動できる地域になっている。

- 地域の企業と大学・高専が、地域課題を起点に共同研究を続けている
- 実証フィールドで生まれたサービスが、住民の暮らしの中で使われている

*この将来像はデモ用の架空のサンプルです。*
"""


@transaction.atomic
def build_vision_content(venue: Venue, actor: Any, today: dt.date | None = None) -> bool:
    """Create the sample vision once; returns False when the venue already has one."""
    if venue.visions.exists():
        return False
    today = today or timezone.localdate()
    shizuoka = Region.objects.filter(code="22").first()
    vision = services.vision_create(actor=actor, venue=venue, title="浜松・遠州 地域ビジョン2035（サンプル）",
                                    future_image=FUTURE_IMAGE, horizon_year=2035, prefecture=shizuoka,
                                    is_sample=True)
    health = services.goal_create(actor=actor, vision=vision, title="健康で長く働ける地域（サンプル）")
    industry = services.goal_create(actor=actor, vision=vision, title="ものづくりの高度化と新産業（サンプル）")
    city = Organization.objects.filter(reference_key="sample:city").first()
    university = Organization.objects.filter(reference_key="sample:uni").first()

    aging = services.kpi_create(
        actor=actor, goal=health, code="aging-rate", name="65歳以上人口の割合（静岡県）", unit="%",
        direction="lower", data_source="総務省統計局「人口推計」（加工）", reference_series="age65_share",
        owner=city, frequency="yearly", definition="静岡県の総人口に占める65歳以上人口の割合。",
        targets={2030: Decimal("32.0"), 2035: Decimal("32.5")},
    )
    participation = services.kpi_create(
        actor=actor, goal=health, code="labour-participation", name="労働力率（静岡県）", unit="%",
        direction="higher", data_source="総務省統計局「国勢調査」（加工）",
        reference_series="labour_force_participation", owner=city, frequency="census",
        targets={2030: Decimal("62.0"), 2035: Decimal("62.0")},
    )
    if shizuoka is not None:
        for kpi in (aging, participation):
            services.kpi_load_reference(actor=actor, kpi=kpi)
    joint = services.kpi_create(
        actor=actor, goal=industry, code="joint-research", name="地域企業との共同研究件数（サンプル）", unit="件",
        direction="higher", data_source="（サンプル）各大学の産学連携本部の集計", owner=university,
        baseline_value=Decimal("18"), baseline_date=dt.date(2021, 3, 31), frequency="yearly",
        targets={2027: Decimal("40"), 2030: Decimal("60"), 2035: Decimal("80")},
    )
    startups = services.kpi_create(
        actor=actor, goal=industry, code="spinouts", name="大学発ベンチャーの累計社数（サンプル）", unit="社",
        direction="higher", data_source="（サンプル）", owner=university, baseline_value=Decimal("3"),
        baseline_date=dt.date(2021, 3, 31), targets={2030: Decimal("15"), 2035: Decimal("25")},
    )
    # Five past fiscal years ending with the last completed one, so the sample stays current.
    last = fiscal_year(today) - 1
    years = range(last - 4, last + 1)
    for year, value in zip(years, (18, 22, 25, 31, 34), strict=True):
        services.observation_record(actor=actor, kpi=joint, date=dt.date(year + 1, 3, 31), value=Decimal(value),
                                    note="サンプルの値")
    for year, value in zip(years, (3, 4, 4, 5, 5), strict=True):
        services.observation_record(actor=actor, kpi=startups, date=dt.date(year + 1, 3, 31),
                                    value=Decimal(value), note="サンプルの値")

    services.milestone_create(actor=actor, vision=vision, goal=industry,
                              title="共同研究ガイドラインの策定（サンプル）",
                              due_date=today - dt.timedelta(days=60), status="achieved",
                              evidence="第2回全体会議で確認（サンプル）")
    services.milestone_create(actor=actor, vision=vision, goal=health, title="移動支援の実証開始（サンプル）",
                              due_date=today + dt.timedelta(days=45))
    services.milestone_create(actor=actor, vision=vision, goal=industry, title="地域ファンドの組成（サンプル）",
                              due_date=today + dt.timedelta(days=400))

    mobility = services.issue_create(actor=actor, vision=vision, goal=health, kpis=[aging, participation],
                                     title="中山間地の高齢者の移動手段の不足（サンプル）", kind="social",
                                     evidence="65歳以上人口の割合の推移（人口推計）")
    services.issue_create(actor=actor, vision=vision, goal=health, kpis=[participation],
                          title="介護人材の不足（サンプル）", kind="social")
    aquaculture = services.issue_create(actor=actor, vision=vision, goal=industry, kpis=[joint],
                                        title="養殖の赤潮被害による損失（サンプル）", kind="economic")
    services.theme_create(actor=actor, issue=mobility, title="オンデマンド移動サービスの最適配車（サンプル）")
    services.theme_create(actor=actor, issue=aquaculture,
                          title="水質センサーと機械学習による赤潮の早期予測（サンプル）")

    version = services.version_save(actor=actor, vision=vision, note="初版（サンプル）")
    version = services.version_propose(actor=actor, version=version)
    reps = {r.membership.sector: r for r in Representative.objects.filter(membership__venue=venue)
            .select_related("membership").order_by("id")}
    for sector in ("finance", "industry", "academia", "government"):
        if sector in reps:
            venue_services.endorsement_record(actor=None, proposal=version.proposal, representative=reps[sector],
                                              stance="endorse")
    return isinstance(vision, Vision)
