"""Reading researcher profiles from researchmap, KAKEN and the generic JSON Lines format. No Django.

Each parser takes the uploaded bytes and returns a :class:`ParseResult`: the researchers that could be read
(:class:`ParsedResearcher`, each with its identities and records) and every :class:`Problem` found, with its
position (``line`` for line-based formats, ``path`` a JSON path such as ``$[2].records[1].title``, or an
element path for XML) and a reason ``code`` from :data:`PROBLEM_CODES`; the Django layer writes the message.
A bad record is left out and reported; a researcher without a name is left out as a whole. Parsers never
raise on bad input: truncated JSON, wrong types, wrong encodings, empty files and random bytes all become
problems.

Formats
-------
* ``jsonl`` — one researcher per line, exactly::

      {"id", "name", "name_en"?, "organization"?, "prefecture_code"?, "keywords"?: [..],
       "records": [{"id", "type": "paper"|"grant"|"patent"|"seed", "title", "abstract"?, "year"?, "lang"?}]}

* ``researchmap`` — the researchmap API v2 JSON (``GET https://api.researchmap.jp/{permalink}``: a profile
  with ``family_name``/``given_name`` as ``{ja, en, ja-Kana}``, ``permalink`` and an ``@graph`` of sections
  with ``@type`` and ``items``), a JSON list of such profiles, or one profile per line; or the CSV files the
  JapanScholarScraper writes from that API (a researchers file with ``slug, 氏名, 氏名(英語), …`` and a works
  file with ``researcher, slug, sheet, authors, title, venue, type, language, is_lead_author, date``).
* ``kaken`` — KAKEN: the project search export as XML (OpenSearch ``grantAward`` elements with ``summary``,
  ``title``, ``member`` …) or CSV (``研究課題名``, ``研究代表者``, …), the researcher API JSON (``researchers[]``
  with ``name``, ``affiliations:current``, ``id:person:erad``, ``work:project``), or a researcher summary CSV
  (``氏名, 所属, 部署, 職位, 研究者番号, 科研代表``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kyoso.common.domain.fileimport import (
    ImportProblem,
    Problem,
    clean_text,
    csv_rows,
    decode_text,
    parse_year,
)
from kyoso.common.domain.fileimport import normalize_code as _code

from .records import RECORD_TYPES, RecordDoc, ResearcherDoc

try:  # defusedxml refuses entity expansion and external entities; it is installed with the dependencies
    from defusedxml import ElementTree as SafeET
except ImportError:  # pragma: no cover
    from xml.etree import ElementTree as SafeET  # noqa: N814

FORMATS = ("researchmap", "kaken", "jsonl")
IDENTITY_KINDS = ("researchmap", "kaken", "orcid", "local")
MAX_RESEARCHERS = 200_000

#: Every reason code a :class:`Problem` can carry, with what it means (for the translators of the codes).
PROBLEM_CODES: dict[str, str] = {
    "empty": "The file has no researcher in it.",
    "encoding": "The file is neither UTF-8 nor Shift_JIS (cp932), or contains binary data.",
    "json_syntax": "The JSON is broken, e.g. truncated (detail: message).",
    "xml_syntax": "The XML is broken or uses forbidden entities (detail: message).",
    "csv_syntax": "Broken CSV quoting (detail: message).",
    "unknown_layout": "The file does not look like the chosen format (detail: expected).",
    "not_an_object": "A researcher (or record) is not a JSON object (detail: found).",
    "wrong_type": "A field has the wrong type (detail: field, expected, found).",
    "missing_name": "A researcher has no name.",
    "missing_id": "A researcher has no id (detail: field).",
    "duplicate_id": "The same researcher id appears twice in the file (detail: id, first).",
    "missing_title": "A record has no title.",
    "missing_record_id": "A record has no id.",
    "duplicate_record": "The same record id appears twice for one researcher (detail: id).",
    "unknown_record_type": "A record's type is not paper, grant, patent or seed (detail: value).",
    "bad_year": "A year is not a year between 1900 and 2100 (detail: value).",
    "bad_prefecture": "A prefecture code is not 01–47 (detail: value).",
    "too_many": "More researchers than allowed (detail: max); reading stopped there.",
}


# Problem (code, line, path, detail) is the toolkit's (kyoso.common.domain.fileimport), as are the text cleaning
# (clean_text, NFKC codes), year parsing and byte decoding used below.
__all__ = ["FORMATS", "PROBLEM_CODES", "ParseResult", "ParsedRecord", "ParsedResearcher", "Problem", "clean_text",
           "merged", "parse", "parse_year"]


@dataclass(frozen=True, slots=True)
class Identity:
    kind: str  # one of IDENTITY_KINDS
    value: str


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    external_id: str
    type: str
    title: str
    abstract: str = ""
    year: int | None = None
    lang: str | None = None
    venue_name: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class ParsedResearcher:
    """A researcher as read from a file. Empty fields mean "not in the file" (an update keeps what is stored)."""

    position: str  # where it was read: "line 3", "$[2]", "grantAward[4]" — for messages
    name: str
    identities: tuple[Identity, ...]
    name_en: str = ""
    name_kana: str = ""
    organization: str = ""
    department: str = ""
    job_title: str = ""
    prefecture_code: str = ""
    keywords: tuple[str, ...] = ()
    records: tuple[ParsedRecord, ...] = ()
    profile_url: str = ""
    line: int | None = None

    def to_doc(self, doc_id: str) -> ResearcherDoc:
        return ResearcherDoc(
            id=doc_id, name=self.name, name_en=self.name_en, organization=self.organization,
            prefecture_code=self.prefecture_code or None, keywords=self.keywords,
            records=tuple(RecordDoc(id=r.external_id, type=r.type, title=r.title, abstract=r.abstract,
                                    year=r.year, lang=r.lang) for r in self.records),
        )


@dataclass(frozen=True, slots=True)
class ParseResult:
    researchers: tuple[ParsedResearcher, ...]
    problems: tuple[Problem, ...]
    encoding: str = ""


# --------------------------------------------------------------------------- small helpers

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])")
_ERAD = re.compile(r"(?<!\d)(\d{8})(?!\d)")


def normalize_lang(value: object, text: str = "") -> str | None:
    """"ja" / "en" from researchmap's jpn/eng, 日本語/英語, ja/en …; else guessed from the script of ``text``."""
    key = _code(value).lower()
    if key in {"ja", "jpn", "jp", "japanese", "日本語"}:
        return "ja"
    if key in {"en", "eng", "english", "英語"}:
        return "en"
    if key:
        return None
    if text:
        return "ja" if _CJK.search(text) else "en"
    return None


