"""A learned ranker: a pairwise logistic regression over feature rows, fitted per question, scaled to a probability.

One model class serves every ranking the assistant learns: the statements of an answer (``app/query/relevance.py``)
and the passages retrieval returns (``app/query/passage_rank.py``). Each saves the names of the features it reads, so
a file fitted on other features is refused. Read at run time with numpy; fitting (``joinedup train``) needs
scikit-learn.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np


class Ranker(Protocol):
    """Scores rows of features (higher: more relevant); a statement scoring under ``keep_ratio`` times the best
    one's score is not shown (each ranker's scores have their own scale)."""

    @property
    def name(self) -> str: ...

    @property
    def keep_ratio(self) -> float: ...

    def run(self, features: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class LearnedRanker:
    """A logistic model over standardised feature rows: the probability that a row (a statement, a passage) holds
    the evidence."""

    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float
    keep_ratio: float = 0.5
    name: str = "learned"

    def run(self, features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        z = ((features - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))

    def save(self, path: Path, features: tuple[str, ...], **card: object) -> None:
        """Write the model (the names of the features it reads, and what it was fitted on) as JSON."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"features": list(features), **asdict(self), **card}
        path.write_text(json.dumps(data, indent=1) + "\n")

    @classmethod
    def load(cls, path: Path, features: tuple[str, ...]) -> LearnedRanker:
        """Read a model written by :meth:`save`; a file for other features is refused with a reason."""
        data = json.loads(path.read_text())
        if data.get("features") != list(features):
            raise ValueError(f"{path} was fitted on other features; run `joinedup train` to refit it")
        return cls(**{k: data[k] for k in ("mean", "scale", "weights", "bias", "keep_ratio")})


def fit_ranker(
    features: np.ndarray,
    relevant: np.ndarray,
    groups: np.ndarray,
    seed: int = 0,
    negatives: int = 30,
    keep_recall: float = 0.95,
) -> LearnedRanker:
    """Fit the ranker (training only: needs scikit-learn) in two steps.

    1. Order: a logistic model on pairs of one question's statements (relevant minus not relevant, at most
       ``negatives`` sampled non-relevant ones per relevant one), which learns what ranks higher *within* a
       question rather than what is relevant across questions; each question's pairs weigh one question.
    2. Scale: a one-feature logistic fit of that order's score to the labels (Platt scaling), so the score is
       a probability and "a share of the best statement's score" keeps its meaning in composition.

    Its floor is the highest share of the best score that keeps a statement holding the evidence for
    ``keep_recall`` of the training questions.
    """
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    z = (features - mean) / scale
    pairs, weights = [], []
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        pos, neg = idx[relevant[idx]], idx[~relevant[idx]]
        if len(neg) > negatives:
            neg = rng.choice(neg, negatives, replace=False)
        mine = [z[p] - z[n] for p in pos for n in neg]
        if not mine:  # a question with nothing relevant (or nothing else) orders nothing
            continue
        pairs += mine
        # Each question weighs the same, however many relevant statements it has: else the generated card questions
        # (many relevant card facts each) set the weights, and the readers' questions rank worse than by hand.
        weights += [1.0 / len(mine)] * len(mine)
    diffs, w_pairs = np.asarray(pairs), np.asarray(weights) / np.mean(weights)
    order = LogisticRegression(fit_intercept=False, max_iter=3000, random_state=seed)
    order.fit(np.vstack([diffs, -diffs]), np.r_[np.ones(len(diffs)), np.zeros(len(diffs))], sample_weight=np.r_[w_pairs, w_pairs])
    w = order.coef_[0]
    platt = LogisticRegression(max_iter=1000, random_state=seed).fit((z @ w)[:, None], relevant.astype(int))
    # The scale never reverses the learned order: across questions relevance can fall as the within-question score
    # rises (questions with many relevant statements differ from the rest), and a negative slope would rank backwards.
    a, b = abs(float(platt.coef_[0][0])), float(platt.intercept_[0])
    ranker = LearnedRanker(mean.tolist(), scale.tolist(), (w * a).tolist(), b)
    return replace(ranker, keep_ratio=float(np.quantile(_shares_needed(ranker, features, relevant, groups), 1 - keep_recall)))


def _shares_needed(ranker: Ranker, features: np.ndarray, relevant: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Per question: the highest floor (a share of the best score) that still keeps a statement holding the evidence."""
    needed = []
    for g in np.unique(groups):
        if not relevant[groups == g].any():
            continue
        scores = ranker.run(features[groups == g])
        best = scores.max()
        needed.append(scores[relevant[groups == g]].max() / best if best > 0 else 0.0)
    return np.asarray(needed)


def evidence_kept(ranker: Ranker, features: np.ndarray, relevant: np.ndarray, groups: np.ndarray) -> float:
    """The share of questions whose evidence-holding statement clears the ranker's floor (is shown)."""
    return float(np.mean(_shares_needed(ranker, features, relevant, groups) >= ranker.keep_ratio))
