"""The index as one thing: chunk and sentence vectors in Chroma, the BM25 keyword index, evidence units.

Ingest writes only through :class:`Index`, so they stay in step: chunks are added with
their sentence vectors, dropped with them, the keyword index is rebuilt from the store
after a batch of changes (:meth:`Index.sync_keywords`), and each document's typed
evidence units are kept beside them (one JSON file per document; with a Chroma server, records in the
server, :mod:`app.index.shared`). :meth:`Index.health`
compares the parts after any interruption and :meth:`Index.repair` mends what it can
without re-reading files. An index lives in one generation (:mod:`app.index.generations`).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.config import Settings
from app.core.models import Chunk, Unit
from app.core.sentences import chunk_sentences
from app.index.bm25 import BM25Index
from app.index.embedding_cache import cache_for, embed_reusing
from app.index.generations import Generation, generation, generation_of_collection, read_stamp
from app.index.shared import ServerUnits, is_shared
from app.index.store import Store


@dataclass
class IndexHealth:
    """Counts per part of one generation of the index, and every disagreement between them."""

    generation: int
    chunks: int = 0
    sentence_vectors: int = 0
    bm25_docs: int = 0
    units: int = 0
    unit_files: int = 0
    manifest_files: int | None = None  # filled by ingest, which owns the manifest
    problems: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.problems


class Index:
    """Writes to the store and the keyword index of one configuration and generation."""

    def __init__(self, settings: Settings, client: Any | None = None, generation: Generation | None = None) -> None:
        self.settings = settings
        self.store = Store(settings, client, generation)
        self.generation = self.store.generation
        # With a Chroma server, units live there too: an instance sharing it needs nothing of ours on disk.
        self.server_units = ServerUnits(self.store.client, self.generation) if is_shared(settings) else None

    def count(self) -> int:
        return self.store.count()

    def ids_for_doc(self, doc_id: str) -> set[str]:
        return self.store.ids_for_doc(doc_id)

    def outdated(self, chunks: list[Chunk]) -> list[Chunk]:
        """The chunks stored under their id with other metadata (the same text on another page, section or code)."""
        stored = self.store.metadata_of(c.id for c in chunks)
        return [c for c in chunks if c.id in stored and stored[c.id] != c.metadata()]

    def add(self, chunks: list[Chunk]) -> None:
        """Embed and store chunks with their sentence vectors (re-adding an id replaces it)."""
        if not chunks:
            return
        # Sentences first: a chunk present in the store always has its sentences, even after an interruption
        # (a chunk missing on the next run is re-added, and its sentence ids upsert in place).
        min_chars = self.settings.index.min_sentence_chars
        sentences = [(c.id, c.source_type, s) for c in chunks for s in chunk_sentences(c, min_chars)]
        cache = cache_for(self.settings)  # vectors of texts seen before (a rebuild, a re-chunked file) are reused
        self.store.add_sentences(sentences, embed_reusing([s for _, _, s in sentences], self.settings, cache))
        self.store.add(chunks, embed_reusing([c.context_text() for c in chunks], self.settings, cache))

    def drop(self, ids: set[str] | list[str]) -> None:
        """Remove chunks and their sentence vectors."""
        self.store.delete_ids(ids)

    def drop_doc(self, doc_id: str) -> int:
        """Remove every chunk and unit of one document; returns how many chunks were removed.

        Never fails on the units file: one whose name the file system refuses (an id too long, from an older
        version) cannot exist, and repair must not crash on what it is repairing.
        """
        if self.server_units:
            self.server_units.drop(doc_id)
        _unlink(self.units_file(doc_id))
        return self.store.delete_doc(doc_id)

    def units_file(self, doc_id: str) -> Path:
        return self.generation.units_dir / f"{doc_id}.json"

    def put_units(self, doc_id: str, units: list[Unit]) -> None:
        """Replace the evidence units of one document (written atomically)."""
        if self.server_units:
            self.server_units.put(doc_id, units)
            return
        path = self.units_file(doc_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps([u.model_dump() for u in units], ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    def has_units(self, doc_id: str) -> bool:
        """True when the document's evidence units are stored (every completed document has them, maybe none)."""
        return self.server_units.has(doc_id) if self.server_units else self.units_file(doc_id).exists()

    def all_units(self) -> dict[str, list[Unit]]:
        """The evidence units of every document of this generation, by document id."""
        return self.server_units.all() if self.server_units else load_units(self.generation.units_dir)

    def sync_keywords(self) -> int:
        """Rebuild the BM25 index from the store, so both hold the same chunks; returns the chunk count."""
        chunks = self.store.all_chunks()
        BM25Index(chunks).save(self.generation.bm25_dir)
        return len(chunks)

    def keywords_agree(self) -> bool:
        """True when the keyword index holds exactly the store's chunks."""
        return {c.id for c in BM25Index.load(self.generation.bm25_dir).catalogue} == set(self.store.all_ids())

    def ensure(self) -> int:
        """Make the keyword index agree with the store when it is missing or holds other chunks."""
        keywords = BM25Index.load(self.generation.bm25_dir)
        if {c.id for c in keywords.catalogue} != set(self.store.all_ids()):
            return self.sync_keywords()
        return len(keywords.catalogue)

    def wipe(self) -> None:
        """Drop this generation's collections, keyword index and units; the generation is empty afterwards."""
        drop_generation(self.settings, self.store.client, self.generation)
        self.store = Store(self.settings, self.store.client, self.generation)
        if self.server_units:
            self.server_units = ServerUnits(self.store.client, self.generation)

    def health(self) -> IndexHealth:
        """Counts of every part and each way they disagree (read only)."""
        gen = self.generation
        chunks = self.store.all_chunks()
        chunk_ids = {c.id for c in chunks}
        doc_ids = {c.doc_id for c in chunks}
        owners = self.store.sentence_owners()
        keywords = {c.id for c in (shared_keywords(self.store) if self.server_units else BM25Index.load(gen.bm25_dir)).catalogue}
        units = self.all_units()
        health = IndexHealth(
            generation=gen.number, chunks=len(chunks), sentence_vectors=len(owners), bm25_docs=len(keywords),
            units=sum(len(u) for u in units.values()), unit_files=len(units),
        )  # fmt: skip
        problems = health.problems
        if keywords != chunk_ids:
            problems.append(
                f"the BM25 index holds {len(keywords - chunk_ids)} chunks the store does not "
                f"and lacks {len(chunk_ids - keywords)} of its chunks"
            )
        orphans = [sid for sid, cid in owners.items() if cid not in chunk_ids]
        if orphans:
            problems.append(f"{len(orphans)} sentence vectors belong to no stored chunk")
        bare = self._chunks_without_sentences(chunks, set(owners.values()))
        if bare:
            problems.append(f"{len(bare)} chunks have no sentence vectors")
        if set(units) - doc_ids:
            problems.append(f"evidence units of documents not in the store: {', '.join(sorted(set(units) - doc_ids))}")
        if doc_ids - set(units):
            problems.append(f"documents in the store without evidence units: {', '.join(sorted(doc_ids - set(units)))}")
        leftovers = self.leftover_collections()
        if leftovers:
            problems.append(f"collections of another generation (an interrupted rebuild): {', '.join(leftovers)}")
        return health

    def _chunks_without_sentences(self, chunks: list[Chunk], owners: set[str]) -> list[str]:
        min_chars = self.settings.index.min_sentence_chars
        return [c.id for c in chunks if c.id not in owners and chunk_sentences(c, min_chars)]

    def leftover_collections(self) -> list[str]:
        """Collections of this index's other generations (left by an interrupted rebuild or switch)."""
        names = [str(getattr(c, "name", c)) for c in self.store.client.list_collections()]
        # The live generation is never a leftover: a rebuild writing the next one must not drop it.
        keep = {None, self.generation.number, read_stamp(self.settings).generation}
        return sorted(n for n in names if generation_of_collection(self.settings, n) not in keep)

    def repair(self, known_docs: set[str] | None = None) -> list[str]:
        """Mend what needs no file re-read; returns what was done (ingest then re-adds what is missing).

        Orphan sentence vectors and units are deleted; a chunk without its sentence vectors is dropped, so the
        file's chunk ids no longer match the manifest and the file is ingested again; with ``known_docs``, the
        chunks of documents nobody knows (a crash before the manifest named them) are dropped; other generations'
        collections go.
        """
        done: list[str] = []
        chunks = self.store.all_chunks()
        chunk_ids = {c.id for c in chunks}
        owners = self.store.sentence_owners()
        orphans = [sid for sid, cid in owners.items() if cid not in chunk_ids]
        if orphans:
            self.store.delete_sentences(orphans)
            done.append(f"deleted {len(orphans)} orphan sentence vectors")
        bare = self._chunks_without_sentences(chunks, set(owners.values()))
        if bare:
            self.drop(bare)
            done.append(f"dropped {len(bare)} chunks without sentence vectors (their files are ingested again)")
        doc_ids = {c.doc_id for c in chunks}
        if known_docs is not None and self.server_units:
            # Another instance's documents: not in this manifest, but completed (their units are stored).
            known_docs = known_docs | self.server_units.doc_ids()
        if known_docs is not None:
            for doc_id in sorted(doc_ids - known_docs):
                self.drop_doc(doc_id)
                done.append(f"dropped the chunks of {doc_id}, which no file or manifest entry names")
        for doc_id in sorted(set(self.all_units()) - doc_ids):
            if self.server_units:
                self.server_units.drop(doc_id)
            _unlink(self.units_file(doc_id))
            done.append(f"deleted the orphan evidence units of {doc_id}")
        dropped: set[int] = set()
        for name in self.leftover_collections():
            number = generation_of_collection(self.settings, name)
            if number is not None and number not in dropped:  # any of its collections may be all that is left
                dropped.add(number)
                drop_generation(self.settings, self.store.client, generation(self.settings, number))
                done.append(f"dropped generation {number} (left by an interrupted rebuild)")
        return done


