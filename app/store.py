"""The Chroma store: embedded on disk, or a Chroma server when ``CHROMA_HOST`` is set.

Vectors are computed by :mod:`app.embeddings` and passed in, and the collection
is also given our embedding function, so Chroma never loads its downloading
default, whichever client touches the collection.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from app.config import Settings
from app.embeddings import ChromaEmbedder
from app.models import Chunk

_ADD_BATCH = 256


class StoreError(RuntimeError):
    """The vector store cannot be reached or opened; the message says which and how to fix it."""


def open_client(settings: Settings) -> Any:
    """``HttpClient`` when a Chroma server is configured, else a ``PersistentClient`` under data/."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.index.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.index.chroma_host, port=settings.index.chroma_port, settings=chroma_settings)
        except Exception as exc:  # chromadb raises plain exceptions for connection failures
            raise StoreError(
                f"Cannot reach the Chroma server at {settings.index.chroma_host}:{settings.index.chroma_port} ({exc}). "
                "Start it with `chroma run --path data/chroma-server` or unset CHROMA_HOST to use the local store."
            ) from exc
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def sentence_collection(settings: Settings) -> str:
    """Name of the collection of single-sentence vectors beside the chunk collection."""
    return f"{settings.index.collection}_sentences"


class Store:
    """One Chroma collection of :class:`Chunk` objects."""

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.settings = settings
        self.client = client if client is not None else open_client(settings)
        self.collection = self.client.get_or_create_collection(
            name=settings.index.collection,
            embedding_function=ChromaEmbedder(),
            metadata={"hnsw:space": "cosine"},
        )
        # Single sentences, embedded on their own: a long chunk's vector blurs what each sentence says.
        self.sentences = self.client.get_or_create_collection(
            name=sentence_collection(settings),
            embedding_function=ChromaEmbedder(),
            metadata={"hnsw:space": "cosine"},
        )

    def count(self) -> int:
        return self.collection.count()

    def add(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Upsert chunks with their precomputed vectors (upsert: the same id never duplicates)."""
        for start in range(0, len(chunks), _ADD_BATCH):
            batch = chunks[start : start + _ADD_BATCH]
            self.collection.upsert(
                ids=[c.id for c in batch],
                documents=[c.text for c in batch],
                metadatas=[c.metadata() for c in batch],
                embeddings=vectors[start : start + _ADD_BATCH].tolist(),
            )

    def add_sentences(self, sentences: list[tuple[str, str, str]], vectors: np.ndarray) -> None:
        """Upsert (chunk_id, source_type, sentence) rows with their vectors; ids are chunk id + position."""
        ids, seen = [], Counter[str]()
        for cid, _, _ in sentences:
            ids.append(f"{cid}:{seen[cid]}")
            seen[cid] += 1
        for start in range(0, len(sentences), _ADD_BATCH):
            batch = sentences[start : start + _ADD_BATCH]
            self.sentences.upsert(
                ids=ids[start : start + _ADD_BATCH],
                documents=[s for _, _, s in batch],
                metadatas=[{"chunk_id": cid, "source_type": st} for cid, st, _ in batch],
                embeddings=vectors[start : start + _ADD_BATCH].tolist(),
            )

    def query_sentences(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, str, float]]:
        """Nearest sentences: (chunk_id, sentence, cosine similarity)."""
        if self.sentences.count() == 0:
            return []
        res = self.sentences.query(
            query_embeddings=[vector.tolist()], n_results=k, where=where or None, include=["documents", "metadatas", "distances"]
        )
        return [
            (str((meta or {}).get("chunk_id", "")), text, 1.0 - float(dist))
            for text, meta, dist in zip(res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True)
        ]

    def all_sentence_vectors(self) -> tuple[list[str], np.ndarray]:
        """Every stored sentence with its vector."""
        texts: list[str] = []
        vectors: list[np.ndarray] = []
        offset, page = 0, 2000
        while True:
            got = self.sentences.get(include=["documents", "embeddings"], limit=page, offset=offset)
            texts += got["documents"]
            vectors += list(got["embeddings"])
            if len(got["ids"]) < page:
                break
            offset += page
        return texts, np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def all_ids(self) -> list[str]:
        """Ids of every stored chunk."""
        return list(self.collection.get(include=[])["ids"])

    def ids_for_doc(self, doc_id: str) -> set[str]:
        return set(self.collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def delete_ids(self, ids: Iterable[str]) -> None:
        """Delete chunks and their sentences."""
        ids = list(ids)
        for start in range(0, len(ids), _ADD_BATCH):
            batch = ids[start : start + _ADD_BATCH]
            self.sentences.delete(where={"chunk_id": {"$in": batch}})  # sentences first, as add() is the reverse
            self.collection.delete(ids=batch)

    def delete_doc(self, doc_id: str) -> int:
        """Remove every chunk of one document; returns how many were removed."""
        ids = self.ids_for_doc(doc_id)
        self.delete_ids(ids)
        return len(ids)

    def all_chunks(self) -> list[Chunk]:
        """Every chunk in the collection (the BM25 index is rebuilt from this)."""
        out: list[Chunk] = []
        offset, page = 0, 1000
        while True:
            got = self.collection.get(include=["documents", "metadatas"], limit=page, offset=offset)
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                out.append(Chunk.from_store(cid, text, meta or {}))
            if len(got["ids"]) < page:
                break
            offset += page
        out.sort(key=lambda c: (c.doc_id, c.char_start, c.id))
        return out

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[Chunk, float]]:
        """Nearest chunks to a query vector, with cosine similarity."""
        if self.count() == 0:
            return []
        res = self.collection.query(
            query_embeddings=[vector.tolist()],
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        return [
            (Chunk.from_store(cid, text, meta or {}), 1.0 - float(dist))
            for cid, text, meta, dist in zip(
                res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True
            )
        ]
