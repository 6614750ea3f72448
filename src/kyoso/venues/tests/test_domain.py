"""Pure rules of venues/domain: no database, no Django."""

import datetime as dt

import pytest

from kyoso.venues.domain.actions import ActionRow, ActionStatus, ActionSummary, days_overdue, is_overdue, summarise
from kyoso.venues.domain.composition import (
    CompositionWarning,
    Layer,
    MemberRow,
    RepresentativeRow,
    SectorComposition,
    WarningCode,
    compose,
)
from kyoso.venues.domain.documents import MAX_BYTES, CheckedDocument, DocumentProblem, check_document
from kyoso.venues.domain.endorsement import (
    Outcome,
    Response,
    Rule,
    SectorState,
    SectorTally,
    Stance,
    evaluate,
    sector_state,
)

CORE = ("government", "academia", "industry")

# --------------------------------------------------------------------------- endorsement


def responses(*pairs):
    return [Response(sector, Stance(stance)) for sector, stance in pairs]


def states(evaluation):
    return {t.sector: t.state for t in evaluation.sectors}


def test_no_responses_is_open_with_every_sector_pending():
    result = evaluate([], CORE)
    assert result.outcome == Outcome.OPEN
    assert result.sectors == (
        SectorTally("government", True),
        SectorTally("academia", True),
        SectorTally("industry", True),
    )
    assert all(t.state == SectorState.PENDING for t in result.sectors)
    assert result.agreed_sectors == []
    assert result.missing_sectors == ["government", "academia", "industry"]


def test_unanimous_all_required_sectors_endorse_is_agreed():
    result = evaluate(responses(("government", "endorse"), ("academia", "endorse"), ("industry", "endorse")), CORE)
    assert result.outcome == Outcome.AGREED
    assert result.agreed_sectors == ["government", "academia", "industry"]
    assert result.missing_sectors == []


def test_unanimous_one_objection_in_a_required_sector_rejects():
    result = evaluate(
        responses(
            ("government", "endorse"), ("academia", "endorse"), ("industry", "endorse"),
            ("industry", "endorse"), ("industry", "object"),
        ),
        CORE,
    )
    assert result.outcome == Outcome.REJECTED
    industry = result.sectors[2]
    assert industry == SectorTally("industry", True, endorse=2, object=1, abstain=0, state=SectorState.OBJECTED)
    assert result.agreed_sectors == ["government", "academia"]
    assert result.missing_sectors == ["industry"]


def test_objection_rejects_even_while_other_required_sectors_are_pending():
    result = evaluate(responses(("academia", "object")), CORE)
    assert result.outcome == Outcome.REJECTED
    assert states(result) == {
        "government": SectorState.PENDING, "academia": SectorState.OBJECTED, "industry": SectorState.PENDING,
    }


def test_objection_in_a_non_required_sector_does_not_block():
    result = evaluate(
        responses(("government", "endorse"), ("academia", "endorse"), ("industry", "endorse"), ("finance", "object")),
        CORE,
        all_sectors=("government", "academia", "industry", "finance"),
    )
    assert result.outcome == Outcome.AGREED
    finance = result.sectors[3]
    assert finance == SectorTally("finance", False, endorse=0, object=1, abstain=0, state=SectorState.OBJECTED)
    assert result.agreed_sectors == ["government", "academia", "industry"]
    assert result.missing_sectors == []


def test_non_required_sector_agreeing_does_not_complete_the_outcome():
    result = evaluate(responses(("government", "endorse"), ("finance", "endorse")), ("government", "academia"))
    assert result.outcome == Outcome.OPEN
    assert result.agreed_sectors == ["government", "finance"]
    assert result.missing_sectors == ["academia"]


@pytest.mark.parametrize("rule", [Rule.UNANIMOUS, Rule.MAJORITY])
def test_abstentions_alone_do_not_agree_a_sector(rule):
    result = evaluate(responses(("government", "abstain"), ("government", "abstain")), ("government",), rule=rule)
    assert result.outcome == Outcome.OPEN
    assert result.sectors == (SectorTally("government", True, abstain=2, state=SectorState.PENDING),)


def test_abstention_does_not_stop_an_endorsement_under_unanimous():
    result = evaluate(responses(("government", "abstain"), ("government", "endorse")), ("government",))
    assert result.outcome == Outcome.AGREED
    assert result.sectors[0] == SectorTally("government", True, 1, 0, 1, SectorState.AGREED)


