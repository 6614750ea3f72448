"""Free-text answers clustered into topics with Japanese labels — offline, no LLM.

What 広聴AI (kouchou-ai) does with a cloud LLM, done here with a shipped embedding model and statistics:

1. **Embed** every answer with a sentence-embedding function (``embed(texts) -> float32 array``, rows
   L2-normalised). Production passes the shipped multilingual model (USE multilingual v3, through
   :func:`kyoso.matching.domain.embedders.default_embedder`); tests pass :func:`hashing_embed`, a cheap
   deterministic character n-gram embedding.
2. **Cluster** the vectors with k-means (k-means++ initialisation, ``n_init`` restarts, the lowest inertia
   kept; every random draw comes from ``numpy.random.default_rng(seed)``, so the same answers and seed give
   the same topics). The number of topics ``k`` is either given, or chosen by one of two rules:

   * ``"cube_root"`` — kouchou-ai's default ``clamp(round(n^(1/3)), 2, 10)``;
   * ``"silhouette"`` (the default) — the k in ``2 … min(10, n − 1)`` with the highest mean silhouette
     (Euclidean; k-means and silhouette on a seeded sample of at most :data:`SILHOUETTE_SAMPLE` answers).
     Measured on the planted corpus (``kyoso.listening.domain.corpus``: 8 topics + topic-less answers, 300
     answers, 5 seeds; ``python -m kyoso.listening.domain.bench --quality``): mean purity 0.82 against 0.73
     for the cube-root rule, which picks k = 7 and so merges planted topics; hence the default.

   Optionally (``coarse=m``, or ``"auto"``: :func:`coarse_count`) the topic centres are merged by Ward's
   criterion into ``m`` coarser groups (the increase of within-group variance ``|A||B|/(|A|+|B|)·‖c_A − c_B‖²``
   with centres weighted by size), as kouchou-ai does above its k-means level; each group is labelled like a
   topic (step 3, over the answers of its topics) and numbered largest first.
3. **Label** each topic without an LLM by class-based TF-IDF (BERTopic's c-TF-IDF) over nouns:
   ``W(x, c) = tf(x, c) / Σ_x tf(x, c) · log(1 + A / f_x)``, where ``tf(x, c)`` counts term ``x`` in the
   answers of topic ``c``, ``A`` is the mean number of term occurrences per topic and ``f_x`` the count of
   ``x`` over all topics. Terms are the nouns SudachiPy finds in split mode C (which keeps compounds such as
   待機児童 and 学童保育 whole): part of speech 名詞 with sub-class 普通名詞 or 固有名詞, excluding numbers,
   counters (助数詞可能: 年, 回), adverbial nouns (副詞可能: 最近, 今後), single kana and the stop words
   :data:`STOPWORDS`; each is replaced by its ``normalized_form()`` after NFKC. A one-character noun directly
   followed by another noun is joined to it (the core dictionary splits 見守り into 見 + 守り). A label shows
   each term as residents wrote it most often (一人暮らし, not the normalised 独り暮らし). The label is the
   :data:`LABEL_TERMS` (3) best terms joined by "・"; **no two topics get the same label** (topics are
   labelled largest first, and a later topic whose best terms equal an earlier label's takes its next term).
4. **Representative answers**: the :data:`REPRESENTATIVES` (3) answers nearest the topic's centre, skipping
   an answer that is a near-copy of one already chosen (cosine similarity ≥ :data:`NEAR_COPY`: the same sentence
   with another opening, or a repeated 「特になし」) as long as other answers remain.

Topics are numbered largest first (ties: the lower centre index), so numbering is deterministic too.
Tokenisation (:func:`noun_terms`) is separate from labelling (:func:`label_topics`) so that the two can be
timed apart and tokens reused. Run with ``OPENBLAS_NUM_THREADS=1`` (as the web and worker processes do): the
k-means products are small, and on a busy machine two BLAS threads make them many times slower.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Embed = Callable[[list[str]], np.ndarray]
Progress = Callable[[str, float], None]  # (stage, fraction done in 0..1)

MIN_K = 2
MAX_K = 10
SILHOUETTE_SAMPLE = 2000
LABEL_TERMS = 3
REPRESENTATIVES = 3
NEAR_COPY = 0.9
K_METHODS = ("silhouette", "cube_root")
EMBED_BATCH = 256
MAX_TOKENISED_CHARS = 4000  # Sudachi refuses very long inputs; answers longer than this are cut for labelling

# Survey filler: nouns that appear in answers of every topic and say nothing about one.
_STOPWORDS = """こと もの ため よう 方 人 点 感じ 事 物 様 所 時 今 気 場合 意見 必要 お願い 希望 思い 考え
部分 状況 全体 自分 私 皆 みんな 皆さん 以上 以外 以下 程度 ほか 他 等 など 的 頃 辺 際 上 中 下 前 後
内 外 間 方々 多く 何 誰 為 訳 わけ はず 筈 つもり 限り 通り ところ 所為 せい 代わり 本当 具体 特 特に
様子 面 形 場 件 種 回答 質問 アンケート 設問 意味 理由 原因 結果 問題 課題 改善 対応 検討 実施 充実
取り組み 取組 取組み 推進 整備 強化 支援 向上 確保 促進 是非 ぜひ 大変 非常 一番 自身 我々 僕 俺 うち
なし 無し 特に無し"""
STOPWORDS = frozenset(_STOPWORDS.split())
_KEEP_SUBPOS = frozenset({"普通名詞", "固有名詞"})
_DROP_DETAIL = frozenset({"助数詞可能", "副詞可能"})
_NUMBERISH = re.compile(r"^[0-9０-９.,，．%％〇一二三四五六七八九十百千万億兆]+$")
_SINGLE_KANA = re.compile(r"^[\u3040-\u30ffー]$")


@dataclass(frozen=True)
class Topic:
    """One cluster: ``members`` and ``representatives`` are indices into the answers given."""

    number: int  # 1 = the largest topic
    size: int
    terms: tuple[str, ...]
    label: str
    members: tuple[int, ...]
    representatives: tuple[int, ...]
    coarse: int | None = None  # the number of its coarse group, when groups were asked for


@dataclass(frozen=True)
class Group:
    """A coarse group of topics (Ward merge of their centres); ``topics`` are topic numbers."""

    number: int  # 1 = the largest group
    size: int
    terms: tuple[str, ...]
    label: str
    topics: tuple[int, ...]


@dataclass(frozen=True)
class Clustering:
    """The result: ``assignment[i]`` is the topic number of answer ``i``."""

    k: int
    k_method: str
    seed: int
    assignment: tuple[int, ...]
    topics: tuple[Topic, ...]
    silhouette: float | None  # mean silhouette of the chosen k (None for fewer than 3 answers)
    silhouettes: dict[int, float]  # every k tried by the silhouette rule
    inertia: float
    groups: tuple[Group, ...] = ()


# --------------------------------------------------------------------------- embedding


def hashing_embed(texts: list[str], dim: int = 512) -> np.ndarray:
    """A cheap deterministic embedding: character 2- and 3-grams of the NFKC text hashed (CRC-32) into
    ``dim`` buckets with a hashed sign, rows L2-normalised. For tests and as a model-free fallback."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        s = unicodedata.normalize("NFKC", text)
        for n in (2, 3):
            for i in range(len(s) - n + 1):
                h = zlib.crc32(s[i:i + n].encode("utf-8"))
                out[row, h % dim] += 1.0 if (h >> 16) & 1 else -1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: np.ndarray = out / norms
    return normalised


