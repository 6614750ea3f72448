"""A clustered, published upload for page tests and the permission walk (invented answers, サンプル)."""

from __future__ import annotations

from typing import Any

from kyoso.listening.domain.topics import hashing_embed

CSV = ("番号,ご意見\n"
       + "".join(f"{i},バスの本数が少ないので増やしてほしい（{i}）\n" for i in range(1, 6))
       + "".join(f"{i},保育園が足りず待機児童が多い（{i}）\n" for i in range(6, 11))
       + "11,\n").encode("cp932")


def clustered_upload(*, publish: bool = True, title: str = "テスト調査（サンプル）", content: bytes = CSV,
                     column: int = 1, k: int | None = 2) -> Any:
    """An upload of the sample venue, clustered with the cheap hashing embedding (no model), in the caller's
    transaction."""
    from kyoso.listening import services
    from kyoso.venues.models import Venue

    venue = Venue.objects.get(slug="hamamatsu-sample")
    upload = services.upload_create(actor=None, venue=venue, title=title, source="テスト用の架空の回答",
                                    filename="survey.csv", content=content)
    upload = services.upload_choose_column(actor=None, upload=upload, column=column, k=k)
    upload = services.run_clustering(upload.pk, embed=hashing_embed)
    if publish:
        upload = services.upload_publish(actor=None, upload=upload, publish=True)
    return upload


def permission_objects() -> dict[str, Any]:
    return {"survey_upload": clustered_upload()}