@pytest.mark.parametrize("rule", [Rule.UNANIMOUS, Rule.MAJORITY])
def test_min_endorsements_two_needs_two(rule):
    one = evaluate(responses(("government", "endorse")), ("government",), rule=rule, min_endorsements=2)
    assert one.outcome == Outcome.OPEN
    assert one.sectors[0].state == SectorState.PENDING
    two = evaluate(responses(("government", "endorse"), ("government", "endorse")), ("government",), rule=rule,
                   min_endorsements=2)
    assert two.outcome == Outcome.AGREED
    assert two.sectors[0].state == SectorState.AGREED


@pytest.mark.parametrize("rule", [Rule.UNANIMOUS, Rule.MAJORITY])
def test_min_endorsements_zero_never_agrees_without_an_endorsement(rule):
    # A sector nobody has endorsed must not count as agreed, whatever the stored minimum is.
    result = evaluate([], ("government",), rule=rule, min_endorsements=0)
    assert result.outcome == Outcome.OPEN
    assert result.sectors[0].state == SectorState.PENDING
    assert sector_state(0, 0, rule, min_endorsements=0) == SectorState.PENDING
    assert sector_state(1, 0, rule, min_endorsements=0) == SectorState.AGREED


@pytest.mark.parametrize(
    ("endorse", "objections", "expected"),
    [
        (2, 1, SectorState.AGREED),
        (1, 1, SectorState.OBJECTED),
        (1, 2, SectorState.OBJECTED),
        (0, 1, SectorState.OBJECTED),
        (1, 0, SectorState.AGREED),
        (0, 0, SectorState.PENDING),
        (3, 2, SectorState.AGREED),
        (2, 2, SectorState.OBJECTED),
    ],
)
def test_majority_sector_state(endorse, objections, expected):
    assert sector_state(endorse, objections, Rule.MAJORITY) == expected


@pytest.mark.parametrize(
    ("endorse", "objections", "expected"),
    [
        (0, 0, SectorState.PENDING),
        (1, 0, SectorState.AGREED),
        (5, 1, SectorState.OBJECTED),
        (0, 1, SectorState.OBJECTED),
    ],
)
def test_unanimous_sector_state(endorse, objections, expected):
    assert sector_state(endorse, objections, Rule.UNANIMOUS) == expected


def test_majority_with_min_two_and_more_endorsements_than_objections_but_below_minimum_is_pending():
    assert sector_state(1, 0, Rule.MAJORITY, min_endorsements=2) == SectorState.PENDING
    # 2 > 1 but 2 < 3: neither agreed nor objected (objections do not reach the endorsements).
    assert sector_state(2, 1, Rule.MAJORITY, min_endorsements=3) == SectorState.PENDING


def test_majority_two_endorse_one_object_is_agreed():
    result = evaluate(
        responses(("government", "endorse"), ("government", "endorse"), ("government", "object")),
        ("government",),
        rule=Rule.MAJORITY,
    )
    assert result.outcome == Outcome.AGREED
    assert result.sectors == (SectorTally("government", True, 2, 1, 0, SectorState.AGREED),)


def test_majority_one_endorse_one_object_is_objected_and_rejects():
    result = evaluate(responses(("government", "endorse"), ("government", "object")), ("government",),
                      rule=Rule.MAJORITY)
    assert result.outcome == Outcome.REJECTED
    assert result.sectors == (SectorTally("government", True, 1, 1, 0, SectorState.OBJECTED),)


def test_majority_zero_endorse_one_abstain_is_pending():
    result = evaluate(responses(("government", "abstain")), ("government",), rule=Rule.MAJORITY)
    assert result.outcome == Outcome.OPEN
    assert result.sectors == (SectorTally("government", True, 0, 0, 1, SectorState.PENDING),)


def test_same_votes_differ_between_rules():
    votes = responses(("government", "endorse"), ("government", "endorse"), ("government", "object"))
    assert evaluate(votes, ("government",), rule=Rule.UNANIMOUS).outcome == Outcome.REJECTED
    assert evaluate(votes, ("government",), rule=Rule.MAJORITY).outcome == Outcome.AGREED


def test_sector_order_required_then_all_sectors_then_others():
    result = evaluate(
        responses(("zeta", "endorse"), ("finance", "object"), ("academia", "endorse"), ("alpha", "abstain")),
        ("industry", "academia"),
        all_sectors=("government", "academia", "finance", "industry", "media"),
    )
    assert [t.sector for t in result.sectors] == [
        "industry", "academia", "government", "finance", "media", "zeta", "alpha",
    ]
    assert [t.required for t in result.sectors] == [True, True, False, False, False, False, False]
    assert result.agreed_sectors == ["academia", "zeta"]
    assert result.missing_sectors == ["industry"]


