"""Matching pages: a need → ranked researchers with reasons, the capability gap and a consortium; shortlists,
contacts and cross-appointment proposals; public profiles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kyoso.common.models import AuditEvent
from kyoso.matching.models import ContactNote, CrossAppointmentProposal, Researcher, Shortlist
from kyoso.regions.models import Affiliation, Organization

pytestmark = pytest.mark.django_db
SLUG = "hamamatsu-sample"
NEED = "ブリ養殖の赤潮被害を早期に予測したい"


def client_for(users, name="ura") -> Client:
    client = Client()
    client.force_login(users[name])
    return client


def match_url(**params) -> str:
    from urllib.parse import urlencode

    return f"{reverse('matching:match', args=[SLUG])}?{urlencode(params)}"


def test_a_need_finds_in_and_outside_researchers_with_highlighted_reasons(matching_index, users):
    response = client_for(users).get(match_url(text=NEED))
    assert response.status_code == 200
    result = response.context["result"]
    names = [row.researcher.name_en for row in result.rows]
    assert "Marina Okada (sample)" in names[:3]  # English-only profile found from a Japanese need
    assert "Ushio Hamana (sample)" in names[:3]
    by_name = {row.researcher.name_en: row for row in result.rows}
    assert by_name["Ushio Hamana (sample)"].in_region  # サンプル工業大学 is a member of the venue from the region
    assert not by_name["Marina Okada (sample)"].in_region
    html = response.content.decode()
    assert "<mark>" in html
    assert "地域内" in html and "地域外" in html
    assert "地域の対応力" in html and result.gap is not None
    assert result.gap.report.best_outside > 0 and result.gap.report.best_in_region > 0


def test_scope_filters_keep_only_in_region_or_outside(matching_index, users):
    client = client_for(users)
    inside = client.get(match_url(text=NEED, scope="in")).context["result"].rows
    outside = client.get(match_url(text=NEED, scope="out")).context["result"].rows
    assert inside and all(row.in_region for row in inside)
    assert outside and not any(row.in_region for row in outside)
    sector = client.get(match_url(text=NEED, kind="national_research_institute")).context["result"].rows
    assert {row.researcher.name_en for row in sector} == {"Marina Okada (sample)", "Kai Chiyoda (sample)"}
    assert not client.get(match_url(text=NEED, sector="industry")).context["result"].rows
    recent = client.get(match_url(text="赤潮による養殖被害額の推計", recent="3")).context["result"].rows
    assert recent and "Kai Chiyoda (sample)" not in {row.researcher.name_en for row in recent}  # only a 2021 paper
    older = client.get(match_url(text="赤潮による養殖被害額の推計")).context["result"].rows
    assert "Kai Chiyoda (sample)" in {row.researcher.name_en for row in older}


def test_a_regional_issue_of_the_vision_is_the_need(matching_index, users):
    from kyoso.visions.models import RegionalIssue

    issue = RegionalIssue.objects.get(vision__venue__slug=SLUG, title__startswith="養殖の赤潮")
    response = client_for(users).get(match_url(target=f"issue:{issue.pk}"))
    assert response.context["need"].startswith(issue.title)
    assert response.context["result"].rows
    assert response.context["save_form"].initial["target"] == f"issue:{issue.pk}"


def test_htmx_gets_only_the_results(matching_index, users):
    response = client_for(users).get(match_url(text=NEED), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="results"' in html and "<html" not in html


def test_without_an_index_the_page_says_so(sample_region, users, settings, tmp_path):
    from kyoso.matching import index

    settings.KYOSO_MATCHING_INDEX_DIR = tmp_path / "none"
    index.forget()
    response = client_for(users).get(match_url(text=NEED))
    assert response.status_code == 200 and response.context["unavailable"]


def save_shortlist(client, issue=None):
    page = client.get(match_url(text=NEED, **({"target": f"issue:{issue.pk}"} if issue else {})))
    form = page.context["save_form"]
    data = {**form.initial, "title": "赤潮の予測（テスト）"}
    return client.post(reverse("matching:shortlist_create", args=[SLUG]), data)


def test_saving_a_shortlist_for_a_regional_issue_shows_it_on_the_backcasting_tree(matching_index, users):
    from kyoso.visions.models import RegionalIssue

    issue = RegionalIssue.objects.get(vision__venue__slug=SLUG, title__startswith="養殖の赤潮")
    client = client_for(users)
    response = save_shortlist(client, issue)
    shortlist = Shortlist.objects.get(title="赤潮の予測（テスト）")
    assert response.status_code == 302 and response["Location"] == shortlist.get_absolute_url()
    assert shortlist.issue == issue and shortlist.venue.slug == SLUG
    entries = list(shortlist.entries.order_by("position"))
    assert len(entries) >= 3 and entries[0].score is not None and entries[0].reasons
    assert AuditEvent.objects.filter(object_type="matching.shortlist", object_id=str(shortlist.pk)).exists()
    tree = client.get(reverse("visions:tree", args=[SLUG, issue.vision_id])).content.decode()
    assert "赤潮の予測（テスト）" in tree
    detail = client.get(shortlist.get_absolute_url()).content.decode()
    assert "Marina Okada (sample)" in detail and "地域外" in detail
    assert "<mark>" in detail  # the reason kept from the search


def test_contacts_are_recorded_and_future_dates_refused(matching_index, users):
    client = client_for(users)
    save_shortlist(client)
    shortlist = Shortlist.objects.get(title="赤潮の予測（テスト）")
    researcher = shortlist.entries.first().researcher
    url = reverse("matching:contact_create", args=[SLUG, shortlist.pk])
    future = client.post(url, {"researcher": researcher.pk, "contacted_on": timezone.localdate() + dt.timedelta(days=3),
                               "channel": "email", "outcome": "pending"})
    assert future.status_code == 200 and not ContactNote.objects.exists()
    done = client.post(url, {"researcher": researcher.pk, "contacted_on": timezone.localdate(), "channel": "meeting",
                             "outcome": "interested", "summary": "共同研究に関心（テスト）"})
    assert done.status_code == 302
    note = ContactNote.objects.get()
    assert note.researcher == researcher and note.contacted_by == users["ura"] and note.contacted_by_name
    page = client.get(shortlist.get_absolute_url()).content.decode()
    assert "共同研究に関心（テスト）" in page and "関心あり" in page
    # Residents and anonymous visitors never see shortlists or contact notes.
    assert client_for(users, "resident").get(shortlist.get_absolute_url()).status_code == 403
    assert Client().get(shortlist.get_absolute_url()).status_code == 302


def test_accepting_a_cross_appointment_creates_the_affiliation_under_the_effort_rule(matching_index, users):
    from kyoso.matching.tests.objects import permission_objects

    objects = permission_objects()
    shortlist, outside, proposal = objects["shortlist"], objects["researcher"], objects["proposal"]
    # The researcher already works 90 % at home: 20 % more breaks the rule, and the error is shown.
    from kyoso.regions import services as region_services

    person = region_services.person_create(actor=None, name=outside.name, is_sample=True)
    Researcher.objects.filter(pk=outside.pk).update(person=person)
    home = Organization.objects.get(name="東京サンプル海洋研究所（サンプル）")
    region_services.affiliation_create(actor=None, person=person, organization=home, effort_share=90)
    client = client_for(users, "secretariat")
    url = reverse("matching:proposal_decide", args=[SLUG, proposal.pk])
    response = client.post(url, {"decision": "accept"}, follow=True)
    assert "100% を超えます" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "proposed" and proposal.affiliation is None
    assert Affiliation.objects.filter(person=person).count() == 1
    # At 10 % it fits: the affiliation is created and linked.
    CrossAppointmentProposal.objects.filter(pk=proposal.pk).update(effort_share=10)
    response = client.post(url, {"decision": "accept"}, follow=True)
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.affiliation.effort_share == 10
    assert proposal.affiliation.organization.reference_key == "sample:uni"
    # Only the secretariat decides; a URA proposes.
    assert client_for(users, "ura").post(url, {"decision": "accept"}).status_code == 403
    propose = client_for(users).post(reverse("matching:proposal_create", args=[SLUG, shortlist.pk]), {
        "researcher": outside.pk, "organization": proposal.organization_id, "effort_share": 10})
    assert propose.status_code == 302 and CrossAppointmentProposal.objects.count() == 2


def test_public_researcher_search_and_profile(matching_index):
    client = Client()
    listing = client.get(reverse("matching:researcher_list"), {"q": "赤潮"})
    names = {r.name_en for r in listing.context["page_obj"].object_list}
    assert "Ushio Hamana (sample)" in names and "Wataru Enshu (sample)" not in names
    by_org = client.get(reverse("matching:researcher_list"), {"q": "Tokyo Ocean"}).context["page_obj"].object_list
    assert [r.name_en for r in by_org] == ["Marina Okada (sample)"]
    researcher = Researcher.objects.get(name_en="Marina Okada (sample)")
    profile = client.get(researcher.get_absolute_url()).content.decode()
    assert "Forecasting harmful algal blooms" in profile and "サンプル" in profile


def test_a_need_with_several_facets_gets_a_consortium_from_two_institutions(matching_index, users):
    need = "赤潮を機械学習で早期に予測し、養殖の被害額を推計したい"
    response = client_for(users).get(match_url(text=need))
    team = response.context["result"].consortium
    assert len(team.facets) >= 2
    assert 1 <= len(team.members) <= 5 and team.institutions >= min(2, len(team.members))
    assert all(len(member.covers) == len(team.facets) for member in team.members)
    html = response.content.decode()
    assert "コンソーシアムの提案" in html and "メンバーごとに担当できる要素" in html
    assert len(response.context["result"].gap.facets) == len(team.facets)


def test_a_result_is_added_to_an_existing_shortlist_once(matching_index, users):
    client = client_for(users)
    save_shortlist(client)
    shortlist = Shortlist.objects.get(title="赤潮の予測（テスト）")
    extra = Researcher.objects.get(name_en="Wataru Enshu (sample)")
    shortlist.entries.filter(researcher=extra).delete()
    page = client.get(match_url(text=NEED)).content.decode()
    assert reverse("matching:entry_add", args=[SLUG]) in page
    url = reverse("matching:entry_add", args=[SLUG])
    for _ in range(2):
        response = client.post(url, {"shortlist": shortlist.pk, "researcher": extra.pk})
        assert response.status_code == 302 and response["Location"] == shortlist.get_absolute_url()
    assert shortlist.entries.filter(researcher=extra).count() == 1
    assert client_for(users, "observer").post(url, {"shortlist": shortlist.pk, "researcher": extra.pk}
                                              ).status_code == 403


def test_pages_read_a_fixed_number_of_queries(matching_index, users, django_assert_max_num_queries):
    client = client_for(users)
    client.get(match_url(text=NEED))
    with django_assert_max_num_queries(16):  # session, user, roles, venue, issues, themes, prefectures, …
        client.get(match_url(text=NEED))
    save_shortlist(client)
    shortlist = Shortlist.objects.get(title="赤潮の予測（テスト）")
    with django_assert_max_num_queries(14):
        client.get(shortlist.get_absolute_url())
