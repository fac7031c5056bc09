"""The index as one thing: chunk and sentence vectors in Chroma, the BM25 keyword index, evidence units.

Ingest writes only through :class:`Index`, so they stay in step: chunks are added with
their sentence vectors, dropped with them, the keyword index is rebuilt from the store
after a batch of changes (:meth:`Index.sync_keywords`), and each document's typed
evidence units are kept beside them (one JSON file per document).
"""

from __future__ import annotations

import json
import os
import shutil
from contextlib import suppress
from pathlib import Path
from typing import Any

from app.bm25 import BM25Index
from app.config import Settings
from app.embeddings import embed
from app.models import Chunk, Unit
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
        """Remove every chunk and unit of one document; returns how many chunks were removed."""
        _units_file(self.settings, doc_id).unlink(missing_ok=True)
        return self.store.delete_doc(doc_id)

    def put_units(self, doc_id: str, units: list[Unit]) -> None:
        """Replace the evidence units of one document (written atomically)."""
        path = _units_file(self.settings, doc_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps([u.model_dump() for u in units], ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

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
        shutil.rmtree(self.settings.units_dir, ignore_errors=True)
        self.store = Store(self.settings, self.store.client)


def _units_file(settings: Settings, doc_id: str) -> Path:
    return settings.units_dir / f"{doc_id}.json"


def load_units(settings: Settings) -> dict[str, list[Unit]]:
    """The evidence units of every indexed document, by document id."""
    out: dict[str, list[Unit]] = {}
    for path in sorted(settings.units_dir.glob("*.json")) if settings.units_dir.exists() else []:
        out[path.stem] = [Unit.model_validate(u) for u in json.loads(path.read_text(encoding="utf-8"))]
    return out


def index_ready(settings: Settings) -> bool:
    """True when a keyword index and a non-empty store exist (the app builds them otherwise)."""
    if not (settings.bm25_dir / "chunks.json").exists():
        return False
    try:
        return Store(settings).count() > 0
    except Exception:  # an unreadable or unreachable store is not ready
        return False
