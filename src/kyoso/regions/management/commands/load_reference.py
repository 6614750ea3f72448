"""``kyoso load-reference``: load or refresh the reference regions and organisations (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kyoso.regions.reference import load_reference


class Command(BaseCommand):
    help = (
        "Load the bundled reference data (47 prefectures, 1,741 municipalities, their public bodies and "
        "1,176 universities, junior colleges and kosen). Safe to run again: unchanged rows are not touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            default=None,
            help="Folder with admin_codes/ and universities/ (default: the copies bundled with Kyoso).",
        )

    def handle(self, *args, data_dir: str | None = None, **options):
        verbose = options.get("verbosity", 1) > 1
        report = load_reference(data_dir=data_dir, stdout=self.stdout if verbose else None)
        for line in report.lines():
            self.stdout.write(line)
        suffix = "" if report.changed else " (nothing changed)"
        self.stdout.write(f"Done in {report.seconds:.2f} s{suffix}.")