def normalize_prefecture(value: object) -> str | None:
    """A two-digit prefecture code ("22") from 22, "22", "２２" or "22130" (a municipality code); else None."""
    if isinstance(value, bool):
        return None
    text = _code(value)
    if re.fullmatch(r"\d{1,2}", text) or re.fullmatch(r"\d{5,6}", text):
        code = text.zfill(2)[:2] if len(text) <= 2 else text[:2]
        if 1 <= int(code) <= 47:
            return code
    return None


def normalize_orcid(value: object) -> str | None:
    match = _ORCID.search(_code(value).upper())
    return match.group(1) if match else None


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _type_name(value: object) -> str:
    return {dict: "object", list: "array", str: "string", int: "number", float: "number",
            bool: "boolean", type(None): "null"}.get(type(value), type(value).__name__)


def _decode(data: bytes) -> tuple[str | None, str, list[Problem]]:
    if not data or not data.strip():
        return None, "", [Problem("empty", line=1)]
    try:
        text, encoding = decode_text(data)
    except ImportProblem as exc:
        return None, "", [Problem("encoding", line=exc.line, detail=dict(exc.detail))]
    if not text.strip():
        return None, encoding, [Problem("empty", line=1)]
    return text, encoding, []


def _finish(researchers: list[ParsedResearcher], problems: list[Problem], encoding: str,
            key: str = "id") -> ParseResult:
    """Refuse a second researcher with the same identity in one file; report an empty result."""
    seen: dict[Identity, str] = {}
    kept: list[ParsedResearcher] = []
    for researcher in researchers:
        clash = next((i for i in researcher.identities if i in seen), None)
        if clash is not None:
            problems.append(Problem("duplicate_id", line=researcher.line, path=researcher.position,
                                    detail={"id": clash.value, "first": seen[clash]}))
            continue
        for identity in researcher.identities:
            seen[identity] = researcher.position
        kept.append(researcher)
    if not kept and not problems:
        problems.append(Problem("empty", line=1))
    return ParseResult(tuple(kept), tuple(problems), encoding)


def _dedupe_records(records: Iterable[ParsedRecord], problems: list[Problem], line: int | None,
                    path: str, report: bool = True) -> tuple[ParsedRecord, ...]:
    seen: set[str] = set()
    kept: list[ParsedRecord] = []
    for record in records:
        if record.external_id in seen:
            if report:
                problems.append(Problem("duplicate_record", line=line, path=path, detail={"id": record.external_id}))
            continue
        seen.add(record.external_id)
        kept.append(record)
    return tuple(kept)


# --------------------------------------------------------------------------- generic JSON Lines