@pytest.mark.parametrize("required", [(), []])
def test_no_required_sectors_is_an_error(required):
    with pytest.raises(ValueError):
        evaluate(responses(("government", "endorse")), required)


def test_stances_and_rule_as_plain_strings():
    votes = [Response("government", "endorse"), Response("government", "object"), Response("government", "abstain"),
             Response("academia", "endorse")]
    result = evaluate(votes, ["government", "academia"], rule="majority")
    assert result.sectors == (
        SectorTally("government", True, 1, 1, 1, SectorState.OBJECTED),
        SectorTally("academia", True, 1, 0, 0, SectorState.AGREED),
    )
    assert result.outcome == Outcome.REJECTED
    assert evaluate(votes[1:], ["government"], rule="unanimous").outcome == Outcome.REJECTED


def test_unknown_stance_is_refused():
    with pytest.raises(ValueError):
        evaluate([Response("government", "maybe")], ["government"])


def test_responses_may_be_a_generator():
    votes = (Response(s, Stance.ENDORSE) for s in CORE)
    assert evaluate(votes, CORE).outcome == Outcome.AGREED


# --------------------------------------------------------------------------- composition


def members(*spec):
    """spec: (sector, in_region_count, outside_count)"""
    rows = []
    for sector, inside, outside in spec:
        rows += [MemberRow(sector, True)] * inside + [MemberRow(sector, False)] * outside
    return rows


def reps(*spec):
    return [RepresentativeRow(sector, Layer(layer)) for sector, layer in spec]


def test_counts_per_sector_and_layer_and_totals():
    result = compose(
        members(("government", 2, 1), ("academia", 1, 0), ("industry", 3, 2)),
        reps(
            ("government", "top"), ("government", "middle"), ("government", "key_person"), ("government", "middle"),
            ("academia", "middle"),
            ("industry", "key_person"), ("industry", "middle"),
        ),
        sectors=("government", "academia", "industry", "finance"),
    )
    assert result.sectors == (
        SectorComposition("government", members=3, members_outside_region=1, top=1, middle=2, key_person=1),
        SectorComposition("academia", members=1, members_outside_region=0, top=0, middle=1, key_person=0),
        SectorComposition("industry", members=5, members_outside_region=2, top=0, middle=1, key_person=1),
        SectorComposition("finance", members=0, members_outside_region=0, top=0, middle=0, key_person=0),
    )
    assert [s.representatives for s in result.sectors] == [4, 1, 2, 0]
    assert result.total_members == 9
    assert result.total_representatives == 7
    assert result.warnings == ()


def test_empty_venue_warns_middle_layer_first_then_every_core_sector_missing():
    result = compose([], [], sectors=CORE)
    assert result.total_members == 0
    assert result.total_representatives == 0
    assert result.warnings == (
        CompositionWarning(WarningCode.MIDDLE_LAYER_MISSING),
        CompositionWarning(WarningCode.SECTOR_MISSING, "government"),
        CompositionWarning(WarningCode.SECTOR_MISSING, "academia"),
        CompositionWarning(WarningCode.SECTOR_MISSING, "industry"),
    )


def test_warnings_missing_unrepresented_without_middle():
    result = compose(
        members(("government", 1, 0), ("academia", 2, 0), ("finance", 1, 0)),
        reps(("government", "middle"), ("industry", "top"), ("academia", "top")),
        sectors=("government", "academia", "industry", "finance"),
    )
    assert result.warnings == (
        CompositionWarning(WarningCode.SECTOR_WITHOUT_MIDDLE, "academia"),
        CompositionWarning(WarningCode.SECTOR_MISSING, "industry"),  # a representative but no member
    )


def test_unrepresented_sector_and_venue_wide_middle_layer_missing_placed_first():
    result = compose(
        members(("government", 1, 0), ("academia", 1, 0), ("industry", 1, 0)),
        reps(("government", "top"), ("industry", "key_person")),
        sectors=CORE,
    )
    assert result.warnings == (
        CompositionWarning(WarningCode.MIDDLE_LAYER_MISSING),
        CompositionWarning(WarningCode.SECTOR_WITHOUT_MIDDLE, "government"),
        CompositionWarning(WarningCode.SECTOR_UNREPRESENTED, "academia"),
        CompositionWarning(WarningCode.SECTOR_WITHOUT_MIDDLE, "industry"),
    )
    assert [w.code for w in result.warnings].count(WarningCode.MIDDLE_LAYER_MISSING) == 1


