"""The sample venue with its public site published (``kyoso.public.sample``) and a unique marker string planted in
every confidential or internal field next to the public objects, for the marker walks (pages and open data)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kyoso.portfolio import services as portfolio_services
from kyoso.portfolio.models import Project
from kyoso.public import services as public_services
from kyoso.public.sample import PUBLIC_PROJECTS, build_public_site
from kyoso.venues import services as venue_services
from kyoso.venues.models import Decision, Meeting, Venue
from kyoso.visions import services as vision_services
from kyoso.visions.models import Kpi, Vision

SLUG = "hamamatsu-sample"
SECRET_AMOUNT = 8_765_431
MARKERS = {
    "internal_summary": "内部概要マーカーQ7K2",
    "confidential_output": "非公開成果マーカーW3M9",
    "non_public_kpi": "非公開KPIマーカーZ5P1",
    "unpublished_minutes": "未公開議事録マーカーR8T4",
    "draft_minutes": "下書き議事録マーカーD2F6",
    "draft_decision": "決定案マーカーH6J3",
    "non_public_vision": "非公開ビジョンマーカーV9B2",
    "kpi_of_hidden_vision": "隠れたビジョンのKPIマーカーK4C8",
    "private_project": "非公開プロジェクトマーカーP1N7",
    "easy_of_hidden": "非公開対象の説明マーカーE5G3",
    "secret_amount": str(SECRET_AMOUNT),
    "secret_amount_grouped": f"{SECRET_AMOUNT:,}",
}
PUBLIC_OUTPUT = "公開の成果（公開サイトのテスト用）"
PUBLISHED_MINUTES_TEXT = "公開議事録の本文（テスト用）"


def build(actor=None) -> dict:
    """Publish the public site of the sample venue and plant the markers; returns the objects tests need."""
    venue = Venue.objects.get(slug=SLUG)
    assert build_public_site(venue=venue, actor=actor)
    today = timezone.localdate()
    vision = Vision.objects.get(venue=venue, is_public=True)
    project = Project.objects.get(venue=venue, title=PUBLIC_PROJECTS[0])
    # A platform-dependent character and a line break in a public text: the open data must still follow the rules.
    portfolio_services.project_update(actor=actor, project=project, summary_internal=MARKERS["internal_summary"],
                                      summary_public=project.summary_public + "\n①㈱サンプルと連携。")
    portfolio_services.output_add(actor=actor, project=project, kind="prototype", date=today,
                                  title=MARKERS["confidential_output"], is_confidential=True,
                                  kpis=list(Kpi.objects.public().filter(vision=vision)[:1]))
    portfolio_services.output_add(actor=actor, project=project, kind="paper", date=today, title=PUBLIC_OUTPUT,
                                  kpis=list(Kpi.objects.public().filter(vision=vision)[:1]))
    partner = project.lead_organization
    portfolio_services.commitment_add(actor=actor, project=project, partner=partner, fiscal_year=today.year,
                                      kind="cash", amount=Decimal(SECRET_AMOUNT), is_confidential=True,
                                      description="非公開の資金")
    hidden_kpi = Kpi.objects.get(vision=vision, code="spinouts")
    vision_services.kpi_update(actor=actor, kpi=hidden_kpi, name=MARKERS["non_public_kpi"])
    public_services.easy_summary_save(actor=actor, venue=venue, kind="kpi", object_id=hidden_kpi.pk,
                                      text=MARKERS["easy_of_hidden"])

    unpublished = venue_services.meeting_create(actor=actor, venue=venue, title="マーカー確認用の会議",
                                                starts_at=timezone.now() - dt.timedelta(days=3))
    venue_services.minutes_save(actor=actor, meeting=unpublished, text=MARKERS["unpublished_minutes"],
                                expected_version=0)
    venue_services.minutes_finalise(actor=actor, meeting=unpublished)
    draft = venue_services.meeting_create(actor=actor, venue=venue, title="下書き議事録の会議",
                                          starts_at=timezone.now() - dt.timedelta(days=2))
    venue_services.minutes_save(actor=actor, meeting=draft, text=MARKERS["draft_minutes"], expected_version=0)
    venue_services.meeting_publish_minutes(actor=actor, meeting=draft, minutes_public=True)  # flag, not final
    published = Meeting.objects.get(venue=venue, minutes_public=True, minutes_status="final")
    minutes = published.minutes + "\n\n" + PUBLISHED_MINUTES_TEXT
    Meeting.objects.filter(pk=published.pk).update(minutes=minutes)

    venue_services.decision_create(actor=actor, venue=venue, title="決定案（テスト）", text=MARKERS["draft_decision"],
                                   is_public=True)
    hidden_vision = vision_services.vision_create(actor=actor, venue=venue, title=MARKERS["non_public_vision"],
                                                  horizon_year=2040)
    goal = vision_services.goal_create(actor=actor, vision=hidden_vision, title="隠れた目標")
    hidden_vision_kpi = vision_services.kpi_create(actor=actor, goal=goal, code="hidden", unit="件",
                                                   name=MARKERS["kpi_of_hidden_vision"])
    vision_services.kpi_update(actor=actor, kpi=hidden_vision_kpi, is_public=True)  # public KPI, internal vision
    private = portfolio_services.project_create(actor=actor, venue=venue, title=MARKERS["private_project"],
                                                start_date=today, lead_organization=partner)
    return {
        "venue": venue, "vision": vision, "project": project, "hidden_kpi": hidden_kpi, "private": private,
        "hidden_vision_kpi": hidden_vision_kpi, "unpublished": unpublished, "published": published,
        "public_kpis": list(Kpi.objects.public().filter(vision=vision)),
        "public_projects": list(Project.objects.public().filter(venue=venue)),
        "public_decisions": list(Decision.objects.public().filter(venue=venue)),
    }
