"""Services of the vision area, through the database, on the sample venue ("hamamatsu-sample") built by the
``users`` fixture: its vision has the KPIs aging-rate and labour-participation (Shizuoka public statistics),
joint-research and spinouts (invented figures), and an agreed version 1 endorsed by every sector."""

from __future__ import annotations

import copy
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from kyoso.venues import services as venue_services
from kyoso.venues.models import Representative
from kyoso.visions import exports, queries, services
from kyoso.visions.domain.reference_series import series
from kyoso.visions.domain.versions import diff_snapshots
from kyoso.visions.models import ImportBatch, Kpi, KpiTarget, Observation, Vision, VisionVersion

pytestmark = pytest.mark.django_db

SLUG = "hamamatsu-sample"
CORPUS = Path(__file__).parent / "import_corpus"


def vision() -> Vision:
    return Vision.objects.select_related("venue", "prefecture").get(venue__slug=SLUG)


def kpi(code: str) -> Kpi:
    return Kpi.objects.select_related("goal__vision__venue", "vision__prefecture").get(vision=vision(), code=code)


def representative(sector: str) -> Representative:
    return (Representative.objects.filter(membership__venue__slug=SLUG, membership__sector=sector)
            .select_related("membership").order_by("id").first())


# --- Versions and their agreement ------------------------------------------------------------------


def test_a_saved_version_is_proposed_endorsed_by_every_sector_and_supersedes_version_1(users):
    actor = users["secretariat"]
    first = vision().versions.get(number=1)
    assert first.status == VisionVersion.Status.AGREED

    draft = services.version_save(actor=actor, vision=vision(), note="目標値の見直し")
    assert (draft.number, draft.status, draft.note) == (2, VisionVersion.Status.DRAFT, "目標値の見直し")
    assert draft.snapshot == services.snapshot_of(vision())
    assert services.version_save(actor=actor, vision=vision()).pk == draft.pk  # the draft is refreshed

    proposed = services.version_propose(actor=actor, version=draft)
    assert proposed.status == VisionVersion.Status.PROPOSED and proposed.proposal is not None
    assert proposed.proposal.required_sectors == ["industry", "academia", "government"]

    for sector in ("industry", "academia"):
        venue_services.endorsement_record(actor=None, proposal=proposed.proposal,
                                          representative=representative(sector), stance="endorse")
        proposed.refresh_from_db()
        assert proposed.status == VisionVersion.Status.PROPOSED
    venue_services.endorsement_record(actor=None, proposal=proposed.proposal,
                                      representative=representative("government"), stance="endorse")
    proposed.refresh_from_db()
    assert proposed.status == VisionVersion.Status.PROPOSED  # a vision version also needs a top-layer endorsement
    top = Representative.objects.filter(membership__venue__slug=SLUG, layer="top").exclude(
        endorsements__proposal=proposed.proposal).first()
    venue_services.endorsement_record(actor=None, proposal=proposed.proposal, representative=top, stance="endorse")
    proposed.refresh_from_db()
    first.refresh_from_db()
    assert proposed.status == VisionVersion.Status.AGREED and proposed.agreed_at is not None
    # The agreement is itself a decision of the venue, in its decision log with the sectors that endorsed it.
    decision = proposed.proposal.decision
    assert decision.status == "finalised" and decision.number and str(proposed.number) in decision.title
    assert decision in vision().venue.decisions.all()
    assert first.status == VisionVersion.Status.SUPERSEDED
    assert queries.dashboard(vision(), timezone.localdate()).current_version == proposed


def test_an_objection_rejects_the_version_and_version_1_stays_in_force(users):
    draft = services.version_save(actor=users["secretariat"], vision=vision())
    proposed = services.version_propose(actor=users["secretariat"], version=draft)
    venue_services.endorsement_record(actor=None, proposal=proposed.proposal, representative=representative("academia"),
                                      stance="object", reason="目標値の根拠が不足")
    proposed.refresh_from_db()
    assert proposed.status == VisionVersion.Status.REJECTED
    assert vision().versions.get(number=1).status == VisionVersion.Status.AGREED


