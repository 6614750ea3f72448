"""Benchmark: the public site of a venue with the portfolio benchmark's 1,000 projects (``kyoso bench-public``).

Runs on a throw-away database: builds the portfolio benchmark's data (``bench-portfolio``'s builder: 1,000
projects, 10,000 commitments, 20,000 outputs, each project expected to move two KPIs), publishes the public site
(``kyoso.public.sample``) and makes every other benchmark project public, then requests the public venue page and a
KPI page as an anonymous visitor, reporting the queries and the median/p90 server time.
Budgets: ≤ 15 queries and median ≤ 100 ms for both.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from kyoso.common.benchmarks import throwaway_database

MAX_QUERIES = 15
MAX_MEDIAN_MS = 100.0


class Command(BaseCommand):
    help = "Benchmark the public venue page and a public KPI page with 1,000 projects."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--projects", type=int, default=1000)
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args: Any, projects: int, repeat: int, **options: Any) -> None:
        from django.test import Client

        from kyoso.portfolio.management.commands.bench_portfolio import Command as PortfolioBench

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        with throwaway_database() as database:
            self.stdout.write(f"database: {database}")
            portfolio = PortfolioBench(stdout=self.stdout, stderr=self.stderr)
            venue = portfolio._build(projects, 10, 20)
            self._publish(venue)
            client = Client()
            from kyoso.visions.models import Kpi

            kpi = Kpi.objects.public().filter(vision__venue=venue).order_by("id").first()
            results = [
                portfolio._time_page(client, "public venue page", f"/v/{venue.slug}/", repeat),
                portfolio._time_page(client, "public venue page (easy)", f"/v/{venue.slug}/?lang=easy", repeat),
                portfolio._time_page(client, "public KPI page", f"/v/{venue.slug}/kpis/{kpi.pk}/", repeat),
                portfolio._time_page(client, "public project list", f"/v/{venue.slug}/projects/", repeat),
            ]
            portfolio._time_page(client, "open data: projects CSV", f"/v/{venue.slug}/data/projects.csv",
                                 max(3, repeat // 4))
            portfolio._time_page(client, "open data: outputs CSV", f"/v/{venue.slug}/data/outputs.csv",
                                 max(3, repeat // 4))
            ok = all(q <= MAX_QUERIES and ms <= MAX_MEDIAN_MS for q, ms in results[:3])
            self.stdout.write(f"budgets: venue and KPI page ≤ {MAX_QUERIES} queries and median ≤ "
                              f"{MAX_MEDIAN_MS:.0f} ms → {'within budget' if ok else 'OVER BUDGET'}")

    def _publish(self, venue: Any) -> None:
        from kyoso.portfolio.models import Output, Project
        from kyoso.public.sample import build_public_site

        build_public_site(venue=venue, actor=None)
        ids = list(Project.objects.filter(venue=venue, title__startswith="ベンチマーク用").values_list("pk", flat=True))
        Project.objects.filter(pk__in=ids[::2]).update(is_public=True)
        public = Project.objects.public().filter(venue=venue).count()
        outputs = Output.objects.public().filter(project__venue=venue).count()
        self.stdout.write(f"public site: {public:,} public projects, {outputs:,} public outputs")
