"""Extractive composition by answer type: a bottom line first, then evidence grouped by its kind.

Each step is a component of its own, unit-tested on toy data; this module wires them and runs them in order:

1. **gather** (``gather.py``): the retrieved passages and those the route adds (recommendations, the barriers table,
   named or matching cards, each document's closest passages);
2. **candidates** (``candidates.py``): units of the passages, table rows, practice-card facts with their verbatim
   source quotes, the report's recommendations;
3. **scoring** (``scoring.py``): the ranker's features, then its scores (learned or hand-tuned, ``relevance.py``), and
   for a question in several parts each part's own scores (``parts.py``);
4. **judging** (``judge.py``, ``coverage.py``, ``answerability.py``): whether the evidence answers, else the refusal;
5. **layout** (``layouts/``): the evidence layout, the design layout (recommendations first) or the practice list,
   choosing statements with ``selection.py``;
6. **differences** (``differences.py``): "the sources differ" notes where a claim cites one side.

No sentence is written that the sources do not contain, except headings, the practice-fact lines built from a card
(each cited to the source quote the card records) and the notes.
"""

from __future__ import annotations

import numpy as np

from app.core.cards import PracticeCard
from app.core.config import Settings
from app.core.differences import load_differences
from app.core.draft import Draft
from app.core.models import Analysis, Passage
from app.core.refusals import refusal
from app.query.answerability import Evidence
from app.query.barriers import BarriersTable
from app.query.candidates import Candidate, CandidateBuilder
from app.query.context import ComposeContext
from app.query.coverage import Coverage
from app.query.differences import DifferenceNotes, asks_agreement
from app.query.gather import Gatherer, PassagePool
from app.query.judge import AnswerJudge
from app.query.layouts.evidence import EvidenceLayout
from app.query.layouts.practice_list import PracticeList
from app.query.layouts.recommend import RecommendLayout
from app.query.relevance import load_ranker
from app.query.retrieve import Retriever
from app.query.scoring import StatementScorer


class Composer:
    """Builds the draft answer for an analysed question from retrieved passages."""

    def __init__(self, settings: Settings, retriever: Retriever, cards: list[PracticeCard]) -> None:
        self.settings = settings
        self.retriever = retriever
        self.profile = retriever.profile
        self.builder = CandidateBuilder(settings, retriever, cards)
        ctx = ComposeContext(settings, retriever, {c.code: c for c in cards}, self.builder, load_ranker(settings.answer))
        self.scorer = StatementScorer(ctx)
        self.coverage = Coverage(ctx)
        self.judge = AnswerJudge(ctx, self.scorer, self.coverage)
        barriers = BarriersTable(ctx.profile, self.builder.tables)
        self.gatherer = Gatherer(ctx, barriers)
        self.practice_list = PracticeList(ctx)
        self.finder = self.practice_list.finder
        self.evidence_layout = EvidenceLayout(ctx, self.scorer, self.coverage, barriers, self.practice_list)
        self.recommend_layout = RecommendLayout(ctx, barriers, self.evidence_layout)
        self.differences = DifferenceNotes(load_differences(settings.corpus_dir), retriever.catalogue)

    def gather(self, analysis: Analysis, query: str, passages: list[Passage]) -> PassagePool:
        """The retrieved passages and those the question's route adds (``Gatherer.run``)."""
        return self.gatherer.run(analysis, query, passages)

    def candidates(self, passages: list[Passage], analysis: Analysis) -> list[Candidate]:
        """Every candidate statement of the passages (``CandidateBuilder.run``)."""
        return self.builder.run(passages, analysis)

    def score(self, candidates: list[Candidate], analysis: Analysis, query: str) -> list[Candidate]:
        """The candidates scored against the question, best first (``StatementScorer.score``)."""
        return self.scorer.score(candidates, analysis, query)

    def features(self, candidates: list[Candidate], analysis: Analysis, query: str) -> np.ndarray:
        """The ranker's feature rows of the candidates (``StatementScorer.features``; training reads them)."""
        return self.scorer.features(candidates, analysis, query)

    def evidence(self, analysis: Analysis, query: str, scored: list[Candidate], passages: list[Passage]) -> Evidence:
        """What answerability is judged on (``AnswerJudge.evidence``; training reads it)."""
        return self.judge.evidence(analysis, query, scored, passages)

    def compose(self, analysis: Analysis, query: str, passages: list[Passage]) -> Draft:
        """The draft for the analysed question; the passages it adds (tables, cards, recommendations) are ``draft.added``."""
        pool = self.gather(analysis, query, passages)
        scored = self.score(self.candidates(pool.passages, analysis), analysis, query)
        parts = self.scorer.score_parts(analysis, scored)
        verdict = self.judge.run(analysis, query, scored, pool.passages, parts)
        features = verdict.evidence.as_dict() if verdict.evidence else None
        if verdict.refusal:
            return Draft(supported=False, refusal=verdict.refusal, added=pool.added, evidence=features)
        if analysis.route == "recommend":
            draft = self.recommend_layout.run(analysis, scored, parts)
        else:
            draft = self.evidence_layout.run(analysis, scored, parts)
        draft.evidence = features
        draft.notes += [refusal("no_figure_for", part=p.part.text.rstrip("?. ")) for p in verdict.lacking]
        draft.notes += [refusal("no_name_for", kind=p.part.asked_name, part=p.part.text.rstrip("?. ")) for p in verdict.unnamed]
        # Sources differ: a note citing both sides where a claim cites one, first when the question asks whether they agree.
        notes = self.differences.claims([c.quote or "" for c in draft.claims], analysis.question)
        draft.claims = [*notes, *draft.claims] if asks_agreement(analysis.question) else [*draft.claims, *notes]
        for claim in draft.claims:  # every passage a claim rests on is among the answer's passages
            for source in claim.sources:
                pool.add(self.retriever.chunks_by_id.get(source), "claim_sources")
        draft.added = pool.added
        return draft
