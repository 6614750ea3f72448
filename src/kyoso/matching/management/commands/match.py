import json

from django.core.management.base import BaseCommand, CommandError

from kyoso.matching import index
from kyoso.matching.cli import match_json
from kyoso.matching.ids import stable_ids


def require_index() -> None:
    """Stop with a clear message when there is no usable index for this database (match, match-batch)."""
    if index.load_index() is not None:
        return
    problem = index.index_problem()
    raise CommandError(problem or f"There is no matching index for this database yet ({index.index_dir()}): "
                                  "run `kyoso matching-reindex` (or import researchers).")


class Command(BaseCommand):
    help = ("Rank researchers for a need: kyoso match \"TEXT\" --top 10 [--json] [--year-from 2020] "
            "[--reasons N]. Each result names the researcher by the id of their source (JSON Lines id, "
            "researchmap ID, KAKEN researcher number) and by Kyoso's internal id.")

    def add_arguments(self, parser):
        parser.add_argument("text")
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--year-from", type=int, default=None)
        parser.add_argument("--reasons", type=int, default=None,
                            help="reasons for the first N results only (default: all; 0: none)")
        parser.add_argument("--json", action="store_true", help="print {need, results: [...]} as JSON")

    def handle(self, *args, **options):
        from kyoso.matching.models import Researcher

        require_index()
        explain = True if options["reasons"] is None else options["reasons"]
        matches = index.search_need(options["text"], top=options["top"], year_from=options["year_from"],
                                    explain=explain)
        ids = stable_ids(m.researcher_id for m in matches)
        if options["json"]:
            self.stdout.write(json.dumps({"need": options["text"], "results": [match_json(m, ids) for m in matches]},
                                         ensure_ascii=False, indent=1))
            return
        names = dict(Researcher.objects.filter(pk__in=[int(m.researcher_id) for m in matches])
                     .values_list("pk", "name"))
        for rank, match in enumerate(matches, start=1):
            terms = sorted({t for r in match.reasons for t in r.matched_terms})
            stable = ids.get(match.researcher_id, {})
            source = f"{stable['source_id_kind']} {stable['source_id']}, " if stable.get("source_id") else ""
            self.stdout.write(f"{rank:>3}. {match.score:.3f}  {names.get(int(match.researcher_id), '?')}"
                              f"  ({source}id {match.researcher_id}) {' '.join(terms)}")