def _unlink(path: Path) -> None:
    """Delete a file that may be absent, or whose name is too long to exist at all."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise


def drop_generation(settings: Settings, client: Any, gen: Generation) -> None:
    """Delete one generation's collections and files (never generation 0's data folder itself)."""
    for name in (gen.collection, gen.sentence_collection, gen.units_collection):
        with suppress(Exception):  # absent already
            client.delete_collection(name)
    shutil.rmtree(gen.bm25_dir, ignore_errors=True)
    shutil.rmtree(gen.units_dir, ignore_errors=True)
    gen.manifest_path.unlink(missing_ok=True)
    if gen.number:
        shutil.rmtree(gen.root, ignore_errors=True)


def load_units(units_dir: Path) -> dict[str, list[Unit]]:
    """The evidence units of every indexed document, by document id."""
    out: dict[str, list[Unit]] = {}
    for path in sorted(units_dir.glob("*.json")) if units_dir.exists() else []:
        out[path.stem] = [Unit.model_validate(u) for u in json.loads(path.read_text(encoding="utf-8"))]
    return out


def store_units(store: Store) -> dict[str, list[Unit]]:
    """The evidence units of every document of the store's generation (from the server when there is one)."""
    if is_shared(store.settings):
        return ServerUnits(store.client, store.generation).all()
    return load_units(store.generation.units_dir)


