"""The offline default backend: selects, de-duplicates and orders source sentences, citing each.

It never writes a sentence of its own beyond a fixed preface, so it cannot
invent evidence. Sentences are scored by semantic similarity to the question
(the same MiniLM model as retrieval) blended with the share of the
question's content words they contain, plus a small prior for the passage's
retrieval rank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.answer.base import AnswerBackend, Draft, DraftClaim
from app.codes import PracticeCodes
from app.config import Settings
from app.conversation import FOCUS_SEPARATOR
from app.corpus_profile import load_profile
from app.embeddings import embed, embed_cached
from app.models import Passage
from app.sentences import split_sentences
from app.text import content_terms

_ASKS_QUANTITY = re.compile(r"\b(how (many|much|often|big|large)|what (share|proportion|percentage|number)|per ?cent)", re.I)
_ASKS_PRACTICE = re.compile(
    r"\b((which|what) (practices?|examples?|programmes?|projects?|initiatives?|services?)\b|who (runs|operates|offers|does)"
    r"|is there (a|an|any) (practice|example|programme|project))",
    re.I,
)
_SHORT_FIELD = re.compile(r"^[A-Z][\w ’'/()]{0,40}:\s+\S.{0,60}$")  # "Organisation / Country: X / Finland"
_HAS_NUMBER = re.compile(r"\d")
_CAPTION = re.compile(r"^(Table|Figure)\s*\d+\s*:")


@dataclass
class ScoredSentence:
    text: str
    passage: int
    position: int
    score: float
    terms: set[str]


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


class ExtractiveBackend(AnswerBackend):
    """Answers with the retrieved passages' own sentences."""

    name = "extractive"

    def __init__(self, settings: Settings, idf: dict[str, float] | None = None) -> None:
        self.settings = settings
        self.config = settings.answer
        self.codes = PracticeCodes.from_profile(load_profile(settings.corpus_dir))
        # Rare words weigh more in the lexical score ("pooled" says more than "services").
        self.idf = idf or {}

    def _weight(self, terms: set[str]) -> float:
        return sum(self.idf.get(t, 1.0) for t in terms)

    def score_sentences(self, question: str, passages: list[Passage]) -> list[ScoredSentence]:
        """Every candidate sentence of the passages with its relevance score, best first."""
        cfg = self.config
        min_chars = self.settings.index.min_sentence_chars
        q_terms = set(content_terms(question))
        wants_number = bool(_ASKS_QUANTITY.search(question))
        wants_practice = bool(_ASKS_PRACTICE.search(question))
        candidates: list[tuple[int, int, str]] = []
        for pi, p in enumerate(passages):
            for si, sentence in enumerate(split_sentences(p.chunk.text)):
                # A sentence starting in lower case is a fragment cut from a table or a broken line.
                if (min_chars <= len(sentence) <= cfg.max_sentence_chars and not _CAPTION.match(sentence)
                        and not sentence[0].islower() and not _SHORT_FIELD.match(sentence)):  # fmt: skip
                    candidates.append((pi, si, sentence))
        if not candidates:
            return []
        q_vec = embed([question], self.settings)[0]
        semantic = embed_cached([c[2] for c in candidates], self.settings) @ q_vec
        focus = set(content_terms(question.split(FOCUS_SEPARATOR)[0])) if FOCUS_SEPARATOR in question else set()
        scored = []
        for (pi, si, sentence), sim in zip(candidates, semantic, strict=True):
            terms = set(content_terms(sentence))
            lexical = self._weight(q_terms & terms) / max(1e-9, self._weight(q_terms)) if q_terms else 0.0
            score = cfg.semantic_weight * float(sim) + (1 - cfg.semantic_weight) * lexical + cfg.rank_prior / (1 + pi)
            if (wants_number and _HAS_NUMBER.search(sentence)) or (wants_practice and self.codes.find(sentence)):
                score += cfg.answer_type_bonus
            if focus and focus & terms:
                score += cfg.focus_bonus
            scored.append(ScoredSentence(sentence, pi, si, score, terms))
        scored.sort(key=lambda s: -s.score)
        return scored

    def select(self, scored: list[ScoredSentence], question: str) -> list[ScoredSentence]:
        """Greedy choice of relevant sentences that together cover the question's words.

        Near-duplicates are dropped (overlapping chunks repeat sentences).
        """
        if not scored:
            return []
        cfg = self.config
        q_terms = set(content_terms(question))
        floor = scored[0].score * cfg.keep_ratio
        pool = [s for s in scored if s.score >= floor]
        chosen: list[ScoredSentence] = []
        covered: set[str] = set()

        def gain(s: ScoredSentence) -> float:
            return s.score + cfg.coverage_bonus * len((s.terms & q_terms) - covered) / max(1, len(q_terms))

        while pool and len(chosen) < cfg.max_claims:
            best = max(pool, key=gain)
            pool.remove(best)
            if any(_overlap(best.terms, c.terms) >= cfg.duplicate_overlap for c in chosen):
                continue
            chosen.append(best)
            covered |= best.terms & q_terms
        return chosen

    def supports(self, scored: list[ScoredSentence]) -> bool:
        """Whether the best sentence is relevant enough for the corpus to be said to answer the question."""
        return bool(scored) and scored[0].score >= self.config.support_threshold

    def compose(self, question: str, passages: list[Passage]) -> Draft:
        scored = self.score_sentences(question, passages)
        if not self.supports(scored):
            return Draft(supported=False, refusal="The documents in this corpus do not answer this question.")
        chosen = self.select(scored, question)
        # The best few first; the rest, still relevant, under their own heading so the answer stays skimmable.
        claims = [
            DraftClaim(
                text=s.text, sources=[s.passage], quote=s.text, heading="" if i < self.config.key_points else "Further evidence"
            )
            for i, s in enumerate(chosen)
        ]
        return Draft(claims=claims, preface="What the sources say:")
