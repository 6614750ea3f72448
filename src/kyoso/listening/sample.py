"""The demo's clustered upload: a few hundred invented survey answers (サンプル), clustered and published.

The answers come from the planted corpus (``domain/corpus.py``: every sentence is invented for the demo), written
to a Shift_JIS CSV as a municipality's survey export would be, and go through the same services as an upload by
the secretariat; the clustering runs here (``kyoso demo``), with the shipped embedding model.
"""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from .domain.corpus import planted_answers
from .models import SurveyUpload

SAMPLE_TITLE = "市民意識調査「市政へのご意見」自由記述（サンプル・架空の回答）"
SAMPLE_SOURCE = ("【サンプル】デモ用に作った架空のアンケートの回答 320 件です。実在の調査・回答者とは関係ありません。"
                 "設問：「市政への要望やご意見を自由にお書きください」。")
SAMPLE_ANSWERS = 320
SAMPLE_SEED = 2026


def sample_csv(n: int = SAMPLE_ANSWERS, seed: int = SAMPLE_SEED) -> bytes:
    """The sample survey as Excel writes a CSV in Japan (Shift_JIS / cp932): 回答番号, 年代, 地区, 自由記述."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["回答番号", "年代", "地区", "市政へのご意見（自由記述）"])
    ages = ["10代", "20代", "30代", "40代", "50代", "60代", "70代以上"]
    areas = ["サンプル北地区", "サンプル南地区", "サンプル中央地区", "サンプル湖西地区"]
    for i, answer in enumerate(planted_answers(n, seed, noise=0.04), 1):
        writer.writerow([i, ages[i % len(ages)], areas[i % len(areas)], answer.text])
        if i % 25 == 0:
            writer.writerow([f"{i}b", ages[0], areas[0], ""])  # a blank answer, skipped as in real exports
    return out.getvalue().encode("cp932")


def build_sample_upload(*, venue: Any, actor: Any) -> str:
    """Create, cluster and publish the sample upload once; a later run does nothing."""
    from . import services

    if SurveyUpload.objects.filter(venue=venue, title=SAMPLE_TITLE).exists():
        return "Listening: sample survey already clustered."
    started = time.perf_counter()
    upload = services.upload_create(actor=actor, venue=venue, title=SAMPLE_TITLE, source=SAMPLE_SOURCE,
                                    filename="市民意識調査_自由記述_サンプル.csv", content=sample_csv(),
                                    is_sample=True)
    upload = services.upload_choose_column(actor=actor, upload=upload, column=3, seed=SAMPLE_SEED)
    # The task is queued on commit (a worker would run it); the demo build runs it now so the result is ready.
    upload = services.run_clustering(upload.pk)
    if upload.status == SurveyUpload.Status.DONE:
        services.upload_publish(actor=actor, upload=upload, publish=True)
    return (f"Listening: sample survey of {upload.answer_count} answers clustered into {upload.topic_count} topics "
            f"({upload.get_status_display()}, {time.perf_counter() - started:.1f} s).")