def shared_keywords(store: Store) -> BM25Index:
    """With a Chroma server, the keyword index is this instance's cache of the server's chunks.

    It is rebuilt from them whenever it holds other chunks (another instance ingested or removed something),
    and saved when the data folder allows; nothing is wrong when it is missing or stale.
    """
    try:
        keywords = BM25Index.load(store.generation.bm25_dir)
    except Exception:  # a damaged or half-replaced cache is only a cache: rebuild it
        keywords = BM25Index([])
    if {c.id for c in keywords.catalogue} == set(store.all_ids()):
        return keywords
    keywords = BM25Index(store.all_chunks())
    with suppress(OSError):  # a read-only data folder: keep it in memory
        keywords.save(store.generation.bm25_dir)
    return keywords


def load_keywords(store: Store) -> tuple[BM25Index, list[str]]:
    """The keyword index of the store's generation; rebuilt in memory (and the problem named) when it disagrees."""
    if is_shared(store.settings):
        return shared_keywords(store), []
    keywords = BM25Index.load(store.generation.bm25_dir)
    stored = set(store.all_ids())
    have = {c.id for c in keywords.catalogue}
    if have == stored:
        return keywords, []
    problem = (
        f"the keyword index disagrees with the store ({len(stored - have)} chunks missing, {len(have - stored)} extra); "
        "using one rebuilt in memory until `joinedup ingest` repairs it"
    )
    return BM25Index(store.all_chunks()), [problem]


def index_ready(settings: Settings) -> bool:
    """True when the live generation has a keyword index and a non-empty store.

    An unreachable Chroma server raises :class:`StoreError` instead: "not ready" would start a pointless ingest.
    """
    store = Store(settings)
    if store.count() == 0:
        return False
    if is_shared(settings):
        return True  # the keyword index is rebuilt from the server's chunks on demand
    return (store.generation.bm25_dir / "chunks.json").exists()
