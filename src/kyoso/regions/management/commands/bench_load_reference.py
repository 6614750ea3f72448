"""Benchmark ``load_reference()``: a first load into an empty database, then idempotent re-runs.

By default it runs against a throw-away test database (created and destroyed here; the configured
database is never touched). With ``--in-place`` it times the loader on the configured database:
plain re-runs, or with ``--fresh`` a first load after deleting the reference rows, which it does only
when the database holds no other organisations and nothing else refers to those rows.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError

from kyoso.common.benchmarks import throwaway_database


class Command(BaseCommand):
    help = "Time load_reference(): first load on an empty database, then idempotent re-runs."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=2, help="Idempotent re-runs to time (default 2).")
        parser.add_argument(
            "--in-place", action="store_true", help="Use the configured database instead of a throw-away one."
        )
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="With --in-place: first delete the reference regions and organisations (refused if unsafe).",
        )

    def handle(self, *args, repeat: int, in_place: bool, fresh: bool, **options):
        if fresh and not in_place:
            raise CommandError("--fresh only applies with --in-place (the throw-away database starts empty).")
        if in_place:
            if fresh:
                self._delete_reference_rows()
            self._run(repeat)
            return
        with throwaway_database():
            self._run(repeat)

    def _run(self, repeat: int) -> None:
        from kyoso.regions.models import Organization, Region
        from kyoso.regions.reference import load_reference

        empty = not Region.objects.exists()
        self.stdout.write(f"database: {connection.vendor} ({'empty' if empty else 'not empty'})")
        for run in range(1 + max(0, repeat)):
            report = load_reference()
            label = f"re-run {run}" if run else ("first load" if empty else "run")
            self.stdout.write(
                f"{label:<11} {report.seconds:6.2f} s  Region[{report.regions}]  Organization[{report.organizations}]"
            )
        self.stdout.write(f"rows: Region {Region.objects.count():,}, Organization {Organization.objects.count():,}")

    def _delete_reference_rows(self) -> None:
        from kyoso.regions.models import Organization, Region
        from kyoso.regions.reference import REFERENCE_KEY_PREFIXES, _reference_organizations

        others = Organization.objects.exclude(pk__in=_reference_organizations().values("pk")).count()
        if others:
            raise CommandError(
                f"Refusing --fresh: the database has {others} organisations that are not reference data "
                f"({' / '.join(REFERENCE_KEY_PREFIXES)} keys). "
                "Run without --in-place to use a throw-away database."
            )
        with transaction.atomic():
            for queryset in (
                _reference_organizations(),
                Region.objects.filter(level="municipality"),
                Region.objects.all(),
            ):
                collector = Collector(using=queryset.db)
                try:
                    collector.collect(list(queryset))
                except (ProtectedError, RestrictedError) as error:
                    raise CommandError(
                        f"Refusing --fresh: other rows refer to the reference data ({error})."
                    ) from error
                models = {model for model, objs in collector.data.items() if objs}
                models |= {qs.model for qs in collector.fast_deletes if qs.exists()}
                if models - {Organization, Region}:
                    names = ", ".join(sorted(m._meta.label for m in models - {Organization, Region}))
                    raise CommandError(f"Refusing --fresh: deleting would also delete rows of {names}.")
                queryset.delete()
        self.stdout.write("Deleted the reference regions and organisations.")
