from django.core.management.base import BaseCommand

from kyoso.common import registry
from kyoso.sample.region import build_sample_region


class Command(BaseCommand):
    help = "Create (idempotently) the sample region and its logins; prints the logins."

    def handle(self, *args, **options):
        report = build_sample_region()
        if report.created:
            self.stdout.write(f"Created: {len(report.created)} sample records.")
        else:
            self.stdout.write("Sample region already present; nothing created.")
        # Steps the test fixtures skip (e.g. the matching index), declared in each app's manifest.
        for step in registry.sample_builders(in_fixtures=False):
            message = step.run(venue=report.venue, actor=report.actor)
            if isinstance(message, str) and message:
                self.stdout.write(message)
        self.stdout.write("Sample logins (user / password — role):")
        for username, password, display_name in report.logins:
            self.stdout.write(f"  {username:<12} {password:<14} {display_name}")
