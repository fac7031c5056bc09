"""Nearest-neighbour search over a Chroma store is exact, and so the same in every process.

Chroma's HNSW index searches with a beam of ``ef_search`` (100) candidates; asked for more neighbours than that it
missed some, differently from one process to the next, and answers changed between identical runs.
"""

from __future__ import annotations

import numpy as np

from app.core.models import Chunk
from app.index.embeddings import DIMENSION
from app.index.store import Store


def _vectors(n: int) -> np.ndarray:
    # Random directions: the hardest case for an approximate index (with 2,000 of them it missed 5-14 of 120).
    vectors = np.random.default_rng(7).normal(size=(n, DIMENSION)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _chunks(n: int) -> list[Chunk]:
    return [
        Chunk(id=f"c{i:04d}", text=f"text {i}", doc_id="doc", doc_title="Doc", source_type="report" if i % 3 else "paper")
        for i in range(n)
    ]


def _between(vectors: np.ndarray, i: int) -> np.ndarray:
    query = 0.8 * vectors[i] + 0.6 * vectors[i + 1]
    return query / np.linalg.norm(query)


def test_more_sentences_than_the_index_beam_are_the_exact_nearest_and_name_their_chunks(toy_settings):
    vectors, chunks = _vectors(2000), _chunks(2000)
    store = Store(toy_settings)
    store.add_sentences([(c.id, c.source_type, c.text) for c in chunks], vectors)
    for i in range(3):
        query = _between(vectors, i)
        exact = np.argsort(-(vectors @ query))[:120]
        got = store.query_sentences(query, 120)
        assert {cid for cid, _ in got} == {chunks[j].id for j in exact}
        assert got[0][0] == chunks[i].id and abs(got[0][1] - float(vectors[i] @ query)) < 1e-4


def test_chunk_search_is_exact_and_returns_the_stored_chunks_also_within_a_filter(toy_settings):
    vectors, chunks = _vectors(600), _chunks(600)
    store = Store(toy_settings)
    store.add(chunks, vectors)
    query = _between(vectors, 0)
    ranked = np.argsort(-(vectors @ query))
    got = store.query(query, 150)
    assert {c.id for c, _ in got} == {chunks[j].id for j in ranked[:150]}
    assert got[0][0].text == "text 0" and got[0][0].source_type == "paper"
    papers = [j for j in ranked if chunks[j].source_type == "paper"][:150]
    assert {c.id for c, _ in store.query(query, 150, where={"source_type": "paper"})} == {chunks[j].id for j in papers}
