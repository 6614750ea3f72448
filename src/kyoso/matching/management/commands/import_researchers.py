from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kyoso.matching import index, services
from kyoso.matching.domain.importing import FORMATS


class Command(BaseCommand):
    help = ("Import researcher profiles: kyoso import-researchers FILE --format researchmap|kaken|jsonl "
            "(the same service as the background import; then the matching index is brought up to date).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument("--sample", action="store_true", help="mark the imported researchers as sample data")
        parser.add_argument("--no-index", action="store_true", help="do not update the matching index")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        batch = services.researcher_import_create(actor=None, filename=path.name, content=path.read_bytes(),
                                                  format=options["format"], is_sample=options["sample"], run=False)
        batch = services.import_run(batch, update_index=False)
        self.stdout.write(f"{batch.filename}: {batch.get_status_display()} — {batch.total} researchers, "
                          f"{batch.created_count} new, {batch.updated_count} updated, "
                          f"{batch.unchanged_count} unchanged, {batch.failed_count} not imported")
        for problem in batch.problems[:50]:
            self.stdout.write(f"  {services.problem_position(problem)}: {services.problem_message(problem)}")
        if len(batch.problems) > 50:
            self.stdout.write(f"  … {len(batch.problems) - 50} more")
        if not options["no_index"] and (batch.created_count or batch.updated_count):
            try:
                version, size = services.index_update(batch.touched_ids)
            except index.IndexBoundElsewhere as exc:
                raise CommandError(f"The researchers were imported, but the index was not updated: {exc}") from exc
            self.stdout.write(f"Matching index {version}: {size} researchers ({index.index_dir()})")
