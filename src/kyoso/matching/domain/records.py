"""What the ranking core knows about a researcher: plain frozen dataclasses, no Django.

The Django app turns its models (imported from researchmap, KAKEN or the generic JSON Lines format) into
these documents and hands them to :class:`kyoso.matching.domain.search.MatchIndex`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RECORD_TYPES = ("paper", "grant", "patent", "seed")


@dataclass(frozen=True)
class RecordDoc:
    """One research record: a paper, a grant (e.g. a KAKEN project), a patent or a technology seed sheet."""

    id: str
    type: str  # "paper" | "grant" | "patent" | "seed"
    title: str
    abstract: str = ""
    year: int | None = None
    lang: str | None = None  # "ja" | "en" | None (unknown)


@dataclass(frozen=True)
class ResearcherDoc:
    """A researcher with the records that describe what they can do."""

    id: str
    name: str
    name_en: str = ""
    organization: str = ""
    prefecture_code: str | None = None
    keywords: tuple[str, ...] = ()
    records: tuple[RecordDoc, ...] = ()


def researcher_from_dict(data: dict[str, Any]) -> ResearcherDoc:
    """A ResearcherDoc from one line of the generic JSON Lines format (see the README)."""
    records = tuple(
        RecordDoc(
            id=str(r["id"]),
            type=str(r.get("type", "paper")),
            title=str(r.get("title", "")),
            abstract=str(r.get("abstract") or ""),
            year=int(r["year"]) if r.get("year") not in (None, "") else None,
            lang=r.get("lang"),
        )
        for r in data.get("records", ())
    )
    return ResearcherDoc(
        id=str(data["id"]),
        name=str(data.get("name", "")),
        name_en=str(data.get("name_en") or ""),
        organization=str(data.get("organization") or ""),
        prefecture_code=data.get("prefecture_code"),
        keywords=tuple(str(k) for k in data.get("keywords", ())),
        records=records,
    )


def researcher_to_dict(doc: ResearcherDoc) -> dict[str, Any]:
    """The inverse of :func:`researcher_from_dict` (used to persist an index)."""
    return {
        "id": doc.id,
        "name": doc.name,
        "name_en": doc.name_en,
        "organization": doc.organization,
        "prefecture_code": doc.prefecture_code,
        "keywords": list(doc.keywords),
        "records": [
            {"id": r.id, "type": r.type, "title": r.title, "abstract": r.abstract, "year": r.year, "lang": r.lang}
            for r in doc.records
        ],
    }