def _str_field(obj: Mapping[str, Any], key: str, problems: list[Problem], line: int, path: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        problems.append(Problem("wrong_type", line=line, path=f"{path}.{key}",
                                detail={"field": key, "expected": "string", "found": _type_name(value)}))
        return ""
    return clean_text(value)


def _jsonl_record(obj: object, line: int, path: str, problems: list[Problem]) -> ParsedRecord | None:
    if not isinstance(obj, dict):
        problems.append(Problem("not_an_object", line=line, path=path, detail={"found": _type_name(obj)}))
        return None
    before = len(problems)
    record_id = _str_field(obj, "id", problems, line, path)
    title = _str_field(obj, "title", problems, line, path)
    kind = clean_text(obj.get("type", "paper")).lower() if isinstance(obj.get("type", "paper"), str) else None
    if len(problems) > before:
        return None
    if not record_id:
        problems.append(Problem("missing_record_id", line=line, path=f"{path}.id"))
        return None
    if not title:
        problems.append(Problem("missing_title", line=line, path=f"{path}.title"))
        return None
    if kind not in RECORD_TYPES:
        problems.append(Problem("unknown_record_type", line=line, path=f"{path}.type",
                                detail={"value": clean_text(obj.get("type"), 50) or _type_name(obj.get("type"))}))
        return None
    year = None
    if obj.get("year") not in (None, ""):
        year = parse_year(obj["year"]) if not isinstance(obj["year"], float) else parse_year(int(obj["year"]))
        if year is None:
            problems.append(Problem("bad_year", line=line, path=f"{path}.year",
                                    detail={"value": clean_text(obj["year"], 50)}))
            return None
    abstract = _str_field(obj, "abstract", problems, line, path)
    lang = normalize_lang(obj.get("lang") if isinstance(obj.get("lang"), str) else None, f"{title} {abstract}")
    return ParsedRecord(external_id=record_id, type=kind, title=title, abstract=abstract, year=year, lang=lang)


def _jsonl_researcher(obj: object, line: int, path: str, problems: list[Problem]) -> ParsedResearcher | None:
    if not isinstance(obj, dict):
        problems.append(Problem("not_an_object", line=line, path=path, detail={"found": _type_name(obj)}))
        return None
    before = len(problems)
    given_id = _str_field(obj, "id", problems, line, path)
    name = _str_field(obj, "name", problems, line, path)
    if len(problems) > before:
        return None
    if not given_id:
        problems.append(Problem("missing_id", line=line, path=f"{path}.id", detail={"field": "id"}))
        return None
    if not name:
        problems.append(Problem("missing_name", line=line, path=f"{path}.name"))
        return None
    prefecture = ""
    if obj.get("prefecture_code") not in (None, ""):
        prefecture = normalize_prefecture(obj["prefecture_code"]) or ""
        if not prefecture:
            problems.append(Problem("bad_prefecture", line=line, path=f"{path}.prefecture_code",
                                    detail={"value": clean_text(obj["prefecture_code"], 20)}))
    keywords: tuple[str, ...] = ()
    raw_keywords = obj.get("keywords")
    if isinstance(raw_keywords, list):
        keywords = tuple(dict.fromkeys(k for k in (clean_text(x, 200) for x in raw_keywords) if k))
    elif raw_keywords is not None:
        problems.append(Problem("wrong_type", line=line, path=f"{path}.keywords",
                                detail={"field": "keywords", "expected": "array", "found": _type_name(raw_keywords)}))
    records: list[ParsedRecord] = []
    raw_records = obj.get("records", [])
    if isinstance(raw_records, list):
        for index, item in enumerate(raw_records):
            record = _jsonl_record(item, line, f"{path}.records[{index}]", problems)
            if record:
                records.append(record)
    elif raw_records is not None:
        problems.append(Problem("wrong_type", line=line, path=f"{path}.records",
                                detail={"field": "records", "expected": "array", "found": _type_name(raw_records)}))
    identities = [Identity("local", given_id)]
    return ParsedResearcher(
        position=f"line {line}", line=line, name=name, identities=tuple(identities),
        name_en=_str_field(obj, "name_en", problems, line, path),
        organization=_str_field(obj, "organization", problems, line, path),
        prefecture_code=prefecture, keywords=keywords,
        records=_dedupe_records(records, problems, line, f"{path}.records"),
    )


def parse_jsonl(data: bytes) -> ParseResult:
    """The generic JSON Lines format: one researcher object per line; blank lines are skipped."""
    text, encoding, problems = _decode(data)
    if text is None:
        return ParseResult((), tuple(problems), encoding)
    researchers: list[ParsedResearcher] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        if len(researchers) >= MAX_RESEARCHERS:
            problems.append(Problem("too_many", line=number, detail={"max": MAX_RESEARCHERS}))
            break
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            problems.append(Problem("json_syntax", line=number, path="$", detail={"message": str(exc)[:200]}))
            continue
        researcher = _jsonl_researcher(obj, number, "$", problems)
        if researcher:
            researchers.append(researcher)
    return _finish(researchers, problems, encoding)


# --------------------------------------------------------------------------- researchmap

def _ml(value: object, prefer: str = "ja") -> str:
    """A researchmap multilingual field ``{"ja": …, "en": …}`` (or a plain string) as text."""
    if isinstance(value, dict):
        order = [prefer, "ja" if prefer == "en" else "en", "ja-Kana"]
        for key in order:
            if key in value:
                text = _ml(value[key], prefer)
                if text:
                    return text
        return ""
    if isinstance(value, list):
        return "; ".join(t for t in (_ml(v, prefer) for v in value) if t)
    return clean_text(value)


def _ml_exact(value: object, key: str) -> str:
    return clean_text(value.get(key)) if isinstance(value, dict) else ""


_RM_TITLE_FIELDS = {
    "published_papers": ("paper", "paper_title"),
    "misc": ("paper", "paper_title"),
    "books_etc": ("paper", "book_title"),
    "presentations": ("paper", "presentation_title"),
    "industrial_property_rights": ("patent", "industrial_property_right_title"),
    "research_projects": ("grant", "research_project_title"),
    "works": ("seed", "work_title"),
}
_RM_VENUE_FIELDS = ("publication_name", "publisher", "event", "offer_organization", "system_name")


def _rm_items(profile: Mapping[str, Any], section: str) -> list[Any]:
    graph = profile.get("@graph")
    items: list[Any] = []
    if isinstance(graph, list):
        for entry in graph:
            if isinstance(entry, dict) and entry.get("@type") == section and isinstance(entry.get("items"), list):
                items.extend(entry["items"])
    return items


def _rm_record(item: object, section: str, path: str, problems: list[Problem], line: int | None) -> ParsedRecord | None:
    if not isinstance(item, dict):
        problems.append(Problem("not_an_object", line=line, path=path, detail={"found": _type_name(item)}))
        return None
    kind, title_field = _RM_TITLE_FIELDS[section]
    title_ja, title_en = _ml_exact(item.get(title_field), "ja"), _ml_exact(item.get(title_field), "en")
    title = title_ja or title_en or _ml(item.get(title_field))
    if not title:
        problems.append(Problem("missing_title", line=line, path=f"{path}.{title_field}"))
        return None
    languages = item.get("languages")
    lang = normalize_lang(languages[0] if isinstance(languages, list) and languages else None, title)
    abstract_parts = [t for t in (title_en if title_ja and title_en else "", _ml(item.get("description")),
                                  _ml(item.get("summary"))) if t]
    venue = next((v for v in (_ml(item.get(f)) for f in _RM_VENUE_FIELDS) if v), "")
    year = None
    for date_field in ("publication_date", "from_date", "application_date", "from_event_date", "registration_date"):
        year = parse_year(item.get(date_field))
        if year:
            break
    raw_id = clean_text(item.get("rm:id") or item.get("@id"), 200)
    external_id = f"rm:{section}:{raw_id}" if raw_id else f"rm:{section}:{_digest(title, str(year))}"
    url = clean_text(item.get("@id"), 500) if str(item.get("@id", "")).startswith("http") else ""
    return ParsedRecord(external_id=external_id, type=kind, title=title, abstract=" ".join(abstract_parts),
                        year=year, lang=lang, venue_name=venue[:500], url=url)


def _one(value: object) -> object:
    """The first value of a list (researchmap's identifiers are lists), or the value itself."""
    return value[0] if isinstance(value, list) and value else value


def _rm_profile(profile: object, path: str, line: int | None, problems: list[Problem]) -> ParsedResearcher | None:
    if not isinstance(profile, dict):
        problems.append(Problem("not_an_object", line=line, path=path, detail={"found": _type_name(profile)}))
        return None
    family, given = profile.get("family_name"), profile.get("given_name")
    name = " ".join(p for p in (_ml_exact(family, "ja"), _ml_exact(given, "ja")) if p) or _ml(profile.get("name"))
    name_en = " ".join(p for p in (_ml_exact(given, "en"), _ml_exact(family, "en")) if p)
    name_kana = " ".join(p for p in (_ml_exact(family, "ja-Kana"), _ml_exact(given, "ja-Kana")) if p)
    name = name or name_en
    if not name:
        problems.append(Problem("missing_name", line=line, path=f"{path}.family_name"))
        return None
    permalink = clean_text(profile.get("permalink"), 200)
    if not permalink:
        match = re.search(r"researchmap\.jp/([^/?#]+)", clean_text(profile.get("@id"), 300))
        permalink = match.group(1) if match else ""
    if not permalink:
        problems.append(Problem("missing_id", line=line, path=f"{path}.permalink", detail={"field": "permalink"}))
        return None
    identities = [Identity("researchmap", permalink)]
    for key in ("identifiers", "rm:identifiers"):
        ids = profile.get(key)
        if isinstance(ids, dict):
            orcid = normalize_orcid(_one(ids.get("orcid_id") or ids.get("orcid")))
            if orcid:
                identities.append(Identity("orcid", orcid))
            erad = _ERAD.search(_code(_one(ids.get("erad_id") or ids.get("erad"))))
            if erad:
                identities.append(Identity("kaken", erad.group(1)))
    keywords: list[str] = []
    for item in _rm_items(profile, "research_interests") + _rm_items(profile, "research_keywords"):
        if isinstance(item, dict):
            keywords.extend(_ml(item.get("keyword") or item.get("research_keyword")).split("; "))
    for item in _rm_items(profile, "research_areas"):
        if isinstance(item, dict):
            keywords.extend(_ml(item.get("research_field") or item.get("discipline")).split("; "))
            keywords.extend(_ml(item.get("research_keyword")).split("; "))
    organization = department = job = ""
    for item in _rm_items(profile, "affiliations"):
        if isinstance(item, dict):
            organization = _ml(item.get("affiliation"))
            department = _ml(item.get("section") or item.get("department"))
            job = _ml(item.get("job"))
            break
    records: list[ParsedRecord] = []
    graph = profile.get("@graph")
    for g_index, entry in enumerate(graph if isinstance(graph, list) else []):
        section = entry.get("@type") if isinstance(entry, dict) else None
        if section not in _RM_TITLE_FIELDS or not isinstance(entry.get("items"), list):
            continue
        for i_index, item in enumerate(entry["items"]):
            record = _rm_record(item, section, f"{path}['@graph'][{g_index}].items[{i_index}]", problems, line)
            if record:
                records.append(record)
    return ParsedResearcher(
        position=path if line is None else f"line {line}", line=line, name=name, name_en=name_en,
        name_kana=name_kana, identities=tuple(identities), organization=organization, department=department,
        job_title=job, keywords=tuple(dict.fromkeys(k for k in (clean_text(x, 200) for x in keywords) if k)),
        records=_dedupe_records(records, problems, line, path, report=False),
        profile_url=f"https://researchmap.jp/{permalink}",
    )


def _split_multi(value: str) -> list[str]:
    return [p for p in (clean_text(x, 200) for x in re.split(r"[;；、,，]", value)) if p]


def _first(value: str) -> str:
    return value.split(";")[0].strip()


def _rm_csv(text: str, encoding: str, problems: list[Problem]) -> ParseResult:
    """The JapanScholarScraper CSVs: the researchers file or the works file (researcher, slug, …, title, …)."""
    rows, header = _csv_rows(text, problems)
    if header is None:
        return ParseResult((), tuple(problems), encoding)
    researchers: list[ParsedResearcher] = []
    if "slug" in header and "氏名" in header:
        for line, row in rows:
            name, slug = clean_text(row.get("氏名")), clean_text(row.get("slug"), 200)
            if not name:
                problems.append(Problem("missing_name", line=line, path="氏名"))
                continue
            if not slug:
                problems.append(Problem("missing_id", line=line, path="slug", detail={"field": "slug"}))
                continue
            keywords = _split_multi(row.get("研究分野") or "") + _split_multi(row.get("キーワード") or "")
            researchers.append(ParsedResearcher(
                position=f"line {line}", line=line, name=name, identities=(Identity("researchmap", slug),),
                name_en=clean_text(row.get("氏名(英語)")), name_kana=clean_text(row.get("氏名(カナ)")),
                organization=_first(clean_text(row.get("所属"))), department=_first(clean_text(row.get("部署"))),
                job_title=_first(clean_text(row.get("職位"))), keywords=tuple(dict.fromkeys(keywords)),
            ))
        return _finish(researchers, problems, encoding)
    if "slug" in header and "title" in header:
        by_slug: dict[str, tuple[int, str, list[ParsedRecord]]] = {}
        for line, row in rows:
            slug, title = clean_text(row.get("slug"), 200), clean_text(row.get("title"))
            if not slug:
                problems.append(Problem("missing_id", line=line, path="slug", detail={"field": "slug"}))
                continue
            if not title:
                problems.append(Problem("missing_title", line=line, path="title"))
                continue
            year = parse_year(row.get("date"))
            sheet = clean_text(row.get("sheet")) or "published_papers"
            entry = by_slug.setdefault(slug, (line, clean_text(row.get("researcher")), []))
            entry[2].append(ParsedRecord(
                external_id=f"rm:{sheet}:{_digest(title.lower(), str(year))}", type="paper", title=title,
                year=year, lang=normalize_lang(row.get("language"), title),
                venue_name=clean_text(row.get("venue"), 500)))
        for slug, (line, name, records) in by_slug.items():
            if not name:
                problems.append(Problem("missing_name", line=line, path="researcher"))
                continue
            researchers.append(ParsedResearcher(
                position=f"line {line}", line=line, name=name, identities=(Identity("researchmap", slug),),
                records=_dedupe_records(records, problems, line, "title", report=False)))
        return _finish(researchers, problems, encoding)
    problems.append(Problem("unknown_layout", line=1, detail={"expected": "researchmap"}))
    return ParseResult((), tuple(problems), encoding)


def parse_researchmap(data: bytes) -> ParseResult:
    text, encoding, problems = _decode(data)
    if text is None:
        return ParseResult((), tuple(problems), encoding)
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return _rm_csv(text, encoding, problems)
    researchers: list[ParsedResearcher] = []
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(lines) > 1 and stripped.startswith("{"):  # one profile per line
            for number, raw in enumerate(text.splitlines(), start=1):
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except (ValueError, RecursionError) as line_exc:
                    problems.append(Problem("json_syntax", line=number, path="$",
                                            detail={"message": str(line_exc)[:200]}))
                    continue
                researcher = _rm_profile(obj, "$", number, problems)
                if researcher:
                    researchers.append(researcher)
            return _finish(researchers, problems, encoding)
        line = getattr(exc, "lineno", None)
        problems.append(Problem("json_syntax", line=line, path="$", detail={"message": str(exc)[:200]}))
        return ParseResult((), tuple(problems), encoding)
    if isinstance(document, dict) and isinstance(document.get("items"), list) and "@graph" not in document:
        profiles, base = document["items"], "$.items"
    elif isinstance(document, list):
        profiles, base = document, "$"
    else:
        profiles, base = [document], None
    for index, profile in enumerate(profiles[:MAX_RESEARCHERS]):
        researcher = _rm_profile(profile, base and f"{base}[{index}]" or "$", None, problems)
        if researcher:
            researchers.append(researcher)
    return _finish(researchers, problems, encoding)


# --------------------------------------------------------------------------- KAKEN

def _csv_rows(text: str, problems: list[Problem]) -> tuple[list[tuple[int, dict[str, str]]], set[str] | None]:
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    for row in csv_rows(text, problems, delimiter=",", strict=False):
        if header is None:
            header = [clean_text(c) for c in row.cells]
            continue
        if len(rows) >= MAX_RESEARCHERS * 5:
            problems.append(Problem("too_many", line=row.line, detail={"max": MAX_RESEARCHERS * 5}))
            break
        rows.append((row.line, dict(zip(header, row.cells, strict=False))))
    if not header:
        problems.append(Problem("empty", line=1))
        return [], None
    return rows, set(header)


_KAKEN_PERIODS = re.compile(r"([^,\[\]]+?)\s*\[([^\]]*)\]")
_KAKEN_PERSON = re.compile(r"^(?P<before>.+?)\s*[(（](?P<number>\d{8})[)）]")


def _kaken_summary_csv(rows: list[tuple[int, dict[str, str]]], problems: list[Problem]) -> list[ParsedResearcher]:
    researchers = []
    for line, row in rows:
        name = clean_text(row.get("氏名"))
        number = _ERAD.search(_code(row.get("研究者番号")))
        if not name:
            problems.append(Problem("missing_name", line=line, path="氏名"))
            continue
        if not number:
            problems.append(Problem("missing_id", line=line, path="研究者番号", detail={"field": "研究者番号"}))
            continue
        records = []
        for category, periods in _KAKEN_PERIODS.findall(clean_text(row.get("科研代表"))):
            category = category.strip(" ,")
            for period in (p.strip() for p in periods.split(",") if p.strip()):
                start = parse_year(period)
                records.append(ParsedRecord(
                    external_id=f"kaken:{number.group(1)}:{_digest(category, period)}", type="grant",
                    title=f"科研費 {category}（研究代表者、{period.replace('-', '–')}年度）", year=start, lang="ja",
                    venue_name="KAKENHI"))
        researchers.append(ParsedResearcher(
            position=f"line {line}", line=line, name=name, identities=(Identity("kaken", number.group(1)),),
            organization=clean_text(row.get("所属")), department=clean_text(row.get("部署")),
            job_title=clean_text(row.get("職位")), records=_dedupe_records(records, problems, line, "", False),
            profile_url=clean_text(row.get("科研費URL"), 500) if clean_text(row.get("科研費URL")).startswith("http")
            else "",
        ))
    return researchers


@dataclass
class _Gathered:
    """A KAKEN researcher gathered from the projects (CSV rows or XML grantAwards) they took part in."""

    number: str
    name: str
    position: str
    line: int | None
    organization: str = ""
    department: str = ""
    job_title: str = ""
    keywords: list[str] = field(default_factory=list)
    records: list[ParsedRecord] = field(default_factory=list)

    def parsed(self, problems: list[Problem]) -> ParsedResearcher:
        return ParsedResearcher(
            position=self.position, line=self.line, name=self.name, identities=(Identity("kaken", self.number),),
            organization=self.organization, department=self.department, job_title=self.job_title,
            keywords=tuple(dict.fromkeys(self.keywords))[:50],
            records=_dedupe_records(self.records, problems, self.line, self.position, report=False),
            profile_url=f"https://nrid.nii.ac.jp/ja/nrid/10000{self.number}/",
        )


def _gather(people: dict[str, _Gathered], number: str, name: str, position: str, line: int | None,
            record: ParsedRecord, keywords: list[str], organization: str = "", department: str = "",
            job_title: str = "") -> None:
    person = people.setdefault(number, _Gathered(number, name, position, line))
    person.records.append(record)
    person.keywords.extend(keywords)
    if organization and (record.year or 0) >= max((r.year or 0) for r in person.records):
        person.organization, person.department, person.job_title = organization, department, job_title


def _kaken_project_csv(rows: list[tuple[int, dict[str, str]]], problems: list[Problem]) -> list[ParsedResearcher]:
    people: dict[str, _Gathered] = {}
    for line, row in rows:
        title = clean_text(row.get("研究課題名"))
        if not title:
            problems.append(Problem("missing_title", line=line, path="研究課題名"))
            continue
        number_text = clean_text(row.get("研究課題/領域番号") or row.get("研究課題番号"), 50)
        period = clean_text(row.get("研究期間 (年度)") or row.get("研究期間（年度）") or row.get("研究期間"))
        abstract = clean_text(row.get("研究開始時の研究の概要") or row.get("研究成果の概要") or row.get("研究概要"))
        keywords = _split_multi(row.get("キーワード") or "")
        record = ParsedRecord(
            external_id=f"kaken:project:{number_text or _digest(title, period)}", type="grant", title=title,
            abstract=abstract, year=parse_year(period), lang=normalize_lang(None, title),
            venue_name=clean_text(row.get("研究種目"), 500),
            url=f"https://kaken.nii.ac.jp/grant/KAKENHI-PROJECT-{number_text}/" if number_text else "")
        found = False
        for column in ("研究代表者", "研究分担者", "連携研究者", "研究者"):
            for chunk in re.split(r"[;\n]", row.get(column) or ""):
                match = _KAKEN_PERSON.match(clean_text(chunk))
                if not match:
                    continue
                found = True
                # "田中 次郎 静岡大学, 工学部, 准教授 (55556666)": name (two words), institution, department, title
                parts = [p.strip() for p in match.group("before").split(",")]
                name_bits = parts[0].split(" ")
                _gather(people, match.group("number"), " ".join(name_bits[:2]), f"line {line}", line, record,
                        keywords, " ".join(name_bits[2:]), parts[1] if len(parts) > 1 else "",
                        parts[2] if len(parts) > 2 else "")
        if not found:
            problems.append(Problem("missing_id", line=line, path="研究代表者", detail={"field": "研究者番号"}))
    return [p.parsed(problems) for p in people.values()]


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if _local(child.tag) == name]


