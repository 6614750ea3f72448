"""Benchmark: the venue home with 50 meetings, 500 decisions and 2,000 action items.

Runs on a throw-away database (never the configured one): loads the reference data and the sample
region, tops the sample venue up to the sizes above, then requests the venue home (as a member) and
the decision log repeatedly, reporting queries and median/p90 server time.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kyoso.common.benchmarks import throwaway_database


class Command(BaseCommand):
    help = "Benchmark the venue home with 50 meetings, 500 decisions and 2,000 action items."

    def add_arguments(self, parser):
        parser.add_argument("--meetings", type=int, default=50)
        parser.add_argument("--decisions", type=int, default=500)
        parser.add_argument("--actions", type=int, default=2000)
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args, meetings: int, decisions: int, actions: int, repeat: int, **options):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        with throwaway_database() as database:
            self.stdout.write(f"database: {database}")
            self._run(meetings, decisions, actions, repeat)

    def _run(self, n_meetings: int, n_decisions: int, n_actions: int, repeat: int) -> None:
        from django.contrib.auth import get_user_model

        from kyoso.regions.models import Person
        from kyoso.regions.reference import load_reference
        from kyoso.sample.personas import PERSONAS
        from kyoso.sample.region import build_sample_region
        from kyoso.venues.models import ActionItem, AgendaItem, Decision, Meeting, Venue

        load_reference()
        build_sample_region(passwords={p.username: "benchmark-only" for p in PERSONAS})
        venue = Venue.objects.get(slug="hamamatsu-sample")
        today = timezone.localdate()
        have = venue.meetings.count()
        Meeting.objects.bulk_create(
            Meeting(venue=venue, title=f"ベンチマーク会議 {i}", status="held", minutes="# 議事録\n本文",
                    minutes_status="final", starts_at=timezone.now() - dt.timedelta(days=7 * i))
            for i in range(max(0, n_meetings - have))
        )
        meeting_ids = list(venue.meetings.values_list("pk", flat=True))
        AgendaItem.objects.bulk_create(AgendaItem(meeting_id=m, order=1, title="議題") for m in meeting_ids)
        items = list(AgendaItem.objects.filter(meeting__venue=venue).values_list("pk", flat=True))
        start = (venue.decisions.aggregate(n=Max("number"))["n"] or 0) + 1
        have = venue.decisions.count()
        Decision.objects.bulk_create(
            Decision(venue=venue, agenda_item_id=items[i % len(items)], number=start + i, title=f"決定 {i} 実証",
                     text="実証実験の方針を定める。" * 5, status="finalised", is_public=i % 2 == 0,
                     decided_on=today - dt.timedelta(days=i))
            for i in range(max(0, n_decisions - have))
        )
        decision_ids = list(venue.decisions.filter(status="finalised").values_list("pk", flat=True))
        people = list(Person.objects.filter(representations__membership__venue=venue).distinct())
        statuses = ["open", "in_progress", "done", "cancelled"]
        have = venue.action_items.count()
        ActionItem.objects.bulk_create(
            ActionItem(venue=venue, decision_id=decision_ids[i % len(decision_ids)], title=f"アクション {i}",
                       owner_person=people[i % len(people)], status=statuses[i % 4],
                       due_date=today + dt.timedelta(days=(i % 120) - 60),
                       completed_on=today - dt.timedelta(days=i % 60) if statuses[i % 4] == "done" else None)
            for i in range(max(0, n_actions - have))
        )
        self.stdout.write(
            f"venue: {venue.meetings.count()} meetings, {venue.decisions.count()} decisions, "
            f"{venue.action_items.count()} action items, {venue.memberships.count()} members; {repeat} requests each"
        )
        client = Client()
        client.force_login(get_user_model().objects.get(username="ura"))
        scenarios = {
            "venue home (member)": (f"/venues/{venue.slug}/", {}),
            "decision log (member)": (f"/venues/{venue.slug}/decisions/", {}),
            "decision log q=実証": (f"/venues/{venue.slug}/decisions/", {"q": "実証"}),
            "action list overdue": (f"/venues/{venue.slug}/actions/", {"status": "overdue"}),
        }
        for label, (url, params) in scenarios.items():
            client.get(url, params)
            timings, queries = [], 0
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    begin = time.perf_counter()
                    response = client.get(url, params)
                    timings.append((time.perf_counter() - begin) * 1000)
                queries = len(captured)
                if response.status_code != 200:
                    raise RuntimeError(f"{label}: HTTP {response.status_code}")
            timings.sort()
            p90 = timings[max(0, int(len(timings) * 0.9) - 1)]
            self.stdout.write(f"{label:<26} queries={queries:>2}  median={statistics.median(timings):7.1f} ms  "
                              f"p90={p90:7.1f} ms")
