"""The Chroma store: embedded on disk, or a Chroma server when ``CHROMA_HOST`` is set.

Vectors are computed by :mod:`app.index.embeddings` and passed in, and the collection
is also given our embedding function, so Chroma never loads its downloading
default, whichever client touches the collection. A store opens one generation
of the index (:mod:`app.index.generations`), the live one unless told otherwise.
Failures reach callers as :class:`StoreError` with one sentence a user can act on.
"""

from __future__ import annotations

import errno
import functools
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import InternalError, NotFoundError

from app.core.config import Settings
from app.core.models import Chunk
from app.index.embeddings import ChromaEmbedder
from app.index.generations import Generation, Stamp, live_generation, read_stamp

_ADD_BATCH = 256


class StoreError(RuntimeError):
    """The vector store cannot be reached or opened; the message says which and how to fix it."""


class IndexChanged(StoreError):
    """The index was rebuilt or rewritten under a reader (a collection or an id vanished); reloading fixes it."""


class DiskFull(StoreError):
    """The disk holding the index is full: nothing is corrupted, the next ingest goes on where this one stopped."""


class StoreDamaged(StoreError):
    """The embedded store's database file is damaged (truncated, overwritten): a rebuild makes a fresh one."""


DISK_FULL_MESSAGE = (
    "The disk is full: the index could not be written. Nothing was corrupted; free some space and run "
    "`joinedup ingest` again (it goes on where it stopped)."
)


def damaged_message(settings: Settings) -> str:
    """One sentence for a damaged ``chroma.sqlite3``: what is wrong and the way out."""
    return (
        f"The index database {settings.chroma_dir / 'chroma.sqlite3'} is damaged (not a readable SQLite database). "
        "Run `joinedup ingest --rebuild`: it builds a fresh index beside it and keeps your added documents."
    )


def _chain_says(exc: BaseException, *needles: str, errnos: tuple[int, ...] = ()) -> bool:
    """True when an exception or one it wraps carries one of the messages or OS error numbers."""
    seen: BaseException | None = exc
    for _ in range(20):  # causes can form a cycle
        if seen is None:
            return False
        if errnos and isinstance(seen, OSError) and seen.errno in errnos:
            return True
        text = str(seen).lower()
        if any(n in text for n in needles):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def is_disk_full(exc: BaseException) -> bool:
    """SQLite's "database or disk is full" or an OS "No space left on device" (ENOSPC, EDQUOT), however wrapped."""
    return _chain_says(exc, "database or disk is full", "no space left on device", errnos=(errno.ENOSPC, errno.EDQUOT))


def is_damaged(exc: BaseException) -> bool:
    """SQLite's words for a file that is not (or no longer) a database."""
    return _chain_says(exc, "database disk image is malformed", "file is not a database")


def server_down_message(settings: Settings) -> str:
    """One sentence for an unreachable Chroma server (no traceback, no paths of the server)."""
    where = f"{settings.index.chroma_host}:{settings.index.chroma_port}"
    return (
        f"The Chroma server at {where} is not answering: start it (`chroma run --path data/chroma-server "
        f"--port {settings.index.chroma_port}`) or unset CHROMA_HOST to use the local store."
    )