def test_middle_layer_in_a_non_core_sector_counts_for_the_venue_wide_check():
    result = compose(
        members(("government", 1, 0), ("academia", 1, 0), ("industry", 1, 0), ("finance", 1, 0)),
        reps(("government", "top"), ("academia", "top"), ("industry", "top"), ("finance", "middle")),
        sectors=("government", "academia", "industry", "finance"),
    )
    assert result.warnings == (
        CompositionWarning(WarningCode.SECTOR_WITHOUT_MIDDLE, "government"),
        CompositionWarning(WarningCode.SECTOR_WITHOUT_MIDDLE, "academia"),
        CompositionWarning(WarningCode.SECTOR_WITHOUT_MIDDLE, "industry"),
    )


def test_core_sector_absent_from_display_sectors_still_warned():
    result = compose(members(("government", 1, 0)), reps(("government", "middle")), sectors=("government",))
    assert [s.sector for s in result.sectors] == ["government"]
    assert result.warnings == (
        CompositionWarning(WarningCode.SECTOR_MISSING, "academia"),
        CompositionWarning(WarningCode.SECTOR_MISSING, "industry"),
    )


def test_custom_core_sectors():
    result = compose(members(("government", 1, 0)), reps(("government", "middle")), sectors=CORE,
                     core_sectors=("government",))
    assert result.warnings == ()


def test_representative_without_membership_row_still_appears_and_order_follows_sectors():
    result = compose(
        members(("media", 1, 1), ("industry", 1, 0), ("government", 1, 0)),
        reps(("labour", "middle"), ("academia", "key_person"), ("industry", "middle"), ("government", "middle")),
        sectors=("industry", "academia", "government"),
    )
    # display sectors first in their given order, then unknown sectors as met (members, then representatives)
    assert [s.sector for s in result.sectors] == ["industry", "academia", "government", "media", "labour"]
    assert result.sectors[1] == SectorComposition("academia", 0, 0, 0, 0, 1)
    assert result.sectors[3] == SectorComposition("media", 2, 1, 0, 0, 0)
    assert result.sectors[4] == SectorComposition("labour", 0, 0, 0, 1, 0)
    assert result.total_members == 4
    assert result.total_representatives == 4
    assert result.warnings == (CompositionWarning(WarningCode.SECTOR_MISSING, "academia"),)


def test_layers_as_plain_strings():
    result = compose([MemberRow("government", True)], [RepresentativeRow("government", "key_person")],
                     sectors=("government",), core_sectors=("government",))
    assert result.sectors == (SectorComposition("government", 1, 0, 0, 0, 1),)


# --------------------------------------------------------------------------- actions

TODAY = dt.date(2026, 5, 20)


def days(n):
    return TODAY + dt.timedelta(days=n)


@pytest.mark.parametrize(
    ("status", "due", "expected"),
    [
        ("open", days(0), False),  # due today is not overdue
        ("open", days(-1), True),
        ("in_progress", days(-1), True),
        ("in_progress", days(-30), True),
        ("open", days(1), False),
        ("done", days(-1), False),
        ("cancelled", days(-1), False),
        ("done", days(-100), False),
        ("open", None, False),
        ("in_progress", None, False),
        (ActionStatus.OPEN, days(-1), True),
    ],
)
def test_is_overdue(status, due, expected):
    assert is_overdue(status, due, TODAY) is expected


def test_unknown_status_is_refused():
    with pytest.raises(ValueError):
        is_overdue("late", days(-1), TODAY)


@pytest.mark.parametrize(
    ("due", "expected"),
    [(days(-1), 1), (days(-10), 10), (days(0), 0), (days(5), 0), (None, 0)],
)
def test_days_overdue(due, expected):
    assert days_overdue(due, TODAY) == expected


def test_summarise_mix():
    rows = [
        ActionRow("open", None),  # open, no due date
        ActionRow("in_progress", days(30)),  # open, not soon
        ActionRow("open", days(0)),  # due today: soon, not overdue
        ActionRow("open", days(14)),  # soon (edge)
        ActionRow("in_progress", days(15)),  # just outside soon
        ActionRow("open", days(-1)),  # overdue
        ActionRow("in_progress", days(-20)),  # overdue
        ActionRow("done", days(-20), completed=days(-10)),  # recent
        ActionRow("done", days(-5), completed=days(-30)),  # recent (edge)
        ActionRow("done", days(-50), completed=days(-31)),  # not recent
        ActionRow("done", days(-50), completed=days(-40)),  # not recent
        ActionRow("done", days(-1), completed=None),  # done but no completion date
        ActionRow("cancelled", days(-3)),  # ignored
        ActionRow("cancelled", days(3), completed=days(-1)),  # ignored
    ]
    assert summarise(rows, TODAY) == ActionSummary(open=7, overdue=2, due_soon=2, recently_completed=2)


