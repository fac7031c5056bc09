"""Fusion and filters on hand-made passages (no model, no index)."""

from app.core.config import SOURCE_TYPES
from app.core.models import Chunk, Passage
from app.query.retrieve import NO_FILTERS, Filters, rrf_fuse


def chunk(cid: str, source_type: str = "report", section: str = "Intro", codes: list[str] | None = None, **extra: str) -> Chunk:
    return Chunk(
        id=cid, text=f"text {cid}", doc_id="d", doc_title="D", source_type=source_type, section=section,
        practice_codes=codes or [], extra=extra,
    )  # fmt: skip


def ranking(*ids: str) -> list[Passage]:
    return [Passage(chunk=chunk(i), score=1.0) for i in ids]


def test_a_passage_ranked_well_by_two_retrievers_beats_one_ranked_first_by_one():
    fused = rrf_fuse({"dense": ranking("a", "b"), "bm25": ranking("c", "b")}, {"dense": 1.0, "bm25": 1.0}, 60, 3)
    assert [p.chunk.id for p in fused] == ["b", "a", "c"]
    assert fused[0].ranks == {"dense": 2, "bm25": 2}
    assert abs(fused[0].score - 2 / 62) < 1e-12


def test_weights_and_k_are_honoured():
    runs = {"dense": ranking("a"), "bm25": ranking("b")}
    assert [p.chunk.id for p in rrf_fuse(runs, {"dense": 1.0, "bm25": 3.0}, 60, 5)] == ["b", "a"]
    assert len(rrf_fuse(runs, {}, 60, 1)) == 1
    assert rrf_fuse({}, {}, 60, 5) == []


def test_filters_accept_by_section_type_code_and_country():
    card = chunk("x", "practice_card", "Practice cards > FI5", ["FI5"], country="Finland")
    assert Filters(source_types=("practice_card",), practice_code="fi5", country="finland", section="cards").accepts(card)
    assert not Filters(source_types=("report",)).accepts(card)
    assert not Filters(practice_code="DE1").accepts(card)
    assert not Filters(country="Germany").accepts(card)
    assert not Filters(section="Case studies").accepts(card)
    assert NO_FILTERS.accepts(card) and not NO_FILTERS.active


def test_settings_restrict_source_types_without_widening_a_filter():
    assert NO_FILTERS.within(SOURCE_TYPES) is NO_FILTERS  # all allowed: unchanged, still inactive
    no_cards = NO_FILTERS.within(("report", "paper", "user_document"))
    assert no_cards.active and no_cards.source_types == ("report", "paper", "user_document")
    assert not no_cards.accepts(chunk("c", "practice_card"))
    narrowed = Filters(source_types=("practice_card", "paper")).within(("report", "paper"))
    assert narrowed.source_types == ("paper",)
    assert narrowed.where() == {"source_type": {"$in": ["paper"]}}
    assert NO_FILTERS.where() is None


# ---- the hybrid retriever over a hand-made index (real Chroma and BM25, toy vectors: no model) ----------------------


def toy_retriever(settings):
    from tests.toy_index import build
    from tests.toy_index import chunk as toy_chunk

    return build(
        settings,
        [
            toy_chunk("both", "Pooled budgets fund the centre.", doc="a"),
            toy_chunk("dense_only", "Joint financed arrangements.", doc="b"),
            toy_chunk("housing", "Homeless shelter places were added.", doc="c"),
            toy_chunk(
                "card", "Pooled budgets pay for older people's home care.", "practice_card", "Practice cards > FI6", doc="d"
            ),
        ],
    )


def test_hybrid_ranks_first_what_every_retriever_finds_and_keeps_what_only_meaning_finds(toy_settings):
    fused = toy_retriever(toy_settings).hybrid("pooled budgets", 4)
    ids = [p.chunk.id for p in fused]
    assert set(fused[0].ranks) == {"dense", "bm25", "sentences"} and ids[0] in {"both", "card"}
    meaning_only = fused[ids.index("dense_only")]
    assert "bm25" not in meaning_only.ranks and "dense" in meaning_only.ranks  # no shared word, same concept
    assert ids.index("dense_only") < ids.index("housing")
    assert [p.score for p in fused] == sorted((p.score for p in fused), reverse=True)


def test_hybrid_filters_every_retriever_and_search_drops_mentions_of_the_documents(toy_settings):
    retriever = toy_retriever(toy_settings)
    cards = retriever.hybrid("pooled budgets", 4, Filters(source_types=("practice_card",)))
    assert [p.chunk.id for p in cards] == ["card"] and set(cards[0].ranks) == {"dense", "bm25", "sentences"}
    plain = [p.chunk.id for p in retriever.search("pooled budgets", 4)]
    assert [p.chunk.id for p in retriever.search("What does the ESN report say about pooled budgets", 4)][:2] == plain[:2]


def test_a_fusion_weight_of_zero_leaves_that_retriever_out(toy_settings):

    settings = toy_settings.with_({"retrieval.weight_bm25": 0.0, "retrieval.weight_sentences": 0.0})
    fused = toy_retriever(settings).hybrid("pooled budgets", 4)
    dense = toy_retriever(settings).dense("pooled budgets", 4)
    assert [p.chunk.id for p in fused] == [p.chunk.id for p in dense]  # only the dense ranking counts
