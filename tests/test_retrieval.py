"""Retrieval on the real corpus: dense, BM25 and hybrid, and metadata filters."""

import pytest

from app.query.retrieve import Filters


def texts(passages):
    return [p.chunk.text for p in passages]


def test_pooled_funding_table_is_in_the_hybrid_top_5(assistant):
    top = assistant.retriever.hybrid("which share of practices use pooled funding", 5)
    assert any("Joint/pooled funding 20 45%" in t for t in texts(top))


def test_each_single_retriever_is_callable_and_ranks(assistant):
    r = assistant.retriever
    dense = r.dense("one-stop shop for unemployed young people", 5)
    sparse = r.bm25("one-stop shop for unemployed young people", 5)
    assert len(dense) == 5 and len(sparse) == 5
    assert all(p.ranks == {"dense": i + 1} for i, p in enumerate(dense))
    assert dense[0].score >= dense[-1].score and sparse[0].score >= sparse[-1].score
    assert any("DE2" in p.chunk.practice_codes for p in dense + sparse)


def test_hybrid_fuses_the_three_rank_lists_and_puts_the_named_practice_first(assistant):
    cfg = assistant.retriever.config
    weights = {"dense": cfg.weight_dense, "bm25": cfg.weight_bm25, "sentences": cfg.weight_sentences}
    fused = assistant.retriever.hybrid("Open Dialogue Aarhus mental health", 8)
    assert len(fused) == 8 and [p.score for p in fused] == sorted((p.score for p in fused), reverse=True)
    for p in fused:  # each score is the weighted reciprocal-rank sum of the ranks it records
        assert set(p.ranks) <= set(weights)
        assert p.score == pytest.approx(sum(weights[name] / (cfg.rrf_k + rank) for name, rank in p.ranks.items()))
    assert all(set(p.ranks) == set(weights) for p in fused[:3])  # the best are found by every retriever
    assert all("Open Dialogue" in p.chunk.text for p in fused[:2])  # the practice the question names leads


def test_source_type_filter(assistant):
    only_cards = Filters(source_types=("practice_card",))
    for mode in ("dense", "bm25", "hybrid"):
        got = assistant.retriever.search("older people home care", 5, only_cards, mode=mode)
        assert got and all(p.chunk.source_type == "practice_card" for p in got)


def test_practice_code_filter(assistant):
    got = assistant.retriever.search("funding and evaluation", 5, Filters(practice_code="FI3"))
    assert got and all("FI3" in p.chunk.practice_codes for p in got)
