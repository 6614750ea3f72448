import time

from django.core.management.base import BaseCommand, CommandError

from kyoso.matching import index, services


class Command(BaseCommand):
    help = "Rebuild the seeds–needs matching index from every researcher in the database."

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            version, size = services.index_rebuild()
        except index.IndexBoundElsewhere as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Matching index {version}: {size} researchers ({time.perf_counter() - started:.1f} s, "
                          f"{index.index_dir()})")
