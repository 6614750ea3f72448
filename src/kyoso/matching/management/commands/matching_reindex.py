import time

from django.core.management.base import BaseCommand

from kyoso.matching import services


class Command(BaseCommand):
    help = "Rebuild the seeds–needs matching index from every researcher in the database."

    def handle(self, *args, **options):
        started = time.perf_counter()
        version, size = services.index_rebuild()
        self.stdout.write(f"Matching index {version}: {size} researchers ({time.perf_counter() - started:.1f} s)")
