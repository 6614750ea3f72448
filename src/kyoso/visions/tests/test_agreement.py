"""What a vision agreement covers (issue 10): the agreed version's snapshot holds everything the backcasting chain
and the signals rely on, and "agreed" means "in the agreed version". On the sample venue, whose version 1 is
agreed after its issues, themes and milestones were made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kyoso.portfolio.models import Project
from kyoso.portfolio.queries import project_facts
from kyoso.visions import queries, services
from kyoso.visions.models import ResearchTheme, Vision

pytestmark = pytest.mark.django_db

SLUG = "hamamatsu-sample"


def vision() -> Vision:
    return Vision.objects.select_related("venue").get(venue__slug=SLUG)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_agreed_snapshot_holds_milestones_owners_sources_issues_and_themes(users):
    agreed = queries.agreed_version(vision())
    snapshot = agreed.snapshot
    joint = next(k for g in snapshot["goals"] for k in g["kpis"] if k["code"] == "joint-research")
    assert joint["owner"]["name"] == "サンプル工業大学" and joint["data_source"]
    assert joint["frequency"] == "yearly"
    aging = next(k for g in snapshot["goals"] for k in g["kpis"] if k["code"] == "aging-rate")
    assert aging["reference_series"]
    assert {m["title"] for m in snapshot["milestones"]} == set(vision().milestones.values_list("title", flat=True))
    assert {i["title"] for i in snapshot["issues"]} == set(vision().issues.values_list("title", flat=True))
    themes = {t["id"] for i in snapshot["issues"] for t in i["themes"]}
    assert themes == set(ResearchTheme.objects.filter(issue__vision=vision()).values_list("pk", flat=True))
    content = queries.agreed_content(vision())
    assert content.theme_ids == themes and content.kpi_ids == set(vision().kpis.values_list("pk", flat=True))


def test_a_theme_added_after_the_agreement_is_not_agreed_for_the_orphaned_signal(users):
    issue = vision().issues.first()
    later = services.theme_create(actor=users["secretariat"], issue=issue, title="合意の後に加えたテーマ")
    assert later.pk not in queries.agreed_theme_ids([vision().venue_id])
    assert not queries.agreed_content(vision()).holds("theme", later.pk)
    project = Project.objects.filter(venue=vision().venue).order_by("id").first()
    project.themes.set([later])
    facts = project_facts([project], timezone.localdate())
    assert facts[0].themes_agreed == 0  # before the fix: 1, because the vision had some agreed version
    agreed_theme = ResearchTheme.objects.filter(issue__vision=vision()).exclude(pk=later.pk).first()
    project.themes.add(agreed_theme)
    assert project_facts([project], timezone.localdate())[0].themes_agreed == 1


def test_the_diff_and_the_tree_show_what_the_agreed_version_does_not_hold(users):
    actor = users["secretariat"]
    issue = vision().issues.first()
    services.theme_create(actor=actor, issue=issue, title="合意の後に加えたテーマ")
    services.milestone_create(actor=actor, vision=vision(), title="合意の後のマイルストーン",
                              due_date=timezone.localdate() + dt.timedelta(days=30))
    client = client_for(users["ura"])
    number = queries.agreed_version(vision()).number
    diff = client.get(reverse("visions:version_diff", kwargs={"slug": SLUG, "pk": vision().pk}),
                      {"a": number, "b": "current"})
    assert diff.status_code == 200
    added = [line.text for line in diff.context["lines"] if line.op == "added"]
    assert any("合意の後に加えたテーマ" in text and "研究開発テーマ" in text for text in added), added
    assert any("合意の後のマイルストーン" in text for text in added), added

    tree = client.get(reverse("visions:tree", kwargs={"slug": SLUG, "pk": vision().pk})).content.decode()
    marked = tree.split("合意の後に加えたテーマ", 1)[1].split("</li>", 1)[0]
    assert "合意した版にない" in marked
    assert tree.count('k-badge--neutral">合意した版にない') == 1  # everything else is in the agreed version
    home = client.get(vision().get_absolute_url()).content.decode()
    assert "合意した版にない" in home.split("合意の後のマイルストーン", 1)[1].split("</td>", 1)[0]


def test_an_owner_change_after_the_agreement_shows_in_the_diff(users):
    from kyoso.regions.models import Organization

    joint = vision().kpis.get(code="joint-research")
    city = vision().kpis.get(code="aging-rate").owner
    assert city is not None and joint.owner_id != city.pk
    services.kpi_update(actor=users["secretariat"], kpi=joint, owner=Organization.objects.get(pk=city.pk))
    number = queries.agreed_version(vision()).number
    response = client_for(users["ura"]).get(
        reverse("visions:version_diff", kwargs={"slug": SLUG, "pk": vision().pk}), {"a": number, "b": "current"})
    changed = {line.op: line.text for line in response.context["lines"] if "担当組織" in line.text
               and line.op != "same"}
    assert "サンプル工業大学" in changed["removed"] and city.name in changed["added"]


def test_the_version_page_shows_milestones_issues_themes_and_owners(users):
    agreed = queries.agreed_version(vision())
    page = client_for(users["ura"]).get(agreed.get_absolute_url()).content.decode()
    for milestone in vision().milestones.values_list("title", flat=True):
        assert milestone in page
    for theme in ResearchTheme.objects.filter(issue__vision=vision()).values_list("title", flat=True):
        assert theme in page
    assert "担当組織: サンプル工業大学" in page
