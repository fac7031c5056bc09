"""Whether the evidence answers a question, and the sentence declining it when it does not.

The evidence is measured (``evidence``: how close and how complete the best statements are, what the question names
that the corpus does not) and the fitted answerability model decides (``answers``). A refusal names what the
corpus lacks only when those words carry the question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.core.models import Analysis, Passage
from app.core.refusals import MAX_NAMES_SHOWN, refusal
from app.core.text import content_terms, has_word, lookup_words
from app.query.analyse import asking_sentences, asks_outcome, in_asking_sentences, names_not_in
from app.query.answerability import AnswerabilityModel, Evidence, influence, unknown_specificity
from app.query.candidates import Candidate
from app.query.context import ComposeContext
from app.query.coverage import Coverage, is_prospective
from app.query.parts import ScoredPart
from app.query.scoring import StatementScorer


def asked_names(analysis: Analysis) -> list[str]:
    """The unknown names of the sentences that ask (all of them for a question of one sentence)."""
    return in_asking_sentences(analysis, analysis.unknown_names)


@dataclass
class Verdict:
    """Whether a question is answered: the evidence measured, the refusal when it is not, and the parts the answer
    must say it cannot answer (a figure or a name the documents do not give)."""

    evidence: Evidence | None
    refusal: str = ""  # the sentence declining the question; "" when the evidence answers it
    lacking: list[ScoredPart] = field(default_factory=list)  # parts asking a figure the documents do not give
    unnamed: list[ScoredPart] = field(default_factory=list)  # parts asking a name the documents do not give


class AnswerJudge:
    """Measures the evidence for a question and decides, by the fitted model, whether it answers."""

    def __init__(self, ctx: ComposeContext, scorer: StatementScorer, coverage: Coverage) -> None:
        self.ctx = ctx
        self.retriever = ctx.retriever
        self.profile = ctx.profile
        self.scorer = scorer
        self.coverage = coverage
        model_path = ctx.config.answerability_model
        # "off" (training): every question is answered, so the features of unanswerable ones can be collected too.
        self.enabled = model_path != "off"
        self.model = AnswerabilityModel.load(Path(model_path)) if self.enabled and Path(model_path).is_file() else None

    def run(
        self, analysis: Analysis, query: str, scored: list[Candidate], passages: list[Passage], parts: list[ScoredPart]
    ) -> Verdict:
        """Judge the scored evidence: refused when the model says it does not answer, when the asked figure or name is
        not in the best statements, or when no part of a question in several parts is answered."""
        missing = self.missing_names(analysis, passages)
        evidence = self.evidence(analysis, query, scored, passages, missing, parts) if scored else None
        if evidence is None or (self.enabled and not self.answers(evidence)):
            # The evidence decided; what the corpus never mentions is then the likeliest reason, so it is named.
            return Verdict(evidence, self.refusal(analysis, missing, bool(evidence and evidence.figure_missing)))
        if self.enabled and evidence.figure_missing:
            return Verdict(evidence, refusal("no_figure"))
        if self.enabled and (planned := self.only_planned(analysis, scored)):
            return Verdict(evidence, refusal("only_planned", quote=planned))
        has_name = self.coverage.has_name
        if self.enabled and not parts and analysis.asked_name and not has_name(scored, analysis.asked_name, analysis):
            return Verdict(evidence, refusal("no_name", kind=analysis.asked_name))
        lacking = self.coverage.lacking_figures(analysis, parts)
        unnamed = [p for p in parts if p.part.asked_name and not has_name(p.scored, p.part.asked_name, analysis)]
        if self.enabled and parts and self.no_part_answered(parts, lacking + unnamed, passages):
            # No part is answered: declined as a whole, as a question in one part is.
            declined = refusal("no_figure") if len(lacking) == len(parts) else self.refusal(analysis, missing)
            return Verdict(evidence, declined)
        return Verdict(evidence, lacking=lacking, unnamed=unnamed)

    def missing_names(self, analysis: Analysis, passages: list[Passage]) -> list[str]:
        """Names of the sentences that ask that no passage mentions (none for another language, where every noun is
        capitalised). A situation told first names its own places and offices ("In our Landkreis the Jugendamt …"),
        which the documents need not know for the question to be answered."""
        if analysis.language != "English":
            return []
        return names_not_in(asking_sentences(analysis.question), passages, self.profile, self.retriever.common_words)

    def evidence(
        self,
        analysis: Analysis,
        query: str,
        scored: list[Candidate],
        passages: list[Passage],
        missing: list[str] | None = None,
        parts: list[ScoredPart] | None = None,
    ) -> Evidence:
        """What answerability is judged on: how close and how complete the best evidence is, and what it never names.

        ``missing``: the names no passage mentions, and ``parts``: the question's parts scored, when the caller has them.
        """
        idf = self.retriever.idf
        q_terms = set(content_terms(query))
        weight = sum(idf.get(t, 1.0) for t in q_terms) or 1.0
        # Judged on relevance before bonuses, not on the ranker's order: whether the corpus answers does not
        # depend on which ranker lays the answer out (and one answerability model serves both).
        scored = sorted(scored, key=lambda c: -c.relevance)
        top = scored[:5]
        # A statement about a practice covers its code, named or not ("DK2" of a follow-up's carried topic).
        best_terms = set().union(*(c.terms | set(content_terms(" ".join(c.codes))) for c in top)) if top else set()
        passage_terms = set(
            content_terms(" ".join(p.chunk.context_text() + " " + " ".join(p.chunk.practice_codes) for p in passages))
        )
        content = lookup_words(analysis.question)  # as ``Assistant.unknown_words`` finds them
        if missing is None:
            missing = self.missing_names(analysis, passages)
        relevance = sorted((c.relevance for c in scored), reverse=True)
        # A question whose most specific word the best statements lack is likely asking something else. A word the
        # corpus never uses is as specific as it is influential: "Canada" carries "Which practices from Canada …",
        # "barely" carries little of a long situational question. Stems the index lacks are skipped: stemming makes
        # "GPs" one, though the corpus knows "GP" (the analysis's unknown words are checked word by word).
        top_idf = max(idf.values(), default=1.0)
        uncovered = [idf[t] for t in q_terms - best_terms if t in idf]
        return Evidence(
            best_relevance=relevance[0] if relevance else 0.0,
            top3_relevance=float(np.mean(relevance[:3])) if relevance else 0.0,
            best_similarity=max((c.similarity for c in scored), default=0.0),
            coverage=sum(idf.get(t, 1.0) for t in q_terms & best_terms) / weight,
            passage_coverage=sum(idf.get(t, 1.0) for t in q_terms & passage_terms) / weight,
            unknown_word_share=len(analysis.unknown_words) / (len(content) + 2),  # smoothed: short questions vary less
            uncovered_specificity=unknown_specificity(analysis.unknown_meaning)
            if analysis.unknown_influence
            else max(uncovered, default=0.0) / top_idf,
            names_unknown=len(asked_names(analysis)),
            names_missing=len(missing),
            figure_missing=self.coverage.figures_missing(
                analysis, scored, self.scorer.score_parts(analysis, scored) if parts is None else parts
            ),
            words=len(analysis.question.split()),
            follow_up=analysis.follow_up,
        )

    def only_planned(self, analysis: Analysis, scored: list[Candidate]) -> str:
        """The closest statement, when the question asks what came of something and that statement speaks of it only
        as planned or under way ("The duties are expected to commence in August 2016 …" for "did the duty actually
        start as planned?"): the documents were written before the outcome. "" otherwise."""
        if not scored or not asks_outcome(analysis.question):
            return ""
        closest = max(scored, key=lambda c: c.relevance)
        return closest.quote if is_prospective(closest.quote) else ""

    def answers(self, evidence: Evidence) -> bool:
        """Whether the evidence answers the question: the fitted model, else the relevance floor alone."""
        if self.model is None:
            return evidence.best_relevance >= self.ctx.config.support_threshold
        return self.model.answers(evidence)

    def refusal(self, analysis: Analysis, missing: list[str], figure_missing: bool = False) -> str:
        """The sentence declining a question the evidence does not answer, naming what the corpus lacks where it can
        (else, when a figure was asked and none of its kind is in the best statements, saying so)."""
        # Only words that carry the question are named as the reason ("do not mention Check" misleads): each that
        # does alone, else all of them when together they do ("brew, craft, beer").
        # … and only words of the sentences that ask, as the evidence weighed them (``Assistant.scope``).
        every = in_asking_sentences(analysis, [*analysis.unknown_names, *analysis.unknown_words])
        unknown = [w for w in every if unknown_specificity(analysis.unknown_influence.get(w, 1.0)) >= 0.5]
        if not unknown and unknown_specificity(analysis.unknown_meaning) >= 0.5:
            unknown = every
        if unknown:
            return refusal("unknown_names", names=", ".join(unknown[:MAX_NAMES_SHOWN]))
        # Names no passage mentions, likewise: only when together they carry the question (measured only here, when
        # refusing: answered questions need no such embedding).
        if missing and unknown_specificity(influence(analysis.question, missing, self.retriever.vectors.embed)[1]) >= 0.5:
            return refusal("names_not_in_evidence", names=", ".join(missing[:MAX_NAMES_SHOWN]))
        return refusal("no_figure" if figure_missing else "not_answered")

    def no_part_answered(self, parts: list[ScoredPart], lacking: list[ScoredPart], passages: list[Passage]) -> bool:
        """Whether no part of a question in several parts is answered: each part lacks the figure it asks or, judged as a
        question of its own, its evidence does not answer it.

        Only the whole is declined by this: on a short part alone ("where does its money come from?") the model
        refused parts the documents answer (8 of the development sets' 25 such notes, measured 2026-12-07), so no part
        of an answered question is declined by it.
        """
        return all(p in lacking or not self.answers(self._part_evidence(p, passages)) for p in parts)

    def _part_evidence(self, p: ScoredPart, passages: list[Passage]) -> Evidence:
        """The evidence of one part, measured as a question of its own: its own unknown words, weighed in it."""
        text = p.analysis.question
        names = [n for n in p.analysis.unknown_names if has_word(text, n, ignore_case=True)]
        words = [w for w in p.analysis.unknown_words if has_word(text, w, ignore_case=True)]
        weights, meaning = influence(text, [*names, *words], self.retriever.vectors.embed)
        update = {"unknown_names": names, "unknown_words": words, "unknown_influence": weights, "unknown_meaning": meaning}
        return self.evidence(p.analysis.model_copy(update=update), text, p.scored, passages, parts=[])
