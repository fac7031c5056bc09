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