def _child_text(element: Any, *names: str) -> str:
    for name in names:
        for child in element.iter():
            if _local(child.tag) == name and clean_text("".join(child.itertext())):
                return clean_text("".join(child.itertext()))
    return ""


def _lang_of(element: Any) -> str:
    return next((v for k, v in element.attrib.items() if _local(k) == "lang"), "")


def _kaken_xml(text: str, encoding: str, problems: list[Problem]) -> ParseResult:
    try:
        root = SafeET.fromstring(text.encode("utf-8"))
    except Exception as exc:  # ParseError, and defusedxml's EntitiesForbidden / DTDForbidden  # noqa: BLE001
        line = getattr(exc, "position", (None,))[0] if hasattr(exc, "position") else None
        problems.append(Problem("xml_syntax", line=line, detail={"message": str(exc)[:200] or type(exc).__name__}))
        return ParseResult((), tuple(problems), encoding)
    awards = [e for e in root.iter() if _local(e.tag) == "grantAward"]
    if not awards:
        problems.append(Problem("unknown_layout", line=1, detail={"expected": "kaken"}))
        return ParseResult((), tuple(problems), encoding)
    people: dict[str, _Gathered] = {}
    for index, award in enumerate(awards[:MAX_RESEARCHERS]):
        path = f"grantAward[{index + 1}]"
        summaries = _children(award, "summary") or [award]
        summary = next((s for s in summaries if _lang_of(s) == "ja"), summaries[0])
        english = next((s for s in summaries if _lang_of(s) == "en"), None)
        title = _child_text(summary, "title")
        if not title:
            problems.append(Problem("missing_title", path=f"{path}/summary/title"))
            continue
        award_number = clean_text(award.get("awardNumber") or award.get("id"), 100)
        start = parse_year(_child_text(summary, "startFiscalYear", "startDate", "periodOfAward"))
        abstract_parts = [_child_text(summary, "researchAbstract", "abstract", "outline", "summaryText")]
        if english is not None:
            abstract_parts.insert(0, _child_text(english, "title"))
        keywords = [clean_text("".join(k.itertext()), 200) for k in summary.iter() if _local(k.tag) == "keyword"]
        record = ParsedRecord(
            external_id=f"kaken:project:{award_number or _digest(title)}", type="grant", title=title,
            abstract=" ".join(p for p in abstract_parts if p), year=start, lang=normalize_lang(None, title),
            venue_name=_child_text(summary, "category", "projectType")[:500],
            url=f"https://kaken.nii.ac.jp/grant/KAKENHI-PROJECT-{award_number}/" if award_number else "")
        members = [m for m in summary.iter() if _local(m.tag) == "member"]
        if not members:
            problems.append(Problem("missing_id", path=f"{path}/summary/member", detail={"field": "member"}))
        for m_index, member in enumerate(members):
            number = ""
            for key, value in member.attrib.items():
                if _local(key) in {"eradCode", "researcherNumber", "erad", "eradId"}:
                    number = clean_text(value, 20)
            number = number or _child_text(member, "researcherNumber", "eradCode")
            match = _ERAD.search(number)
            name = _child_text(member, "fullName", "name") or " ".join(
                p for p in (_child_text(member, "familyName"), _child_text(member, "givenName")) if p)
            if not match or not name:
                problems.append(Problem("missing_id" if name else "missing_name",
                                        path=f"{path}/summary/member[{m_index + 1}]",
                                        detail={"field": "researcherNumber"} if name else {}))
                continue
            _gather(people, match.group(1), name, f"{path}/summary/member[{m_index + 1}]", None, record, keywords,
                    _child_text(member, "institution"), _child_text(member, "department"),
                    _child_text(member, "jobTitle"))
    return _finish([p.parsed(problems) for p in people.values()], problems, encoding)


