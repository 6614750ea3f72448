"""Services of the listening area: upload, column choice, the clustering task, publication, agenda, visibility."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kyoso.common.models import AuditEvent
from kyoso.listening import services
from kyoso.listening.models import Answer, SurveyUpload, Topic
from kyoso.listening.tests.objects import CSV, clustered_upload
from kyoso.venues.models import Venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def venue(sample_region):
    return Venue.objects.get(slug="hamamatsu-sample")


@pytest.fixture(autouse=True)
def _cheap_embedding(settings):
    settings.KYOSO_LISTENING_EMBEDDER = "hashing"


def test_upload_stores_the_header_and_first_rows_and_waits_for_the_column(venue, users):
    upload = services.upload_create(actor=users["secretariat"], venue=venue, title="調査", source="出典",
                                    filename="survey.csv", content=CSV)
    assert upload.status == SurveyUpload.Status.PENDING and upload.encoding == "cp932"
    assert upload.columns == ["番号", "ご意見"] and upload.row_count == 11
    assert upload.preview[0] == ["1", "バスの本数が少ないので増やしてほしい（1）"]
    assert services.suggested_column(upload) == 1
    assert AuditEvent.objects.filter(object_type="listening.surveyupload", object_id=str(upload.pk),
                                     action="create").exists()


def test_a_malformed_file_names_the_line_and_stores_nothing(venue, users):
    broken = "番号,ご意見\n1,よい\n2,\"閉じていない\n3,x\n".encode()
    with pytest.raises(services.UploadRefused) as refused:
        services.upload_create(actor=users["secretariat"], venue=venue, title="調査", source="",
                               filename="survey.csv", content=broken)
    assert refused.value.messages == ["3 行目：CSVの形式が壊れています（引用符が閉じていないなど）。"]
    assert not SurveyUpload.objects.exists()


def test_only_the_secretariat_uploads(venue, users):
    with pytest.raises(PermissionDenied):
        services.upload_create(actor=users["ura"], venue=venue, title="調査", source="", filename="s.csv",
                               content=CSV)


def test_choosing_the_column_stores_answers_and_runs_the_task_on_commit(venue, users,
                                                                        django_capture_on_commit_callbacks):
    upload = services.upload_create(actor=users["secretariat"], venue=venue, title="調査", source="",
                                    filename="survey.csv", content=CSV)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.upload_choose_column(actor=users["secretariat"], upload=upload, column=1, k=2)
    assert len(callbacks) == 1  # the clustering task, queued (run here by the test settings' immediate backend)
    upload.refresh_from_db()
    assert upload.status == SurveyUpload.Status.DONE and upload.progress == 100
    assert (upload.answer_count, upload.skipped_count, upload.topic_count) == (10, 1, 2)
    assert upload.content == b""  # the file itself is not kept once its answers are stored
    assert upload.text_column == "ご意見" and upload.parameters["k"] == 2
    topics = list(upload.topics.order_by("number"))
    labels = {t.label for t in topics}
    assert len(labels) == 2 and all(t.label for t in topics)
    assert sum(t.size for t in topics) == 10
    for topic in topics:
        members = set(topic.answers.values_list("pk", flat=True))
        assert len(members) == topic.size and set(topic.representative_ids) <= members
    assert not Answer.objects.filter(upload=upload, topic__isnull=True).exists()
    # bus answers together, childcare answers together
    bus = {a.topic_id for a in Answer.objects.filter(upload=upload, text__contains="バス")}
    care = {a.topic_id for a in Answer.objects.filter(upload=upload, text__contains="保育園")}
    assert len(bus) == 1 and len(care) == 1 and bus != care


def test_a_column_without_answers_is_refused(venue, users):
    content = "番号,ご意見,空\n1,よい,\n".encode()
    upload = services.upload_create(actor=users["secretariat"], venue=venue, title="調査", source="",
                                    filename="s.csv", content=content)
    with pytest.raises(ValidationError, match="列「空」には回答がありません"):
        services.upload_choose_column(actor=users["secretariat"], upload=upload, column=2)
    upload.refresh_from_db()
    assert upload.status == SurveyUpload.Status.PENDING and not upload.answers.exists()


def test_a_failing_clustering_is_recorded_and_stores_no_topics(venue, users):
    upload = services.upload_create(actor=users["secretariat"], venue=venue, title="調査", source="",
                                    filename="survey.csv", content=CSV)
    services.upload_choose_column(actor=users["secretariat"], upload=upload, column=1)

    def broken(texts):
        raise RuntimeError("model missing")

    upload = services.run_clustering(upload.pk, embed=broken)
    assert upload.status == SurveyUpload.Status.FAILED and "model missing" in upload.error
    assert not Topic.objects.filter(upload=upload).exists()
    assert services.run_clustering(upload.pk).status == SurveyUpload.Status.FAILED  # not claimed again


def test_visibility_is_decided_in_the_queryset(sample_region, users):
    hidden = clustered_upload(publish=False, title="非公開の調査")
    shown = clustered_upload(publish=True, title="公開の調査")
    from django.contrib.auth.models import AnonymousUser

    assert list(SurveyUpload.objects.public()) == [shown]
    assert list(SurveyUpload.objects.visible_to(AnonymousUser())) == [shown]
    assert list(SurveyUpload.objects.visible_to(users["ura"])) == [shown]  # a member, not the secretariat
    assert set(SurveyUpload.objects.visible_to(users["secretariat"])) == {hidden, shown}
    assert set(SurveyUpload.objects.visible_to(users["admin"])) == {hidden, shown}
    Venue.objects.filter(slug="hamamatsu-sample").update(is_public=False)
    assert not SurveyUpload.objects.public().exists()


def test_publish_only_a_finished_result_and_withdraw_it(venue, users):
    upload = services.upload_create(actor=users["secretariat"], venue=venue, title="調査", source="",
                                    filename="survey.csv", content=CSV)
    with pytest.raises(ValidationError):
        services.upload_publish(actor=users["secretariat"], upload=upload, publish=True)
    done = clustered_upload(publish=False)
    done = services.upload_publish(actor=users["secretariat"], upload=done, publish=True)
    assert done.is_published and done.published_at
    done = services.upload_publish(actor=users["secretariat"], upload=done, publish=False)
    assert not done.is_published and not SurveyUpload.objects.public().exists()
    with pytest.raises(PermissionDenied):
        services.upload_publish(actor=users["ura"], upload=done, publish=True)


def test_the_result_becomes_an_agenda_item_of_the_next_meeting(venue, users):
    upload = clustered_upload(publish=False)
    meeting = services.next_meeting(venue)
    assert meeting is not None and meeting.title == "第4回 全体会議（サンプル）"
    item = services.upload_to_agenda(actor=users["secretariat"], upload=upload)
    assert item.meeting == meeting and item.title == "意見の分類結果：テスト調査（サンプル）"
    assert "自由記述 10 件を 2 のトピックに分類した結果" in item.description
    for topic in upload.topics.all():
        assert f"- {topic.label}（{topic.size} 件）" in item.description
    assert "「" + upload.answers.first().text[:10] not in item.description  # unpublished: no resident's words
    upload.refresh_from_db()
    assert upload.agenda_item == item
    published = services.upload_publish(actor=users["secretariat"], upload=upload, publish=True)
    again = services.upload_to_agenda(actor=users["secretariat"], upload=published)
    representative = Answer.objects.get(pk=published.topics.get(number=1).representative_ids[0])
    assert f"「{representative.text}」" in again.description
    meeting.delete()
    with pytest.raises(ValidationError, match="開催予定の会議がありません"):
        services.upload_to_agenda(actor=users["secretariat"], upload=upload)
