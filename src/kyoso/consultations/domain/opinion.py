"""Opinion groups of a consultation: the published Pol.is method, written from its description (no Polis code).

Input: the votes of a consultation as three parallel arrays ``(participant, statement, value)`` with
``value`` ∈ {−1 disagree, 0 pass, +1 agree}; a participant who did not vote on a statement is *missing* (no row).
Each (participant, statement) pair appears at most once (the database enforces it). Participants and statements
are 0-based indices below ``n_participants`` and ``n_statements``. ``excluded`` statements (moderated out) are
treated as never voted on: they take no part in the projection and are never representative or consensus.

The computation (:func:`compute`), deterministic for a given ``seed``:

1. **Who is clustered.** Participants with at least ``min(7, #statements)`` votes (passes count). If fewer than 15
   qualify, the 15 most active participants (most votes first, then lowest index) are taken instead.
2. **Matrix.** Participants × statements; a missing vote is imputed by the statement's mean vote among the
   clustered participants who voted on it (0 when nobody did), then every column is centred on that mean — so a
   missing cell is exactly 0 after centring and the matrix stays as sparse as the votes (float32 throughout).
3. **PCA to 2 dimensions** by block power (subspace) iteration from a seeded start, at most 100 iterations, then
   Rayleigh–Ritz; each component's sign is fixed so that its largest loading is positive. A participant's position
   is their centred row projected on the components, times the **sparsity-aware** factor
   √(#statements ÷ #votes cast by that participant), so that people with few votes are not pulled to the centre.
4. **Base clusters**: k-means (k-means++ seeding, Lloyd iterations until stable, at most 100) with k = 100 when
   there are more than 100 participants; otherwise every participant is their own base cluster.
5. **Group clusters**: weighted k-means on the base centres (weights = base-cluster sizes) for every
   k = 2 … min(5, 2 + n_base // 12) (and k < n_base), best k by the weighted silhouette of the base centres.
   **k-smoother**: the k in use changes only when another k has been the best in ``K_BUFFER`` (4) consecutive
   recomputations; the caller passes the previous :class:`KState` and stores the returned one. The first
   computation (no previous k), or a previous k no longer possible, adopts the best k at once.
6. **Representative statements** of a group g, for each statement with votes: na, nd, ns = agrees, disagrees
   and votes seen (passes included) in g, and the same counts for everyone clustered outside g.
   ``pa = (na+1)/(ns+2)``; one-proportion z ``pat = 2·√(ns+1)·((na+1)/(ns+1) − ½)``; ``ra = pa_in / pa_out``;
   two-proportion z ``rat`` on the +1-smoothed proportions (``(na+1)/(ns+1)`` inside vs outside, pooled variance);
   the same with disagrees (pd, pdt, rd, rdt). A statement is significant when both z of one direction exceed
   1.2816 (90 %, one-tailed); it counts for agree when rat > rdt, else for disagree, ranked by ``ra·rat·pa·pat``
   (``rd·rdt·pd·pdt``). As in Pol.is the group's **best agree** comes first (statements in order: the first with
   pat > 1.2816 or (ra > 1 and pa > ½) is taken, a later one replaces it when its ``ra·rat·pa·pat`` is larger —
   or its ``pa·pat`` while the one held has ra ≤ 1); when there is none and nothing is significant, the statement
   with the largest rat or rdt. Then the significant ones, at most ``MAX_REPNESS`` (5) in all, agrees listed
   before disagrees. (Checked against red-dwarf 0.4.0, which reproduces polismath: see the tests.)
7. **Consensus of the whole room**: statements with ``pa > ½`` and ``pat > 1.2816`` over the votes of every
   participant (clustered or not), the 5 best by ``pa·pat`` (and the same for disagree).
8. **Group-informed consensus** of each statement: Π over groups of ``(A_g+1)/(S_g+2)`` (A_g agrees, S_g votes
   seen in group g); the 5 highest are reported.
9. **Routing priority** of each statement (which one a participant is shown next, as Pol.is routes comments):
   ``[pa·(1 − pp)·(1 + extremity)·(1 + 8·2^(−S/5))]²`` over everyone's votes (pp = (passes+1)/(S+2); extremity =
   length of the statement's loadings on the two components); :data:`NEW_STATEMENT_PRIORITY` for one nobody has
   seen; 0 for an excluded one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Z90 = 1.2816  # one-tailed 90 %
MIN_VOTES = 7
MIN_CLUSTERED = 15
BASE_K = 100
MAX_GROUP_K = 5
K_BUFFER = 4
MAX_REPNESS = 5
MAX_CONSENSUS = 5
PCA_ITERATIONS = 100
KMEANS_ITERATIONS = 100

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Votes:
    """The votes of one consultation (see the module docstring for the meaning of each array)."""

    participant: npt.NDArray[np.integer[Any]]
    statement: npt.NDArray[np.integer[Any]]
    value: npt.NDArray[np.integer[Any]]
    n_participants: int
    n_statements: int
    excluded: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if not (len(self.participant) == len(self.statement) == len(self.value)):
            raise ValueError("participant, statement and value must have the same length")
        if len(self.value) and (int(np.min(self.value)) < -1 or int(np.max(self.value)) > 1):
            raise ValueError("a vote is -1, 0 or +1")
        if len(self.participant) and (int(np.max(self.participant)) >= self.n_participants
                                      or int(np.max(self.statement)) >= self.n_statements
                                      or int(np.min(self.participant)) < 0 or int(np.min(self.statement)) < 0):
            raise ValueError("participant or statement index out of range")


@dataclass(frozen=True)
class KState:
    """The k-smoother's memory: the k in use, and the other k that has been best ``streak`` times in a row."""

    k: int | None = None
    candidate: int | None = None
    streak: int = 0


