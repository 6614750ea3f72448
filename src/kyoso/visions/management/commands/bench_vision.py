"""Benchmark: a vision with 10 goals × 10 KPIs and 20 years of monthly observations, and a 100,000-row import.

Runs on a throw-away database (never the configured one): loads the reference data and the sample region,
adds a vision of 100 KPIs with 240 monthly observations each (24,000 rows), then

* requests the vision dashboard page and one KPI detail page (as a member) repeatedly, reporting queries
  and median/p90 server time;
* imports a generated CSV of 100 KPIs × 1,000 dates (100,000 rows) end to end through
  ``services.check_batch`` and ``services.apply_batch``, reporting the seconds of each step.

Budgets: dashboard < 25 queries and median < 200 ms; the 100,000-row import < 30 s. ``--profile`` prints
where the time goes (cProfile) in the dashboard request and in each import step.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import math
import pstats
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kyoso.common.benchmarks import throwaway_database

DASHBOARD_MAX_QUERIES = 25
DASHBOARD_MAX_MEDIAN_MS = 200.0
IMPORT_MAX_SECONDS = 30.0


def months_back(today: dt.date, count: int) -> list[dt.date]:
    """The first day of each of the ``count`` months before ``today``'s month, oldest first."""
    first = today.replace(day=1)
    days = []
    for back in range(count, 0, -1):
        index = first.year * 12 + first.month - 1 - back
        days.append(dt.date(index // 12, index % 12 + 1, 1))
    return days


class Command(BaseCommand):
    help = "Benchmark the vision dashboard (100 KPIs, 24,000 observations) and a 100,000-row import."

    def add_arguments(self, parser):
        parser.add_argument("--goals", type=int, default=10)
        parser.add_argument("--kpis-per-goal", type=int, default=10)
        parser.add_argument("--months", type=int, default=240, help="Monthly observations per KPI (default 240).")
        parser.add_argument("--import-dates", type=int, default=1000, help="Dates per KPI in the import file.")
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--profile", action="store_true", help="Print cProfile summaries of the slow parts.")

    def handle(self, *args: Any, goals: int, kpis_per_goal: int, months: int, import_dates: int, repeat: int,
               profile: bool, **options: Any) -> None:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        self.profile = profile
        with throwaway_database() as database:
            self.stdout.write(f"database: {database}")
            self._run(goals, kpis_per_goal, months, import_dates, repeat)

    # --- set-up -------------------------------------------------------------------------------------

    def _build(self, n_goals: int, per_goal: int, n_months: int) -> Any:
        from django.contrib.auth import get_user_model

        from kyoso.regions.models import Region
        from kyoso.regions.reference import load_reference
        from kyoso.sample.personas import PERSONAS
        from kyoso.sample.region import build_sample_region
        from kyoso.venues.models import Venue
        from kyoso.visions import services
        from kyoso.visions.models import Goal, Kpi, KpiTarget, Observation

        load_reference()
        build_sample_region(passwords={p.username: "benchmark-only" for p in PERSONAS})
        venue = Venue.objects.get(slug="hamamatsu-sample")
        admin = get_user_model().objects.get(username="admin")
        today = timezone.localdate()
        began = time.perf_counter()
        vision = services.vision_create(actor=admin, venue=venue, title="ベンチマーク用ビジョン",
                                        horizon_year=today.year + 10, prefecture=Region.objects.get(code="22"),
                                        future_image="ベンチマーク用の将来像。")
        Goal.objects.bulk_create(Goal(vision=vision, order=g + 1, title=f"目標 {g + 1}") for g in range(n_goals))
        goal_ids = list(vision.goals.order_by("order").values_list("pk", flat=True))
        Kpi.objects.bulk_create(
            Kpi(vision=vision, goal_id=goal_id, code=f"k{g:02d}-{k:02d}", name=f"指標 {g + 1}-{k + 1}",
                unit="%" if k % 3 == 0 else "件", direction="lower" if k % 4 == 0 else "higher",
                frequency="monthly", baseline_value=Decimal(100), baseline_date=today - dt.timedelta(days=7300))
            for g, goal_id in enumerate(goal_ids) for k in range(per_goal)
        )
        kpis = list(vision.kpis.order_by("goal__order", "id"))
        years = (today.year + 3, today.year + 6, today.year + 10)
        KpiTarget.objects.bulk_create(
            KpiTarget(kpi=kpi, fiscal_year=year, value=Decimal(100 + (5 if kpi.direction == "higher" else -5) * step))
            for kpi in kpis for step, year in enumerate(years, 1)
        )
        rng = random.Random(20260401)
        days = months_back(today, n_months)
        rows = []
        for index, kpi in enumerate(kpis):
            slope = (index % 7 - 3) * 0.05
            for step, day in enumerate(days):
                value = 100 + slope * step + 3 * math.sin(step / 6) + rng.gauss(0, 1)
                rows.append(Observation(kpi=kpi, date=day, value=Decimal(f"{value:.2f}"), source="import"))
        Observation.objects.bulk_create(rows, batch_size=5000)
        stored = Observation.objects.filter(kpi__vision=vision).count()
        self.stdout.write(f"vision: {len(goal_ids)} goals, {len(kpis)} KPIs, {stored:,} observations "
                          f"({time.perf_counter() - began:.1f} s to build)")
        return vision

    # --- measurements -------------------------------------------------------------------------------

    def _time_page(self, client: Client, label: str, url: str, repeat: int) -> tuple[int, float, float]:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{label}: HTTP {response.status_code} for {url}")
        timings, queries = [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - begin) * 1000)
            queries = len(captured)
            if response.status_code != 200:
                raise RuntimeError(f"{label}: HTTP {response.status_code}")
        timings.sort()
        p90 = timings[max(0, math.ceil(len(timings) * 0.9) - 1)]
        median = statistics.median(timings)
        self.stdout.write(f"{label:<28} queries={queries:>3}  median={median:7.1f} ms  p90={p90:7.1f} ms")
        return queries, median, p90

    def _profiled(self, label: str, call: Callable[[], Any]) -> Any:
        if not self.profile:
            return call()
        profiler = cProfile.Profile()
        result = profiler.runcall(call)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(25)
        self.stdout.write(f"--- profile: {label} (cumulative) ---")
        self.stdout.write("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))
        return result

    def _import_file(self, vision: Any, n_dates: int) -> bytes:
        """100 KPIs × ``n_dates`` daily dates before today: some dates coincide with stored months."""
        today = timezone.localdate()
        codes = list(vision.kpis.order_by("code").values_list("code", flat=True))
        lines = ["kpi,date,value,note"]
        for index, code in enumerate(codes):
            for back in range(n_dates, 0, -1):
                day = today - dt.timedelta(days=back)
                lines.append(f"{code},{day.isoformat()},{100 + index % 9 + back / 1000:.3f},")
        return ("\n".join(lines) + "\n").encode()

    def _run(self, n_goals: int, per_goal: int, n_months: int, n_dates: int, repeat: int) -> None:
        from django.contrib.auth import get_user_model

        from kyoso.visions import services
        from kyoso.visions.models import ImportBatch, Observation

        vision = self._build(n_goals, per_goal, n_months)
        client = Client()
        client.force_login(get_user_model().objects.get(username="ura"))
        base = f"/venues/{vision.venue.slug}/visions/{vision.pk}/"
        some_kpi = vision.kpis.order_by("goal__order", "id").first()
        self.stdout.write(f"{repeat} requests each, as a member of the venue")
        queries, median, _p90 = self._time_page(client, "vision dashboard (page)", base, repeat)
        self._time_page(client, "KPI detail (page)", f"{base}kpis/{some_kpi.pk}/", repeat)
        self._time_page(client, "vision (API)", f"/api/v1/visions/{vision.pk}/", repeat)
        self._time_page(client, "KPI detail (API)", f"/api/v1/kpis/{some_kpi.pk}/", repeat)
        if self.profile:
            self._profiled("vision dashboard (page)", lambda: client.get(base))

        content = self._import_file(vision, n_dates)
        batch = ImportBatch.objects.create(vision=vision, filename="benchmark.csv", content=content)
        before = Observation.objects.count()
        begin = time.perf_counter()
        batch = self._profiled("check_batch", lambda: services.check_batch(batch))
        checked = time.perf_counter()
        if batch.status != ImportBatch.Status.READY:
            raise RuntimeError(f"import check: {batch.status} {batch.problems[:5]}")
        batch = self._profiled("apply_batch", lambda: services.apply_batch(batch))
        applied = time.perf_counter()
        if batch.status != ImportBatch.Status.APPLIED:
            raise RuntimeError(f"import apply: {batch.status} {batch.problems[:5]}")
        summary = batch.summary
        total = applied - begin
        self.stdout.write(
            f"import {batch.row_count:,} rows ({len(content) / 1e6:.1f} MB): check {checked - begin:5.2f} s, "
            f"apply {applied - checked:5.2f} s, total {total:5.2f} s  (new {summary['new']:,}, "
            f"changed {summary['changed']:,}, unchanged {summary['unchanged']:,}; "
            f"{Observation.objects.count() - before:,} rows added)"
        )
        budgets = [
            ("dashboard queries", queries < DASHBOARD_MAX_QUERIES, f"{queries} < {DASHBOARD_MAX_QUERIES}"),
            ("dashboard median", median < DASHBOARD_MAX_MEDIAN_MS,
             f"{median:.0f} ms < {DASHBOARD_MAX_MEDIAN_MS:.0f} ms"),
            ("import 100,000 rows", total < IMPORT_MAX_SECONDS, f"{total:.1f} s < {IMPORT_MAX_SECONDS:.0f} s"),
        ]
        for label, ok, text in budgets:
            self.stdout.write(f"budget {label:<22} {'ok    ' if ok else 'MISSED'} {text}")
