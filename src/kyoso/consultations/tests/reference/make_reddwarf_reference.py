"""Write ``reddwarf_0_4_0.json``: what red-dwarf 0.4.0 (MPL-2.0, a Python reproduction of polismath) selects on
seeded planted conversations, for ``test_opinion.test_same_selections_as_red_dwarf``.

Not part of the test run (red-dwarf is not a dependency). To regenerate, in a separate virtual environment::

    python -m venv /tmp/rdenv && /tmp/rdenv/bin/pip install red-dwarf==0.4.0
    /tmp/rdenv/bin/python src/kyoso/consultations/tests/reference/make_reddwarf_reference.py

For each conversation (``planted_conversation`` with the recorded parameters) the groups are those our
``compute`` finds; red-dwarf is given the same participants and groups and its representative statements
(``select_representative_statements``), whole-room consensus (``select_consensus_statements`` on every
participant's votes) and group-aware consensus (``calculate_comment_statistics``) are recorded.
"""

from __future__ import annotations

import json
import math
import pathlib
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[4]))

from reddwarf.utils.consensus import select_consensus_statements  # noqa: E402
from reddwarf.utils.stats import (  # noqa: E402
    calculate_comment_statistics,
    calculate_comment_statistics_dataframes,
    select_representative_statements,
)

from kyoso.consultations.domain.opinion import compute, planted_conversation  # noqa: E402


def conversations() -> list[dict[str, float]]:
    return [{"n": [120, 200, 300, 500][i % 4], "m": [20, 30, 40][i % 3], "groups": 2 + i % 3, "seed": i,
             "vote_share": round(0.5 + 0.02 * (i % 5), 2), "clarity": round(0.75 + 0.01 * i, 2)} for i in range(24)]


def main() -> None:
    cases = []
    for params in conversations():
        n, m = int(params["n"]), int(params["m"])
        votes, _ = planted_conversation(n, m, int(params["groups"]), seed=int(params["seed"]),
                                        vote_share=params["vote_share"], clarity=params["clarity"])
        result = compute(votes, seed=int(params["seed"]))
        full = np.full((n, m), np.nan)
        full[votes.participant, votes.statement] = votes.value
        matrix = pd.DataFrame(full, columns=pd.Index(range(m), name="statement_id"),
                              index=pd.Index(range(n), name="participant_id"))
        clustered = matrix.iloc[result.participants]
        grouped, _ = calculate_comment_statistics_dataframes(clustered, cluster_labels=result.labels)
        repness = select_representative_statements(grouped)
        consensus = select_consensus_statements(matrix)
        *_, gac = calculate_comment_statistics(clustered, cluster_labels=result.labels)
        cases.append({
            "params": params,
            "participants": [int(p) for p in result.participants],
            "labels": [int(g) for g in result.labels],
            "representative": [[[int(r["tid"]), r["repful-for"], bool(r.get("best-agree", False))]
                                for r in repness[g]] for g in range(len(result.groups))],
            "consensus_agree": [int(c["tid"]) for c in consensus["agree"]],
            "consensus_disagree": [int(c["tid"]) for c in consensus["disagree"]],
            "group_consensus": [None if math.isnan(v) else float(v) for v in gac[0]],
        })
    out = pathlib.Path(__file__).with_name("reddwarf_0_4_0.json")
    out.write_text(json.dumps({"generator": "red-dwarf 0.4.0", "cases": cases}, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    print(f"wrote {out} ({len(cases)} conversations)")


if __name__ == "__main__":
    main()
