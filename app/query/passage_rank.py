"""How likely each retrieved passage is to hold the answer: a learned score the statement ranker reads.

Reciprocal-rank fusion weighs the three retrievers alike and knows nothing but ranks. The passage ranker reads,
for each passage of a wider fused pool (``retrieval.ranker_pool``), the ranks and scores each retriever gave it and
how much of the question's (idf-weighted) words its text and its section heading hold: a logistic model fitted by
``joinedup train`` on the training questions (a passage is relevant when it holds one of the question's verbatim
evidence strings). Out of fold it puts the first relevant passage first far more often than fusion does.

It does not choose or reorder the passages an answer reads; its score is a feature of their statements. Measured
on 2026-12-07, reordering the passages by it (or taking its first k of 30) lowered answer accuracy on every
question set (D-F 244 -> 236, training 659 -> 657, G+H 150 -> 147): the statements an answer needs beyond the first
(a second side, a practice's card) came from passages the reorder pushed out.

Practice cards are not scored. The training labels are verbatim strings of the two documents, which a card
restates in its own fields, so a card is almost never labelled relevant (30 of 3 564 pooled cards) although its
facts (the practice's code, country, partners) are what practice and design answers name.

``passage_rows`` is pure (no index, no model) so it and the ranker are unit-tested on toy passages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.models import Passage
from app.query.learned import LearnedRanker

PASSAGE_FEATURES = (
    "fused_rank",  # 1 / (1 + position in the fused order)
    "fused_score",  # the reciprocal-rank-fusion score
    "dense_rank",  # 1 / (1 + rank) in each retriever's own ranking, 0 when it did not return the passage
    "bm25_rank",
    "sentences_rank",
    "dense_similarity",  # cosine of the chunk's embedding to the question's (0 when not returned)
    "sentence_similarity",  # cosine of the chunk's best sentence
    "bm25_share",  # BM25 score as a share of the question's best
    "words_in_text",  # idf-weighted share of the question's content words found in the passage
    "words_in_section",  # ... in its section heading
    "paper",  # from the paper (else the report or a user's document)
    "log_words",  # log(1 + words of the passage)
)
RUNS = ("dense", "bm25", "sentences")


@dataclass(frozen=True)
class QueryTerms:
    """The question's stemmed content words and their idf over the indexed chunks."""

    terms: frozenset[str]
    idf: Mapping[str, float]

    def share_in(self, words: set[str]) -> float:
        """The idf-weighted share of the question's words among ``words`` (0 for a question without content words)."""
        total = sum(self.idf.get(t, 1.0) for t in self.terms)
        return sum(self.idf.get(t, 1.0) for t in self.terms & words) / total if total else 0.0


@dataclass(frozen=True)
class PooledPassage:
    """One passage of the fused pool with what each retriever scored it and the stemmed words of its text and
    section heading."""

    passage: Passage
    run_scores: Mapping[str, float]  # by retriever name; missing when it did not return the passage
    text_terms: set[str]
    section_terms: set[str]


def passage_rows(pool: list[PooledPassage], query: QueryTerms) -> np.ndarray:
    """Feature rows in ``PASSAGE_FEATURES`` order, one per pooled passage (in fused order)."""
    best_bm25 = max((p.run_scores.get("bm25", 0.0) for p in pool), default=0.0) or 1.0
    rows = []
    for position, p in enumerate(pool):
        ranks = p.passage.ranks
        chunk = p.passage.chunk
        rows.append(
            [
                1.0 / (1 + position),
                p.passage.score,
                *(1.0 / (1 + ranks[run]) if run in ranks else 0.0 for run in RUNS),
                p.run_scores.get("dense", 0.0),
                p.run_scores.get("sentences", 0.0),
                p.run_scores.get("bm25", 0.0) / best_bm25,
                query.share_in(p.text_terms),
                query.share_in(p.section_terms),
                float(chunk.source_type == "paper"),
                math.log1p(len(chunk.text.split())),
            ]
        )
    return np.asarray(rows, dtype=float).reshape(len(pool), len(PASSAGE_FEATURES))


def is_card(p: PooledPassage) -> bool:
    return p.passage.chunk.source_type == "practice_card"


def score_passages(pool: list[PooledPassage], query: QueryTerms, ranker: LearnedRanker) -> list[Passage]:
    """The pool's passages in fused order, each of the documents carrying the ranker's score as its relevance
    (a card carries none)."""
    documents = [p for p in pool if not is_card(p)]
    scores = iter(ranker.run(passage_rows(documents, query)) if documents else [])
    return [p.passage if is_card(p) else p.passage.model_copy(update={"relevance": float(next(scores))}) for p in pool]


def load_passage_ranker(path: str) -> LearnedRanker | None:
    """The fitted passage ranker at ``path``; None for "off" or no file yet (passages then carry no relevance)."""
    if path == "off" or not Path(path).is_file():
        return None
    return LearnedRanker.load(Path(path), PASSAGE_FEATURES)
