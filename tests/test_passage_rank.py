"""The passage ranker: feature rows and scores on toy passages (no index, no model), and on the real corpus."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.core.config import ROOT
from app.core.models import Chunk, Passage
from app.query.learned import LearnedRanker, fit_ranker
from app.query.passage_rank import PASSAGE_FEATURES, PooledPassage, QueryTerms, load_passage_ranker, passage_rows, score_passages
from app.query.relevance import STATEMENT_FEATURES
from evals.train.passages import cross_validate
from evals.train.rank import RankingData


def pooled(i: int, text: str, section: str = "", source_type: str = "report", **runs: float) -> PooledPassage:
    chunk = Chunk(id=f"c{i}", text=text, doc_id="d", doc_title="D", source_type=source_type, section=section)
    ranks = {name: i + 1 for name in runs}
    passage = Passage(chunk=chunk, score=sum(1 / (60 + r) for r in ranks.values()), ranks=ranks)
    return PooledPassage(passage, dict(runs), set(text.lower().split()), set(section.lower().split()))


QUERY = QueryTerms(frozenset({"fund", "pool"}), {"fund": 1.0, "pool": 3.0})


def test_a_row_reads_each_retrievers_rank_and_score_and_the_questions_words_in_text_and_heading():
    pool = [
        pooled(0, "pool fund here", "Funding", "practice_card", dense=0.8, bm25=10.0),
        pooled(1, "nothing of it", "pool", "paper", sentences=0.5, bm25=5.0),
    ]
    rows = passage_rows(pool, QUERY)
    assert rows.shape == (2, len(PASSAGE_FEATURES))
    row = dict(zip(PASSAGE_FEATURES, rows[1], strict=True))
    assert row["fused_rank"] == 0.5 and row["dense_rank"] == 0.0 and row["sentences_rank"] == pytest.approx(1 / 3)
    assert row["dense_similarity"] == 0.0 and row["sentence_similarity"] == 0.5
    assert row["bm25_share"] == 0.5  # a share of the question's best BM25 score
    assert row["words_in_text"] == 0.0 and row["words_in_section"] == 0.75  # "pool" carries 3 of the 4 idf
    assert row["paper"] == 1.0
    first = dict(zip(PASSAGE_FEATURES, rows[0], strict=True))
    assert first["words_in_text"] == 1.0 and first["paper"] == 0.0 and first["bm25_share"] == 1.0
    assert passage_rows([], QUERY).shape == (0, len(PASSAGE_FEATURES))


def toy_pools(n: int = 30) -> RankingData:
    """Questions whose relevant passage is the one holding the question's words, wherever fusion put it."""
    rng = np.random.default_rng(0)
    rows, labels, groups = [], [], []
    for q in range(n):
        hit = int(rng.integers(0, 6))
        pool = [pooled(i, "pool fund" if i == hit else f"other words {i}", bm25=float(6 - i)) for i in range(6)]
        rows.append(passage_rows(pool, QUERY))
        labels += [i == hit for i in range(6)]
        groups += [q] * 6
    return RankingData(np.vstack(rows), np.asarray(labels), np.asarray(groups), [f"ra-{q}" for q in range(n)])


def test_the_fitted_ranker_scores_the_relevant_passage_highest_and_leaves_order_and_cards_alone():
    data = toy_pools()
    ranker = fit_ranker(data.features, data.relevant, data.groups, seed=1)
    pool = [pooled(i, "pool fund" if i == 4 else f"other words {i}", bm25=float(6 - i)) for i in range(6)]
    pool[1] = pooled(1, "pool fund", source_type="practice_card", bm25=5.0)
    scored = score_passages(pool, QUERY, ranker)
    assert [p.chunk.id for p in scored] == [f"c{i}" for i in range(6)]  # the fused order is kept
    assert scored[1].relevance is None  # a card is not scored (the ranker is not taught what cards are worth)
    documents = [p for p in scored if p.relevance is not None]
    assert max(documents, key=lambda p: p.relevance).chunk.id == "c4" and all(0 < p.relevance < 1 for p in documents)
    assert [p.score for p in scored] == [p.passage.score for p in pool]  # the fused score stays the score
    assert score_passages([], QUERY, ranker) == []
    learned, fused = cross_validate(data, seed=1, k=1)["all"]  # out of fold it finds what the fused order misses
    assert learned.hit1 > 0.9 > fused.hit1 and learned.questions == 30


def test_the_passage_ranker_file_is_read_by_its_own_feature_names(tmp_path):
    assert load_passage_ranker("off") is None and load_passage_ranker(str(tmp_path / "none.json")) is None
    data = toy_pools()
    path = tmp_path / "passages.json"
    fit_ranker(data.features, data.relevant, data.groups, seed=1).save(path, PASSAGE_FEATURES)
    assert load_passage_ranker(str(path)) is not None
    statement_file = tmp_path / "statements.json"
    statement_file.write_text(json.dumps({"features": list(STATEMENT_FEATURES)}))
    with pytest.raises(ValueError, match="joinedup train"):
        load_passage_ranker(str(statement_file))
    assert isinstance(LearnedRanker.load(ROOT / "models" / "passage_ranker.json", PASSAGE_FEATURES), LearnedRanker)


@pytest.mark.slow
def test_the_answer_path_reads_the_fused_passages_with_their_relevance_and_statements_carry_it(assistant):
    retriever = assistant.retriever
    assert retriever.passage_ranker is not None  # the shipped model
    question = "which share of practices use pooled funding"
    got = retriever.search(question, 8)
    assert [p.chunk.id for p in got] == [p.chunk.id for p in retriever.hybrid(question, 8)]
    assert all((p.relevance is None) == (p.chunk.source_type == "practice_card") for p in got)
    best = max((p for p in got if p.relevance is not None), key=lambda p: p.relevance or 0.0)
    # The passage ranked first gives the asked share: the sentence counting them or Table 7 with its row.
    answers = ("20 practices are financed by joint or pooled funding", "Joint/pooled funding 20 45%")
    assert any(a in " ".join(best.chunk.text.split()) for a in answers)
    candidates = assistant.composer.candidates(got, assistant.analyser.analyse(question))
    by_chunk = {p.chunk.id: p.relevance for p in got}
    # A statement carries its passage's relevance; a card's facts (cited to the card's source passages) carry none.
    facts = [c for c in candidates if c.kind == "card_fact"]
    statements = [c for c in candidates if c.kind != "card_fact"]
    assert statements and all(c.passage_relevance == by_chunk[c.chunk.id] for c in statements)
    assert all(c.passage_relevance is None for c in facts)