def embed_all(texts: Sequence[str], embed: Embed, progress: Progress | None = None,
              batch: int = EMBED_BATCH) -> np.ndarray:
    """``embed`` over ``texts`` in batches (reporting progress), as one float32 array."""
    parts: list[np.ndarray] = []
    for start in range(0, len(texts), batch):
        parts.append(np.asarray(embed(list(texts[start:start + batch])), dtype=np.float32))
        if progress is not None:
            progress("embed", min(1.0, (start + batch) / max(1, len(texts))))
    if not parts:
        return np.zeros((0, 1), dtype=np.float32)
    return np.vstack(parts)


# --------------------------------------------------------------------------- k-means


def cube_root_k(n: int) -> int:
    """kouchou-ai's rule: ``clamp(round(n^(1/3)), 2, 10)`` (and never more than ``n``)."""
    return max(1, min(n, max(MIN_K, min(MAX_K, int(round(n ** (1 / 3)))))))


def _sq_distances(x: np.ndarray, centres: np.ndarray, x_sq: np.ndarray) -> np.ndarray:
    d: np.ndarray = x_sq[:, None] - 2.0 * (x @ centres.T) + np.einsum("ij,ij->i", centres, centres)[None, :]
    np.maximum(d, 0.0, out=d)
    return d


def _plus_plus(x: np.ndarray, k: int, rng: np.random.Generator, x_sq: np.ndarray) -> np.ndarray:
    n = x.shape[0]
    centres = np.empty((k, x.shape[1]), dtype=x.dtype)
    centres[0] = x[rng.integers(n)]
    closest = _sq_distances(x, centres[:1], x_sq)[:, 0]
    for j in range(1, k):
        total = float(closest.sum())
        if total <= 0.0:  # fewer distinct points than k: repeat one
            centres[j] = x[rng.integers(n)]
            continue
        pick = int(np.searchsorted(np.cumsum(closest), rng.random() * total))
        centres[j] = x[min(pick, n - 1)]
        np.minimum(closest, _sq_distances(x, centres[j:j + 1], x_sq)[:, 0], out=closest)
    return centres


