"""Retrieval: dense (Chroma), sparse (BM25) and their reciprocal-rank fusion, with metadata filters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from app.bm25 import BM25Index
from app.config import Settings
from app.embeddings import embed
from app.models import Chunk, Passage
from app.store import Store

RRF_K = 60  # the usual constant: dampens the weight of top ranks
RETRIEVERS = ("hybrid", "dense", "bm25")


@dataclass(frozen=True)
class Filters:
    """Metadata filters; ``None`` means no restriction."""

    source_types: tuple[str, ...] | None = None
    practice_code: str | None = None
    country: str | None = None

    def accepts(self, chunk: Chunk) -> bool:
        if self.source_types and chunk.source_type not in self.source_types:
            return False
        if self.practice_code and self.practice_code.upper() not in chunk.practice_codes:
            return False
        return not (self.country and chunk.extra.get("country", "").lower() != self.country.lower())

    @property
    def active(self) -> bool:
        return bool(self.source_types or self.practice_code or self.country)


NO_FILTERS = Filters()


class Retriever:
    """Both retrievers over one store; load once per process and reuse."""

    def __init__(self, settings: Settings, store: Store | None = None, bm25: BM25Index | None = None) -> None:
        self.settings = settings
        self.store = store or Store(settings)
        self.bm25_index = bm25 or BM25Index.load(settings.bm25_dir)

    @cached_property
    def vocabulary(self) -> set[str]:
        """Every lower-case word of the indexed text (used to spot terms the corpus never mentions)."""
        words: set[str] = set()
        for c in self.bm25_index.chunks:
            words.update(w.lower() for w in re.findall(r"[\w’'-]+", c.context_text()))
        return words

    def dense(self, query: str, k: int, filters: Filters = NO_FILTERS, vector: np.ndarray | None = None) -> list[Passage]:
        """Nearest chunks by cosine similarity of the packaged MiniLM embeddings."""
        vector = vector if vector is not None else embed([query], self.settings)[0]
        # Over-fetch when filtering so the filter does not starve the result.
        fetch = k * 8 if filters.active else k
        where = {"source_type": {"$in": list(filters.source_types)}} if filters.source_types else None
        hits = [(c, s) for c, s in self.store.query(vector, fetch, where) if filters.accepts(c)][:k]
        return [Passage(chunk=c, score=s, ranks={"dense": i + 1}) for i, (c, s) in enumerate(hits)]

    def bm25(self, query: str, k: int, filters: Filters = NO_FILTERS) -> list[Passage]:
        """Top chunks by BM25 over section + text."""
        mask = None
        if filters.active:
            mask = np.array([1.0 if filters.accepts(c) else 0.0 for c in self.bm25_index.chunks], dtype=np.float32)
        hits = self.bm25_index.search(query, k, mask)
        return [Passage(chunk=c, score=s, ranks={"bm25": i + 1}) for i, (c, s) in enumerate(hits)]

    def hybrid(self, query: str, k: int, filters: Filters = NO_FILTERS) -> list[Passage]:
        """Reciprocal-rank fusion of dense and BM25 (each asked for more than k)."""
        pool = max(k * 3, 20)
        fused: dict[str, Passage] = {}
        for hits in (self.dense(query, pool, filters), self.bm25(query, pool, filters)):
            for p in hits:
                name, rank = next(iter(p.ranks.items()))
                entry = fused.setdefault(p.chunk.id, Passage(chunk=p.chunk, score=0.0, ranks={}))
                entry.ranks[name] = rank
                entry.score += 1.0 / (RRF_K + rank)
        return sorted(fused.values(), key=lambda p: -p.score)[:k]

    def search(self, query: str, k: int | None = None, filters: Filters = NO_FILTERS, mode: str | None = None) -> list[Passage]:
        """Retrieve with the configured (or given) retriever."""
        mode = mode or self.settings.retriever
        if mode not in RETRIEVERS:
            raise ValueError(f"unknown retriever {mode!r}; choose one of {', '.join(RETRIEVERS)}")
        return getattr(self, mode)(query, k or self.settings.k, filters)
