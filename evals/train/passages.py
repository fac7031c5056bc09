"""The passage ranker's training data and fit: which pooled passages hold a question's evidence.

For every answerable training question (``evals/train/*.jsonl``, follow-ups asked after their history) the
real pipeline runs up to retrieval; the hybrid's fused pool for what retrieval searched (``state.query``) becomes
one feature row per passage of the documents (``app/query/passage_rank.py``; cards are not scored), labelled
relevant when the passage holds one of the question's verbatim evidence strings. The model is the statement
ranker's pairwise logistic regression (``fit_ranker``) on these rows; it is compared out of fold (five folds by
question) with the fused order, by where the first relevant passage lands and whether it is among the first k.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from app.core.config import Settings
from app.core.normalise import QuoteIndex
from app.query.ask import Assistant
from app.query.learned import LearnedRanker, fit_ranker
from app.query.passage_rank import PASSAGE_FEATURES, is_card, passage_rows
from app.query.retrieve import Filters, Retriever
from evals.dataset import EvalItem
from evals.runner import conversation_for
from evals.train.rank import RankingData, by_source, usable


def collect(settings: Settings, items: list[EvalItem], progress: Callable[[int, int], None] | None = None) -> RankingData:
    """Every usable training question's pooled passages (a question whose pool holds no evidence is kept: it
    still counts against the fused order and the ranker alike, though it teaches the fit nothing)."""
    # The fused pool depends on no model; none is loaded, so the follow-ups' earlier turns do not depend on the last fit
    # (and a model fitted on other features does not stop the refit).
    off = {"answer.answerability_model": "off", "answer.statement_ranker": "hand", "retrieval.passage_ranker": "off"}
    assistant = Assistant(settings.with_(off))
    retriever = assistant.retriever
    questions = []
    for n, item in enumerate(items, 1):
        if usable(item):
            state = assistant.prepare(item.question, conversation_for(assistant, item))
            if not state.done and (got := _labelled_pool(retriever, state.query, state.k, state.filters, item.evidence)):
                questions.append((item.id, *got))
        if progress:
            progress(n, len(items))
    return RankingData.of(questions)


def _labelled_pool(
    retriever: Retriever, query: str, k: int, filters: Filters, evidence: list[str]
) -> tuple[np.ndarray, np.ndarray] | None:
    """The feature rows of the pool's passages of the documents (cards are not scored, see passage_rank) and
    whether each holds an evidence string; None for a pool without such passages."""
    pooled, terms = retriever.pool(query, k, filters)
    documents = [p for p in pooled if not is_card(p)]
    if not documents:
        return None
    labels = [any(QuoteIndex([p.passage.chunk.text]).contains(e) for e in evidence) for p in documents]
    return passage_rows(documents, terms), np.asarray(labels, dtype=bool)


@dataclass(frozen=True)
class PassageScores:
    """Where the first relevant passage lands, over questions: mean reciprocal rank, hit at 1 and at k."""

    mrr: float
    hit1: float
    hitk: float
    questions: int


def passage_scores(scores: np.ndarray, data: RankingData, questions: list[int], k: int) -> PassageScores:
    """Score each question's pool by ``scores`` (ties keep the fused order); a pool without evidence scores 0."""
    rr, h1, hk = [], [], []
    for g in questions:
        mask = data.groups == g
        mine = scores[mask]
        order = sorted(range(len(mine)), key=lambda i: -mine[i])
        first = next((r for r, i in enumerate(order, 1) if data.relevant[mask][i]), None)
        rr.append(1 / first if first else 0.0)
        h1.append(first == 1)
        hk.append(first is not None and first <= k)
    n = len(questions)
    return PassageScores(sum(rr) / n, sum(h1) / n, sum(hk) / n, n)


def cross_validate(data: RankingData, seed: int, k: int, folds: int = 5) -> dict[str, tuple[PassageScores, PassageScores]]:
    """Out of fold, by question: the learned order against the fused order, over all questions and by who wrote them."""
    questions = list(range(len(data.ids)))
    random.Random(seed).shuffle(questions)
    learned = np.zeros(len(data.relevant))
    for f in range(folds):
        test = np.isin(data.groups, questions[f::folds])
        model = fit_ranker(data.features[~test], data.relevant[~test], data.groups[~test], seed)
        learned[test] = model.run(data.features[test])
    fused = data.features[:, PASSAGE_FEATURES.index("fused_rank")]
    chosen = {"all": list(range(len(data.ids))), **by_source(data.ids)}
    return {name: (passage_scores(learned, data, qs, k), passage_scores(fused, data, qs, k)) for name, qs in chosen.items()}


def passage_card(
    model: LearnedRanker, data: RankingData, oof: dict[str, tuple[PassageScores, PassageScores]], seed: int, k: int
) -> str:
    """The passage ranker's model card."""
    rows = "\n".join(
        f"| {name} ({mine.questions}) | {mine.mrr:.3f} | {fused.mrr:.3f} | {mine.hit1:.3f} | {fused.hit1:.3f} "
        f"| {mine.hitk:.3f} | {fused.hitk:.3f} |"
        for name, (mine, fused) in oof.items()
    )
    weights = "\n".join(f"| {name} | {w:+.3f} |" for name, w in zip(PASSAGE_FEATURES, model.weights, strict=True))
    pool_size = len(data.relevant) / max(len(data.ids), 1)
    return f"""# Model card: passage ranker

- **What it decides**: how likely each passage the hybrid retrieval returns is to hold the answer. The statement
  ranker reads it as a feature of the passage's statements (`passage_relevance`); it does not change which
  passages an answer reads or their order. Reordering the passages by it lowered answer accuracy on every question
  set (measured 2026-12-07; `app/query/passage_rank.py` says why). Practice cards are not scored.
- **Model**: the statement ranker's pairwise logistic regression (scikit-learn, seed {seed}), scaled to a
  probability, over {len(PASSAGE_FEATURES)} features of each pooled passage (`app/query/passage_rank.py`), read at
  run time with numpy from `models/passage_ranker.json`.
- **Training data**: {len(data.relevant)} pooled passages of {len(data.ids)} answerable training questions
  ({int(data.relevant.sum())} relevant: the passage holds one of the question's verbatim evidence strings). No
  evaluation or development set was used.
- **Rebuild**: `joinedup train` (the first of its three models: the statements' features read it). Same data, same
  seed, same model.
  **Date**: {date.today().isoformat()}
- **Measured out of fold** (5 folds by question; the first relevant passage of a pool of {pool_size:.0f} passages
  on average; a pool without one counts as a miss):

| questions | MRR learned | MRR fused | hit@1 learned | hit@1 fused | hit@{k} learned | hit@{k} fused |
|---|---|---|---|---|---|---|
{rows}

| feature (standardised) | weight |
|---|---|
{weights}
"""