def kmeans(x: np.ndarray, k: int, seed: int, n_init: int = 4,
           max_iter: int = 100, tol: float = 1e-5) -> tuple[np.ndarray, np.ndarray, float]:
    """(centres k×d, assignment n, inertia) of Lloyd's k-means with k-means++ starts; best of ``n_init``.

    A run stops when no answer changes cluster or the inertia improves by less than ``tol`` (relative). An
    empty cluster is re-seeded with the point farthest from its centre. Float32; deterministic for a seed.
    """
    x = np.asarray(x, dtype=np.float32)
    n = x.shape[0]
    if k < 1 or n == 0:
        raise ValueError("k-means needs k ≥ 1 and at least one point")
    k = min(k, n)
    rng = np.random.default_rng(seed)
    x_sq = np.einsum("ij,ij->i", x, x)
    rows = np.arange(n)
    best: tuple[np.ndarray, np.ndarray, float] | None = None
    for _run in range(n_init):
        centres = _plus_plus(x, k, rng, x_sq)
        assignment = np.full(n, -1, dtype=np.int64)
        inertia = math.inf
        for _step in range(max_iter):
            d = _sq_distances(x, centres, x_sq)
            new_assignment = d.argmin(axis=1)
            new_inertia = float(d[rows, new_assignment].sum(dtype=np.float64))
            changed = not np.array_equal(new_assignment, assignment)
            assignment = new_assignment
            counts = np.bincount(assignment, minlength=k)
            for j in np.flatnonzero(counts == 0):  # k ≤ n, so a cluster with two or more points can give one
                own = np.where(counts[assignment] > 1, d[rows, assignment], -1.0)
                far = int(own.argmax())
                counts[assignment[far]] -= 1
                assignment[far], counts[j] = j, 1
                changed = True
            one_hot = np.zeros((n, k), dtype=np.float32)
            one_hot[rows, assignment] = 1.0
            centres = (one_hot.T @ x) / counts[:, None].astype(np.float32)
            if not changed or inertia - new_inertia <= tol * max(1.0, abs(new_inertia)):
                inertia = new_inertia
                break
            inertia = new_inertia
        if best is None or inertia < best[2]:
            best = (centres, assignment, inertia)
    assert best is not None
    return best


