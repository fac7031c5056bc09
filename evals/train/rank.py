"""The statement ranker's training data and fit: which candidate statements hold a question's evidence.

For every answerable training question (``evals/train/*.jsonl``, follow-ups asked after their history) the
real pipeline runs up to composition: scope, analysis, retrieval and the passages composition adds. Each
candidate statement of those passages becomes one feature row (``app/query/relevance.py``), labelled
relevant when its quote holds one of the question's verbatim evidence strings (or is a sentence of one).
Questions where no candidate holds the evidence teach nothing about ranking and are left out.

The model is a logistic regression on those rows; it is compared with the hand-tuned weights out of fold
(five folds by question), by how early the first relevant statement comes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from app.core.config import Settings
from app.core.models import Analysis
from app.core.normalise import QuoteIndex
from app.query.ask import Assistant
from app.query.candidates import Candidate
from app.query.learned import LearnedRanker, Ranker, fit_ranker
from app.query.relevance import STATEMENT_FEATURES, HandTunedRanker
from evals.dataset import EvalItem, expects_refusal
from evals.runner import conversation_for
from evals.train.structure import ID_PREFIX

MIN_QUOTE_WORDS = 6  # a candidate shorter than this is not credited for lying inside a longer evidence string


@dataclass(frozen=True)
class RankingData:
    """Feature rows of every candidate (a statement, or a passage for the passage ranker) of every usable question,
    their labels, and the question each belongs to."""

    features: np.ndarray
    relevant: np.ndarray
    groups: np.ndarray  # index of the question (same for every candidate of one question)
    ids: list[str]  # the question ids, by group index

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, features=self.features, relevant=self.relevant, groups=self.groups, ids=np.asarray(self.ids))

    @classmethod
    def load(cls, path: Path, features: tuple[str, ...] = STATEMENT_FEATURES) -> RankingData:
        data = np.load(path)
        if data["features"].shape[1] != len(features):
            raise ValueError(f"{path} holds other features: run `joinedup train` without --reuse")
        return cls(data["features"], data["relevant"], data["groups"], [str(i) for i in data["ids"]])

    @classmethod
    def of(cls, questions: list[tuple[str, np.ndarray, np.ndarray]]) -> RankingData:
        """From each question's id, feature rows and labels."""
        return cls(
            np.vstack([rows for _, rows, _ in questions]),
            np.concatenate([labels for _, _, labels in questions]),
            np.concatenate([np.full(len(labels), g) for g, (_, _, labels) in enumerate(questions)]),
            [question_id for question_id, _, _ in questions],
        )


def holds_evidence(candidate: Candidate, evidence: list[str]) -> bool:
    """Whether the statement's quote holds an evidence string, or is itself a sentence of one."""
    parts = [q for q in candidate.quote.split(" … ") if q.strip()]
    for part in parts:
        index = QuoteIndex([part])
        if any(index.contains(e) for e in evidence):
            return True
        if len(part.split()) >= MIN_QUOTE_WORDS and QuoteIndex(evidence).contains(part):
            return True
    return False


@dataclass(frozen=True)
class LabelledCandidates:
    """One question's candidate statements as composition sees them, each labelled: does it hold the evidence?"""

    query: str  # what retrieval searched for (a follow-up carries its topic)
    analysis: Analysis
    candidates: list[Candidate]
    labels: np.ndarray


def usable(item: EvalItem) -> bool:
    """Whether a training question can teach ranking: answerable, with evidence, in the corpus's language."""
    return not expects_refusal(item.kind) and bool(item.evidence) and item.kind != "other_language"


def labelled_candidates(assistant: Assistant, item: EvalItem) -> LabelledCandidates | None:
    """The question's candidates through the real pipeline (None when none holds its evidence: it teaches nothing)."""
    state = assistant.prepare(item.question, conversation_for(assistant, item))
    if state.done:
        return None
    assert state.analysis is not None
    composer = assistant.composer
    pool = composer.gather(state.analysis, state.query, state.passages)
    candidates = composer.candidates(pool.passages, state.analysis)
    labels = np.asarray([holds_evidence(c, item.evidence) for c in candidates], dtype=bool)
    if not labels.any():
        return None
    return LabelledCandidates(state.query, state.analysis, candidates, labels)


def question_rows(assistant: Assistant, item: EvalItem) -> tuple[np.ndarray, np.ndarray] | None:
    """The feature rows and labels of one question's candidates (None when it teaches nothing)."""
    got = labelled_candidates(assistant, item)
    if got is None:
        return None
    return assistant.composer.features(got.candidates, got.analysis, got.query), got.labels


def collect(settings: Settings, items: list[EvalItem], progress: Callable[[int, int], None] | None = None) -> RankingData:
    """Every usable training question's candidate rows (answerability off, so each is composed; the hand-set
    ranker, since the features do not depend on the ranker and a model fitted on other features would not load)."""
    assistant = Assistant(settings.with_({"answer.answerability_model": "off", "answer.statement_ranker": "hand"}))
    questions = []
    for n, item in enumerate(items, 1):
        if usable(item) and (got := question_rows(assistant, item)) is not None:
            questions.append((item.id, *got))
        if progress:
            progress(n, len(items))
    return RankingData.of(questions)


@dataclass(frozen=True)
class RankScores:
    """How early the first relevant statement comes, over questions: mean reciprocal rank and hit at 1 and 3."""

    mrr: float
    hit1: float
    hit3: float
    questions: int