def test_proposing_a_version_that_is_not_a_draft_is_refused(users):
    agreed = vision().versions.get(number=1)
    with pytest.raises(ValidationError):
        services.version_propose(actor=users["secretariat"], version=agreed)
    agreed.refresh_from_db()
    assert agreed.status == VisionVersion.Status.AGREED
    proposed = services.version_propose(actor=users["secretariat"],
                                        version=services.version_save(actor=users["secretariat"], vision=vision()))
    with pytest.raises(ValidationError):
        services.version_propose(actor=users["secretariat"], version=proposed)


def test_the_snapshot_of_an_agreed_version_does_not_follow_the_live_kpis(users):
    actor = users["secretariat"]
    agreed = vision().versions.get(number=1)
    frozen = copy.deepcopy(agreed.snapshot)
    joint = kpi("joint-research")
    services.kpi_update(actor=actor, kpi=joint, name="地域企業との共同研究件数（改）",
                        targets={2027: Decimal("40"), 2030: Decimal("70"), 2035: Decimal("80")})
    services.observation_record(actor=actor, kpi=joint, date=dt.date(2026, 6, 30), value=Decimal("40"))
    services.vision_update(actor=actor, vision=vision(), title="浜松・遠州 地域ビジョン2035（改訂案）")
    services.version_save(actor=actor, vision=vision())  # a new draft, never the agreed version

    agreed.refresh_from_db()
    assert agreed.snapshot == frozen
    live = services.snapshot_of(vision())
    lines = diff_snapshots(agreed.snapshot, live, exports.snapshot_labels())
    removed = [line.text for line in lines if line.op == "removed"]
    added = [line.text for line in lines if line.op == "added"]
    assert any("FY2030: 60" in text for text in removed) and any("FY2030: 70" in text for text in added)
    assert any("共同研究件数（改）" in text for text in added)
    assert any("改訂案" in text for text in added)
    assert not any("FY2035" in text for text in removed + added)  # unchanged targets stay context
    assert all(line.op == "same" for line in diff_snapshots(agreed.snapshot, frozen))


def test_snapshots_write_numbers_plainly(users):
    snapshot = services.snapshot_of(vision())
    joint = snapshot["goals"][1]["kpis"][0]
    assert joint["code"] == "joint-research"
    assert joint["targets"] == {"2027": "40", "2030": "60", "2035": "80"}  # not 4E+1
    assert joint["baseline_value"] == "18"


# --- Imports ---------------------------------------------------------------------------------------


def run_import(name: str, content: bytes, capture) -> ImportBatch:
    """Upload and let the background check run (the test task backend runs tasks immediately)."""
    with capture(execute=True):
        batch = services.import_upload(actor=None, vision=vision(), filename=name, content=content)
    batch.refresh_from_db()
    return batch


def apply(batch: ImportBatch, capture) -> ImportBatch:
    with capture(execute=True):
        services.import_apply(actor=None, batch=batch)
    batch.refresh_from_db()
    return batch


def workbook(*rows: list) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


@pytest.fixture
def corpus_kpis(users):
    """KPIs K-001 (件) and K-002 (%) as the files in import_corpus/ name them."""
    goal = vision().goals.first()
    services.kpi_create(actor=None, goal=goal, code="K-001", name="件数", unit="件")
    services.kpi_create(actor=None, goal=goal, code="K-002", name="割合", unit="%")


