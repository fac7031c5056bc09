"""The index as one thing: chunk vectors and sentence vectors in Chroma, and the BM25 keyword index.

Ingest writes only through :class:`Index`, so the three stay in step: chunks are
added with their sentence vectors, dropped with them, and the keyword index is
rebuilt from the store after a batch of changes (:meth:`Index.sync_keywords`).
"""

from __future__ import annotations

import shutil
from contextlib import suppress
from typing import Any

from app.bm25 import BM25Index
from app.config import Settings
from app.embeddings import embed
from app.models import Chunk
from app.sentences import chunk_sentences
from app.store import Store, sentence_collection


class Index:
    """Writes to the store and the keyword index of one configuration."""

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.settings = settings
        self.store = Store(settings, client)

    def count(self) -> int:
        return self.store.count()

    def ids_for_doc(self, doc_id: str) -> set[str]:
        return self.store.ids_for_doc(doc_id)

    def add(self, chunks: list[Chunk]) -> None:
        """Embed and store chunks with their sentence vectors (re-adding an id replaces it)."""
        if not chunks:
            return
        # Sentences first: a chunk present in the store always has its sentences, even after an interruption
        # (a chunk missing on the next run is re-added, and its sentence ids upsert in place).
        min_chars = self.settings.index.min_sentence_chars
        sentences = [(c.id, c.source_type, s) for c in chunks for s in chunk_sentences(c, min_chars)]
        self.store.add_sentences(sentences, embed([s for _, _, s in sentences], self.settings))
        self.store.add(chunks, embed([c.context_text() for c in chunks], self.settings))

    def drop(self, ids: set[str] | list[str]) -> None:
        """Remove chunks and their sentence vectors."""
        self.store.delete_ids(ids)

    def drop_doc(self, doc_id: str) -> int:
        """Remove every chunk of one document; returns how many were removed."""
        return self.store.delete_doc(doc_id)

    def sync_keywords(self) -> int:
        """Rebuild the BM25 index from the store, so both hold the same chunks; returns the chunk count."""
        chunks = self.store.all_chunks()
        BM25Index(chunks).save(self.settings.bm25_dir)
        return len(chunks)

    def ensure(self) -> int:
        """Make the keyword index agree with the store when it is missing or holds other chunks."""
        keywords = BM25Index.load(self.settings.bm25_dir)
        if {c.id for c in keywords.chunks} != set(self.store.all_ids()):
            return self.sync_keywords()
        return len(keywords.chunks)

    def wipe(self) -> None:
        """Drop both collections and the keyword index (``ingest --rebuild``); the index is empty afterwards."""
        for name in (self.settings.index.collection, sentence_collection(self.settings)):
            with suppress(Exception):  # absent already
                self.store.client.delete_collection(name)
        shutil.rmtree(self.settings.bm25_dir, ignore_errors=True)
        self.store = Store(self.settings, self.store.client)


def index_ready(settings: Settings) -> bool:
    """True when a keyword index and a non-empty store exist (the app builds them otherwise)."""
    if not (settings.bm25_dir / "chunks.json").exists():
        return False
    try:
        return Store(settings).count() > 0
    except Exception:  # an unreadable or unreachable store is not ready
        return False