@dataclass(frozen=True)
class Repness:
    statement: int
    direction: str  # "agree" | "disagree"
    n_agree: int
    n_disagree: int
    n_seen: int
    p: float  # pa or pd in the group
    p_test: float  # pat or pdt
    ratio: float  # ra or rd
    ratio_test: float  # rat or rdt
    metric: float


@dataclass(frozen=True)
class Consensus:
    statement: int
    direction: str
    n_agree: int
    n_disagree: int
    n_seen: int
    p: float
    p_test: float


@dataclass(frozen=True)
class Group:
    id: int
    size: int
    representative: tuple[Repness, ...]


@dataclass(frozen=True)
class OpinionMap:
    participants: I64  # indices of the clustered participants (sorted)
    positions: F32  # (len(participants), 2), sparsity-scaled
    base_labels: I64  # base cluster of each clustered participant
    base_centres: F32  # (n_base, 2)
    labels: I64  # group of each clustered participant
    groups: tuple[Group, ...]
    consensus_agree: tuple[Consensus, ...]
    consensus_disagree: tuple[Consensus, ...]
    group_consensus: F64  # per statement (nan for excluded or unvoted statements)
    group_consensus_top: tuple[tuple[int, float], ...]
    k_state: KState
    silhouettes: dict[int, float] = field(default_factory=dict)
    n_votes: int = 0
    components: F32 = field(default_factory=lambda: np.zeros((0, 2), np.float32))
    priority: F64 = field(default_factory=lambda: np.zeros(0, np.float64))  # step 9, per statement


# --------------------------------------------------------------------------------------------------- selection


def clustered_participants(counts: I64, n_statements: int) -> I64:
    """Step 1: indices (sorted) of the participants who are clustered, from each participant's vote count."""
    threshold = min(MIN_VOTES, n_statements)
    qualified = np.flatnonzero((counts >= threshold) & (counts > 0))
    if len(qualified) >= MIN_CLUSTERED:
        return qualified.astype(np.int64)
    active = np.flatnonzero(counts > 0)
    order = active[np.lexsort((active, -counts[active]))]
    return np.sort(order[:MIN_CLUSTERED]).astype(np.int64)


# --------------------------------------------------------------------------------------------------------- PCA


def _orthonormal(matrix: F32) -> F32:
    q, _ = np.linalg.qr(matrix)
    return q.astype(np.float32)


