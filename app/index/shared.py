"""What instances sharing one Chroma server must agree on, kept in that server (``CHROMA_HOST`` set).

Several ``joinedup serve`` instances, on several machines, may share one ``chroma run`` server.
Whatever an answer needs is then in the server, or rebuilt from it: the chunk and sentence
vectors (as always), the evidence units of each document (the collection
``<generation collection>_units``, the units as JSON in parts), and the index stamp (the
collection ``<base>-state``, one record), which every question compares, one small request,
so a change made through any instance is seen by all. The keyword index is rebuilt from the
server's chunks when it disagrees with them (:func:`app.index.index.load_keywords`); the local
data folder holds only caches, and the manifest and registry of what was ingested through this instance.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from app.core.config import Settings
from app.core.models import Unit
from app.index.embeddings import ChromaEmbedder
from app.index.generations import Generation, Stamp
from app.index.store import open_client, store_failure

STAMP_ID = "stamp"
_PART = 500  # units per record: a long report's units stay well inside one request
_NO_VECTOR = [1.0]  # these records are looked up by id, never by similarity; Chroma still wants a vector
_states: dict[tuple[str, int, str], Any] = {}
_lock = threading.Lock()


def is_shared(settings: Settings) -> bool:
    """True when the index lives in a Chroma server (which other instances may share)."""
    return bool(settings.index.chroma_host)


def _state(settings: Settings) -> Any:
    """The state collection through one HTTP client per server and process: the stamp is read at every question."""
    key = (settings.index.chroma_host, settings.index.chroma_port, settings.index.collection)
    with _lock:
        if key not in _states:
            _states[key] = _collection(open_client(settings), state_collection_name(settings))
        return _states[key]


def _collection(client: Any, name: str) -> Any:
    return client.get_or_create_collection(name=name, embedding_function=ChromaEmbedder())


def state_collection_name(settings: Settings) -> str:
    """Not a generation's collection (``generation_of_collection`` gives None), so no rebuild ever drops it."""
    return f"{settings.index.collection}-state"


def read_server_stamp(settings: Settings) -> Stamp:
    """The live generation and version as the server holds them (generation 0 before any ingest)."""
    try:
        got = _state(settings).get(ids=[STAMP_ID], include=["metadatas"])
    except Exception as exc:
        _forget(settings)
        failure = store_failure(settings, exc)
        if failure is None or failure is exc:
            raise
        raise failure from exc
    if not got["ids"]:
        return Stamp()
    meta = got["metadatas"][0] or {}
    return Stamp(int(meta.get("generation", 0)), int(meta.get("version", 0)))


def write_server_stamp(settings: Settings, stamp: Stamp) -> None:
    """Publish a new stamp: every instance's next question sees it and reloads."""
    try:
        _state(settings).upsert(
            ids=[STAMP_ID], embeddings=[_NO_VECTOR], metadatas=[{"generation": stamp.generation, "version": stamp.version}]
        )
    except Exception:
        _forget(settings)
        raise


def _forget(settings: Settings) -> None:
    """A failed request may mean the server restarted (or lost the collection): the next one opens afresh."""
    with _lock:
        _states.pop((settings.index.chroma_host, settings.index.chroma_port, settings.index.collection), None)


class ServerUnits:
    """The evidence units of one generation, in the server: records ``<doc_id>#<part>`` carrying ``doc_id``."""

    def __init__(self, client: Any, gen: Generation) -> None:
        self.collection = _collection(client, gen.units_collection)

    def put(self, doc_id: str, units: list[Unit]) -> None:
        """Replace one document's units (an empty list is kept too: it says the document was completed)."""
        rows = [u.model_dump() for u in units]
        parts = [rows[i : i + _PART] for i in range(0, len(rows), _PART)] or [[]]
        self.collection.delete(where={"doc_id": doc_id})
        self.collection.upsert(
            ids=[f"{doc_id}#{i}" for i in range(len(parts))],
            documents=[json.dumps(part, ensure_ascii=False) for part in parts],
            metadatas=[{"doc_id": doc_id, "part": i} for i in range(len(parts))],
            embeddings=[_NO_VECTOR] * len(parts),
        )

    def drop(self, doc_id: str) -> None:
        self.collection.delete(where={"doc_id": doc_id})

    def doc_ids(self) -> set[str]:
        """The documents that have units (every document an ingest completed)."""
        got = self.collection.get(include=["metadatas"])
        return {str((m or {}).get("doc_id", "")) for m in got["metadatas"]}

    def has(self, doc_id: str) -> bool:
        return bool(self.collection.get(where={"doc_id": doc_id}, include=[], limit=1)["ids"])

    def all(self) -> dict[str, list[Unit]]:
        """Every document's units, parts in order."""
        got = self.collection.get(include=["documents", "metadatas"])
        parts: dict[str, list[tuple[int, str]]] = {}
        for text, meta in zip(got["documents"], got["metadatas"], strict=True):
            meta = meta or {}
            parts.setdefault(str(meta.get("doc_id", "")), []).append((int(meta.get("part", 0)), text or "[]"))
        return {
            doc_id: [Unit.model_validate(u) for _, text in sorted(chunks) for u in json.loads(text)]
            for doc_id, chunks in parts.items()
        }
