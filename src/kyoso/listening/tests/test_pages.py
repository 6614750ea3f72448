"""The listening pages: the secretariat's upload → column → result flow, and the public result pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kyoso.listening.models import SurveyUpload
from kyoso.listening.tests.objects import CSV, clustered_upload

pytestmark = pytest.mark.django_db

SLUG = "hamamatsu-sample"


@pytest.fixture(autouse=True)
def _cheap_embedding(settings):
    settings.KYOSO_LISTENING_EMBEDDER = "hashing"


@pytest.fixture
def secretariat(users):
    client = Client()
    client.force_login(users["secretariat"])
    return client


def test_the_venue_home_links_the_secretariat_to_the_uploads(secretariat, users):
    url = reverse("listening:upload_list", args=[SLUG])
    assert url in secretariat.get(reverse("venues:venue_detail", args=[SLUG])).content.decode()
    member = Client()
    member.force_login(users["ura"])
    assert url not in member.get(reverse("venues:venue_detail", args=[SLUG])).content.decode()


def test_upload_choose_column_and_see_the_topics(secretariat, django_capture_on_commit_callbacks):
    response = secretariat.post(reverse("listening:upload_create", args=[SLUG]), {
        "title": "交通と子育ての調査", "source": "テスト",
        "file": SimpleUploadedFile("調査.csv", CSV, "text/csv")})
    upload = SurveyUpload.objects.get(title="交通と子育ての調査")
    assert response.status_code == 302 and response["Location"] == reverse(
        "listening:upload_column", args=[SLUG, upload.pk])
    page = secretariat.get(response["Location"]).content.decode()
    assert "バスの本数が少ないので増やしてほしい（1）" in page  # the preview
    assert 'id="id_column_1" checked' in page  # the longest-text column is suggested
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat.post(response["Location"], {"column": "1", "k": "2"})
    assert response.status_code == 302 and response["Location"] == upload.get_absolute_url()
    page = secretariat.get(upload.get_absolute_url()).content.decode()
    assert "10 件の回答を 2 のトピックに分類しました。" in page
    upload.refresh_from_db()
    for topic in upload.topics.all():
        assert topic.label in page
    # the answers of one topic
    answers = secretariat.get(reverse("listening:upload_answers", args=[SLUG, upload.pk]) + "?topic=1")
    assert answers.status_code == 200
    assert answers.content.decode().count("<tr>") == upload.topics.get(number=1).size + 1  # + the header row


def test_a_malformed_file_shows_the_line_and_stores_nothing(secretariat):
    response = secretariat.post(reverse("listening:upload_create", args=[SLUG]), {
        "title": "壊れた調査", "file": SimpleUploadedFile("a.csv", "番号,ご意見\n1,\"閉じていない\n".encode())})
    assert response.status_code == 200
    assert "2 行目：CSVの形式が壊れています" in response.content.decode()
    assert not SurveyUpload.objects.exists()


def test_a_file_too_large_is_refused_before_it_is_read(secretariat, settings):
    from kyoso.listening import services

    big = SimpleUploadedFile("big.csv", b"x" * (services.MAX_UPLOAD_BYTES + 1), "text/csv")
    response = secretariat.post(reverse("listening:upload_create", args=[SLUG]), {"title": "大きい", "file": big})
    assert response.status_code == 200 and "ファイルが大きすぎます（20 MB まで）。" in response.content.decode()
    assert not SurveyUpload.objects.exists()


def test_progress_is_polled_with_htmx_and_has_a_refresh_link(secretariat, sample_region):
    upload = clustered_upload(publish=False)
    SurveyUpload.objects.filter(pk=upload.pk).update(status="running", stage="embed", progress=40)
    page = secretariat.get(upload.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in page and "最新の状態を表示する" in page and 'value="40"' in page
    partial = secretariat.get(upload.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="upload-status"') and "<html" not in partial


def test_publish_then_the_public_sees_topics_but_not_every_answer(secretariat, sample_region):
    upload = clustered_upload(publish=False, content=(
        "番号,ご意見\n"
        + "".join(f"{i},<script>alert({i})</script>バスが少ない\n" for i in range(1, 5))
        + "".join(f"{i},保育園が足りない{i}\n" for i in range(5, 12))).encode())
    public_url = upload.get_public_url()
    anonymous = Client()
    assert anonymous.get(public_url).status_code == 404
    assert upload.title not in anonymous.get(reverse("listening_public:result_list", args=[SLUG])).content.decode()
    secretariat.post(reverse("listening:upload_publish", args=[SLUG, upload.pk]), {"publish": "1"})
    page = anonymous.get(public_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(" in html  # residents' words are escaped
    shown = sum(html.count(f"保育園が足りない{i}」") for i in range(5, 12))
    assert shown == 3  # the representative answers only (3 of that topic's 7)
    assert upload.title in anonymous.get(reverse("listening_public:result_list", args=[SLUG])).content.decode()
    secretariat.post(reverse("listening:upload_publish", args=[SLUG, upload.pk]), {"publish": "0"})
    assert anonymous.get(public_url).status_code == 404


def test_turn_the_result_into_an_agenda_item(secretariat, sample_region):
    upload = clustered_upload(publish=False)
    response = secretariat.post(reverse("listening:upload_agenda", args=[SLUG, upload.pk]))
    upload.refresh_from_db()
    assert upload.agenda_item is not None
    assert response["Location"] == upload.agenda_item.meeting.get_absolute_url()
    assert "意見の分類結果" in secretariat.get(response["Location"]).content.decode()


def test_staff_read_uploads_in_the_admin(users, sample_region):
    upload = clustered_upload(publish=False)
    client = Client()
    client.force_login(users["admin"])
    assert client.get("/admin/listening/surveyupload/").status_code == 200
    page = client.get(f"/admin/listening/surveyupload/{upload.pk}/change/")
    assert page.status_code == 200 and upload.topics.first().label in page.content.decode()
