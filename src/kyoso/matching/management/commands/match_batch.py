import json

from django.core.management.base import BaseCommand, CommandError

from kyoso.matching import index
from kyoso.matching.cli import match_json
from kyoso.matching.ids import stable_ids

from .match import require_index


class Command(BaseCommand):
    help = ("Rank researchers for many needs: kyoso match-batch NEEDS.jsonl --top K --out SCORES.jsonl "
            '[--reasons N] (needs: {"id", "text"} per line; output: {"need_id", "results": [{"researcher_id", '
            '"source_id", "source_id_kind", "identities", "score", "reasons"}]} per need). Reasons cost about ten '
            "times the search: none by default, --reasons N for the first N results of each need.")

    def add_arguments(self, parser):
        parser.add_argument("needs")
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--out", required=True)
        parser.add_argument("--year-from", type=int, default=None)
        parser.add_argument("--reasons", type=int, default=0,
                            help="reasons for the first N results of each need (default 0: none)")

    def handle(self, *args, **options):
        require_index()
        needs = []
        with open(options["needs"], encoding="utf-8-sig") as source:
            for number, line in enumerate(source, start=1):  # every line is checked before anything is written
                if not line.strip():
                    continue
                try:
                    need = json.loads(line)
                    needs.append((str(need["id"]), str(need["text"])))
                except (ValueError, KeyError, TypeError) as exc:
                    raise CommandError(
                        f"{options['needs']}:{number}: not a {{\"id\", \"text\"}} object ({exc})") from exc
        written = 0
        with open(options["out"], "w", encoding="utf-8") as out:
            results = index.search_needs([text for _, text in needs], top=options["top"],
                                         year_from=options["year_from"], explain=max(0, options["reasons"]))
            for (need_id, _text), matches in zip(needs, results, strict=True):
                ids = stable_ids(m.researcher_id for m in matches)
                out.write(json.dumps({"need_id": need_id, "results": [match_json(m, ids) for m in matches]},
                                     ensure_ascii=False) + "\n")
                written += 1
        self.stdout.write(f"{written} needs ranked, written to {options['out']}")