def silhouette(x: np.ndarray, assignment: np.ndarray, sample: int = SILHOUETTE_SAMPLE,
               seed: int = 0) -> float:
    """Mean silhouette ``(b − a) / max(a, b)`` (Euclidean) over a seeded sample of at most ``sample`` points
    (distances to all points of the sample); points alone in their cluster count 0. Needs ≥ 2 clusters."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    idx = np.arange(n) if n <= sample else np.sort(np.random.default_rng(seed).choice(n, sample, replace=False))
    xs, labels = x[idx], np.asarray(assignment)[idx]
    clusters = np.unique(labels)
    if len(clusters) < 2:
        return 0.0
    sq = np.einsum("ij,ij->i", xs, xs)
    dist = np.sqrt(np.maximum(sq[:, None] - 2.0 * (xs @ xs.T) + sq[None, :], 0.0))
    one_hot = (labels[:, None] == clusters[None, :]).astype(np.float64)
    sums = dist @ one_hot  # n × clusters: total distance to each cluster
    counts = one_hot.sum(axis=0)
    own = np.searchsorted(clusters, labels)
    own_count = counts[own] - 1
    a = np.where(own_count > 0, sums[np.arange(len(idx)), own] / np.maximum(own_count, 1), 0.0)
    mean_to = sums / counts[None, :]
    mean_to[np.arange(len(idx)), own] = np.inf
    b = mean_to.min(axis=1)
    s = np.where(own_count > 0, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def ward_merge(centres: np.ndarray, sizes: Sequence[int], groups: int) -> list[int]:
    """Merge the k centres into ``groups`` by Ward's criterion; returns the group (0-based, in order of first
    appearance) of each centre. Ties merge the pair with the lowest indices."""
    members: list[list[int]] = [[i] for i in range(len(centres))]
    cents = [np.asarray(c, dtype=np.float64) for c in centres]
    weights = [float(s) for s in sizes]
    alive = list(range(len(centres)))
    while len(alive) > max(1, groups):
        best: tuple[float, int, int] | None = None
        for ai, a in enumerate(alive):
            for b in alive[ai + 1:]:
                wa, wb = weights[a], weights[b]
                cost = wa * wb / max(wa + wb, 1e-12) * float(np.sum((cents[a] - cents[b]) ** 2))
                if best is None or cost < best[0] - 1e-12:
                    best = (cost, a, b)
        assert best is not None
        _cost, a, b = best
        wa, wb = weights[a], weights[b]
        cents[a] = (cents[a] * wa + cents[b] * wb) / max(wa + wb, 1e-12)
        weights[a] = wa + wb
        members[a].extend(members[b])
        alive.remove(b)
    group_of = [0] * len(centres)
    for g, a in enumerate(sorted(alive, key=lambda i: min(members[i]))):
        for i in members[a]:
            group_of[i] = g
    return group_of


def choose_k(x: np.ndarray, seed: int, method: str = "silhouette",
             max_k: int = MAX_K) -> tuple[int, dict[int, float]]:
    """(k, silhouette of every k tried) by ``method`` (see the module docstring).

    The silhouette rule clusters and scores a seeded sample of at most :data:`SILHOUETTE_SAMPLE` answers for
    each k (the final clustering then uses every answer), so choosing k costs the same for 2,000 or 20,000.
    """
    n = x.shape[0]
    if method not in K_METHODS:
        raise ValueError(f"unknown k method {method!r}")
    if n < 3:
        return max(1, n), {}
    if method == "cube_root":
        return cube_root_k(n), {}
    sample = x if n <= SILHOUETTE_SAMPLE else x[np.sort(np.random.default_rng(seed).choice(
        n, SILHOUETTE_SAMPLE, replace=False))]
    scores: dict[int, float] = {}
    for k in range(MIN_K, min(max_k, sample.shape[0] - 1) + 1):
        _c, assignment, _i = kmeans(sample, k, seed)
        scores[k] = silhouette(sample, assignment, seed=seed)
    best = max(scores, key=lambda k: (round(scores[k], 9), -k))
    return best, scores


# --------------------------------------------------------------------------- terms and labels

_local = threading.local()


def _sudachi() -> tuple[Any, Any]:
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import Dictionary, SplitMode

        dictionary = Dictionary()
        tok = (dictionary.tokenizer(), SplitMode.C, dictionary)
        _local.tokenizer = tok
        _local.keep = {}
    return tok[0], tok[1]


def _keep_pos(pos: Sequence[str]) -> bool:
    return pos[0] == "名詞" and pos[1] in _KEEP_SUBPOS and pos[2] not in _DROP_DETAIL


@dataclass(frozen=True)
class Terms:
    """The label terms of each text (normalised forms, in order) and how to show each term: the surface form
    written most often for it (ties: the first seen), so a label reads as residents wrote it (ブリ, not 鰤)."""

    docs: list[list[str]]
    display: dict[str, str]

    def shown(self, term: str) -> str:
        return self.display.get(term, term)


def _add(term: str, surface: str, terms: list[str], surfaces: dict[str, dict[str, int]]) -> None:
    if term in STOPWORDS or _NUMBERISH.match(term) or _SINGLE_KANA.match(term) or not term.strip():
        return
    terms.append(term)
    seen = surfaces.setdefault(term, {})
    seen[surface] = seen.get(surface, 0) + 1


def noun_terms(texts: Sequence[str]) -> Terms:
    """The label terms of each text (see the module docstring, step 3)."""
    tokenizer, mode = _sudachi()
    keep_cache: dict[int, bool] = _local.keep
    docs: list[list[str]] = []
    surfaces: dict[str, dict[str, int]] = {}
    for text in texts:
        s = unicodedata.normalize("NFKC", text)[:MAX_TOKENISED_CHARS]
        terms: list[str] = []
        if s.strip():
            pending: tuple[str, str, int] | None = None  # a one-character noun that may start a compound
            for m in tokenizer.tokenize(s, mode):
                pos_id = m.part_of_speech_id()
                keep = keep_cache.get(pos_id)
                if keep is None:
                    keep = keep_cache[pos_id] = _keep_pos(m.part_of_speech())
                term, surface = m.normalized_form(), m.surface()
                if pending is not None:
                    if keep and m.begin() == pending[2]:  # 見 + 守り → 見守り (a compound the dictionary split)
                        term, surface = pending[0] + term, pending[1] + surface
                    else:
                        _add(pending[0], pending[1], terms, surfaces)
                    pending = None
                if not keep:
                    continue
                if len(surface) == 1:
                    pending = (term, surface, m.end())
                    continue
                _add(term, surface, terms, surfaces)
            if pending is not None:
                _add(pending[0], pending[1], terms, surfaces)
        docs.append(terms)
    display = {term: max(seen, key=lambda s: seen[s]) for term, seen in surfaces.items()}
    return Terms(docs=docs, display=display)


def ctfidf(terms: Sequence[Sequence[str]], assignment: Sequence[int],
           k: int) -> tuple[list[str], np.ndarray]:
    """(vocabulary, k × |vocabulary| matrix of W(x, c)) for topics ``0 … k−1`` (see the module docstring)."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for doc, topic in zip(terms, assignment, strict=True):
        for term in doc:
            cols.append(vocab.setdefault(term, len(vocab)))
            rows.append(int(topic))
    v = len(vocab)
    if v == 0:
        return [], np.zeros((k, 0))
    tf = np.bincount(np.asarray(rows, dtype=np.int64) * v + np.asarray(cols, dtype=np.int64),
                     minlength=k * v).reshape(k, v).astype(np.float64)
    per_topic = tf.sum(axis=1, keepdims=True)
    frequency = tf.sum(axis=0)
    average = float(per_topic.mean())
    weights = tf / np.maximum(per_topic, 1.0) * np.log1p(average / np.maximum(frequency, 1.0))[None, :]
    names = [""] * v
    for term, i in vocab.items():
        names[i] = term
    return names, weights


