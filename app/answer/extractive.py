"""The offline default backend: selects, de-duplicates and orders source sentences, citing each.

It never writes a sentence of its own beyond a fixed preface, so it cannot
invent evidence. Sentences are scored by semantic similarity to the question
(the same MiniLM model as retrieval) blended with the share of the
question's content words they contain, plus a small prior for the passage's
retrieval rank.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.answer.base import AnswerBackend, Draft, DraftClaim
from app.config import Settings
from app.embeddings import embed
from app.models import Passage
from app.text import content_terms, split_sentences

MIN_SENTENCE_CHARS = 30
MAX_SENTENCE_CHARS = 700
SEMANTIC_WEIGHT = 0.65
RANK_PRIOR = 0.05
SUPPORT_THRESHOLD = 0.38  # best sentence below this: the corpus does not answer the question
KEEP_RATIO = 0.78  # keep sentences scoring at least this share of the best one
MAX_CLAIMS = 6
DUPLICATE_OVERLAP = 0.6


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

    def __init__(self, settings: Settings | None = None, max_claims: int = MAX_CLAIMS) -> None:
        self.settings = settings
        self.max_claims = max_claims

    def score_sentences(self, question: str, passages: list[Passage]) -> list[ScoredSentence]:
        """Every candidate sentence of the passages with its relevance score, best first."""
        q_terms = set(content_terms(question))
        candidates: list[tuple[int, int, str]] = []
        for pi, p in enumerate(passages):
            for si, sentence in enumerate(split_sentences(p.chunk.text)):
                if MIN_SENTENCE_CHARS <= len(sentence) <= MAX_SENTENCE_CHARS:
                    candidates.append((pi, si, sentence))
        if not candidates:
            return []
        vectors = embed([question] + [c[2] for c in candidates], self.settings)
        semantic = vectors[1:] @ vectors[0]
        scored = []
        for (pi, si, sentence), sim in zip(candidates, semantic, strict=True):
            terms = set(content_terms(sentence))
            lexical = len(q_terms & terms) / max(1, len(q_terms))
            score = SEMANTIC_WEIGHT * float(sim) + (1 - SEMANTIC_WEIGHT) * lexical + RANK_PRIOR / (1 + pi)
            scored.append(ScoredSentence(sentence, pi, si, score, terms))
        scored.sort(key=lambda s: -s.score)
        return scored

    def select(self, scored: list[ScoredSentence]) -> list[ScoredSentence]:
        """The best sentences, near-duplicates dropped (overlapping chunks repeat sentences)."""
        if not scored:
            return []
        floor = scored[0].score * KEEP_RATIO
        chosen: list[ScoredSentence] = []
        for s in scored:
            if s.score < floor or len(chosen) >= self.max_claims:
                break
            if any(_overlap(s.terms, c.terms) >= DUPLICATE_OVERLAP for c in chosen):
                continue
            chosen.append(s)
        return chosen

    def compose(self, question: str, passages: list[Passage]) -> Draft:
        scored = self.score_sentences(question, passages)
        if not scored or scored[0].score < SUPPORT_THRESHOLD:
            return Draft(supported=False, refusal="The documents in this corpus do not answer this question.")
        chosen = self.select(scored)
        claims = [DraftClaim(text=s.text, sources=[s.passage], quote=s.text) for s in chosen]
        return Draft(claims=claims, preface="What the sources say:")
