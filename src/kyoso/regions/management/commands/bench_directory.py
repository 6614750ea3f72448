"""Benchmark: the organisation directory with 5,000 organisations (queries and server time).

Runs against a throw-away test database (never the configured one): creates it, loads the
reference data, tops it up to 5,000 organisations, then requests the directory page repeatedly
through Django's test client and reports the query count and the median/p90 server time.
"""

from __future__ import annotations

import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kyoso.common.benchmarks import throwaway_database


class Command(BaseCommand):
    help = "Benchmark the directory page with 5,000 organisations on a throw-away database."

    def add_arguments(self, parser):
        parser.add_argument("--organizations", type=int, default=5000)
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args, organizations: int, repeat: int, **options):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        with throwaway_database():
            self._run(organizations, repeat)

    def _run(self, total: int, repeat: int) -> None:
        from kyoso.regions.models import Organization, Region
        from kyoso.regions.reference import load_reference

        load_reference()
        municipalities = list(Region.objects.filter(level="municipality").order_by("code"))
        have = Organization.objects.count()
        kinds = [("industry", "sme"), ("industry", "regional_leader"), ("finance", "regional_bank"),
                 ("civil_society", "npo"), ("industry", "large_company")]
        Organization.objects.bulk_create(
            Organization(name=f"ベンチマーク組織{i:05d}", name_kana=f"べんちまーく{i:05d}", sector=kinds[i % 5][0],
                         kind=kinds[i % 5][1], region=municipalities[i % len(municipalities)], is_sample=True)
            for i in range(max(0, total - have))
        )
        count = Organization.objects.count()
        client = Client()
        scenarios = {
            "directory (no filter)": {},
            "directory q=大学": {"q": "大学"},
            "directory sector+prefecture": {"sector": "academia", "prefecture": "22"},
            "directory page 40": {"page": "40"},
            "directory htmx partial q=浜松": {"q": "浜松", "_htmx": "1"},
        }
        self.stdout.write(f"database: {connection.vendor}; organisations: {count:,}; {repeat} requests each")
        for label, params in scenarios.items():
            headers = {"HX-Request": "true"} if params.pop("_htmx", None) else {}
            client.get("/organizations/", params, headers=headers)  # warm up
            timings = []
            queries = 0
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.get("/organizations/", params, headers=headers)
                    timings.append((time.perf_counter() - start) * 1000)
                queries = len(captured)
                if response.status_code != 200:
                    raise RuntimeError(f"{label}: HTTP {response.status_code}")
            timings.sort()
            p90 = timings[max(0, int(len(timings) * 0.9) - 1)]
            self.stdout.write(
                f"{label:<34} queries={queries:>2}  median={statistics.median(timings):7.1f} ms  p90={p90:7.1f} ms"
            )
