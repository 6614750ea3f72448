"""Retrieval quality on the labelled evaluation set: BM25 alone, dense alone and fused, side by side.

Run: ``python -m kyoso.matching.domain.evaluate`` (test split; ``--split train`` or ``all``), and
``python -m kyoso.matching.domain.evaluate --fit`` to refit the fusion weights on the train split (it
prints the constants to paste into ``fusion.py``).

The set (``src/kyoso/matching/eval/``, invented sample data) has needs in Japanese and English written
as paraphrases of researcher profiles in either language, needs written in the field's technical terms,
and distractor profiles that share the needs' words but not their meaning. Plain reciprocal-rank fusion
(rrf, k=60) is shown for comparison.

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
    langs = {r.get("lang") for r in p["records"]}
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


def print_report(result: dict[str, Any], split: str, seconds: float) -> None:
    print(f"Seeds–needs matching evaluation — split '{split}', {result['needs']} needs, "
          f"invented sample set in {EVAL_DIR}")
    header = f"{'subset':<15} {'n':>3} | " + " | ".join(f"{m:^20}" for m in MODES)
    print(header)
    print(f"{'':<15} {'':>3} | " + " | ".join(f"{'MRR':>6}{'nDCG10':>7}{'R@10':>6} " for _ in MODES))
    print("-" * len(header))
    order = ["all", "JA→JA", "JA→EN", "EN→JA", "EN→EN", "paraphrase", "technical terms"]
    for name in order + sorted(set(result["table"]) - set(order)):
        if name not in result["table"]:
            continue
        row = result["table"][name]
        n = len(row[MODES[0]])
        cells = []
        for m in MODES:
            arr = np.array(row[m])
            cells.append(f"{arr[:, 0].mean():6.3f}{arr[:, 1].mean():7.3f}{arr[:, 2].mean():6.3f} ")
        print(f"{name:<15} {n:>3} | " + " | ".join(cells))
    wins = result["distractor_wins"]
    print("distractor wins (share of needs whose word-overlap distractor outranks every fitting profile): "
          + ", ".join(f"{m} {wins[m] / result['needs']:.0%}" for m in MODES))
    print(f"({seconds:.1f} s including building the index)")


def fit(index: MatchIndex, needs: list[dict[str, Any]]) -> FusionWeights:
    """Two steps on the train split. The *direction* of the combination is learnt from pairs (RankNet-style
    pairwise logistic regression: for each need, every fitting candidate against every other candidate,
    so the model learns to order candidates of the same need; a pointwise fit over-rewards word overlap
    and a grid search on MRR is too noisy with ~50 needs). Then its *scale and offset* are fitted by an
    ordinary logistic regression, so the score reads as a probability of fitting."""
    per_need = []
    diffs, signs = [], []
    for need in needs:
        ids, feats = index.candidate_features(need["text"])
        rel = np.array([i in set(need["relevant"]) for i in ids])
        per_need.append((feats, rel.astype(np.float64)))
        pos, neg = feats[rel], feats[~rel]
        if len(pos) and len(neg):
            d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, feats.shape[1])
            diffs += [d, -d]
            signs += [np.ones(len(d)), np.zeros(len(d))]
    direction = fit_logistic(np.vstack(diffs), np.concatenate(signs), balance=False)
    w = np.array([direction.w_profile, direction.w_record, direction.w_bm25])
    z = np.concatenate([f @ w for f, _ in per_need])
    labels = np.concatenate([lab for _, lab in per_need])
    calib = fit_logistic(np.stack([z, np.zeros_like(z), np.zeros_like(z)], axis=1), labels)
    w = w * calib.w_profile
    return FusionWeights(w_profile=float(w[0]), w_record=float(w[1]), w_bm25=float(w[2]), bias=calib.bias)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="test", choices=("train", "test", "all"))
    parser.add_argument("--fit", action="store_true", help="refit the fusion weights on the train split")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    profiles, needs = load_set()
    index = MatchIndex()
    index.build(researcher_from_dict(p) for p in profiles)
    if args.fit:
        weights = fit(index, [n for n in needs if n["split"] == "train"])
        print("# Fitted by: python -m kyoso.matching.domain.evaluate --fit   (train split, see eval/README.md)")
        print(f"FITTED_W_PROFILE = {weights.w_profile:.4f}")
        print(f"FITTED_W_RECORD = {weights.w_record:.4f}")
        print(f"FITTED_W_BM25 = {weights.w_bm25:.4f}")
        print(f"FITTED_BIAS = {weights.bias:.4f}")
        index.fusion = weights
        args.split = "test"
    chosen = needs if args.split == "all" else [n for n in needs if n["split"] == args.split]
    print_report(evaluate(index, chosen, profiles), args.split, time.perf_counter() - started)


if __name__ == "__main__":
    main()
