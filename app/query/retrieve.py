"""Retrieval: dense (Chroma), sparse (BM25), sentence-dense and their reciprocal-rank fusion, with filters."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from app.core.cards import card_doc_id
from app.core.config import SOURCE_TYPES, RetrievalSettings, Settings
from app.core.corpus_profile import CorpusProfile, load_profile
from app.core.models import Chunk, Passage, Unit
from app.core.text import compound_parts, content_terms
from app.index.bm25 import BM25Index
from app.index.embeddings import VectorCache
from app.index.generations import read_stamp
from app.index.index import load_keywords, store_units
from app.index.store import Store
from app.query.learned import LearnedRanker
from app.query.passage_rank import PooledPassage, QueryTerms, load_passage_ranker, score_passages

RETRIEVERS = ("hybrid", "dense", "bm25", "sentences")


def without_source_mentions(question: str, profile: CorpusProfile) -> str:
    """The question without mentions of the source documents themselves ("what does the ESN report say …").

    Every passage is from the documents, so naming them tells retrieval nothing (measured: hit@5 +0.04).
    """
    query = question
    for pattern in profile.source_mention_patterns:
        query = pattern.sub(" ", query)
    return re.sub(r"\s+", " ", query).strip() or question


@dataclass(frozen=True)
class Filters:
    """Metadata filters; ``None`` means no restriction."""

    source_types: tuple[str, ...] | None = None
    practice_code: str | None = None
    country: str | None = None
    section: str | None = None  # chunks whose section path contains this text

    def accepts(self, chunk: Chunk) -> bool:
        if self.section and self.section.lower() not in chunk.section.lower():
            return False
        if self.source_types is not None and chunk.source_type not in self.source_types:
            return False
        if self.practice_code and self.practice_code.upper() not in chunk.practice_codes:
            return False
        return not (self.country and chunk.extra.get("country", "").lower() != self.country.lower())

    @property
    def active(self) -> bool:
        return bool(self.source_types is not None or self.practice_code or self.country or self.section)

    def within(self, allowed: tuple[str, ...]) -> Filters:
        """These filters, also restricted to the source types the settings allow (all: no change)."""
        if set(allowed) >= set(SOURCE_TYPES):
            return self
        types = tuple(t for t in (self.source_types or SOURCE_TYPES) if t in allowed)
        return replace(self, source_types=types)

    @property
    def excludes_all(self) -> bool:
        """No source type is left to search (e.g. cards asked for while the settings exclude them)."""
        return self.source_types is not None and not self.source_types

    def where(self) -> dict | None:
        """The part Chroma can apply itself (source types); the rest is checked with :meth:`accepts`."""
        return {"source_type": {"$in": list(self.source_types)}} if self.source_types is not None else None


NO_FILTERS = Filters()


def rrf_fuse(rankings: Mapping[str, list[Passage]], weights: Mapping[str, float], rrf_k: int, k: int) -> list[Passage]:
    """Reciprocal-rank fusion: each ranking adds ``weight / (rrf_k + rank)`` to a passage's score; the top k. A
    passage keeps the highest relevance a ranking gave it."""
    fused: dict[str, Passage] = {}
    for name, ranking in rankings.items():
        for rank, p in enumerate(ranking, 1):
            entry = fused.setdefault(p.chunk.id, Passage(chunk=p.chunk, score=0.0, ranks={}))
            entry.ranks[name] = rank
            entry.score += weights.get(name, 1.0) / (rrf_k + rank)
            if p.relevance is not None:
                entry.relevance = max(entry.relevance or 0.0, p.relevance)
    return sorted(fused.values(), key=lambda p: -p.score)[:k]


class Retriever:
    """All retrievers over one store; load once per process and reuse."""

    def __init__(self, settings: Settings, store: Store | None = None, bm25: BM25Index | None = None) -> None:
        self.settings = settings
        self.config: RetrievalSettings = settings.retrieval
        self.profile = load_profile(settings.corpus_dir)
        self.stamp = read_stamp(settings)  # read before opening: a switch after this is noticed as a change
        self.store = store or Store(settings)
        self.problems: list[str] = []  # what the start-up check found wrong with the index (repaired in memory)
        if bm25 is None:
            bm25, self.problems = load_keywords(self.store)
            for problem in self.problems:
                logging.getLogger(__name__).warning("index check: %s", problem)
        self.bm25_index = bm25
        # Answer composition scores sentences through this cache: the vectors ingest stored are not computed again.
        self.vectors = VectorCache(settings)
        self.vectors.remember(*self.store.all_sentence_vectors())

    @property
    def catalogue(self) -> list[Chunk]:
        """Every indexed chunk (the keyword index holds the whole catalogue, in its own order)."""
        return self.bm25_index.catalogue

    @cached_property
    def vocabulary(self) -> set[str]:
        """Every lower-case word of the indexed text (used to spot terms the corpus never mentions)."""
        words: set[str] = set()
        for c in self.catalogue:
            words.update(w.lower() for w in re.findall(r"[\w’'-]+", c.context_text()))
        return words

    @cached_property
    def unhyphenated(self) -> set[str]:
        """The corpus's hyphenated words written as one ("turn-over" -> "turnover", "co-location" -> "colocation")."""
        return {w.replace("-", "") for w in self.vocabulary if "-" in w.strip("-")}

    @cached_property
    def common_words(self) -> set[str]:
        """Words the corpus writes in lower case at least as often as capitalised ("funding", not "Sweden"): such a
        word capitalised in a question ("'Funding, leadership …'") is a quoted title's first word, not a name."""
        lower: Counter[str] = Counter()
        capital: Counter[str] = Counter()
        for c in self.catalogue:
            for w in re.findall(r"[\w’'-]+", c.text):
                if w.islower():
                    lower[w] += 1
                elif w.istitle():
                    capital[w.lower()] += 1
        return {w for w, n in lower.items() if n >= capital[w]}

    @cached_property
    def chunk_terms(self) -> dict[str, set[str]]:
        """The stemmed content words of each chunk's text, by chunk id."""
        return {c.id: set(content_terms(c.text)) for c in self.catalogue}

    @cached_property
    def section_terms(self) -> dict[str, set[str]]:
        """The stemmed content words of each section heading."""
        return {c.section: set(content_terms(c.section)) for c in self.catalogue}

    @cached_property
    def idf(self) -> dict[str, float]:
        """Inverse document frequency of each stemmed content word over the chunks."""
        df: Counter[str] = Counter()
        for terms in self.chunk_terms.values():
            df.update(terms)
        n = len(self.catalogue)
        return {t: math.log((n + 1) / (f + 1)) + 1.0 for t, f in df.items()}

    @cached_property
    def stems(self) -> set[str]:
        return set(content_terms(" ".join(self.vocabulary)))

    def knows(self, word: str) -> bool:
        """True when the corpus uses the word, its singular, another word with the same stem, or (a compound) each
        of its parts."""
        w = word.lower()
        if w in self.vocabulary or w in self.unhyphenated:  # "turnover" where the corpus writes "turn-over"
            return True
        if (parts := compound_parts(w)) is not None:  # "P-number", "co-location": a compound of known words
            return all(self.knows(p) for p in parts)
        if not w.isalpha():  # codes and years must match exactly ("DK7" is not "DK2")
            return False
        return w.rstrip("s") in self.vocabulary or all(t in self.stems for t in content_terms(w))

    @cached_property
    def chunks_by_id(self) -> dict[str, Chunk]:
        return {c.id: c for c in self.catalogue}

    @cached_property
    def units_by_doc(self) -> dict[str, list[Unit]]:
        """The typed evidence units of every document, in document order."""
        return {doc: sorted(units, key=lambda u: u.start) for doc, units in store_units(self.store).items()}

    @cached_property
    def _chunks_by_doc(self) -> dict[str, list[Chunk]]:
        out: dict[str, list[Chunk]] = {}
        for c in self.catalogue:
            out.setdefault(c.doc_id, []).append(c)
        return out

    def units_in(self, chunk: Chunk) -> list[Unit]:
        """The units that start inside a chunk (a unit that runs on past the chunk's end is whole)."""
        return [u for u in self.units_by_doc.get(chunk.doc_id, []) if chunk.char_start <= u.start < chunk.char_end]

    def chunk_at(self, doc_id: str, offset: int) -> Chunk | None:
        """The chunk of a document that holds a character offset (the first, where chunks overlap)."""
        return next((c for c in self._chunks_by_doc.get(doc_id, []) if c.char_start <= offset < c.char_end), None)

    def chunk_of_card(self, code: str) -> Chunk | None:
        """The indexed chunk of a practice's card (None when cards are not indexed or not searched)."""
        if "practice_card" not in self.config.source_types:
            return None
        doc_id = card_doc_id(code)
        return next((c for c in self.catalogue if c.doc_id == doc_id), None)

    def dense(self, query: str, k: int, filters: Filters = NO_FILTERS, vector: np.ndarray | None = None) -> list[Passage]:
        """Nearest chunks by cosine similarity of the packaged MiniLM embeddings."""
        filters = filters.within(self.config.source_types)
        if filters.excludes_all:
            return []
        vector = vector if vector is not None else self.vectors.embed([query])[0]
        # Over-fetch when filtering so the filter does not starve the result.
        fetch = k * self.config.filtered_overfetch if filters.active else k
        hits = [(c, s) for c, s in self.store.query(vector, fetch, filters.where()) if filters.accepts(c)][:k]
        return [Passage(chunk=c, score=s, ranks={"dense": i + 1}) for i, (c, s) in enumerate(hits)]

    def sentences(self, query: str, k: int, filters: Filters = NO_FILTERS, vector: np.ndarray | None = None) -> list[Passage]:
        """Chunks ranked by their single best-matching sentence (sentence-level dense search)."""
        filters = filters.within(self.config.source_types)
        if filters.excludes_all:
            return []
        vector = vector if vector is not None else self.vectors.embed([query])[0]
        fetch = k * (self.config.sentence_fetch_filtered if filters.active else self.config.sentence_fetch)
        best: dict[str, float] = {}
        for chunk_id, sim in self.store.query_sentences(vector, fetch, filters.where()):
            best[chunk_id] = max(sim, best.get(chunk_id, -1.0))
        ranked = [
            (self.chunks_by_id[cid], sim) for cid, sim in sorted(best.items(), key=lambda x: -x[1]) if cid in self.chunks_by_id
        ]
        ranked = [(c, sim) for c, sim in ranked if filters.accepts(c)][:k]
        return [Passage(chunk=c, score=sim, ranks={"sentences": i + 1}) for i, (c, sim) in enumerate(ranked)]

    def bm25(self, query: str, k: int, filters: Filters = NO_FILTERS) -> list[Passage]:
        """Top chunks by BM25 over section + text."""
        filters = filters.within(self.config.source_types)
        if filters.excludes_all:
            return []
        mask = None
        if filters.active:
            mask = np.array([1.0 if filters.accepts(c) else 0.0 for c in self.catalogue], dtype=np.float32)
        hits = self.bm25_index.search(query, k, mask)
        return [Passage(chunk=c, score=s, ranks={"bm25": i + 1}) for i, (c, s) in enumerate(hits)]

    def _runs(self, query: str, k: int, filters: Filters) -> dict[str, list[Passage]]:
        """The chunk-dense, BM25 and sentence-dense rankings the hybrid fuses (each asked for more than k)."""
        cfg = self.config
        pool = max(k * cfg.pool_factor, cfg.pool_min)
        vector = self.vectors.embed([query])[0]
        runs: dict[str, Callable[[], list[Passage]]] = {
            "dense": lambda: self.dense(query, pool, filters, vector),
            "bm25": lambda: self.bm25(query, pool, filters),
            "sentences": lambda: self.sentences(query, pool, filters, vector),
        }
        return {name: run() for name, run in runs.items()}

    def _fuse(self, runs: Mapping[str, list[Passage]], k: int) -> list[Passage]:
        """The first k of the rankings' reciprocal-rank fusion, weighed by the settings."""
        cfg = self.config
        weights = {"dense": cfg.weight_dense, "bm25": cfg.weight_bm25, "sentences": cfg.weight_sentences}
        return rrf_fuse(runs, weights, cfg.rrf_k, k)

    def hybrid(self, query: str, k: int, filters: Filters = NO_FILTERS) -> list[Passage]:
        """Reciprocal-rank fusion of chunk-dense, BM25 and sentence-dense rankings."""
        return self._fuse(self._runs(query, k, filters), k)

    @cached_property
    def passage_ranker(self) -> LearnedRanker | None:
        return load_passage_ranker(self.config.passage_ranker)

    def pool(self, query: str, k: int, filters: Filters = NO_FILTERS) -> tuple[list[PooledPassage], QueryTerms]:
        """The hybrid's fused pool (``retrieval.ranker_pool`` passages, at least k) with what the passage ranker
        reads of each, and the question's words."""
        runs = self._runs(query, k, filters)
        scores = {name: {p.chunk.id: p.score for p in ranking} for name, ranking in runs.items()}
        fused = self._fuse(runs, max(k, self.config.ranker_pool))
        pooled = [
            PooledPassage(
                passage=p,
                run_scores={name: mine[p.chunk.id] for name, mine in scores.items() if p.chunk.id in mine},
                text_terms=self.chunk_terms.get(p.chunk.id) or set(content_terms(p.chunk.text)),
                section_terms=self.section_terms.get(p.chunk.section) or set(content_terms(p.chunk.section)),
            )
            for p in fused
        ]
        return pooled, QueryTerms(frozenset(content_terms(query)), self.idf)

    def scored(self, query: str, k: int, filters: Filters = NO_FILTERS) -> list[Passage]:
        """The hybrid's first k, each passage of the documents carrying the passage ranker's relevance."""
        if self.passage_ranker is None:
            return self.hybrid(query, k, filters)
        pooled, terms = self.pool(query, k, filters)
        return score_passages(pooled, terms, self.passage_ranker)[:k]

    def search(self, query: str, k: int | None = None, filters: Filters = NO_FILTERS, mode: str | None = None) -> list[Passage]:
        """Retrieve with the configured (or given) retriever."""
        mode = mode or self.config.mode
        if mode not in RETRIEVERS:
            raise ValueError(f"unknown retriever {mode!r}; choose one of {', '.join(RETRIEVERS)}")
        # The hybrid's passages carry the passage ranker's relevance; the others are kept plain to measure against.
        retrieve: Callable[[str, int, Filters], list[Passage]] = self.scored if mode == "hybrid" else getattr(self, mode)
        return retrieve(without_source_mentions(query, self.profile), k or self.config.k, filters)