def _hrv(value: object) -> str:
    """KAKEN's ``{"humanReadableValue": [{"text": …, "lang": …}]}`` as text (Japanese first)."""
    if isinstance(value, list):
        return next((t for t in (_hrv(v) for v in value) if t), "")
    if not isinstance(value, dict):
        return clean_text(value)
    values = value.get("humanReadableValue")
    if isinstance(values, list):
        texts = [(v.get("lang"), clean_text(v.get("text"))) for v in values if isinstance(v, dict)]
        return next((t for lang, t in texts if lang == "ja" and t), next((t for _, t in texts if t), ""))
    return ""


def _kaken_nrid_json(document: object, encoding: str, problems: list[Problem]) -> ParseResult:
    listing = document.get("researchers") if isinstance(document, dict) else document
    if not isinstance(listing, list):
        problems.append(Problem("unknown_layout", path="$.researchers", detail={"expected": "kaken"}))
        return ParseResult((), tuple(problems), encoding)
    researchers = []
    for index, item in enumerate(listing[:MAX_RESEARCHERS]):
        path = f"$.researchers[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem("not_an_object", path=path, detail={"found": _type_name(item)}))
            continue
        name = _hrv(item.get("name"))
        erad_values = item.get("id:person:erad")
        erad_values = erad_values if isinstance(erad_values, list) else [erad_values]
        number = next((m.group(1) for m in (_ERAD.search(_code(v)) for v in erad_values) if m), "")
        if not name:
            problems.append(Problem("missing_name", path=f"{path}.name"))
            continue
        if not number:
            problems.append(Problem("missing_id", path=f"{path}['id:person:erad']", detail={"field": "id:person:erad"}))
            continue
        affiliations = item.get("affiliations:current")
        current = affiliations[0] if isinstance(affiliations, list) and affiliations else {}
        current = current if isinstance(current, dict) else {}
        records = []
        projects = item.get("work:project")
        for p_index, project in enumerate(projects if isinstance(projects, list) else []):
            if not isinstance(project, dict):
                problems.append(Problem("not_an_object", path=f"{path}['work:project'][{p_index}]",
                                        detail={"found": _type_name(project)}))
                continue
            title = _hrv(project.get("title")) or _hrv(project.get("category"))
            if not title:
                problems.append(Problem("missing_title", path=f"{path}['work:project'][{p_index}].title"))
                continue
            since = project.get("since")
            year = parse_year(((since or {}).get("fiscal:year") or {}).get("commonEra:year")
                              if isinstance(since, dict) and isinstance(since.get("fiscal:year"), dict) else None)
            project_id = clean_text(project.get("recordSet") or project.get("id") or project.get("awardNumber"), 100)
            records.append(ParsedRecord(
                external_id=f"kaken:project:{project_id or _digest(number, title, str(year))}", type="grant",
                title=title, year=year, lang=normalize_lang(None, title), venue_name=_hrv(project.get("category"))))
        researchers.append(ParsedResearcher(
            position=path, name=name, identities=(Identity("kaken", number),),
            organization=_hrv(current.get("affiliation:institution")),
            department=_hrv(current.get("affiliation:department")), job_title=_hrv(current.get("affiliation:jobTitle")),
            records=_dedupe_records(records, problems, None, path, report=False),
            profile_url=f"https://nrid.nii.ac.jp/ja/nrid/10000{number}/"))
    return _finish(researchers, problems, encoding)


