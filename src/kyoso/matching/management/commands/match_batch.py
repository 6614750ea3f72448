import json

from django.core.management.base import BaseCommand, CommandError

from kyoso.matching.cli import match_json
from kyoso.matching.index import search_need


class Command(BaseCommand):
    help = ("Rank researchers for many needs: kyoso match-batch NEEDS.jsonl --top K --out SCORES.jsonl "
            '(needs: {"id", "text"} per line; output: {"need_id", "results": [{"researcher_id", "score", '
            '"reasons"}]} per need).')

    def add_arguments(self, parser):
        parser.add_argument("needs")
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--out", required=True)
        parser.add_argument("--year-from", type=int, default=None)

    def handle(self, *args, **options):
        written = 0
        with open(options["needs"], encoding="utf-8-sig") as source, \
                open(options["out"], "w", encoding="utf-8") as out:
            for number, line in enumerate(source, start=1):
                if not line.strip():
                    continue
                try:
                    need = json.loads(line)
                    need_id, text = str(need["id"]), str(need["text"])
                except (ValueError, KeyError, TypeError) as exc:
                    raise CommandError(
                        f"{options['needs']}:{number}: not a {{\"id\", \"text\"}} object ({exc})") from exc
                matches = search_need(text, top=options["top"], year_from=options["year_from"])
                out.write(json.dumps({"need_id": need_id, "results": [match_json(m) for m in matches]},
                                     ensure_ascii=False) + "\n")
                written += 1
        self.stdout.write(f"{written} needs ranked, written to {options['out']}")
