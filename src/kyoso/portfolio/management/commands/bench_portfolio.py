"""Benchmark: a portfolio of 1,000 projects with 10,000 commitments and 20,000 outputs.

Runs on a throw-away database (never the configured one): loads the reference data and the sample region,
adds ``--projects`` projects (each with participants, ten commitments with provision, twenty outputs, some
linked to KPIs, reports and milestones), then

* computes every review signal of the whole portfolio through the same query function the pages use
  (``queries.evaluate_projects``), reporting the seconds (budget < 2 s);
* requests the portfolio page, a filtered portfolio page, the projects × KPIs matrix, the chart and one project
  page as a member, reporting queries and median/p90 server time (portfolio page budget: < 30 queries,
  median < 300 ms).

``--profile`` prints where the time of the portfolio page goes (cProfile).
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
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kyoso.common.benchmarks import throwaway_database

PAGE_MAX_QUERIES = 30
PAGE_MAX_MEDIAN_MS = 300.0
SIGNALS_MAX_SECONDS = 2.0
KINDS = ("cash", "staff", "equipment", "data", "field")
OUTPUT_KINDS = ("paper", "presentation", "patent", "prototype", "field_trial", "product", "service", "startup",
                "policy_adoption")


class Command(BaseCommand):
    help = "Benchmark the portfolio: 1,000 projects, 10,000 commitments, 20,000 outputs."

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=1000)
        parser.add_argument("--commitments-per-project", type=int, default=10)
        parser.add_argument("--outputs-per-project", type=int, default=20)
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--profile", action="store_true")

    def handle(self, *args: Any, projects: int, commitments_per_project: int, outputs_per_project: int,
               repeat: int, profile: bool, **options: Any) -> None:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        with throwaway_database() as database:
            self.stdout.write(f"database: {database}")
            venue = self._build(projects, commitments_per_project, outputs_per_project)
            self._run(venue, repeat, profile)

    def _build(self, n_projects: int, per_commitments: int, per_outputs: int) -> Any:
        from django.contrib.auth import get_user_model

        from kyoso.portfolio.models import (
            Commitment,
            ExpectedKpi,
            Milestone,
            Output,
            Participant,
            Project,
            Provision,
            Report,
        )
        from kyoso.regions.models import Organization
        from kyoso.regions.reference import load_reference
        from kyoso.sample.personas import PERSONAS
        from kyoso.sample.region import build_sample_region
        from kyoso.venues.models import Venue
        from kyoso.visions.models import Kpi, ResearchTheme

        load_reference()
        build_sample_region(passwords={p.username: "benchmark-only" for p in PERSONAS})
        began = time.perf_counter()
        venue = Venue.objects.get(slug="hamamatsu-sample")
        researcher = get_user_model().objects.get(username="researcher").person
        orgs = list(Organization.objects.filter(memberships__venue=venue).distinct()[:10])
        outside = list(Organization.objects.filter(sector="academia").exclude(region__code__startswith="22")[:20])
        themes = list(ResearchTheme.objects.filter(issue__vision__venue=venue))
        kpis = list(Kpi.objects.filter(vision__venue=venue))
        today = timezone.localdate()
        rng = random.Random(20261201)
        Project.objects.bulk_create(
            Project(venue=venue, title=f"ベンチマーク用プロジェクト {i + 1:04d}", summary_public="ベンチマーク用の概要",
                    stage=rng.choice(list(Project.Stage.values)), start_date=today - dt.timedelta(days=rng.randint(
                        30, 2000)), lead_organization=rng.choice(orgs), report_interval_months=6)
            for i in range(n_projects))
        projects = list(Project.objects.filter(venue=venue, title__startswith="ベンチマーク用"))
        Project.themes.through.objects.bulk_create(
            Project.themes.through(project_id=p.pk, researchtheme_id=rng.choice(themes).pk)
            for p in projects if themes and rng.random() < 0.8)
        ExpectedKpi.objects.bulk_create(ExpectedKpi(project=p, kpi=k) for p in projects
                                        for k in rng.sample(kpis, min(2, len(kpis))))
        participants = []
        for index, p in enumerate(projects):
            participants.append(Participant(project=p, organization=p.lead_organization, role="pi",
                                            person=researcher if index % 10 == 0 else None))
            participants.append(Participant(project=p, organization=rng.choice(outside or orgs),
                                            role="co_researcher", in_region=False))
        Participant.objects.bulk_create(participants)
        Commitment.objects.bulk_create(
            Commitment(project=p, partner=rng.choice(orgs), fiscal_year=today.year - 1 - (c % 3),
                       kind=KINDS[c % len(KINDS)], amount=Decimal(rng.choice((1, 6, 12, 1_000_000, 5_000_000))),
                       is_confidential=c % 4 == 0)
            for p in projects for c in range(per_commitments))
        Provision.objects.bulk_create(
            Provision(commitment_id=cid, amount=(amount * Decimal(rng.choice(("0.2", "0.8", "1.0")))).quantize(
                Decimal("1")) or Decimal(1), provided_on=today - dt.timedelta(days=200))
            for cid, amount in Commitment.objects.filter(project__in=projects).values_list("pk", "amount"))
        Output.objects.bulk_create(
            Output(project=p, kind=rng.choice(OUTPUT_KINDS), title=f"成果 {o}", is_confidential=o % 7 == 0,
                   date=today - dt.timedelta(days=rng.randint(1, 900)))
            for p in projects for o in range(per_outputs))
        Output.kpis.through.objects.bulk_create(
            Output.kpis.through(output_id=oid, kpi_id=rng.choice(kpis).pk)
            for oid in Output.objects.filter(project__in=projects).values_list("pk", flat=True) if rng.random() < 0.3)
        Report.objects.bulk_create(
            Report(project=p, period_end=p.start_date + dt.timedelta(days=182), submitted_on=p.start_date
                   + dt.timedelta(days=200), progress="進捗") for p in projects)
        Milestone.objects.bulk_create(
            Milestone(project=p, title=f"マイルストーン {m}", due_date=p.start_date + dt.timedelta(days=200 * (m + 1)),
                      partner_facing=m == 0, done_on=p.start_date + dt.timedelta(days=200 * (m + 1))
                      if rng.random() < 0.6 else None)
            for p in projects for m in range(3))
        counts = (Project.objects.filter(venue=venue).count(), Commitment.objects.count(), Output.objects.count())
        self.stdout.write(f"portfolio: {counts[0]:,} projects, {counts[1]:,} commitments, {counts[2]:,} outputs "
                          f"({time.perf_counter() - began:.1f} s to build)")
        return venue

    def _time_page(self, client: Client, label: str, url: str, repeat: int) -> tuple[int, float]:
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
        timings.sort()
        p90 = timings[max(0, math.ceil(len(timings) * 0.9) - 1)]
        median = statistics.median(timings)
        self.stdout.write(f"{label:<32} queries={queries:>3}  median={median:7.1f} ms  p90={p90:7.1f} ms")
        return queries, median

    def _time_reports(self, venue: Any) -> None:
        """The portfolio report of every project, built by the background task's own function."""
        from django.contrib.auth import get_user_model

        from kyoso.portfolio.export_views import report_job_run
        from kyoso.portfolio.models import ReportJob

        user = get_user_model().objects.get(username="secretariat")
        for fmt in ("xlsx", "pdf"):
            job = ReportJob.objects.create(venue=venue, requested_by=user, fmt=fmt)
            begin = time.perf_counter()
            job = report_job_run(job.pk)
            seconds = time.perf_counter() - begin
            size = len(ReportJob.objects.values_list("content", flat=True).get(pk=job.pk) or b"")
            self.stdout.write(f"{'portfolio report (' + fmt + ', task)':<32} {seconds:6.1f} s  {size / 1e6:.1f} MB "
                              f"({job.status})")

    def _run(self, venue: Any, repeat: int, profile: bool) -> None:
        from django.contrib.auth import get_user_model

        from kyoso.portfolio import queries

        today = timezone.localdate()
        projects = list(queries.projects_of(venue))
        timings = []
        for _ in range(5):
            begin = time.perf_counter()
            reviews = queries.evaluate_projects(projects, today, queries.thresholds_of(venue))
            timings.append(time.perf_counter() - begin)
        fired = sum(1 for r in reviews if r.fired)
        signals_s = statistics.median(timings)
        self.stdout.write(f"all signals of {len(projects):,} projects (queries + computation): median "
                          f"{signals_s:.2f} s over 5 runs ({fired:,} projects with a fired signal)")
        client = Client()
        client.force_login(get_user_model().objects.get(username="ura"))
        base = f"/venues/{venue.slug}/portfolio/"
        self.stdout.write(f"{repeat} requests each, as a member of the venue")
        page_q, page_ms = self._time_page(client, "portfolio page", base, repeat)
        cold = []
        for _ in range(3):
            projects[0].save(update_fields=["updated_at"])  # any change makes the cached overview stale
            begin = time.perf_counter()
            client.get(base)
            cold.append((time.perf_counter() - begin) * 1000)
        self.stdout.write(f"{'portfolio page, first after a change':<32} median={statistics.median(cold):7.1f} ms "
                          "(recomputes every signal of the portfolio)")
        self._time_page(client, "portfolio page, filtered", f"{base}?stage=field_trial&region=out", repeat)
        self._time_page(client, "portfolio page, by signal", f"{base}?signal=resource_shortfall", repeat)
        self._time_page(client, "projects × KPIs matrix", f"{base}matrix/", max(3, repeat // 4))
        self._time_page(client, "resources vs progress chart", f"{base}chart/", max(3, repeat // 4))
        self._time_page(client, "project page", f"{base}{projects[0].pk}/", repeat)
        self._time_reports(venue)
        if profile:
            profiler = cProfile.Profile()
            profiler.runcall(lambda: client.get(base))
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
            self.stdout.write(out.getvalue())
        ok = page_q < PAGE_MAX_QUERIES and page_ms < PAGE_MAX_MEDIAN_MS and signals_s < SIGNALS_MAX_SECONDS
        verdict = "within budget" if ok else "OVER BUDGET"
        self.stdout.write(f"budgets: page < {PAGE_MAX_QUERIES} queries and median < {PAGE_MAX_MEDIAN_MS:.0f} ms; "
                          f"signals < {SIGNALS_MAX_SECONDS:.0f} s → {verdict}")
