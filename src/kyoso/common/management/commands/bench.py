"""``kyoso bench``: run every benchmark the installed apps declare in their manifest (``make bench``).

Each benchmark runs in its own process (its own throw-away database and settings), in app order; the command
stops at the first failure and exits with its status. ``--only NAME …`` runs the named ones, ``--list`` lists them.
"""

from __future__ import annotations

import subprocess
import sys

from django.core.management.base import BaseCommand, CommandError

from kyoso.common import registry


def command_line(bench: registry.Benchmark) -> list[str]:
    if bench.command:
        return [sys.executable, "-m", "kyoso", bench.command, *bench.args]
    return [sys.executable, "-m", bench.module, *bench.args]


class Command(BaseCommand):
    help = "Run every registered benchmark (each app's manifest), or those named with --only."

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="+", default=[], metavar="NAME")
        parser.add_argument("--list", dest="list_only", action="store_true", help="List the benchmarks and exit.")

    def handle(self, *args, only: list[str], list_only: bool, **options):
        benches = registry.benchmarks()
        unknown = set(only) - {bench.name for bench in benches}
        if unknown:
            raise CommandError(f"Unknown benchmark(s): {', '.join(sorted(unknown))}.")
        chosen = [bench for bench in benches if not only or bench.name in only]
        for bench in chosen:
            line = command_line(bench)
            if list_only:
                self.stdout.write(f"{bench.name:<22} {' '.join(line[1:])}")
                continue
            self.stdout.write(f"== {bench.name}: {' '.join(line[1:])}")
            self.stdout.flush()
            result = subprocess.run(line, check=False)  # noqa: S603 - our own interpreter and registered names
            if result.returncode:
                raise CommandError(f"Benchmark {bench.name} failed (exit status {result.returncode}).")
