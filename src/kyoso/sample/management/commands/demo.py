from django.core.management.base import BaseCommand

from kyoso.sample.region import build_sample_region


class Command(BaseCommand):
    help = "Create (idempotently) the sample region and its logins; prints the logins."

    def handle(self, *args, **options):
        report = build_sample_region()
        if report.created:
            self.stdout.write(f"Created: {len(report.created)} sample records.")
        else:
            self.stdout.write("Sample region already present; nothing created.")
        self.stdout.write("Sample logins (user / password — role):")
        for username, password, display_name in report.logins:
            self.stdout.write(f"  {username:<12} {password:<14} {display_name}")