def test_summarise_empty():
    assert summarise([], TODAY) == ActionSummary(0, 0, 0, 0)


def test_summarise_custom_windows():
    rows = [ActionRow("open", days(5)), ActionRow("done", None, completed=days(-8))]
    assert summarise(rows, TODAY, soon_days=4, recent_days=7) == ActionSummary(1, 0, 0, 0)
    assert summarise(rows, TODAY, soon_days=5, recent_days=8) == ActionSummary(1, 0, 1, 1)


# --------------------------------------------------------------------------- documents

PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
ZIP_HEAD = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"
OLE_HEAD = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16


@pytest.mark.parametrize(
    ("filename", "head", "extension", "content_type"),
    [
        ("minutes.pdf", PDF_HEAD, "pdf", "application/pdf"),
        ("REPORT.PDF", PDF_HEAD, "pdf", "application/pdf"),
        ("議事録.2026.05.pdf", PDF_HEAD, "pdf", "application/pdf"),
        ("plan.docx", ZIP_HEAD, "docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("budget.XLSX", ZIP_HEAD, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("slides.pptx", ZIP_HEAD, "pptx",
         "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("old.doc", OLE_HEAD, "doc", "application/msword"),
        ("old.xls", OLE_HEAD, "xls", "application/vnd.ms-excel"),
        ("old.ppt", OLE_HEAD, "ppt", "application/vnd.ms-powerpoint"),
        ("text.odt", ZIP_HEAD, "odt", "application/vnd.oasis.opendocument.text"),
    ],
)
def test_accepted_documents(filename, head, extension, content_type):
    assert check_document(filename, 1234, head) == CheckedDocument(extension, content_type, 1234)


@pytest.mark.parametrize(
    ("filename", "extension_param"),
    [("setup.exe", "exe"), ("README", "?"), ("notes.txt", "txt"), ("archive.pdf.exe", "exe"), ("trailing.", "?")],
)
def test_refused_type(filename, extension_param):
    with pytest.raises(DocumentProblem) as info:
        check_document(filename, 100, PDF_HEAD)
    assert info.value.code == "type"
    assert info.value.params["extension"] == extension_param
    assert "pdf" in info.value.params["allowed"].split(", ")
    assert "exe" not in info.value.params["allowed"].split(", ")


@pytest.mark.parametrize(
    ("filename", "head"),
    [
        ("fake.pdf", ZIP_HEAD),  # a ZIP posing as a PDF
        ("fake.docx", PDF_HEAD),
        ("fake.doc", ZIP_HEAD),  # OOXML renamed to .doc
        ("fake.docx", OLE_HEAD),
        ("fake.pdf", b""),
        ("fake.pdf", b" %PDF-1.7"),
        ("fake.pdf", b"MZ\x90\x00"),
    ],
)
def test_refused_content(filename, head):
    with pytest.raises(DocumentProblem) as info:
        check_document(filename, 100, head)
    assert info.value.code == "content"
    assert info.value.params == {"extension": filename.rsplit(".", 1)[-1]}


def test_empty_file_refused():
    with pytest.raises(DocumentProblem) as info:
        check_document("minutes.pdf", 0, b"")
    assert info.value.code == "empty"
    assert info.value.params == {}


def test_size_limit_is_twenty_mebibytes():
    assert MAX_BYTES == 20 * 1024 * 1024
    assert check_document("big.pdf", MAX_BYTES, PDF_HEAD).size == MAX_BYTES
    with pytest.raises(DocumentProblem) as info:
        check_document("big.pdf", MAX_BYTES + 1, PDF_HEAD)
    assert info.value.code == "size"
    assert info.value.params["max_mb"] == 20
    with pytest.raises(DocumentProblem) as info:
        check_document("big.pdf", 25 * 1024 * 1024, PDF_HEAD)
    assert info.value.params == {"size_mb": 25.0, "max_mb": 20}


def test_custom_size_limit():
    with pytest.raises(DocumentProblem) as info:
        check_document("big.pdf", 5 * 1024 * 1024 + 1, PDF_HEAD, max_bytes=5 * 1024 * 1024)
    assert info.value.code == "size"
    assert info.value.params["max_mb"] == 5


def test_type_is_checked_before_size_and_content():
    with pytest.raises(DocumentProblem) as info:
        check_document("setup.exe", 0, b"MZ")
    assert info.value.code == "type"
    with pytest.raises(DocumentProblem) as info:
        check_document("big.pdf", MAX_BYTES + 1, ZIP_HEAD)
    assert info.value.code == "size"