def _is_connection_failure(exc: BaseException) -> bool:
    """httpx/OS connection errors, and chromadb's plain exceptions that wrap them."""
    import httpx

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, httpx.TransportError | ConnectionError | TimeoutError):
            return True
        text = str(seen)
        if "Could not connect to a Chroma server" in text or "Connection refused" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def store_failure(settings: Settings, exc: Exception) -> StoreError | None:
    """The StoreError an exception from Chroma means, or None when it is not a store failure."""
    if isinstance(exc, StoreError):
        return exc
    if settings.index.chroma_host and _is_connection_failure(exc):
        return StoreError(server_down_message(settings))
    if is_disk_full(exc):  # before "rebuilt while read": a full disk fails a write the same way
        return DiskFull(DISK_FULL_MESSAGE)
    if not settings.index.chroma_host and is_damaged(exc):
        return StoreDamaged(damaged_message(settings))
    if isinstance(exc, NotFoundError | InternalError):
        return IndexChanged("The evidence index was rebuilt while it was being read; please ask again.")
    return None


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _translated(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn Chroma's connection and vanished-collection errors into a StoreError sentence."""

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            failure = store_failure(args[0].settings, exc)  # type: ignore[attr-defined]
            if failure is None or failure is exc:
                raise
            raise failure from exc

    return wrapper


# The embedded client caches one Chroma "system" per folder for the life of the process, and that system's
# vector index does not see what another process wrote since. We remember the index stamp each cached system
# was opened at; once the stamp moves on (an ingest anywhere), the next opening gets a fresh system from disk.
_OPENED_AT: dict[str, Stamp] = {}
_OPEN_LOCK = threading.Lock()


def _forget_cached_system(path: str) -> None:
    from chromadb.api.shared_system_client import SharedSystemClient

    # Private to chromadb, but the only way to re-read one folder; clients already open keep their own system.
    SharedSystemClient._identifier_to_system.pop(path, None)
    SharedSystemClient._identifier_to_refcount.pop(path, None)


def reopen(settings: Settings) -> None:
    """Make the next opening of the embedded store read it afresh from disk (a reader that hit a vanished id)."""
    with _OPEN_LOCK:
        _OPENED_AT[str(settings.chroma_dir)] = Stamp(-1, -1)


def set_aside_damaged_store(settings: Settings) -> Path:
    """Move a damaged embedded store out of the way (a rebuild then makes a fresh one); returns where it went."""
    with _OPEN_LOCK:
        _forget_cached_system(str(settings.chroma_dir))
        aside = settings.data_dir / f"chroma.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
        os.replace(settings.chroma_dir, aside)
        return aside


def open_client(settings: Settings) -> Any:
    """``HttpClient`` when a Chroma server is configured, else a ``PersistentClient`` under data/."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.index.chroma_host:
        try:
            host, port = settings.index.chroma_host, settings.index.chroma_port
            client = chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
            client.heartbeat()
            return client
        except Exception as exc:  # chromadb raises plain exceptions for connection failures
            raise StoreError(server_down_message(settings)) from exc
    from app.index.readonly import readable_store_path  # (it imports this module)

    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    path = readable_store_path(settings)  # a private copy when the data folder is read-only
    with _OPEN_LOCK:
        stamp = read_stamp(settings)
        if _OPENED_AT.get(path, stamp) != stamp:
            _forget_cached_system(path)
        _OPENED_AT[path] = stamp
        try:
            return chromadb.PersistentClient(path=path, settings=chroma_settings)
        except Exception as exc:
            failure = store_failure(settings, exc)
            if failure is None:
                raise
            _forget_cached_system(path)  # a system that failed to start is not kept for the next opening
            raise failure from exc


class Store:
    """The chunk and sentence collections of one generation of the index."""

    def __init__(self, settings: Settings, client: Any | None = None, generation: Generation | None = None) -> None:
        self.settings = settings
        self.generation = generation or live_generation(settings)
        self.client = client if client is not None else open_client(settings)
        try:
            self.collection = self.client.get_or_create_collection(
                name=self.generation.collection,
                embedding_function=ChromaEmbedder(),
                metadata={"hnsw:space": "cosine"},
            )
            # Single sentences, embedded on their own: a long chunk's vector blurs what each sentence says.
            self.sentences = self.client.get_or_create_collection(
                name=self.generation.sentence_collection,
                embedding_function=ChromaEmbedder(),
                metadata={"hnsw:space": "cosine"},
            )
        except Exception as exc:
            failure = store_failure(settings, exc)
            if failure is None:
                raise
            raise failure from exc

    @_translated
    def count(self) -> int:
        return self.collection.count()

    @_translated
    def sentence_count(self) -> int:
        return self.sentences.count()

    @_translated
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

    @_translated
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

    @_translated
    def query_sentences(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """Nearest sentences: (the id of the chunk holding it, cosine similarity)."""
        ids, similarities = self._nearest(self.sentences, vector, k, where)
        return [(sid.rsplit(":", 1)[0], sim) for sid, sim in zip(ids, similarities, strict=True)]  # ids: chunk id + position

    def _nearest(self, collection: Any, vector: np.ndarray, k: int, where: dict | None) -> tuple[list[str], list[float]]:
        """The ids of the ``k`` nearest vectors of a collection, best first, with their cosine similarities.

        Chroma's HNSW index searches with a beam of ``ef_search`` (100) candidates: asked for more neighbours than
        that, it misses some, and not the same ones in every process (measured 2026-12-07: 98 to 100 of a question's
        100 nearest sentences), so the same question was answered differently from one run to the next. Asked for
        every vector, the beam spans the whole index and the search is exact; up to ``retrieval.exact_search_limit``
        vectors that costs a few milliseconds, and only ids and distances come back.
        """
        count = collection.count()
        if count == 0 or k <= 0:
            return [], []
        wanted = count if count <= self.settings.retrieval.exact_search_limit else min(k, count)
        res = collection.query(query_embeddings=[vector.tolist()], n_results=wanted, where=where or None, include=["distances"])
        return list(res["ids"][0][:k]), [1.0 - float(d) for d in res["distances"][0][:k]]

    @_translated
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
        if not texts:  # an empty store (nothing ingested yet): no vectors, not a reshape error
            return [], np.zeros((0, 0), dtype=np.float32)
        return texts, np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    @_translated
    def all_ids(self) -> list[str]:
        """Ids of every stored chunk."""
        return list(self.collection.get(include=[])["ids"])

    @_translated
    def ids_by_doc(self) -> dict[str, set[str]]:
        """The chunk ids of every stored document."""
        got = self.collection.get(include=["metadatas"])
        out: dict[str, set[str]] = {}
        for cid, meta in zip(got["ids"], got["metadatas"], strict=True):
            out.setdefault(str((meta or {}).get("doc_id", "")), set()).add(cid)
        return out

    @_translated
    def sentence_owners(self) -> dict[str, str]:
        """Every stored sentence vector's id with the chunk id it belongs to."""
        got = self.sentences.get(include=["metadatas"])
        return {sid: str((meta or {}).get("chunk_id", "")) for sid, meta in zip(got["ids"], got["metadatas"], strict=True)}

    @_translated
    def delete_sentences(self, ids: Iterable[str]) -> None:
        """Delete sentence vectors by their own ids (orphans of chunks that no longer exist)."""
        ids = list(ids)
        for start in range(0, len(ids), _ADD_BATCH):
            self.sentences.delete(ids=ids[start : start + _ADD_BATCH])

    @_translated
    def metadata_of(self, ids: Iterable[str]) -> dict[str, dict]:
        """The stored metadata of these chunks (ids not stored are absent)."""
        ids = list(ids)
        out: dict[str, dict] = {}
        for start in range(0, len(ids), _ADD_BATCH):
            got = self.collection.get(ids=ids[start : start + _ADD_BATCH], include=["metadatas"])
            out.update({cid: dict(meta or {}) for cid, meta in zip(got["ids"], got["metadatas"], strict=True)})
        return out

    @_translated
    def ids_for_doc(self, doc_id: str) -> set[str]:
        return set(self.collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    @_translated
    def delete_ids(self, ids: Iterable[str]) -> None:
        """Delete chunks and their sentences."""
        ids = list(ids)
        for start in range(0, len(ids), _ADD_BATCH):
            batch = ids[start : start + _ADD_BATCH]
            self.sentences.delete(where={"chunk_id": {"$in": batch}})  # sentences first, as add() is the reverse
            self.collection.delete(ids=batch)

    @_translated
    def delete_doc(self, doc_id: str) -> int:
        """Remove every chunk of one document; returns how many were removed."""
        ids = self.ids_for_doc(doc_id)
        self.delete_ids(ids)
        return len(ids)

    @_translated
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

    @_translated
    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[Chunk, float]]:
        """Nearest chunks to a query vector, with cosine similarity."""
        ids, similarities = self._nearest(self.collection, vector, k, where)
        if not ids:
            return []
        got = self.collection.get(ids=ids, include=["documents", "metadatas"])
        found = {cid: (text, meta) for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}
        return [
            (Chunk.from_store(cid, found[cid][0], found[cid][1] or {}), sim)
            for cid, sim in zip(ids, similarities, strict=True)
            if cid in found
        ]
