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
        self._matching()
        self.stdout.write("Sample logins (user / password — role):")
        for username, password, display_name in report.logins:
            self.stdout.write(f"  {username:<12} {password:<14} {display_name}")

    def _matching(self):
        """Researcher profiles for seeds–needs matching (a separate step: the test fixtures skip it) and
        the matching index, built here in the command, never in a request."""
        from kyoso.matching import index, services
        from kyoso.sample.matching_content import build_matching_content

        changed = build_matching_content()
        if changed or index.current_version() is None:
            version, size = services.index_rebuild()
            self.stdout.write(f"Matching: {len(changed)} researcher profiles imported or changed; "
                              f"index {version} with {size} researchers.")
        else:
            self.stdout.write("Matching: researcher profiles and index already up to date.")
