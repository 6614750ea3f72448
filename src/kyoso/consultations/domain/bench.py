"""Benchmark of the opinion map (``python -m kyoso.consultations.domain.bench``; part of ``kyoso bench``).

For each size ``participants×statements`` a seeded conversation with 3 planted groups is generated (each participant
votes on ~``--vote-share`` of the statements), then :func:`kyoso.consultations.domain.opinion.compute` is timed
(best of ``--repeat``) and its peak memory measured with ``tracemalloc`` (numpy reports its buffers there); the
recovered groups are compared with the planted ones (ARI). Budgets (issue 11): 10,000×500 ≤ 1 s and ≤ 1 GB;
50,000×1,000 ≤ 10 s. ``--check`` exits 1 when a budget is exceeded.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc

from .opinion import adjusted_rand_index, compute, planted_conversation

BUDGETS = {(10_000, 500): (1.0, 1024.0), (50_000, 1_000): (10.0, None)}


def run(n: int, m: int, *, vote_share: float, repeat: int, seed: int) -> dict[str, object]:
    votes, truth = planted_conversation(n, m, 3, seed=seed, vote_share=vote_share)
    timings = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = compute(votes, seed=seed)
        timings.append(time.perf_counter() - started)
    tracemalloc.start()
    compute(votes, seed=seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result is not None
    seconds, megabytes = min(timings), peak / 2**20
    budget_s, budget_mb = BUDGETS.get((n, m), (None, None))
    ok = (budget_s is None or seconds <= budget_s) and (budget_mb is None or megabytes <= budget_mb)
    return {
        "size": f"{n}x{m}", "votes": len(votes.value), "seconds": round(seconds, 3), "peak_mb": round(megabytes, 1),
        "groups": [g.size for g in result.groups], "ari": round(adjusted_rand_index(result.labels,
                                                                                      truth[result.participants]), 3),
        "budget_seconds": budget_s, "budget_mb": budget_mb, "within_budget": ok,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000x500,50000x1000", help="comma-separated PARTICIPANTSxSTATEMENTS")
    parser.add_argument("--vote-share", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 when a budget is exceeded")
    args = parser.parse_args(argv)
    rows = []
    for size in args.sizes.split(","):
        n, m = (int(part) for part in size.lower().split("x"))
        rows.append(run(n, m, vote_share=args.vote_share, repeat=args.repeat, seed=args.seed))
        row = rows[-1]
        if not args.json:
            print(f"opinion map {row['size']}: {row['votes']:,} votes, {row['seconds']} s, peak {row['peak_mb']} MB, "
                  f"groups {row['groups']}, ARI {row['ari']}"
                  + ("" if row["within_budget"] else "  ** over budget **"), flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))
    return 1 if args.check and not all(row["within_budget"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