def label_topics(terms: Sequence[Sequence[str]], assignment: Sequence[int], k: int,
                 order: Sequence[int] | None = None, top: int = LABEL_TERMS) -> list[tuple[str, ...]]:
    """The label terms of topics ``0 … k−1``: the ``top`` best c-TF-IDF terms, no two topics with the same set.

    Topics are labelled in ``order`` (default: by index); a topic whose best terms equal an earlier label
    replaces its last term by its next candidate until the label is new. A topic without any term gets ().
    """
    names, weights = ctfidf(terms, assignment, k)
    labels: list[tuple[str, ...]] = [()] * k
    used: set[frozenset[str]] = set()
    for c in (order if order is not None else range(k)):
        if not names:
            break
        row = weights[c]
        ranked = [names[i] for i in np.lexsort((np.arange(len(names)), -row)) if row[i] > 0]
        chosen = ranked[:top]
        nxt = top
        while chosen and frozenset(chosen) in used and nxt < len(ranked):
            chosen = [*chosen[:-1], ranked[nxt]]
            nxt += 1
        if frozenset(chosen) in used:
            chosen = []  # nothing left that tells this topic apart; the caller shows a fallback
        if chosen:
            used.add(frozenset(chosen))
        labels[c] = tuple(chosen)
    return labels


def label_text(terms: Sequence[str]) -> str:
    return "・".join(terms)


# --------------------------------------------------------------------------- the whole pipeline


def representatives_of(x: np.ndarray, centre: np.ndarray, members: np.ndarray,
                       n: int = REPRESENTATIVES) -> tuple[int, ...]:
    """The ``n`` members nearest ``centre`` (ties: the lower index), near-copies of a chosen one skipped while
    others remain (step 4 of the module docstring; rows of ``x`` are L2-normalised)."""
    d = np.sum((x[members] - centre[None, :]) ** 2, axis=1)
    order = [int(i) for i in np.lexsort((members, d))]
    chosen: list[int] = []
    skipped: list[int] = []
    for i in order:
        if len(chosen) == n:
            break
        if any(float(x[members[i]] @ x[members[j]]) >= NEAR_COPY for j in chosen):
            skipped.append(i)
        else:
            chosen.append(i)
    chosen += skipped[: n - len(chosen)]
    return tuple(int(members[i]) for i in chosen)