def pca2(centred: F32, rng: np.random.Generator) -> F32:
    """Step 3: the two leading principal directions (statements × 2) of an already centred matrix."""
    n_rows, n_cols = centred.shape
    if n_cols == 0 or n_rows == 0:
        return np.zeros((n_cols, 2), np.float32)
    block = min(n_cols, 6)
    basis = _orthonormal(rng.standard_normal((n_cols, block)).astype(np.float32))
    for _ in range(PCA_ITERATIONS):
        new = _orthonormal(centred.T @ (centred @ basis))
        # converged when the new basis lies in the old subspace (for the 2 leading directions)
        overlap = np.linalg.svd(basis.T @ new[:, : min(2, block)], compute_uv=False)
        basis = new
        if len(overlap) and float(np.min(overlap)) > 1 - 1e-6:
            break
    projected = centred @ basis
    small = (projected.T @ projected).astype(np.float64)
    values, vectors = np.linalg.eigh(small)
    top = vectors[:, np.argsort(values)[::-1][:2]]
    components = (basis.astype(np.float64) @ top).astype(np.float32)
    if components.shape[1] < 2:
        components = np.hstack([components, np.zeros((n_cols, 2 - components.shape[1]), np.float32)])
    for c in range(2):
        column = components[:, c]
        if len(column) and column[int(np.argmax(np.abs(column)))] < 0:
            components[:, c] = -column
    return np.asarray(components, np.float32)


# ------------------------------------------------------------------------------------------------------ k-means


def _sq_distances(points: F32, centres: F32) -> F32:
    """Squared distances (points × centres); coordinate by coordinate (2-D positions: faster than the matmul form)."""
    d = np.zeros((len(points), len(centres)), np.float32)
    for dim in range(points.shape[1]):
        d += (points[:, dim, None] - centres[None, :, dim]) ** 2
    return d


def _draw(weights: F64, rng: np.random.Generator) -> int:
    """An index drawn with probability proportional to ``weights`` (uniform when they are all 0)."""
    cumulative = np.cumsum(weights)
    total = float(cumulative[-1])
    if total <= 0:
        return int(rng.integers(len(weights)))
    return min(int(np.searchsorted(cumulative, rng.random() * total, side="right")), len(weights) - 1)


def _plus_plus(points: F32, weights: F32, k: int, rng: np.random.Generator) -> F32:
    w = weights.astype(np.float64)
    first = _draw(w, rng)
    centres = [points[first]]
    closest = ((points - points[first]) ** 2).sum(1).astype(np.float64) * w
    for _ in range(1, k):
        index = _draw(closest, rng)
        centres.append(points[index])
        closest = np.minimum(closest, ((points - points[index]) ** 2).sum(1) * w)
    return np.array(centres, dtype=np.float32)


def kmeans(points: F32, k: int, rng: np.random.Generator, weights: F32 | None = None) -> tuple[I64, F32]:
    """Weighted k-means (k-means++ seeding; Lloyd iterations until at most 0.1 % of the points change cluster, at
    most 100).

    An empty cluster is moved to the point farthest (weighted) from its centre. Returns (labels, centres)."""
    n = len(points)
    w = np.ones(n, np.float32) if weights is None else weights.astype(np.float32)
    k = max(1, min(k, n))
    centres = _plus_plus(points, w, k, rng)
    labels = np.full(n, -1, np.int64)
    for _ in range(KMEANS_ITERATIONS):
        distances = _sq_distances(points, centres)
        new = np.argmin(distances, axis=1).astype(np.int64)
        changed = int(np.count_nonzero(new != labels))
        labels = new
        mass = np.bincount(labels, weights=w, minlength=k)
        for empty in np.flatnonzero(mass == 0):
            far = int(np.argmax(distances[np.arange(n), labels] * w))
            labels[far] = empty
            distances[far, :] = 0
            mass = np.bincount(labels, weights=w, minlength=k)
        filled = mass > 0  # (a cluster may stay empty when points coincide: it keeps its centre)
        for dim in range(points.shape[1]):  # the centres of the labels returned
            sums = np.bincount(labels, weights=w * points[:, dim], minlength=k)
            centres[filled, dim] = sums[filled] / mass[filled]
        if changed <= n // 1000:
            break
    return labels, centres


