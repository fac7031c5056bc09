"""Scoring candidate statements against a question: the ranker's features measured once, then its scores.

The features (``relevance.STATEMENT_FEATURES``) are measured here from the index (idf, embeddings) and the analysis;
the ranker (learned or hand-tuned, ``relevance.load_ranker``) turns them into scores. A question in several parts
has its candidates rescored against each part (``score_parts``).
"""

from __future__ import annotations

import re
from copy import copy

import numpy as np

from app.core.models import Analysis
from app.core.text import content_terms
from app.query.candidates import Candidate
from app.query.context import ComposeContext
from app.query.coverage import candidate_gives_figure
from app.query.parts import ScoredPart, part_analysis
from app.query.relevance import StatementInputs, feature_row, relevance_before_bonuses


class StatementScorer:
    """Scores candidates by relevance to the analysed question (meaning, words, aspect, answer type, names)."""

    def __init__(self, ctx: ComposeContext) -> None:
        self.ctx = ctx
        self.profile = ctx.profile
        self.retriever = ctx.retriever

    def score(self, candidates: list[Candidate], analysis: Analysis, query: str) -> list[Candidate]:
        """Relevance of each candidate to the question (meaning, words, aspect, answer type, names), best first."""
        if not candidates:
            return []
        for c, s in zip(candidates, self.ctx.ranker.run(self.features(candidates, analysis, query)), strict=True):
            c.score = float(s)
        return sorted(candidates, key=lambda c: -c.score)

    def features(self, candidates: list[Candidate], analysis: Analysis, query: str) -> np.ndarray:
        """The ranker's feature rows of the candidates (``STATEMENT_FEATURES``); sets each one's words,
        similarity and relevance before bonuses on the way."""
        q_terms = set(content_terms(query))
        idf = self.retriever.idf
        weight = sum(idf.get(t, 1.0) for t in q_terms) or 1.0
        q_vec = self.retriever.vectors.embed([query])[0]
        semantic = self.retriever.vectors.embed([c.lead for c in candidates]) @ q_vec
        aspect_patterns = [p for a in analysis.aspects if (p := self.profile.aspect_pattern(a))]
        # "the case study", "the literature review": a question may name the kind of evidence it wants.
        q_low = analysis.question.lower()
        kinds = {r.kind for r in self.profile.evidence_labels.rules if r.section and r.section.lower() in q_low}
        rows = []
        for c, sim in zip(candidates, np.asarray(semantic), strict=True):
            # A card fact repeats its practice's name: only what it says about the practice counts as its words.
            c.terms = set(content_terms(c.lead if c.kind == "card_fact" else c.text))
            lexical = sum(idf.get(t, 1.0) for t in q_terms & c.terms) / weight
            c.similarity = float(sim)
            rows.append(feature_row(self._inputs(c, analysis, lexical, aspect_patterns, kinds), analysis))
        features = np.asarray(rows, dtype=float)
        # Before any bonus: whether the corpus answers at all is judged on this (the answerability model's input).
        for c, relevance in zip(candidates, relevance_before_bonuses(features, self.ctx.config), strict=True):
            c.relevance = float(relevance)
        return features

    def score_parts(self, analysis: Analysis, scored: list[Candidate]) -> list[ScoredPart]:
        """Each part of a question in several parts with the candidates rescored against it (none for one part)."""
        if len(analysis.parts) < 2:
            return []
        out = []
        for part in analysis.parts:
            of_part = part_analysis(analysis, part, self.profile)
            out.append(ScoredPart(part, of_part, self.rescored(scored, of_part, part.text)))
        return out

    def rescored(self, scored: list[Candidate], analysis: Analysis, query: str) -> list[Candidate]:
        """Copies of the candidates scored against another question (a part of it): the whole question's scores
        stay as they are for the rest of the answer."""
        return self.score([copy(c) for c in scored], analysis, query)

    def _inputs(
        self, c: Candidate, analysis: Analysis, lexical: float, aspect_patterns: list[re.Pattern[str]], kinds: set[str]
    ) -> StatementInputs:
        """What the ranker's features of one candidate are measured from."""
        asked = set(analysis.practices)
        fits_type = (
            (analysis.answer_type == "figure" and candidate_gives_figure(c, analysis.measure, analysis.measured, self.profile))
            or (analysis.answer_type == "practices" and bool(c.codes or c.kind == "card_fact"))
            or (analysis.answer_type == "list" and c.kind in {"list", "table_row"})
        )
        return StatementInputs(
            similarity=c.similarity,
            word_overlap=lexical,
            rank=c.rank,
            about_aspect=bool(aspect_patterns) and any(p.search(c.text) for p in aspect_patterns),
            evidence_kind_asked=c.evidence in kinds,
            asked_practice=bool(asked and set(c.codes) & asked),
            other_practice=bool(asked and c.codes and not set(c.codes) & asked),
            answer_type_fits=fits_type,
            country_fit=self._country_fit(c, analysis),
            group_fit=self._group_fit(c, analysis),
            kind=c.kind,
            source_type=c.chunk.source_type,
            words=len(c.quote.split()),
            has_number=bool(re.search(r"\d", c.quote)),
            passage_relevance=c.passage_relevance,
        )

    def _country_fit(self, c: Candidate, analysis: Analysis) -> int:
        """+1 for a statement about the country asked for, -1 for a practice elsewhere, 0 otherwise."""
        if not analysis.countries:
            return 0
        prefixes = {k.code for k in self.profile.countries if k.name in analysis.countries}
        if c.codes:
            return 1 if any(code[:2] in prefixes for code in c.codes) else -1
        names = [n.lower() for k in self.profile.countries if k.name in analysis.countries for n in k.names()]
        return 1 if any(n in c.text.lower() for n in names) else 0

    def _group_fit(self, c: Candidate, analysis: Analysis) -> int:
        """+1 for a card fact of a practice serving the group asked for, -1 for one that does not, 0 otherwise."""
        cards = self.ctx.cards
        if not (analysis.target_groups and c.kind == "card_fact" and c.codes and c.codes[0] in cards):
            return 0
        return 1 if set(cards[c.codes[0]].target_groups) & set(analysis.target_groups) else -1
