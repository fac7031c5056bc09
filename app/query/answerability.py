"""Answerability from evidence: whether the best evidence found answers the question.

A question is refused when its evidence is too weak, judged by a small logistic model over what the
pipeline already measured (how close the best statements are, how much of the question they cover,
which of its names no passage mentions, how many of its words the corpus never uses). The weights
and the threshold are fitted on the training set (``evals/train/``, never on an evaluation set) by
``joinedup train`` and shipped as a small JSON file (``models/answerability.json``), read with numpy.

No single word refuses a question any more: an unknown word only lowers the evidence's standing,
and the refusal names it as the reason after the evidence has decided.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Evidence:
    """What the pipeline measured about one question's best evidence (the model's features)."""

    best_relevance: float  # the best statement's relevance before bonuses (meaning, words, rank)
    top3_relevance: float  # the mean of the three best
    best_similarity: float  # the best statement's embedding similarity to the question
    coverage: float  # idf-weighted share of the question's content words found in the five best statements
    passage_coverage: float  # … found anywhere in the retrieved passages
    unknown_word_share: float  # share of the question's content words the corpus never uses (smoothed: +2 words)
    # How specific the question's most specific word the best statements lack is: for a word or name the corpus never
    # uses, its influence on the question's meaning (``unknown_specificity``); else its idf over the corpus's highest.
    uncovered_specificity: float
    # Names, codes and years of the sentences that ask (not of a situation told first) the corpus never mentions …
    names_unknown: int
    names_missing: int  # … and those no retrieved passage mentions
    figure_missing: bool  # a figure is asked and none of the best statements holds one of that kind
    words: int  # the question's length in words
    follow_up: bool

    def vector(self) -> list[float]:
        """The features as the model reads them (counts log-scaled: a long question is not a stronger one)."""
        return [
            self.best_relevance,
            self.top3_relevance,
            self.best_similarity,
            self.coverage,
            self.passage_coverage,
            self.unknown_word_share,
            self.uncovered_specificity,
            math.log1p(self.names_unknown),
            math.log1p(self.names_missing),
            float(self.figure_missing),
            math.log1p(self.words),
            float(self.follow_up),
        ]

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, float]) -> Evidence:
        """The inverse of :meth:`as_dict` (counts and flags back to their types)."""
        counts, flags = {"names_unknown", "names_missing", "words"}, {"figure_missing", "follow_up"}
        known = {f.name for f in fields(cls)}  # a cache written by an older version may hold a field since dropped
        return cls(**{k: int(v) if k in counts else bool(v) if k in flags else float(v) for k, v in data.items() if k in known})  # type: ignore[arg-type]


# Unknown words that move the question's embedding by this much (1 - cosine, all of them dropped at once) or more
# are as specific as words can be. Chosen on the training set, out of fold: answerable questions' unknown words move it
# by 0.028 (median), out-of-scope questions' by 0.164; at scale 0.1 the model's AUC is 0.974 (0.2: 0.974; 1.0 for any
# unknown word, as before: 0.956) and it refuses 0.882 of the out-of-scope questions at 2% false refusals (0.875).
FULL_INFLUENCE = 0.1


def unknown_specificity(moved: float) -> float:
    """How specific unknown words are, from how far dropping them moves the question's meaning, scaled to 0–1."""
    return min(1.0, moved / FULL_INFLUENCE)


def influence(question: str, words: list[str], embed: Callable[[list[str]], np.ndarray]) -> tuple[dict[str, float], float]:
    """How much of the question's meaning each word carries, and all of them together: 1 - cosine of the question
    with and without them (``embed`` gives unit vectors; one call for all)."""
    if not words:
        return {}, 0.0

    def without(*dropped: str) -> str:
        return re.sub(r"\b(" + "|".join(re.escape(w) for w in dropped) + r")\b", "", question, flags=re.I)

    vectors = embed([question, *(without(w) for w in words), without(*words)])
    moved = [round(float(1.0 - vectors[0] @ v), 4) for v in vectors[1:]]
    return dict(zip(words, moved[:-1], strict=True)), max(moved)


FEATURES = [
    "best_relevance", "top3_relevance", "best_similarity", "coverage", "passage_coverage", "unknown_word_share",
    "uncovered_specificity", "log_names_unknown", "log_names_missing", "figure_missing", "log_words", "follow_up",
]  # fmt: skip


@dataclass(frozen=True)
class AnswerabilityModel:
    """A logistic model over :class:`Evidence` with a refusal threshold on its probability."""

    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float
    threshold: float

    def probability(self, evidence: Evidence) -> float:
        """The probability that the evidence answers the question."""
        x = (np.asarray(evidence.vector()) - np.asarray(self.mean)) / np.asarray(self.scale)
        z = float(x @ np.asarray(self.weights) + self.bias)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def answers(self, evidence: Evidence) -> bool:
        """Whether to answer: the probability reaches the threshold chosen on the training set."""
        return self.probability(evidence) >= self.threshold

    def save(self, path: Path, **card: object) -> None:
        """Write the model (and what it was fitted on) as JSON."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"features": FEATURES, **asdict(self), **card}
        path.write_text(json.dumps(data, indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> AnswerabilityModel:
        """Read a model written by :meth:`save`; a file for other features is refused with a reason."""
        data = json.loads(path.read_text())
        if data.get("features") != FEATURES:
            raise ValueError(f"{path} was fitted on other features; run `joinedup train` to refit it")
        return cls(**{k: data[k] for k in ("mean", "scale", "weights", "bias", "threshold")})


def fit(
    rows: list[Evidence], answerable: list[bool], max_false_refusals: float, seed: int = 0, kinds: list[str] | None = None
) -> AnswerabilityModel:
    """Fit the logistic model and choose the highest threshold that refuses at most ``max_false_refusals``
    of the answerable training questions (so it refuses as many unanswerable ones as that allows).

    With ``kinds`` (each question's kind), each kind of answerable question weighs the same in that share: a
    training set with many easy questions of one kind (generated practice questions) would otherwise set a
    threshold that refuses more of the harder kinds.
    """
    from sklearn.linear_model import LogisticRegression  # training only: answering needs numpy alone

    x = np.asarray([r.vector() for r in rows])
    y = np.asarray(answerable, dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000, random_state=seed).fit((x - mean) / scale, y)
    fitted = AnswerabilityModel(mean.tolist(), scale.tolist(), model.coef_[0].tolist(), float(model.intercept_[0]), 0.0)
    which = [i for i, a in enumerate(answerable) if a]
    if not which:
        return replace(fitted, threshold=0.5)
    probs = np.asarray([fitted.probability(rows[i]) for i in which])
    of_kind = Counter(kinds[i] for i in which) if kinds else Counter()
    weights = np.asarray([1 / of_kind[kinds[i]] for i in which]) if kinds else np.ones(len(which))
    order = np.argsort(probs, kind="stable")
    refused = np.cumsum(weights[order]) / weights.sum()  # the share refused below each answerable question's score
    # Refusing below probs[order][k] refuses the k lowest answerable questions (ties aside): the most that keeps
    # the refused share within the bound.
    k = int(np.searchsorted(refused, max_false_refusals + 1e-12, side="right"))
    return replace(fitted, threshold=float(probs[order][min(k, len(which) - 1)]) - 1e-9)