def rank_scores(ranker: Ranker, data: RankingData, questions: np.ndarray | None = None) -> RankScores:
    """Rank each question's candidates with the ranker and score where its first relevant one lands."""
    chosen = np.unique(data.groups) if questions is None else questions
    rr, h1, h3 = [], [], []
    for g in chosen:
        mask = data.groups == g
        scores = ranker.run(data.features[mask])
        # Stable order by score, as composition sorts: ties keep the retrieval order.
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        first = next(r for r, i in enumerate(order, 1) if data.relevant[mask][i])
        rr.append(1 / first)
        h1.append(first == 1)
        h3.append(first <= 3)
    return RankScores(float(np.mean(rr)), float(np.mean(h1)), float(np.mean(h3)), len(chosen))


def by_source(ids: list[str]) -> dict[str, list[int]]:
    """The positions of the readers' questions (reader_*.jsonl) and of those generated from the cards and tables
    (``evals/train/structure.py``), apart; a source with none is left out."""
    out: dict[str, list[int]] = {}
    for i, question_id in enumerate(ids):
        out.setdefault("generated" if question_id.startswith(ID_PREFIX) else "reader", []).append(i)
    return dict(sorted(out.items(), key=lambda kv: kv[0] != "reader"))


def cross_validate(
    data: RankingData, hand: HandTunedRanker, seed: int, folds: int = 5
) -> tuple[RankScores, RankScores, dict[str, tuple[RankScores, RankScores]]]:
    """Out of fold, by question: the learned model (fitted on the other folds) against the hand-tuned weights, over
    all questions and by who wrote them (the readers' questions are the ones like a user's)."""
    questions = list(range(len(data.ids)))
    random.Random(seed).shuffle(questions)
    learned: dict[int, RankScores] = {}
    handed: dict[int, RankScores] = {}
    for f in range(folds):
        test = np.asarray(questions[f::folds])
        train_mask = ~np.isin(data.groups, test)
        model = fit_ranker(data.features[train_mask], data.relevant[train_mask], data.groups[train_mask], seed)
        for out, ranker in ((learned, model), (handed, hand)):
            for q in test:
                out[int(q)] = rank_scores(ranker, data, np.asarray([q]))

    def total(scores: dict[int, RankScores], chosen: list[int]) -> RankScores:
        parts = [scores[q] for q in chosen]
        n = len(parts)
        return RankScores(sum(p.mrr for p in parts) / n, sum(p.hit1 for p in parts) / n, sum(p.hit3 for p in parts) / n, n)

    every = sorted(learned)
    sources = {source: (total(learned, mine), total(handed, mine)) for source, mine in by_source(data.ids).items()}
    return total(learned, every), total(handed, every), sources


def ranker_card(
    model: LearnedRanker,
    data: RankingData,
    oof: tuple[RankScores, RankScores, dict[str, tuple[RankScores, RankScores]]],
    seed: int,
    keep_recall: float,
) -> str:
    """The statement ranker's section of the model card."""
    learned, hand, by_source = oof
    sources = "\n".join(
        f"| {source} ({mine.questions}) | {mine.mrr:.3f} | {theirs.mrr:.3f} | {mine.hit1:.3f} | {theirs.hit1:.3f} |"
        for source, (mine, theirs) in by_source.items()
    )
    weights = "\n".join(f"| {name} | {w:+.3f} |" for name, w in zip(STATEMENT_FEATURES, model.weights, strict=True))
    return f"""# Model card: statement ranker

- **What it decides**: the order of the candidate statements an answer is composed from (the bottom line is
  the best of them; a statement far below the best is not shown).
- **Model**: a pairwise logistic regression (scikit-learn, seed {seed}: relevant minus non-relevant statements of
  one question), scaled to a probability by a one-feature logistic fit, over {len(STATEMENT_FEATURES)} features of
  each statement (`app/query/relevance.py`), read at run time with numpy from `models/statement_ranker.json`.
- **Training data**: {len(data.relevant)} candidate statements of {len(data.ids)} answerable training questions
  ({int(data.relevant.sum())} relevant: the statement holds one of the question's verbatim evidence strings).
  Questions whose candidates hold none of their evidence are left out. No evaluation set was used.
- **Rebuild**: `joinedup train` (with the answerability model; `--reuse` refits from the cached features in
  seconds). Same data, same seed, same model. **Date**: {date.today().isoformat()}
- **Floor**: a statement scoring under {model.keep_ratio:.3f} of the best one's probability is not shown: the highest
  share that keeps a statement holding the evidence for {keep_recall:.1%} of the training questions, as often as
  the hand-set floor (`answer.keep_ratio`) keeps it with the hand-set weights, so the two rankers differ in
  the order of what they show, not in how much they show.
- **Measured out of fold** (5 folds by question; first relevant statement):

| ranker | MRR | hit@1 | hit@3 |
|---|---|---|---|
| learned | {learned.mrr:.3f} | {learned.hit1:.3f} | {learned.hit3:.3f} |
| hand-tuned (the settings' weights) | {hand.mrr:.3f} | {hand.hit1:.3f} | {hand.hit3:.3f} |

By who wrote the question (readers who saw only the two documents, or generated from the cards and tables):
the readers' questions are the ones like a user's, so the learned model must not trail the hand-set weights there.
Each question's pairs weigh one question in the fit; before 2026-12-07 each pair weighed the same, and the
generated card questions (many relevant card facts each) set the weights: readers' MRR 0.673 against 0.688 by hand.

| questions | MRR learned | MRR hand-tuned | hit@1 learned | hit@1 hand-tuned |
|---|---|---|---|---|
{sources}

| feature (standardised) | weight |
|---|---|
{weights}
"""