def silhouette(points: F32, labels: I64, weights: F32) -> float:
    """Weighted silhouette of ``points`` (base centres) whose weights are their sizes.

    For a point i in cluster A: a = weighted mean distance to the *other* members of A (its own weight − 1 copies
    at distance 0 count as members), b = the least weighted mean distance to another cluster; s = (b − a)/max(a, b),
    0 for a cluster of one participant. The result is the weight-averaged s."""
    distances = np.sqrt(_sq_distances(points, points).astype(np.float64))
    w = weights.astype(np.float64)
    k = int(labels.max()) + 1
    one_hot = np.zeros((len(points), k))
    one_hot[np.arange(len(points)), labels] = 1
    sums = distances @ (one_hot * w[:, None])  # weighted distance of each point to each cluster
    mass = (one_hot * w[:, None]).sum(0)
    own = labels
    own_mass = mass[own] - 1  # the other members of the own cluster (self excluded)
    a = np.where(own_mass > 0, sums[np.arange(len(points)), own] / np.maximum(own_mass, 1e-12), 0.0)
    others = np.where(one_hot.astype(bool), np.inf, sums / np.maximum(mass, 1e-12)[None, :])
    b = others.min(1)
    scale = np.maximum(a, b)
    s = np.where((own_mass > 0) & (scale > 0) & np.isfinite(b), (b - a) / np.where(scale > 0, scale, 1), 0.0)
    return float((s * w).sum() / w.sum())


def smooth_k(best: int, possible: set[int], previous: KState) -> KState:
    """Step 5's k-smoother (see the module docstring)."""
    if previous.k is None or previous.k not in possible:
        return KState(k=best)
    if best == previous.k:
        return KState(k=previous.k)
    streak = previous.streak + 1 if previous.candidate == best else 1
    if streak >= K_BUFFER:
        return KState(k=best)
    return KState(k=previous.k, candidate=best, streak=streak)


# ------------------------------------------------------------------------------------------------------ statistics


def prop_test(successes: F64, n: F64) -> F64:
    """One-proportion z of Pol.is: 2·√(n+1)·((successes+1)/(n+1) − ½)."""
    return np.asarray(2 * np.sqrt(n + 1) * ((successes + 1) / (n + 1) - 0.5), np.float64)


