"""Benchmark: compute every review signal for a portfolio of 1,000 projects, 10,000 commitments and
20,000 outputs (budget: under 2 s). Run: ``python -m kyoso.portfolio.domain.bench``."""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta

from kyoso.portfolio.domain import signals as S
from kyoso.portfolio.domain.signals import (
    CommitmentFact,
    KpiFact,
    MilestoneFact,
    OutputFact,
    ProjectFacts,
    ReportFact,
    evaluate_portfolio,
    report_period_ends,
)

TODAY = date(2025, 6, 1)


def synthetic_portfolio(
    n_projects: int = 1000, n_commitments: int = 10_000, n_outputs: int = 20_000, seed: int = 5
) -> list[ProjectFacts]:
    rng = random.Random(seed)
    kinds = S.COMMITMENT_KINDS
    output_kinds = ("paper", "presentation", "patent", "prototype", "field_trial", "product", "service")
    statuses = S.KPI_STATUSES
    projects: list[ProjectFacts] = []
    for i in range(n_projects):
        start = date(2020, 4, 1) + timedelta(days=rng.randrange(0, 5 * 365))
        kpis = tuple(KpiFact(f"k{j}", f"KPI {j}", rng.choice(statuses)) for j in rng.sample(range(30), 3))
        commitments = tuple(
            CommitmentFact(
                f"org{rng.randrange(200)}",
                "Org",
                rng.randrange(start.year, 2027),
                kind := rng.choice(kinds),
                committed := (rng.randrange(1, 50) * 100_000 if kind == "cash" else rng.randrange(1, 12)),
                committed * rng.choice((0, 0.5, 0.8, 1, 1.2)),
            )
            for _ in range(n_commitments // n_projects)
        )
        outs = tuple(
            OutputFact(
                rng.choice(output_kinds),
                start + timedelta(days=rng.randrange(0, 2000)),
                tuple(k.kpi_id for k in kpis if rng.random() < 0.3),
            )
            for _ in range(n_outputs // n_projects)
        )
        end = start + timedelta(days=3 * 365) if i % 3 == 0 else None
        ends = report_period_ends(start, end, 6, TODAY)
        reports = tuple(
            ReportFact(e, e + timedelta(days=rng.randrange(0, 90)) if rng.random() < 0.9 else None) for e in ends
        )
        milestones = tuple(
            MilestoneFact(
                f"M{j}", start + timedelta(days=rng.randrange(100, 1500)), rng.random() < 0.6, rng.random() < 0.5
            )
            for j in range(4)
        )
        projects.append(
            ProjectFacts(
                project_id=i,
                start=start,
                end=end,
                stage=rng.choice(("basic_research", "applied", "field_trial", "implementation")),
                themes_agreed=rng.choice((0, 1, 1, 2, 3)),
                commitments=commitments,
                outputs=outs,
                expected_kpis=kpis,
                reports=reports,
                report_interval_months=6,
                milestones=milestones,
            )
        )
    return projects



def main(repeat: int = 5) -> None:
    projects = synthetic_portfolio()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        evaluate_portfolio(projects, TODAY)
        timings.append(time.perf_counter() - started)
    print(f"evaluate_portfolio: {len(projects):,} projects, {sum(len(p.commitments) for p in projects):,} "
          f"commitments, {sum(len(p.outputs) for p in projects):,} outputs: median "
          f"{statistics.median(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms over {repeat} runs")


if __name__ == "__main__":
    main()