def coarse_count(k: int) -> int | None:
    """How many coarse groups ``"auto"`` makes of ``k`` topics: none below 6 topics, else round(√k) (6 → 2,
    7–12 → 3)."""
    return None if k < 6 else max(2, int(round(math.sqrt(k))))


def cluster_vectors(x: np.ndarray, terms: Terms, *, seed: int, k: int | None = None,
                    k_method: str = "silhouette", coarse: int | str | None = None) -> Clustering:
    """Cluster already-embedded answers and label the topics (steps 2–4 of the module docstring)."""
    n = x.shape[0]
    if n == 0:
        raise ValueError("no answers to cluster")
    if k is None:
        k, scores = choose_k(x, seed, k_method)
        method = k_method
    else:
        k, scores, method = max(1, min(k, n)), {}, "fixed"
    centres, raw, inertia = kmeans(x, k, seed)
    sizes = np.bincount(raw, minlength=k)
    # number topics largest first; ties by the centre index
    order = sorted(range(k), key=lambda c: (-int(sizes[c]), c))
    number_of = {c: i + 1 for i, c in enumerate(order)}
    ranked = label_topics(terms.docs, [int(c) for c in raw], k, order=order)
    labels = [tuple(terms.shown(t) for t in label) for label in ranked]
    wanted = coarse_count(k) if coarse == "auto" else coarse
    if wanted is not None and not isinstance(wanted, int):
        raise ValueError(f"coarse must be a number of groups or 'auto', not {coarse!r}")
    groups: list[int] | None = None
    made: tuple[Group, ...] = ()
    if wanted and 1 < wanted < k:
        merged = ward_merge(centres, [int(s) for s in sizes], wanted)
        group_sizes = np.bincount(np.asarray(merged), weights=sizes, minlength=wanted)
        group_order = sorted(range(wanted), key=lambda g: (-group_sizes[g], g))
        renumber = {g: i + 1 for i, g in enumerate(group_order)}
        groups = [renumber[g] - 1 for g in merged]
        group_terms = label_topics(terms.docs, [groups[int(c)] for c in raw], wanted,
                                   order=[renumber[g] - 1 for g in group_order])
        made = tuple(Group(number=g + 1, size=int(sum(sizes[c] for c in range(k) if groups[c] == g)),
                           terms=tuple(terms.shown(t) for t in group_terms[g]),
                           label=label_text([terms.shown(t) for t in group_terms[g]]),
                           topics=tuple(sorted(number_of[c] for c in range(k) if groups[c] == g)))
                     for g in range(wanted))
    topics = []
    for c in order:
        members = np.flatnonzero(raw == c)
        topics.append(Topic(
            number=number_of[c], size=int(len(members)), terms=labels[c], label=label_text(labels[c]),
            members=tuple(int(i) for i in members),
            representatives=representatives_of(x, centres[c], members) if len(members) else (),
            coarse=(groups[c] + 1) if groups is not None else None,
        ))
    chosen_silhouette = scores.get(k) if scores else (silhouette(x, raw, seed=seed) if 2 <= k < n else None)
    return Clustering(k=k, k_method=method, seed=seed, assignment=tuple(number_of[int(c)] for c in raw),
                      topics=tuple(topics), silhouette=chosen_silhouette, silhouettes=scores, inertia=inertia,
                      groups=made)


def cluster_answers(texts: Sequence[str], *, embed: Embed, seed: int, k: int | None = None,
                    k_method: str = "silhouette", coarse: int | str | None = None,
                    progress: Progress | None = None) -> Clustering:
    """Embed, cluster and label free-text answers (the whole module docstring). ``texts`` must be non-empty."""
    if not texts:
        raise ValueError("no answers to cluster")
    x = embed_all(texts, embed, progress)
    if progress is not None:
        progress("terms", 0.0)
    terms = noun_terms(texts)
    if progress is not None:
        progress("cluster", 0.0)
    result = cluster_vectors(x, terms, seed=seed, k=k, k_method=k_method, coarse=coarse)
    if progress is not None:
        progress("cluster", 1.0)
    return result


def purity(assignment: Sequence[int], truth: Sequence[str]) -> float:
    """Cluster purity: Σ over clusters of its most common true class, divided by the number of answers."""
    counts: dict[int, dict[str, int]] = {}
    for a, t in zip(assignment, truth, strict=True):
        counts.setdefault(a, {}).setdefault(t, 0)
        counts[a][t] += 1
    return sum(max(c.values()) for c in counts.values()) / max(1, len(truth))