def two_prop_test(succ_in: F64, succ_out: F64, n_in: F64, n_out: F64) -> F64:
    """Two-proportion z on +1-smoothed counts: (p1 − p2) / √(p̂(1 − p̂)(1/n1 + 1/n2)), 0 when p̂ is 1."""
    s1, s2, m1, m2 = succ_in + 1, succ_out + 1, n_in + 1, n_out + 1
    p1, p2 = s1 / m1, s2 / m2
    pooled = (s1 + s2) / (m1 + m2)
    variance = pooled * (1 - pooled) * (1 / m1 + 1 / m2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(variance > 0, (p1 - p2) / np.sqrt(np.where(variance > 0, variance, 1)), 0.0)
    return np.asarray(z, np.float64)


def _counts(labels: I64, k: int, rows: npt.NDArray[np.int32], cols: npt.NDArray[np.int32],
            values: npt.NDArray[np.int8],
            n_statements: int) -> tuple[F64, F64, F64]:
    """Agree, disagree and seen counts (groups × statements) of the votes of clustered participants."""
    flat = labels.astype(np.int32)[rows] * np.int32(n_statements) + cols
    size = k * n_statements
    seen = np.bincount(flat, minlength=size).astype(np.float64).reshape(k, n_statements)
    agree = np.bincount(flat[values == 1], minlength=size).astype(np.float64).reshape(k, n_statements)
    disagree = np.bincount(flat[values == -1], minlength=size).astype(np.float64).reshape(k, n_statements)
    return np.asarray(agree, np.float64), np.asarray(disagree, np.float64), np.asarray(seen, np.float64)


def representative(agree: F64, disagree: F64, seen: F64, usable: npt.NDArray[np.bool_]) -> list[tuple[Repness, ...]]:
    """Step 6 for every group at once (counts are groups × statements; see the module docstring for the rule)."""
    total_a, total_d, total_s = agree.sum(0), disagree.sum(0), seen.sum(0)
    return [_group_repness(agree[g], disagree[g], seen[g], total_a - agree[g], total_d - disagree[g],
                           total_s - seen[g], usable) for g in range(agree.shape[0])]


def _group_repness(na: F64, nd: F64, ns: F64, out_a: F64, out_d: F64, out_s: F64,
                   usable: npt.NDArray[np.bool_]) -> tuple[Repness, ...]:
    stats = {}
    for direction, inside, outside in (("agree", na, out_a), ("disagree", nd, out_d)):
        p = (inside + 1) / (ns + 2)
        p_test = prop_test(inside, ns)
        ratio = p / ((outside + 1) / (out_s + 2))
        ratio_test = two_prop_test(inside, outside, ns, out_s)
        stats[direction] = (p, p_test, ratio, ratio_test, ratio * ratio_test * p * p_test)

    def entry(j: int, direction: str) -> Repness:
        p, p_test, ratio, ratio_test, metric = (float(x[j]) for x in stats[direction])
        return Repness(j, direction, int(na[j]), int(nd[j]), int(ns[j]), p, p_test, ratio, ratio_test, metric)

    voted = np.flatnonzero(usable & ((na + nd) > 0))
    pa, pat, ra, rat, agree_metric = stats["agree"]
    _pd, pdt, _rd, rdt, _ = stats["disagree"]
    significant = voted[((pat[voted] > Z90) & (rat[voted] > Z90)) | ((pdt[voted] > Z90) & (rdt[voted] > Z90))]
    sufficient = sorted((entry(int(j), "agree" if rat[j] > rdt[j] else "disagree") for j in significant),
                        key=lambda r: (-r.metric, r.statement))
    # The best agree, Pol.is's rule: statements in order; the first the group tends to agree with (pat significant,
    # or ra > 1 and pa > ½) is taken, and a later one replaces it when it beats it by ra·rat·pa·pat (while the one
    # held has ra > 1) or else by pa·pat.
    best_agree: int | None = None
    for j in (int(j) for j in voted):
        if best_agree is None:
            if pat[j] > Z90 or (ra[j] > 1 and pa[j] > 0.5):
                best_agree = j
        elif ra[best_agree] > 1:
            if agree_metric[j] > agree_metric[best_agree]:
                best_agree = j
        elif pa[j] * pat[j] > pa[best_agree] * pat[best_agree]:
            best_agree = j
    head: list[Repness] = []
    if best_agree is not None:
        head = [entry(best_agree, "agree")]
    elif not sufficient and len(voted):  # at least one statement: the most distinctive either way
        best = max((int(j) for j in voted), key=lambda j: (max(rat[j], rdt[j]), -j))
        head = [entry(best, "agree" if rat[best] > rdt[best] else "disagree")]
    chosen = (head + [r for r in sufficient if not head or r.statement != head[0].statement])[:MAX_REPNESS]
    chosen.sort(key=lambda r: r.direction != "agree")  # stable: agrees first, each in the order above
    return tuple(chosen)


def consensus(agree: F64, disagree: F64, seen: F64, usable: npt.NDArray[np.bool_]) -> tuple[tuple[Consensus, ...], ...]:
    """Step 7: (agree consensus, disagree consensus) over the whole room (counts are per statement)."""
    found = []
    for direction, count in (("agree", agree), ("disagree", disagree)):
        p = (count + 1) / (seen + 2)
        p_test = prop_test(count, seen)
        ok = np.flatnonzero(usable & (seen > 0) & (p > 0.5) & (p_test > Z90))
        ranked = sorted(ok, key=lambda j: (-(p[j] * p_test[j]), int(j)))[:MAX_CONSENSUS]
        found.append(tuple(Consensus(int(j), direction, int(agree[j]), int(disagree[j]), int(seen[j]), float(p[j]),
                                     float(p_test[j])) for j in ranked))
    return tuple(found)


def routing_priority(agree: F64, passes: F64, seen: F64, extremity: F64) -> F64:
    """Step 9 (Pol.is comment routing): ``[pa·(1 − pp)·(1 + extremity)·(1 + 8·2^(−S/5))]²`` with
    ``pa = (A+1)/(S+2)``, ``pp = (P+1)/(S+2)`` (passes) over everyone's votes, S the votes seen."""
    pa = (agree + 1) / (seen + 2)
    pp = (passes + 1) / (seen + 2)
    return np.asarray((pa * (1 - pp) * (1 + extremity) * (1 + 8 * 2 ** (-seen / 5))) ** 2, np.float64)


NEW_STATEMENT_PRIORITY = float(routing_priority(*(np.zeros(1) for _ in range(4)))[0])  # nobody has seen it yet


def _priorities(s_all: npt.NDArray[np.int32], v_all: npt.NDArray[np.int8], components: F32,
                usable: npt.NDArray[np.bool_]) -> F64:
    m = len(usable)
    counts = [np.bincount(s_all[v_all == value], minlength=m).astype(np.float64) for value in (1, 0)]
    extremity = np.linalg.norm(components.astype(np.float64), axis=1) if len(components) else np.zeros(m)
    priority = routing_priority(counts[0], counts[1], np.bincount(s_all, minlength=m).astype(np.float64), extremity)
    return np.asarray(np.where(usable, priority, 0.0), np.float64)


def group_informed_consensus(agree: F64, seen: F64) -> F64:
    """Step 8: Π over groups of (A_g+1)/(S_g+2), per statement (counts are groups × statements)."""
    return np.asarray(np.prod((agree + 1) / (seen + 2), axis=0), np.float64)


# ------------------------------------------------------------------------------------------------------- pipeline


def _empty(votes: Votes, previous: KState) -> OpinionMap:
    return OpinionMap(
        participants=np.zeros(0, np.int64), positions=np.zeros((0, 2), np.float32),
        base_labels=np.zeros(0, np.int64), base_centres=np.zeros((0, 2), np.float32),
        labels=np.zeros(0, np.int64), groups=(), consensus_agree=(), consensus_disagree=(),
        group_consensus=np.full(votes.n_statements, np.nan), group_consensus_top=(), k_state=previous,
        n_votes=len(votes.value),
    )


@dataclass(frozen=True)
class Summary:
    """Steps 6–8 for given groups: representative statements per group, whole-room consensus, group-informed
    consensus per statement (nan for excluded or unvoted statements)."""

    representative: tuple[tuple[Repness, ...], ...]
    consensus_agree: tuple[Consensus, ...]
    consensus_disagree: tuple[Consensus, ...]
    group_consensus: F64


def _kept(votes: Votes) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int8]]:
    """The votes as int32/int8 arrays (no copy when they already are), without the excluded statements."""
    p_all = np.asarray(votes.participant, np.int32)
    s_all = np.asarray(votes.statement, np.int32)
    v_all = np.asarray(votes.value, np.int8)
    if votes.excluded:
        keep = ~np.isin(s_all, np.fromiter(votes.excluded, np.int32))
        p_all, s_all, v_all = p_all[keep], s_all[keep], v_all[keep]
    return p_all, s_all, v_all


