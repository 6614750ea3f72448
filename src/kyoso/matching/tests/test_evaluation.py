"""The evaluation tooling: the real-records set leaves each need's work out of the profile, and the report's
bootstrap interval is an interval of the mean."""

from __future__ import annotations

import numpy as np

from kyoso.matching.domain.evaluate import bootstrap_ci
from kyoso.matching.eval import real_records


def test_the_real_records_set_pairs_a_title_with_its_author_and_leaves_it_out_of_the_profile():
    profiles, needs = real_records.build()
    by_id = {p["id"]: p for p in profiles}
    assert len(by_id) == 5 and len(needs) > 150
    assert {n["split"] for n in needs} == {"tune", "test"}
    assert {n["lang"] for n in needs} == {"ja", "en"}
    for need in needs:
        (author,) = need["relevant"]
        titles = {r["title"].lower() for r in by_id[author]["records"]}
        assert need["text"].lower() not in titles  # the need's own work is not in the profile
    background = real_records.build(background=[{"id": "bg", "records": []}])[0]
    assert background[-1]["id"] == "bg"


def test_bootstrap_interval_contains_the_mean_and_shrinks_with_more_needs():
    rng = np.random.default_rng(1)
    few, many = rng.random(20), rng.random(2000)
    lo, hi = bootstrap_ci(few)
    assert lo < few.mean() < hi
    lo2, hi2 = bootstrap_ci(many)
    assert hi2 - lo2 < hi - lo
    assert bootstrap_ci(np.ones(10)) == (1.0, 1.0)


def test_the_pairwise_loss_counts_wrongly_ordered_pairs_and_ties_unranked_ones_at_the_bottom():
    from kyoso.matching.domain.evaluate import pairwise_loss

    class Ranked:  # stands in for a MatchIndex: a fixed ranking of five researchers, two left unranked
        def __init__(self, order):
            self.order = order

        def __len__(self):
            return 7

        def __contains__(self, researcher_id):
            return researcher_id in "abcdefg"

        def search(self, need, top, mode, explain):
            return [type("M", (), {"researcher_id": r})() for r in self.order]

    need = [{"text": "x", "relevant": ["a", "f"]}]
    # a is first (no wrong pair); f is unranked: wrong against the 4 ranked irrelevant, half against the 1 unranked
    assert pairwise_loss(Ranked("abcde"), need) == (0 + 4 + 0.5) / (2 * 5)
    assert pairwise_loss(Ranked("afbcde"), need) == 0.0
    assert pairwise_loss(Ranked("bcdeaf"), need) == 8 / 10  # both below the 4 ranked irrelevant, above g
