"""Consultations end to end through services and pages: voting, statements, moderation, the map, the reply chain."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from kyoso.common.models import AuditEvent
from kyoso.consultations import identity, services
from kyoso.consultations.models import Comment, Consultation, ModerationLog, Participant, Statement, Vote
from kyoso.venues.models import Meeting

pytestmark = pytest.mark.django_db

TOKEN = "a" * 43


@pytest.fixture
def open_consultation(sample_region):
    return Consultation.objects.get(venue=sample_region.venue, status="open")


@pytest.fixture
def visitor():
    client = Client()
    client.cookies[identity.COOKIE] = TOKEN
    return client


def url(name, consultation, public=True):
    namespace = "consultations_public" if public else "consultations"
    return reverse(f"{namespace}:{name}", args=[consultation.venue.slug, consultation.pk])


# ------------------------------------------------------------------------------------------- sample content


def test_sample_has_an_open_consultation_with_planted_groups_and_a_published_map(sample_region):
    consultation = Consultation.objects.get(venue=sample_region.venue, status="open")
    assert consultation.participants.filter(is_sample=True).count() == 300
    assert consultation.map_published and len(consultation.map["groups"]) == 3
    assert all(g["representative"] for g in consultation.map["groups"])
    answered = Consultation.objects.get(venue=sample_region.venue, status="closed")
    assert answered.reply and answered.agenda_item and answered.decision.is_public_record
    assert answered.decision.agenda_item == answered.agenda_item
    assert "サンプル" in consultation.title and "サンプル" in answered.title


# ---------------------------------------------------------------------------------------------------- votes


def test_vote_by_plain_form_and_change_it(open_consultation, visitor):
    statement = open_consultation.statements.published().first()
    response = visitor.post(url("vote", open_consultation), {"statement": statement.pk, "value": "1"})
    assert response.status_code == 303 and f"#statement-{statement.pk}" in response["Location"]
    participant = Participant.objects.get(consultation=open_consultation, token_hash=identity.token_hash(TOKEN))
    assert Vote.objects.get(participant=participant, statement=statement).value == 1
    visitor.post(url("vote", open_consultation), {"statement": statement.pk, "value": "-1"})
    assert Vote.objects.filter(participant=participant).count() == 1
    assert Vote.objects.get(participant=participant, statement=statement).value == -1
    page = visitor.get(url("detail", open_consultation)).content.decode()
    assert "あなたの投票：反対" in page


def test_a_new_visitor_gets_a_cookie_and_only_its_hash_is_stored(open_consultation):
    client = Client()
    statement = open_consultation.statements.published().first()
    response = client.post(url("vote", open_consultation), {"statement": statement.pk, "value": "0"})
    token = response.cookies[identity.COOKIE].value
    assert response.cookies[identity.COOKIE]["httponly"]
    assert Participant.objects.filter(token_hash=identity.token_hash(token)).exists()
    assert not Participant.objects.filter(token_hash=token).exists()


def test_casting_a_vote_takes_at_most_five_queries(open_consultation, visitor, django_assert_max_num_queries):
    statements = list(open_consultation.statements.published()[:3])
    vote_url = url("vote", open_consultation)
    with django_assert_max_num_queries(5):  # a new participant's first vote, by htmx: the next card comes back
        response = visitor.post(vote_url, {"statement": statements[0].pk, "value": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "k-next-statement" in response.content.decode()
    with django_assert_max_num_queries(5):  # plain form, returning participant
        visitor.post(vote_url, {"statement": statements[1].pk, "value": "-1"})
    with django_assert_max_num_queries(5):  # changing a vote
        visitor.post(vote_url, {"statement": statements[1].pk, "value": "0"}, HTTP_HX_REQUEST="true")
    assert Vote.objects.filter(participant__token_hash=identity.token_hash(TOKEN)).count() == 2


def test_bad_votes_store_nothing(open_consultation, visitor, sample_region):
    closed = Consultation.objects.get(venue=sample_region.venue, status="closed")
    before = Vote.objects.count()
    assert visitor.post(url("vote", open_consultation), {"statement": "x", "value": "1"}).status_code == 400
    statement = open_consultation.statements.published().first()
    assert visitor.post(url("vote", open_consultation), {"statement": statement.pk, "value": "5"}).status_code == 400
    hidden = open_consultation.statements.filter(state="hidden").first()
    assert visitor.post(url("vote", open_consultation), {"statement": hidden.pk, "value": "1"}).status_code == 400
    other = closed.statements.first()
    response = visitor.post(url("vote", closed), {"statement": other.pk, "value": "1"})
    assert response.status_code == 400 and "投票できませんでした" in response.content.decode()
    assert Vote.objects.count() == before


def test_rate_limit_per_participant_with_a_clear_message(open_consultation, visitor, settings):
    settings.KYOSO_CONSULTATION_RATE_LIMITS = {"vote": (2, 100, 60), "statement": (1, 100, 600)}
    statements = list(open_consultation.statements.published()[:3])
    for statement in statements[:2]:
        response = visitor.post(url("vote", open_consultation), {"statement": statement.pk, "value": "1"})
        assert response.status_code == 303
    response = visitor.post(url("vote", open_consultation), {"statement": statements[2].pk, "value": "1"})
    assert response.status_code == 429
    assert "しばらく待ってから" in response.content.decode()
    assert not Vote.objects.filter(statement=statements[2], participant__token_hash=identity.token_hash(TOKEN)).exists()
    visitor.post(url("statement_add", open_consultation), {"text": "一件目の意見です"})
    response = visitor.post(url("statement_add", open_consultation), {"text": "二件目の意見です"})
    assert response.status_code == 429 and "しばらく待ってから" in response.content.decode()
    assert not Statement.objects.filter(text="二件目の意見です").exists()


def test_rate_limit_per_address(open_consultation, settings):
    settings.KYOSO_CONSULTATION_RATE_LIMITS = {"vote": (100, 2, 60)}
    statement = open_consultation.statements.published().first()
    codes = []
    for i in range(3):
        client = Client()
        client.cookies[identity.COOKIE] = chr(ord("a") + i) * 43
        codes.append(client.post(url("vote", open_consultation), {"statement": statement.pk, "value": "1"}).status_code)
    assert codes == [303, 303, 429]


# ----------------------------------------------------------------------------------------------- statements


@pytest.mark.parametrize(("text", "message"), [
    ("", "意見を入力してください"),
    ("   　 ", "意見を入力してください"),
    ("あ" * 501, "500文字以内"),
])
def test_bad_statements_are_refused_with_a_message(open_consultation, visitor, text, message):
    before = Statement.objects.count()
    response = visitor.post(url("statement_add", open_consultation), {"text": text})
    assert response.status_code == 400 and message in response.content.decode()
    assert Statement.objects.count() == before


def test_duplicate_statements_are_refused_even_in_another_width(open_consultation, visitor):
    existing = open_consultation.statements.first().text
    response = visitor.post(url("statement_add", open_consultation), {"text": existing.rstrip("）") + "）！"})
    assert response.status_code == 400 and "同じ意見がすでにあります" in response.content.decode()
    visitor.post(url("statement_add", open_consultation), {"text": "ＡＢＣ駅にエレベーターを"})
    response = visitor.post(url("statement_add", open_consultation), {"text": "abc駅にエレベーターを。"})
    assert "同じ意見がすでにあります" in response.content.decode()
    assert Statement.objects.filter(text__in=["ＡＢＣ駅にエレベーターを", "abc駅にエレベーターを。"]).count() == 1


def test_statement_with_emoji_and_html_is_stored_and_shown_escaped(open_consultation, visitor):
    text = "<script>alert(1)</script> バス停に屋根を 🚌"
    response = visitor.post(url("statement_add", open_consultation), {"text": text})
    assert response.status_code == 303
    statement = Statement.objects.get(text=text)
    assert not statement.is_seed and statement.author is not None and not statement.reviewed
    page = visitor.get(url("detail", open_consultation)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; バス停に屋根を 🚌" in page
    assert "参加者の意見" in page
    assert AuditEvent.objects.filter(object_type="consultations.statement", object_id=str(statement.pk)).exists()


def test_honeypot_stores_nothing(open_consultation, visitor):
    before = (Statement.objects.count(), Comment.objects.count())
    visitor.post(url("statement_add", open_consultation), {"text": "ボットの意見", "website": "http://spam"})
    visitor.post(url("comment_add", open_consultation), {"text": "ボットのコメント", "website": "x"})
    assert (Statement.objects.count(), Comment.objects.count()) == before


def test_comment_and_closed_consultation(open_consultation, visitor, sample_region):
    response = visitor.post(url("comment_add", open_consultation), {"text": "夜の便がほしい\n二行目"})
    assert response.status_code == 303
    assert Comment.objects.filter(text="夜の便がほしい\n二行目").exists()
    response = visitor.post(url("comment_add", open_consultation), {"text": "あ" * 2001})
    assert "2000文字以内" in response.content.decode()
    closed = Consultation.objects.get(venue=sample_region.venue, status="closed")
    response = visitor.post(url("statement_add", closed), {"text": "終了後の意見"})
    assert response.status_code == 400 and "受付を終了" in response.content.decode()
    assert not Statement.objects.filter(text="終了後の意見").exists()


def test_drafts_are_not_public(sample_region, users):
    draft = services.consultation_create(actor=users["secretariat"], venue=sample_region.venue,
                                         title="準備中の意見募集", question="問い")
    client = Client()
    assert client.get(url("detail", draft)).status_code == 404
    assert "準備中の意見募集" not in client.get(reverse("consultations_public:list",
                                                    args=[sample_region.venue.slug])).content.decode()
    assert Consultation.objects.visible_to(users["resident"]).filter(pk=draft.pk).count() == 0
    assert Consultation.objects.visible_to(users["observer"]).filter(pk=draft.pk).count() == 1


def test_email_confirmation_by_signed_link(open_consultation, visitor):
    response = visitor.post(url("email_start", open_consultation), {"email": "taro@example.invalid"})
    assert response.status_code == 303 and len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/email/confirm/" in line)
    visitor.get(link.replace("http://testserver", ""))
    participant = Participant.objects.get(token_hash=identity.token_hash(TOKEN), consultation=open_consultation)
    assert participant.email == "taro@example.invalid" and participant.email_confirmed_at is not None
    bad = visitor.get(url("email_confirm", open_consultation) + "?t=forged")
    assert bad.status_code == 302


# ----------------------------------------------------------------------------------------------- moderation


def test_three_reports_hide_until_reviewed_and_every_step_is_logged(open_consultation, users):
    statement = services.statement_submit(consultation=open_consultation, token="writer" * 8, text="通報される意見")
    for i in range(2):
        assert not services.report_submit(item=statement, token=f"reporter{i}" * 6)
    assert not services.report_submit(item=statement, token="reporter0" * 6)  # the same reporter counts once
    assert services.report_submit(item=statement, token="reporter2" * 6)
    statement.refresh_from_db()
    assert statement.state == "hidden" and not statement.reviewed
    assert not Statement.objects.public().filter(pk=statement.pk).exists()
    services.moderate(actor=users["secretariat"], item=statement, action="unhide")
    statement.refresh_from_db()
    assert statement.state == "published" and statement.reviewed and statement.report_count == 0
    actions = list(ModerationLog.objects.filter(statement=statement).values_list("action", flat=True))
    assert actions == ["auto_hide", "unhide"]


def test_threshold_is_configurable_per_consultation(open_consultation):
    open_consultation.hide_after_reports = 1
    open_consultation.save()
    comment = services.comment_submit(consultation=open_consultation, token="writer" * 8, text="コメント")
    assert services.report_submit(item=comment, token="reporter" * 6)
    comment.refresh_from_db()
    assert comment.state == "hidden"


def test_moderation_pages_and_csv(open_consultation, users):
    client = Client()
    client.force_login(users["secretariat"])
    page = client.get(url("moderation", open_consultation, public=False)).content.decode()
    assert "通報されて自動で非表示になった例" in page
    hidden = open_consultation.statements.get(state="hidden")
    response = client.post(url("moderation", open_consultation, public=False),
                           {"kind": "statement", "item": hidden.pk, "action": "hide", "note": "=HYPERLINK(x)"})
    assert response.status_code == 302
    rows = list(csv.reader(io.StringIO(client.get(url("moderation_log_csv", open_consultation, public=False))
                                       .content.decode("utf-8-sig"))))
    assert rows[0][0] == "日時" and len(rows) == 3
    assert rows[-1][1] == "事務局が非表示" and rows[-1][-1] == "'=HYPERLINK(x)"
    observer = Client()
    observer.force_login(users["observer"])
    assert observer.get(url("moderation", open_consultation, public=False)).status_code == 403


# ------------------------------------------------------------------------------------------------------ map


def test_recompute_runs_as_a_task_and_publish_shows_the_map(open_consultation, users,
                                                            django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(users["secretariat"])
    services.map_publish(actor=users["secretariat"], consultation=open_consultation, published=False)
    assert Client().get(url("map", open_consultation)).status_code == 404
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url("map_recompute", open_consultation, public=False))
    open_consultation.refresh_from_db()
    assert open_consultation.map_status == "queued" and len(callbacks) == 1  # queued, not computed in the request
    callbacks[0]()  # the task (the test settings run tasks immediately when enqueued)
    open_consultation.refresh_from_db()
    assert open_consultation.map_status == "done" and open_consultation.map_k_state["k"] == 3
    client.post(url("map_publish", open_consultation, public=False), {"published": "1"})
    page = Client().get(url("map", open_consultation)).content.decode()
    assert "<svg" in page and 'role="img"' in page and "グループA" in page
    assert "みんなが一致した意見" in page
    assert "通報されて自動で非表示になった例" not in page


def test_answer_through_an_agenda_item_and_a_decision(open_consultation, users, sample_region):
    from kyoso.venues import services as venue_services

    secretariat = users["secretariat"]
    meeting = Meeting.objects.filter(venue=sample_region.venue, status="scheduled").order_by("-starts_at").first()
    client = Client()
    client.force_login(secretariat)
    client.post(url("agenda", open_consultation, public=False), {"meeting": meeting.pk})
    open_consultation.refresh_from_db()
    item = open_consultation.agenda_item
    assert item.meeting == meeting and "参加者 3" in item.description and "グループA" in item.description
    decision = venue_services.decision_create(actor=secretariat, venue=sample_region.venue, title="回答の決定",
                                              text="取り上げる", agenda_item=item, is_public=True)
    venue_services.decision_finalise(actor=secretariat, decision=decision)
    client.post(url("reply", open_consultation, public=False), {"reply": "議題として取り上げました。",
                                                                 "decision": decision.pk})
    page = Client().get(url("detail", open_consultation)).content.decode()
    assert "議題として取り上げました。" in page and item.title in page and "回答の決定" in page


def test_a_private_decision_is_not_linked_publicly(sample_region, users):
    closed = Consultation.objects.get(venue=sample_region.venue, status="closed")
    Consultation.objects.filter(pk=closed.pk).update(decision=None)
    page = Client().get(url("detail", closed)).content.decode()
    assert "まだ公開された決定はありません" in page


# ------------------------------------------------------------------------------------------------------ API


def test_api_shows_public_consultations_with_the_same_visibility(open_consultation, users, sample_region):
    draft = services.consultation_create(actor=users["secretariat"], venue=sample_region.venue,
                                         title="準備中（API）", question="問い")
    services.map_publish(actor=users["secretariat"], consultation=open_consultation, published=False)
    anonymous = Client().get("/api/v1/consultations/", {"venue": sample_region.venue.slug}).json()
    rows = anonymous.get("results", anonymous)
    titles = {row["title"] for row in rows}
    assert open_consultation.title in titles and "準備中（API）" not in titles
    mine = next(row for row in rows if row["id"] == open_consultation.pk)
    assert mine["map"] is None  # unpublished: not for the public
    assert all("通報されて自動で非表示" not in s["text"] for s in mine["statements"])
    member = Client()
    member.force_login(users["observer"])
    detail = member.get(f"/api/v1/consultations/{open_consultation.pk}/").json()
    assert detail["map"]["groups"]
    assert member.get(f"/api/v1/consultations/{draft.pk}/").status_code == 200
    assert Client().get(f"/api/v1/consultations/{draft.pk}/").status_code == 404


def test_long_statement_lists_are_paged(open_consultation, users, visitor):
    for i in range(40):
        services.statement_seed(actor=users["secretariat"], consultation=open_consultation, text=f"追加の意見 {i:02d}")
    first = visitor.get(url("detail", open_consultation)).content.decode()
    # 50 a page, the venue's own first: 18 sample seeds and 32 new on page 1, the rest and participants' on page 2
    assert "追加の意見 31" in first and "追加の意見 32" not in first and "?page=2" in first
    second = visitor.get(url("detail", open_consultation) + "?page=2").content.decode()
    assert "追加の意見 39" in second and "バス停にベンチと屋根をつけてほしい" in second


def test_the_k_smoother_state_is_kept_between_recomputations(open_consultation):
    Consultation.objects.filter(pk=open_consultation.pk).update(map_k_state={"k": 2, "candidate": None, "streak": 0})
    for streak in (1, 2, 3):
        consultation = services.map_compute(consultation_id=open_consultation.pk)
        assert consultation.map_k_state == {"k": 2, "candidate": 3, "streak": streak}
        assert len(consultation.map["groups"]) == 2
    consultation = services.map_compute(consultation_id=open_consultation.pk)
    assert consultation.map_k_state["k"] == 3 and len(consultation.map["groups"]) == 3


def test_malformed_ids_are_refused_without_an_error_page(open_consultation, visitor, users):
    assert visitor.post(url("report", open_consultation), {"kind": "statement", "item": "x"}).status_code == 303
    assert visitor.post(url("vote", open_consultation), {"statement": "1e3", "value": "1"}).status_code == 400
    statement = open_consultation.statements.published().first()
    assert visitor.post(url("vote", open_consultation), {"statement": statement.pk, "value": "yes"}).status_code == 400
    assert not Vote.objects.filter(participant__token_hash=identity.token_hash(TOKEN)).exists()
    client = Client()
    client.force_login(users["secretariat"])
    response = client.post(url("moderation", open_consultation, public=False), {"kind": "comment", "item": "x",
                                                                               "action": "hide"})
    assert response.status_code == 302


def test_premoderated_statements_wait_for_the_secretariat(open_consultation, visitor, users):
    services.consultation_update(actor=users["secretariat"], consultation=open_consultation, premoderate=True)
    response = visitor.post(url("statement_add", open_consultation), {"text": "事前確認される意見"}, follow=True)
    assert "事務局が確認してから公開します" in response.content.decode()
    statement = Statement.objects.get(text="事前確認される意見")
    assert statement.state == "hidden" and not statement.reviewed
    assert "事前確認される意見" not in Client().get(url("detail", open_consultation)).content.decode()
    client = Client()
    client.force_login(users["secretariat"])
    assert "公開する" in client.get(url("moderation", open_consultation, public=False)).content.decode()
    services.moderate(actor=users["secretariat"], item=statement, action="unhide")
    assert "事前確認される意見" in Client().get(url("detail", open_consultation)).content.decode()


def test_the_next_statement_follows_the_routing_priority(open_consultation, visitor):
    services.map_compute(consultation_id=open_consultation.pk)
    ranked = list(Statement.objects.public().filter(consultation=open_consultation).order_by("-priority", "id"))
    assert ranked[0].priority > ranked[-1].priority
    page = visitor.get(url("detail", open_consultation)).content.decode()
    card = page.split('id="k-next-statement"')[1].split("</q>")[0]
    assert ranked[0].text in card
    new = services.statement_submit(consultation=open_consultation, token="n" * 43, text="まだ誰も見ていない意見")
    assert new.priority > ranked[0].priority  # nobody has seen it: shown early


def test_admin_pages_are_read_only(users, open_consultation):
    client = Client()
    client.force_login(users["admin"])
    assert client.get("/admin/consultations/consultation/").status_code == 200
    assert client.get(f"/admin/consultations/consultation/{open_consultation.pk}/change/").status_code == 200
    assert client.get("/admin/consultations/moderationlog/").status_code == 200
    assert client.get("/admin/consultations/consultation/add/").status_code == 403


def test_secretariat_creates_edits_seeds_and_opens(sample_region, users):
    client = Client()
    client.force_login(users["secretariat"])
    slug = sample_region.venue.slug
    response = client.post(reverse("consultations:create", args=[slug]),
                           {"title": "新しい意見募集", "question": "どう思いますか", "hide_after_reports": "3"})
    consultation = Consultation.objects.get(title="新しい意見募集")
    assert response.status_code == 302 and consultation.status == "draft"
    refused = client.post(url("set_status", consultation, public=False), {"status": "open"}, follow=True)
    assert "1件以上登録してください" in refused.content.decode()
    client.post(url("seed", consultation, public=False), {"text": "場の意見その1"})
    client.post(url("edit", consultation, public=False), {"title": "新しい意見募集（改）", "question": "どう思いますか",
                                                          "hide_after_reports": "5"})
    client.post(url("set_status", consultation, public=False), {"status": "open"})
    consultation.refresh_from_db()
    assert (consultation.title, consultation.hide_after_reports, consultation.status) == ("新しい意見募集（改）", 5,
                                                                                           "open")
    assert consultation.statements.get().is_seed
    assert AuditEvent.objects.filter(object_type="consultations.consultation", object_id=str(consultation.pk),
                                     action="update").count() >= 2
    assert Client().get(url("detail", consultation)).status_code == 200
