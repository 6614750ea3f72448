"""The demo's public site (``kyoso demo``; declared in the manifest, kept out of the shared test fixtures): the
secretariat publishes the sample vision, three of its four KPIs (大学発ベンチャーの累計社数 stays internal), six
projects and the minutes of the first meeting, and writes やさしい日本語 summaries. Everything is invented and marked
サンプル; every change goes through the owning app's services.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kyoso.portfolio import services as portfolio_services
from kyoso.portfolio.models import Project
from kyoso.venues import services as venue_services
from kyoso.venues.models import Decision, Meeting, Venue
from kyoso.visions import services as vision_services
from kyoso.visions.models import Kpi, Vision

from . import services
from .models import EasySummary

PUBLIC_KPIS = ("aging-rate", "labour-participation", "joint-research")
PUBLIC_PROJECTS = (
    "浜名湖の水質センサー網による赤潮予測の実証（サンプル）",
    "湖西地区のオンデマンド乗合交通の最適配車（サンプル）",
    "赤潮予測モデルの高度化（機械学習）（サンプル）",
    "中山間地の自動運転バス実証（サンプル）",
    "小型水質センサーの特許出願と量産試作（サンプル）",
    "住民参加による移動ニーズ調査（サンプル）",
)
PUBLISHED_MINUTES = "第1回 全体会議（サンプル）"

EASY_VISION = (
    "【サンプル】これは れんしゅう用の 文です。\n"
    "2035年に、浜松と 遠州を もっと 住みやすい 町に したいです。\n"
    "年を とっても、長く 働けるように します。\n"
    "大学と 会社が いっしょに 新しい ものを 作ります。"
)
EASY_KPIS = {
    "aging-rate": "【サンプル】静岡県で 65さい 以上の 人の わりあいです。この 数が 少ない ほうが よいと 考えます。",
    "labour-participation": ("【サンプル】働いて いる 人や、仕事を さがして いる 人の わりあいです。"
                             "この 数が 多い ほうが よいです。"),
    "joint-research": "【サンプル】大学と 地元の 会社が いっしょに 研究した 数です。2030年に 60に したいです。",
}
EASY_PROJECTS = {
    PUBLIC_PROJECTS[0]: "【サンプル】浜名湖の 水を 機械で 調べます。赤潮が 来る 前に、魚を 育てる 人に 知らせます。",
    PUBLIC_PROJECTS[1]: "【サンプル】湖西で、よばれた ときに 走る バスを ためします。むだの ない 道を 考えます。",
}
EASY_DECISION = "【サンプル】この 会の きまりを 作りました。だれが 入るか、どう きめるかを 書いて います。"


@transaction.atomic
def build_public_site(*, venue: Venue, actor: Any) -> str:
    """Publish the sample venue's public site; returns what it did ("" when it was already published)."""
    vision = Vision.objects.filter(venue=venue).order_by("created_at").first()
    if vision is None or vision.is_public:
        return ""
    vision_services.vision_update(actor=actor, vision=vision, is_public=True)
    kpis = {k.code: k for k in Kpi.objects.filter(vision=vision)}
    for code in PUBLIC_KPIS:
        if code in kpis:
            vision_services.kpi_update(actor=actor, kpi=kpis[code], is_public=True)
    projects = {p.title: p for p in Project.objects.filter(venue=venue, title__in=PUBLIC_PROJECTS)}
    for title in PUBLIC_PROJECTS:
        if title in projects:
            portfolio_services.project_update(actor=actor, project=projects[title], is_public=True)
    meeting = Meeting.objects.filter(venue=venue, title=PUBLISHED_MINUTES).first()
    if meeting is not None:
        venue_services.meeting_publish_minutes(actor=actor, meeting=meeting, minutes_public=True)

    def write(kind: str, object_id: int, text: str) -> None:
        services.easy_summary_save(actor=actor, venue=venue, kind=kind, object_id=object_id, text=text,
                                   is_sample=True)

    write(EasySummary.Kind.VISION, vision.pk, EASY_VISION)
    for code, text in EASY_KPIS.items():
        if code in kpis:
            write(EasySummary.Kind.KPI, kpis[code].pk, text)
    for title, text in EASY_PROJECTS.items():
        if title in projects:
            write(EasySummary.Kind.PROJECT, projects[title].pk, text)
    first = Decision.objects.public().filter(venue=venue).order_by("number").first()
    if first is not None:
        write(EasySummary.Kind.DECISION, first.pk, EASY_DECISION)
    summaries = EasySummary.objects.filter(venue=venue).count()
    return (f"Public site: /v/{venue.slug}/ with the vision, {len(PUBLIC_KPIS)} KPIs, {len(projects)} projects, "
            f"the minutes of one meeting and {summaries} やさしい日本語 summaries.")
