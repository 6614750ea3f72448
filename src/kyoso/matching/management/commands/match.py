import json

from django.core.management.base import BaseCommand

from kyoso.matching.cli import match_json
from kyoso.matching.index import search_need


class Command(BaseCommand):
    help = "Rank researchers for a need: kyoso match \"TEXT\" --top 10 [--json] [--year-from 2020]."

    def add_arguments(self, parser):
        parser.add_argument("text")
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--year-from", type=int, default=None)
        parser.add_argument("--json", action="store_true", help="print {need, results: [...]} as JSON")

    def handle(self, *args, **options):
        from kyoso.matching.models import Researcher

        matches = search_need(options["text"], top=options["top"], year_from=options["year_from"])
        if options["json"]:
            self.stdout.write(json.dumps({"need": options["text"], "results": [match_json(m) for m in matches]},
                                         ensure_ascii=False, indent=1))
            return
        names = dict(Researcher.objects.filter(pk__in=[int(m.researcher_id) for m in matches])
                     .values_list("pk", "name"))
        for rank, match in enumerate(matches, start=1):
            terms = sorted({t for r in match.reasons for t in r.matched_terms})
            self.stdout.write(f"{rank:>3}. {match.score:.3f}  {names.get(int(match.researcher_id), '?')}"
                              f"  (id {match.researcher_id}) {' '.join(terms)}")
