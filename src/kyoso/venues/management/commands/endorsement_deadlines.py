"""Queue the daily endorsement-deadline run: evaluate proposals past their deadline, remind non-responders."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Queue the evaluation of proposals past their deadline and the reminders of their non-responders."

    def handle(self, *args: Any, **options: Any) -> None:
        from kyoso.venues.tasks import process_endorsement_deadlines

        result = process_endorsement_deadlines.enqueue()
        self.stdout.write(f"queued {result.id}")