def parse_kaken(data: bytes) -> ParseResult:
    text, encoding, problems = _decode(data)
    if text is None:
        return ParseResult((), tuple(problems), encoding)
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return _kaken_xml(stripped, encoding, problems)
    if stripped.startswith(("{", "[")):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as exc:
            problems.append(Problem("json_syntax", line=getattr(exc, "lineno", None), path="$",
                                    detail={"message": str(exc)[:200]}))
            return ParseResult((), tuple(problems), encoding)
        return _kaken_nrid_json(document, encoding, problems)
    rows, header = _csv_rows(text, problems)
    if header is None:
        return ParseResult((), tuple(problems), encoding)
    if "研究者番号" in header and "氏名" in header:
        return _finish(_kaken_summary_csv(rows, problems), problems, encoding)
    if "研究課題名" in header:
        return _finish(_kaken_project_csv(rows, problems), problems, encoding)
    problems.append(Problem("unknown_layout", line=1, detail={"expected": "kaken"}))
    return ParseResult((), tuple(problems), encoding)


PARSERS = {"researchmap": parse_researchmap, "kaken": parse_kaken, "jsonl": parse_jsonl}


def parse(data: bytes, format: str) -> ParseResult:  # noqa: A002
    """Read ``data`` in ``format`` (one of :data:`FORMATS`)."""
    if format not in PARSERS:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    return PARSERS[format](data)


def merged(researchers: Iterable[ParsedResearcher]) -> Iterator[ParsedResearcher]:
    """Researchers read from several files, merged by shared identity (fields: first non-empty wins)."""
    by_identity: dict[Identity, int] = {}
    result: list[ParsedResearcher] = []
    for researcher in researchers:
        index = next((by_identity[i] for i in researcher.identities if i in by_identity), None)
        if index is None:
            by_identity.update({i: len(result) for i in researcher.identities})
            result.append(researcher)
            continue
        old = result[index]
        changes = {f: getattr(researcher, f) for f in ("name_en", "name_kana", "organization", "department",
                                                       "job_title", "prefecture_code", "profile_url")
                   if not getattr(old, f) and getattr(researcher, f)}
        ids = tuple(dict.fromkeys(old.identities + researcher.identities))
        known = {r.external_id for r in old.records}
        records = old.records + tuple(r for r in researcher.records if r.external_id not in known)
        keywords = tuple(dict.fromkeys(old.keywords + researcher.keywords))
        result[index] = replace(old, identities=ids, records=records, keywords=keywords, **changes)
        by_identity.update({i: index for i in ids})
    yield from result
