"""Combining the lexical and dense evidence into one score: a calibrated logistic model.

Reciprocal-rank fusion treats "first by BM25" and "first by meaning" as equally good, so a profile that
merely repeats the need's words (a *distractor*: 赤潮 in a paper on red tides in history textbooks)
outranks the profile that truly fits but is written in other words or another language. Instead every
candidate gets three features, all on fixed scales that do not depend on the rest of the result list:

* ``cos_profile``: cosine of the need with the researcher's profile vector (mean of record vectors);
* ``cos_record``: cosine of the need with the researcher's best single record;
* ``bm25``: the BM25 score divided by its upper bound for this need (Σ idf·(k1+1)), 0–1.

score = σ(w_profile·cos_profile + w_record·cos_record + w_bm25·bm25 + bias)

fitted on the *train* split of the labelled evaluation set (``src/kyoso/matching/eval/``) in two steps
(``evaluate.fit``): the direction of (w_profile, w_record, w_bm25) by pairwise logistic regression (each
fitting candidate of a need against each non-fitting one: a ranking objective), then scale and bias by a
plain logistic regression of "fits / does not fit" on that combined value. The score is therefore an
estimate of the probability that the researcher fits, which gives team selection and the capability gap a natural
threshold (0.5). When BM25 is 0 (a Japanese need against an English-only profile) the dense terms alone
decide; the fitted BM25 weight is small enough that it breaks ties among semantically close profiles
without lifting word-overlap distractors over them.

Refit with ``python -m kyoso.matching.domain.evaluate --fit`` and paste the printed constants below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Fitted by: python -m kyoso.matching.domain.evaluate --fit   (train split, see eval/README.md)
FITTED_W_PROFILE = 23.4449
FITTED_W_RECORD = 0.0844
FITTED_W_BM25 = 2.5472
FITTED_BIAS = -5.3403


@dataclass(frozen=True)
class FusionWeights:
    w_profile: float = FITTED_W_PROFILE
    w_record: float = FITTED_W_RECORD
    w_bm25: float = FITTED_W_BM25
    bias: float = FITTED_BIAS

    def logits(self, cos_profile: np.ndarray, cos_record: np.ndarray, bm25: np.ndarray) -> np.ndarray:
        return self.w_profile * cos_profile + self.w_record * cos_record + self.w_bm25 * bm25 + self.bias

    def score(self, cos_profile: np.ndarray, cos_record: np.ndarray, bm25: np.ndarray) -> np.ndarray:
        """Probability-like fused score in (0, 1)."""
        fused: np.ndarray = 1.0 / (1.0 + np.exp(-self.logits(cos_profile, cos_record, bm25)))
        return fused


def fit_logistic(features: np.ndarray, labels: np.ndarray, *, l2: float = 1e-3, iterations: int = 3000,
                 balance: bool = True) -> FusionWeights:
    """Logistic regression by Newton's method (no scikit-learn needed).

    ``features``: (n, 3) columns cos_profile, cos_record, bm25; ``labels``: 0/1. With ``balance`` the
    classes are weighted equally (there are far more negatives than positives per need).
    """
    x = np.hstack([features.astype(np.float64), np.ones((len(features), 1))])
    y = labels.astype(np.float64)
    pos = max(y.sum(), 1.0)
    neg = max(len(y) - y.sum(), 1.0)
    sample_w = np.where(y > 0, len(y) / (2 * pos), len(y) / (2 * neg)) if balance else np.ones_like(y)
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (sample_w * (p - y)) + l2 * np.r_[w[:-1], 0.0]
        hess = (x * (sample_w * p * (1 - p))[:, None]).T @ x + l2 * np.eye(x.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if math.sqrt(float(step @ step)) < 1e-9:
            break
    return FusionWeights(w_profile=float(w[0]), w_record=float(w[1]), w_bm25=float(w[2]), bias=float(w[3]))