MALFORMED = {
    # Bytes that are neither UTF-8 nor Shift_JIS on line 3: the whole file is refused there.
    "bad_encoding.csv": (b"kpi,date,value\njoint-research,2026-04-30,1\nspinouts,2026-04-30,\x81\x20\n",
                         [(3, "encoding")]),
    # Quoted newlines: problems name the physical line each row starts on.
    "quoted_newlines.csv": ((CORPUS / "quoted_newlines.csv").read_bytes(),
                            [(4, "bad_number"), (9, "bad_date"), (10, "duplicate"), (12, "unknown_kpi")]),
    "unquoted_thousands.csv": ((CORPUS / "unquoted_thousands.csv").read_bytes(), [(2, "extra_cells")]),
    "cp932_japanese.csv": ((CORPUS / "cp932_japanese.csv").read_bytes(), [(3, "negative_value"), (6, "unit_mismatch"),
                                                                  (7, "bad_number")]),
    "formula.xlsx": (workbook(["kpi", "date", "value"], ["joint-research", dt.date(2026, 4, 30), 30],
                              ["spinouts", dt.date(2026, 5, 31), "=1+2"]), [(3, "formula")]),
    "empty_sheet.xlsx": (workbook(), [(1, "empty")]),
    "header_only.xlsx": (workbook(["kpi", "date", "value"]), [(2, "empty")]),
    "rows.csv": ((
        "kpi,date,value,unit\n"
        "joint-research,2026-04-30,30,件\n"
        "no-such-kpi,2026-04-30,1,\n"
        "spinouts,2026-04-30,１２あ,\n"
        "joint-research,2026-05-31,31,社\n"
        "joint-research,2026-04-30,30,\n"
        "spinouts,2026-05-31,12%,\n"
        "spinouts,2026-13-01,1,\n"
        "aging-rate,2099-10-01,30%,\n"
    ).encode(), [(3, "unknown_kpi"), (4, "bad_number"), (5, "unit_mismatch"), (6, "duplicate"),
                 (7, "unit_mismatch"), (8, "bad_date"), (9, "date_out_of_range")]),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_file_is_invalid_with_the_line_of_every_error_and_writes_nothing(
        name, corpus_kpis, django_capture_on_commit_callbacks):
    content, expected = MALFORMED[name]
    before = Observation.objects.count()
    batch = run_import(name, content, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.INVALID
    assert [(p["line"], p["code"]) for p in batch.problems] == expected
    assert batch.summary == {"problem_count": len(expected)}
    assert all(exports.problem_message(p) != p["code"] for p in batch.problems)
    with pytest.raises(ValidationError):
        services.import_apply(actor=None, batch=batch)
    # Even applying behind the service's back writes nothing: the rows are checked again.
    assert services.apply_batch(batch).status == ImportBatch.Status.INVALID
    assert Observation.objects.count() == before


def test_the_duplicate_names_the_first_line(corpus_kpis, django_capture_on_commit_callbacks):
    batch = run_import("rows.csv", MALFORMED["rows.csv"][0], django_capture_on_commit_callbacks)
    duplicate = next(p for p in batch.problems if p["code"] == "duplicate")
    assert duplicate["detail"]["first_line"] == 2
    assert "2 行目" in exports.problem_message(duplicate)


SHIFT_JIS = (
    "KPIコード,年月日,実績,単位,備考\r\n"
    "joint-research,２０２６年４月３０日,３８,件,全角の数字\r\n"
    "spinouts,令和8年5月31日,\"1,234\",社,桁区切り\r\n"
    "labour-participation,2026/6/30,12.3%,,割合\r\n"
    "aging-rate,2026年9月,\"３１．２％\",％,\r\n"
).encode("cp932")


def test_a_shift_jis_file_with_full_width_numbers_is_applied_and_a_second_import_changes_nothing(
        users, django_capture_on_commit_callbacks):
    batch = run_import("kpi.csv", SHIFT_JIS, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.READY, batch.problems
    assert batch.encoding == "cp932" and batch.row_count == 4
    assert {k: batch.summary[k] for k in ("rows", "new", "changed", "unchanged")} == {
        "rows": 4, "new": 4, "changed": 0, "unchanged": 0}
    assert not Observation.objects.filter(batch=batch).exists()  # nothing written before apply

    batch = apply(batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.APPLIED and batch.applied_at is not None
    assert batch.summary["written_new"] == 4
    written = {(o.kpi.code, o.date): o.value for o in Observation.objects.filter(batch=batch)}
    assert written == {
        ("joint-research", dt.date(2026, 4, 30)): Decimal("38"),
        ("spinouts", dt.date(2026, 5, 31)): Decimal("1234"),
        ("labour-participation", dt.date(2026, 6, 30)): Decimal("12.3"),
        ("aging-rate", dt.date(2026, 9, 1)): Decimal("31.2"),
    }
    assert set(Observation.objects.filter(batch=batch).values_list("source", flat=True)) == {"import"}

    count = Observation.objects.count()
    again = run_import("kpi.csv", SHIFT_JIS, django_capture_on_commit_callbacks)
    assert {k: again.summary[k] for k in ("new", "changed", "unchanged")} == {"new": 0, "changed": 0, "unchanged": 4}
    again = apply(again, django_capture_on_commit_callbacks)
    assert again.summary["written_new"] == again.summary["written_changed"] == 0
    assert Observation.objects.count() == count
    assert Observation.objects.filter(batch=batch).count() == 4


def test_an_import_corrects_a_changed_value(users, django_capture_on_commit_callbacks):
    joint = kpi("joint-research")
    content = b"kpi,date,value\njoint-research,2026-03-31,35\njoint-research,2025-03-31,31\n"
    batch = run_import("fix.csv", content, django_capture_on_commit_callbacks)
    assert {k: batch.summary[k] for k in ("new", "changed", "unchanged")} == {"new": 0, "changed": 1, "unchanged": 1}
    assert batch.summary["preview"][0] == {"line": 2, "kpi": "joint-research", "date": "2026-03-31",
                                           "value": "35", "change": "changed", "old": "34"}
    apply(batch, django_capture_on_commit_callbacks)
    assert joint.observations.get(date=dt.date(2026, 3, 31)).value == Decimal("35")
    assert joint.observations.get(date=dt.date(2026, 3, 31)).batch == batch


# --- Reference statistics, observations, targets ----------------------------------------------------


def test_kpi_load_reference_loads_the_shizuoka_65_plus_share_and_is_idempotent(users):
    aging = kpi("aging-rate")
    aging.observations.all().delete()
    expected = series("age65_share", "22")
    assert len(expected) > 40

    written = services.kpi_load_reference(actor=users["secretariat"], kpi=aging)
    assert written == len(expected) == aging.observations.count()
    point_2020 = dict(expected)[dt.date(2020, 10, 1)]
    stored = aging.observations.get(date=dt.date(2020, 10, 1))
    assert stored.value == Decimal(str(round(point_2020, 4))) and stored.source == Observation.Source.REFERENCE
    assert 25 < stored.value < 35  # Shizuoka 2020: a little over 30 %

    assert services.kpi_load_reference(actor=users["secretariat"], kpi=aging) == 0
    assert aging.observations.count() == len(expected)
    aging.observations.filter(date=dt.date(2020, 10, 1)).update(value=Decimal("1"))
    assert services.kpi_load_reference(actor=users["secretariat"], kpi=aging) == 1
    assert aging.observations.get(date=dt.date(2020, 10, 1)).value == stored.value


def test_kpi_load_reference_needs_a_series_and_a_prefecture(users):
    with pytest.raises(ValidationError):
        services.kpi_load_reference(actor=None, kpi=kpi("joint-research"))


def test_observation_record_refuses_future_dates_and_corrects_a_value(users):
    joint = kpi("joint-research")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.observation_record(actor=None, kpi=joint, date=tomorrow, value=Decimal("1"))
    assert "date" in refused.value.message_dict
    assert not joint.observations.filter(date=tomorrow).exists()

    today = timezone.localdate()
    services.observation_record(actor=None, kpi=joint, date=today, value=Decimal("41"))
    services.observation_record(actor=None, kpi=joint, date=today, value=Decimal("42"), note="訂正")
    assert [(o.value, o.note) for o in joint.observations.filter(date=today)] == [(Decimal("42"), "訂正")]


def test_targets_beyond_the_horizon_are_refused(users):
    goal = vision().goals.first()
    with pytest.raises(ValidationError) as refused:
        services.kpi_create(actor=None, goal=goal, code="too-far", name="遠すぎる目標", unit="件",
                            targets={2030: Decimal("1"), 2036: Decimal("2")})
    assert "targets" in refused.value.message_dict
    assert not Kpi.objects.filter(code="too-far").exists()

    joint = kpi("joint-research")
    targets_before = list(joint.targets.values_list("fiscal_year", "value"))
    with pytest.raises(ValidationError):
        services.kpi_update(actor=None, kpi=joint, targets={2040: Decimal("100")})
    assert list(KpiTarget.objects.filter(kpi=joint).values_list("fiscal_year", "value")) == targets_before
    services.kpi_update(actor=None, kpi=joint, targets={2035: Decimal("90")})
    assert list(joint.targets.values_list("fiscal_year", "value")) == [(2035, Decimal("90"))]


# --- Queries ---------------------------------------------------------------------------------------


def dashboard_queries(today: dt.date) -> int:
    with CaptureQueriesContext(connection) as captured:
        board = queries.dashboard(vision(), today)
        for block in board.goals:
            for state in block.states:
                str(state.kpi.owner), state.kpi.goal.title, list(state.kpi.targets.all())
    return len(captured)


def test_the_dashboard_takes_a_constant_number_of_queries(users, django_assert_max_num_queries):
    today = timezone.localdate()
    with django_assert_max_num_queries(25):
        board = queries.dashboard(vision(), today)
    assert sum(len(block.states) for block in board.goals) == 4
    baseline = dashboard_queries(today)

    goal = services.goal_create(actor=None, vision=vision(), title="追加の目標")
    for number in range(10):
        extra = services.kpi_create(actor=None, goal=goal, code=f"extra-{number}", name=f"追加 {number}", unit="件",
                                    targets={2030: Decimal("10")})
        Observation.objects.bulk_create(Observation(kpi=extra, date=dt.date(2010 + year, 3, 31), value=year)
                                        for year in range(15))
    assert dashboard_queries(today) == baseline
    with django_assert_max_num_queries(25):
        board = queries.dashboard(vision(), today)
    assert sum(len(block.states) for block in board.goals) == 14


# --- Import edge cases ------------------------------------------------------------------------------


def test_every_problem_is_reported_next_to_a_formula(users, django_capture_on_commit_callbacks):
    content = workbook(["kpi", "date", "value"], ["spinouts", dt.date(2026, 5, 31), "=1+2"],
                       ["no-such-kpi", dt.date(2026, 5, 31), 3])
    batch = run_import("mixed.xlsx", content, django_capture_on_commit_callbacks)
    assert [(p["line"], p["code"]) for p in batch.problems] == [(2, "formula"), (3, "unknown_kpi")]


def test_more_than_four_decimals_is_refused_not_rounded(users, django_capture_on_commit_callbacks):
    content = b"kpi,date,value\njoint-research,2026-04-30,1.23456\n"
    batch = run_import("p.csv", content, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.problems[0]["code"] == "bad_number" and batch.problems[0]["detail"]["reason"] == "precision"


def test_a_value_too_large_for_the_column_is_refused_by_the_check(users,
                                                                            django_capture_on_commit_callbacks):
    batch = run_import("big.csv", b"kpi,date,value\njoint-research,2026-04-30,123456789012345678\n",
                       django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.INVALID


def test_the_note_of_an_imported_row_is_kept(users, django_capture_on_commit_callbacks):
    batch = run_import("n.csv", "kpi,date,value,note\njoint-research,2026-04-30,5,速報値\n".encode(),
                       django_capture_on_commit_callbacks)
    apply(batch, django_capture_on_commit_callbacks)
    assert kpi("joint-research").observations.get(date=dt.date(2026, 4, 30)).note == "速報値"


def test_an_imported_correction_counts_as_changed_since_the_last_meeting(
        users, django_capture_on_commit_callbacks):
    long_ago = timezone.now() - dt.timedelta(days=365)
    Observation.objects.update(updated_at=long_ago)
    batch = run_import("fix.csv", b"kpi,date,value\njoint-research,2026-03-31,35\n", django_capture_on_commit_callbacks)
    apply(batch, django_capture_on_commit_callbacks)
    assert queries.dashboard(vision(), timezone.localdate()).changed_observations == 1