def _of_clustered(n_participants: int, clustered: I64, p_all: npt.NDArray[np.int32], s_all: npt.NDArray[np.int32],
                  v_all: npt.NDArray[np.int8]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32],
                                                         npt.NDArray[np.int8]]:
    """(row, statement, value) of the clustered participants' votes, rows numbered in ``clustered`` order."""
    row_of = np.full(n_participants, -1, np.int32)
    row_of[clustered] = np.arange(len(clustered), dtype=np.int32)
    rows = row_of[p_all]
    inside = rows >= 0
    if inside.all():
        return rows, s_all, v_all
    return rows[inside], s_all[inside], v_all[inside]


def _usable(votes: Votes) -> npt.NDArray[np.bool_]:
    usable = np.ones(votes.n_statements, bool)
    if votes.excluded:
        usable[list(votes.excluded)] = False
    return usable


def _summarise(labels: I64, k: int, rows: npt.NDArray[np.int32], cols: npt.NDArray[np.int32],
               values: npt.NDArray[np.int8], s_all: npt.NDArray[np.int32], v_all: npt.NDArray[np.int8],
               usable: npt.NDArray[np.bool_]) -> Summary:
    m = len(usable)
    agree, disagree, seen = _counts(labels, k, rows, cols, values, m)
    repness = tuple(representative(agree, disagree, seen, usable)) if k > 1 else ((),)
    # whole room: every vote, of clustered participants or not
    room = [np.bincount(s_all[v_all == value], minlength=m).astype(np.float64) for value in (1, -1)]
    cons_agree, cons_disagree = consensus(room[0], room[1], np.bincount(s_all, minlength=m).astype(np.float64),
                                          usable)
    gac = np.where(usable & (seen.sum(0) > 0), group_informed_consensus(agree, seen), np.nan)
    return Summary(repness, cons_agree, cons_disagree, np.asarray(gac, np.float64))


