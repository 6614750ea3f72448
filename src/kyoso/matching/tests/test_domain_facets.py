"""Facet splitting, team selection (greedy set cover) and the capability gap (no Django)."""

from kyoso.matching.domain.facets import (
    GapReport,
    capability_gap,
    select_team,
    split_facets,
    uncovered_facets,
)
from kyoso.matching.domain.search import Match


def test_split_facets_at_clauses_and_commas():
    assert split_facets("赤潮を衛星で予測し、養殖業者に警報を届け、被害額を推計したい") == [
        "赤潮を衛星で予測し", "養殖業者に警報を届け", "被害額を推計したい"]
    assert split_facets("Predict algal blooms from satellites, send alerts to farmers and estimate the damage.") == [
        "Predict algal blooms from satellites", "send alerts to farmers", "estimate the damage"]


def test_split_facets_keeps_a_simple_need_whole_and_limits_the_count():
    assert split_facets("ブリ養殖の赤潮被害を早期に予測したい") == ["ブリ養殖の赤潮被害を早期に予測したい"]
    many = split_facets("水温を測り、餌を減らし、網を洗い、魚を数え、出荷を計画し、価格を予測したい", max_facets=3)
    assert len(many) == 3
    assert "出荷" in "".join(many) and "水温" in "".join(many)
    assert split_facets("") == []
    assert split_facets("、。") == ["、。"]


SCORES = {
    "a": [0.9, 0.1, 0.1],
    "b": [0.8, 0.7, 0.0],  # same institution as a
    "c": [0.1, 0.2, 0.8],
    "d": [0.2, 0.6, 0.1],
    "e": [0.1, 0.1, 0.3],
}
INST = {"a": "U1", "b": "U1", "c": "U2", "d": "U3", "e": "U3"}


def test_team_covers_every_facet_from_two_institutions():
    team = select_team(SCORES, INST)
    chosen = [m.researcher_id for m in team]
    assert 3 <= len(team) <= 5
    assert uncovered_facets(team, 3) == []
    assert len({INST[r] for r in chosen}) >= 2
    assert chosen[0] == "b"  # covers two facets at once
    assert dict((m.researcher_id, m.facets) for m in team)["c"] == (2,)


def test_team_respects_size_and_institution_limits():
    one_place = {r: s for r, s in SCORES.items()}
    team = select_team(one_place, {r: "U1" for r in SCORES} | {"e": "U9"}, size_min=2, size_max=2)
    assert len(team) == 2
    assert "e" in [m.researcher_id for m in team]  # the only way to reach two institutions
    assert len(select_team(SCORES, INST, size_min=1, size_max=1)) == 1


def test_team_edge_cases():
    assert select_team({}, {}) == []
    team = select_team({"x": [0.9, 0.0]}, {"x": "U1"})
    assert [m.researcher_id for m in team] == ["x"]  # fewer candidates than size_min
    assert uncovered_facets(team, 2) == [1]  # nobody reaches the threshold on facet 1
    low = select_team({"x": [0.1], "y": [0.2], "z": [0.3]}, {"x": "A", "y": "B", "z": "C"})
    assert [m.facets for m in low] == [(), (), ()]  # proposed, but covering nothing: the UI says so


def m(rid, score):
    return Match(rid, score, 0.0, 0.0, ())


def test_capability_gap_verdicts():
    assert capability_gap([m("in", 0.8)], [m("out", 0.85)]).verdict == "covered"
    strong = capability_gap([m("in", 0.6)], [m("out", 0.95)])
    assert strong.verdict == "stronger_outside" and abs(strong.gap - 0.35) < 1e-9
    assert capability_gap([m("in", 0.2)], [m("out", 0.9)]).verdict == "look_outside"
    assert capability_gap([m("in", 0.2)], [m("out", 0.3)]).verdict == "not_covered"
    empty = capability_gap([], [])
    assert empty == GapReport(0.0, 0.0, None, None, 0.0, "no_data")


def test_capability_gap_per_facet():
    report = capability_gap([m("c", 0.8)], [m("b", 0.8)], facet_scores=SCORES, region_ids={"c", "e"})
    assert report.best_in_region_id == "c" and report.best_outside_id == "b"
    assert [f.verdict for f in report.per_facet] == ["look_outside", "look_outside", "covered"]
    assert report.per_facet[0].best_outside == 0.9
