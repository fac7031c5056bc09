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
from app.config import Settings
from app.conversation import FOCUS_SEPARATOR
from app.embeddings import embed, embed_cached
from app.models import Passage
from app.text import MIN_SENTENCE_CHARS, content_terms, split_sentences
from ingest.codes import practice_codes

MAX_SENTENCE_CHARS = 700
SEMANTIC_WEIGHT = 0.65
RANK_PRIOR = 0.05
SUPPORT_THRESHOLD = 0.38  # best sentence below this: the corpus does not answer the question
KEEP_RATIO = 0.5  # consider sentences scoring at least this share of the best one
MAX_CLAIMS = 10
KEY_POINTS = 5
DUPLICATE_OVERLAP = 0.6
COVERAGE_BONUS = 0.15  # favours a sentence that covers question words the chosen ones do not
ANSWER_TYPE_BONUS = 0.08  # a sentence of the kind the question asks for (a figure, a named practice)
_ASKS_QUANTITY = re.compile(r"\b(how (many|much|often|big|large)|what (share|proportion|percentage|number)|per ?cent)", re.I)
_ASKS_PRACTICE = re.compile(
    r"\b((which|what) (practices?|examples?|programmes?|projects?|initiatives?|services?)\b|who (runs|operates|offers|does)"
    r"|is there (a|an|any) (practice|example|programme|project))",
    re.I,
)
FOCUS_BONUS = 0.2  # a follow-up's own words ("how were they funded?") outweigh the carried-over topic
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

    def __init__(
        self, settings: Settings | None = None, max_claims: int = MAX_CLAIMS, idf: dict[str, float] | None = None
    ) -> None:
        self.settings = settings
        self.max_claims = max_claims
        # Rare words weigh more in the lexical score ("pooled" says more than "services").
        self.idf = idf or {}

    def _weight(self, terms: set[str]) -> float:
        return sum(self.idf.get(t, 1.0) for t in terms)

    def score_sentences(self, question: str, passages: list[Passage]) -> list[ScoredSentence]:
        """Every candidate sentence of the passages with its relevance score, best first."""
        q_terms = set(content_terms(question))
        wants_number = bool(_ASKS_QUANTITY.search(question))
        wants_practice = bool(_ASKS_PRACTICE.search(question))
        candidates: list[tuple[int, int, str]] = []
        for pi, p in enumerate(passages):
            for si, sentence in enumerate(split_sentences(p.chunk.text)):
                # A sentence starting in lower case is a fragment cut from a table or a broken line.
                if (MIN_SENTENCE_CHARS <= len(sentence) <= MAX_SENTENCE_CHARS and not _CAPTION.match(sentence)
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
            score = SEMANTIC_WEIGHT * float(sim) + (1 - SEMANTIC_WEIGHT) * lexical + RANK_PRIOR / (1 + pi)
            if (wants_number and _HAS_NUMBER.search(sentence)) or (wants_practice and practice_codes(sentence)):
                score += ANSWER_TYPE_BONUS
            if focus and focus & terms:
                score += FOCUS_BONUS
            scored.append(ScoredSentence(sentence, pi, si, score, terms))
        scored.sort(key=lambda s: -s.score)
        return scored

    def select(self, scored: list[ScoredSentence], question: str) -> list[ScoredSentence]:
        """Greedy choice of relevant sentences that together cover the question's words.

        Near-duplicates are dropped (overlapping chunks repeat sentences).
        """
        if not scored:
            return []
        q_terms = set(content_terms(question))
        floor = scored[0].score * KEEP_RATIO
        pool = [s for s in scored if s.score >= floor]
        chosen: list[ScoredSentence] = []
        covered: set[str] = set()

        def gain(s: ScoredSentence) -> float:
            return s.score + COVERAGE_BONUS * len((s.terms & q_terms) - covered) / max(1, len(q_terms))

        while pool and len(chosen) < self.max_claims:
            best = max(pool, key=gain)
            pool.remove(best)
            if any(_overlap(best.terms, c.terms) >= DUPLICATE_OVERLAP for c in chosen):
                continue
            chosen.append(best)
            covered |= best.terms & q_terms
        return chosen

    def compose(self, question: str, passages: list[Passage]) -> Draft:
        scored = self.score_sentences(question, passages)
        if not scored or scored[0].score < SUPPORT_THRESHOLD:
            return Draft(supported=False, refusal="The documents in this corpus do not answer this question.")
        chosen = self.select(scored, question)
        # The best few first; the rest, still relevant, under their own heading so the answer stays skimmable.
        claims = [
            DraftClaim(text=s.text, sources=[s.passage], quote=s.text, heading="" if i < KEY_POINTS else "Further evidence")
            for i, s in enumerate(chosen)
        ]
        return Draft(claims=claims, preface="What the sources say:")