def summarise(votes: Votes, participants: I64, labels: I64) -> Summary:
    """Steps 6–8 for groups given from outside: ``labels[i]`` (0 … k−1) is the group of ``participants[i]``."""
    p_all, s_all, v_all = _kept(votes)
    rows, cols, values = _of_clustered(votes.n_participants, np.asarray(participants, np.int64), p_all, s_all, v_all)
    labels = np.asarray(labels, np.int64)
    return _summarise(labels, int(labels.max()) + 1 if len(labels) else 1, rows, cols, values, s_all, v_all,
                      _usable(votes))


def compute(votes: Votes, *, seed: int = 0, previous: KState | None = None) -> OpinionMap:
    """The opinion map of ``votes`` (steps 1–8 of the module docstring); ``previous`` is the last k-smoother state."""
    previous = previous or KState()
    rng = np.random.default_rng(seed)
    m = votes.n_statements
    p_all, s_all, v_all = _kept(votes)
    counts = np.bincount(p_all, minlength=votes.n_participants).astype(np.int64)
    active_statements = m - len(votes.excluded)
    clustered = clustered_participants(counts, active_statements)
    if len(clustered) < 2 or active_statements <= 0:
        return _empty(votes, previous)

    # Step 2: only the votes of clustered participants; rows renumbered 0..n-1.
    rows, cols, values = _of_clustered(votes.n_participants, clustered, p_all, s_all, v_all)
    n = len(clustered)
    seen_per_statement = np.bincount(cols, minlength=m).astype(np.float64)
    sums = (np.bincount(cols[values == 1], minlength=m) - np.bincount(cols[values == -1], minlength=m)).astype(
        np.float64)
    means = np.where(seen_per_statement > 0, sums / np.maximum(seen_per_statement, 1), 0.0).astype(np.float32)
    centred = np.zeros((n, m), np.float32)
    centred[rows, cols] = values.astype(np.float32) - means[cols]

    # Step 3.
    components = pca2(centred, rng)
    votes_cast = counts[clustered].astype(np.float32)
    scale = np.sqrt(active_statements / np.maximum(votes_cast, 1)).astype(np.float32)
    positions = ((centred @ components) * scale[:, None]).astype(np.float32)
    del centred

    # Step 4.
    if n > BASE_K:
        base_labels, base_centres = kmeans(positions, BASE_K, rng)
        base_weights = np.bincount(base_labels, minlength=len(base_centres)).astype(np.float32)
        nonempty = np.flatnonzero(base_weights > 0)
        renumber = np.full(len(base_centres), -1, np.int64)
        renumber[nonempty] = np.arange(len(nonempty))
        base_labels, base_centres, base_weights = renumber[base_labels], base_centres[nonempty], base_weights[nonempty]
    else:
        base_labels = np.arange(n, dtype=np.int64)
        base_centres = positions.copy()
        base_weights = np.ones(n, np.float32)
    n_base = len(base_centres)

    # Step 5.
    max_k = min(MAX_GROUP_K, 2 + n_base // 12, n_base - 1)
    clusterings: dict[int, I64] = {}
    scores: dict[int, float] = {}
    for k in range(2, max_k + 1):
        labels_k, _ = kmeans(base_centres, k, rng, weights=base_weights)
        if len(np.unique(labels_k)) < 2:
            continue
        clusterings[k] = labels_k
        scores[k] = silhouette(base_centres, labels_k, base_weights)
    if clusterings:
        best = max(scores, key=lambda k: (scores[k], -k))
        state = smooth_k(best, set(clusterings), previous)
        assert state.k is not None
        group_of_base = clusterings[state.k]
    else:
        state = KState(k=1)
        group_of_base = np.zeros(n_base, np.int64)
    # Groups numbered by size (largest first), then by the smallest participant index, so ids are stable.
    raw = group_of_base[base_labels]
    k_used = int(raw.max()) + 1
    sizes = np.bincount(raw, minlength=k_used)
    firsts = np.array([int(np.flatnonzero(raw == g)[0]) if sizes[g] else n for g in range(k_used)])
    order = sorted(range(k_used), key=lambda g: (-int(sizes[g]), int(firsts[g])))
    relabel = np.empty(k_used, np.int64)
    relabel[order] = np.arange(k_used)
    labels = relabel[raw]

    # Steps 6–8.
    summary = _summarise(labels, k_used, rows, cols, values, s_all, v_all, _usable(votes))
    repness, gac = summary.representative, summary.group_consensus
    top = sorted((int(j) for j in np.flatnonzero(np.isfinite(gac))), key=lambda j: (-gac[j], j))[:MAX_CONSENSUS]
    groups = tuple(Group(g, int((labels == g).sum()), repness[g] if g < len(repness) else ())
                   for g in range(k_used))
    return OpinionMap(
        participants=clustered, positions=positions, base_labels=base_labels, base_centres=base_centres,
        labels=labels, groups=groups, consensus_agree=summary.consensus_agree,
        consensus_disagree=summary.consensus_disagree,
        group_consensus=gac, group_consensus_top=tuple((j, float(gac[j])) for j in top), k_state=state,
        silhouettes=scores, n_votes=int(len(v_all)), components=components,
        priority=_priorities(s_all, v_all, components, _usable(votes)),
    )


# ------------------------------------------------------------------------------------------------------- helpers


def adjusted_rand_index(a: npt.NDArray[np.integer[Any]], b: npt.NDArray[np.integer[Any]]) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985) of two labellings of the same items: 1 = identical partitions."""
    a = np.unique(np.asarray(a), return_inverse=True)[1]
    b = np.unique(np.asarray(b), return_inverse=True)[1]
    n = len(a)
    if n < 2:
        return 1.0
    table = np.zeros((int(a.max()) + 1, int(b.max()) + 1), np.float64)
    np.add.at(table, (a, b), 1)

    def pairs(x: F64) -> float:
        return float((x * (x - 1) / 2).sum())

    index = pairs(table)
    rows, cols = pairs(table.sum(1)), pairs(table.sum(0))
    expected = rows * cols / (n * (n - 1) / 2)
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def planted_conversation(
    n_participants: int, n_statements: int, n_groups: int, *, seed: int, vote_share: float = 0.5,
    clarity: float = 0.85,
) -> tuple[Votes, I64]:
    """A seeded synthetic conversation with planted opinion groups, for tests, benchmarks and the demo.

    Each group has a random stance (+1/−1) per statement; a member votes on each statement with probability
    ``vote_share`` and follows the group's stance with probability ``clarity``,
    else passes or votes the other way (equally likely). Returns (votes, the planted group of each participant)."""
    rng = np.random.default_rng(seed)
    truth = (np.arange(n_participants) % n_groups).astype(np.int64)
    rng.shuffle(truth)
    stance = rng.choice(np.array([-1, 1], np.int8), size=(n_groups, n_statements))
    mask = rng.random((n_participants, n_statements), dtype=np.float32) < vote_share
    rows, cols = np.nonzero(mask)
    follow = rng.random(len(rows), dtype=np.float32) < clarity
    passes = rng.random(len(rows), dtype=np.float32) < 0.5
    planted = stance[truth[rows], cols]
    values = np.where(follow, planted, np.where(passes, 0, -planted)).astype(np.int8)
    votes = Votes(rows.astype(np.int32), cols.astype(np.int32), values, n_participants, n_statements)
    return votes, truth
