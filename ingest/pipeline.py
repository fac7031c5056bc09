"""``joinedup ingest``: files -> chunks -> Chroma + BM25, idempotently, with a per-file report."""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from app.bm25 import BM25Index
from app.config import Settings
from app.embeddings import embed
from app.models import Chunk
from app.store import Store
from app.text import chunk_sentences
from ingest.cards import card_chunk, card_doc_id, load_card, paper_refs
from ingest.documents import SUPPORTED_SUFFIXES, LoadError, doc_id_for, load_document, read_sources
from ingest.manifest import Manifest, ManifestEntry
from ingest.split import split_document


@dataclass
class FileReport:
    """What happened to one file."""

    path: str
    doc_id: str
    status: str  # added | replaced | unchanged | failed | removed
    added: int = 0
    removed: int = 0
    reason: str = ""


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    total_chunks: int = 0

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """One writer at a time: a second ingest waits instead of interleaving with the first."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / ".ingest.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def discover(settings: Settings, paths: list[Path] | None = None) -> list[Path]:
    """The files to ingest: the corpus (documents and practice cards) or the given files/folders."""
    roots = paths or [settings.documents_dir, settings.practices_dir]
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            found += sorted(
                p for p in root.iterdir()
                if p.is_file() and (p.suffix.lower() in SUPPORTED_SUFFIXES or p.suffix == ".yaml")
                and p.name not in {"SOURCES.md", "SCHEMA.md", "README.md"}
            )  # fmt: skip
        else:
            found.append(root)
    return found


def chunker_version() -> str:
    """Hash of the code that turns files into chunks: changing it re-chunks every file on the next ingest."""
    digest = hashlib.sha256()
    for name in ("clean.py", "sections.py", "split.py", "cards.py", "documents.py", "codes.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    digest.update((Path(__file__).parent.parent / "app" / "text.py").read_bytes())
    return digest.hexdigest()[:16]


def _fingerprint(path: Path, salt: str) -> str:
    digest = hashlib.sha256(salt.encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()


def doc_id_of(path: Path) -> str:
    """The store's document id for a file: cards by their code, other files by their name."""
    return card_doc_id(path.stem) if path.suffix == ".yaml" else doc_id_for(path)


def _chunks_for(path: Path, settings: Settings, refs: dict[str, str]) -> list[Chunk]:
    """The chunks of one file; raises LoadError/ValueError with the reason."""
    if path.suffix == ".yaml":
        return [card_chunk(load_card(path))]
    doc = load_document(path, read_sources(path.parent))
    chunks = split_document(doc, settings.chunk_size, settings.chunk_overlap, refs)
    if not chunks:
        raise LoadError("no text left after cleaning")
    return chunks


def rebuild_bm25(store: Store, settings: Settings) -> int:
    """Rebuild the sparse index from the store, so both indexes always hold the same chunks."""
    chunks = store.all_chunks()
    BM25Index(chunks).save(settings.bm25_dir)
    return len(chunks)


def ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    rebuild: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> IngestReport:
    """Ingest files into the store; unchanged files are skipped, changed ones replace their chunks.

    ``progress(done, total, name)`` is called before each file.

    A file that cannot be read is reported as failed and the others still ingest.
    """
    with ingest_lock(settings):
        if rebuild:
            _wipe(settings)
        store = Store(settings)
        manifest = Manifest.load(settings.manifest_path)
        files = discover(settings, paths)
        cards = []
        for p in files:
            if p.suffix == ".yaml":
                with suppress(ValueError):  # a bad card is reported when it is processed itself
                    cards.append(load_card(p))
        refs = paper_refs(cards)
        salt = json.dumps([settings.chunk_size, settings.chunk_overlap, sorted(refs.items()), chunker_version()])
        report = IngestReport()
        changed = rebuild
        for done, path in enumerate(files):
            if progress:
                progress(done, len(files), path.name)
            file_report = _ingest_one(path, settings, store, manifest, refs, salt)
            report.files.append(file_report)
            changed |= file_report.status in {"added", "replaced"}
        if paths is None:
            present = {doc_id_of(p) for p in files}
            for doc_id in sorted(set(manifest.documents) - present):
                removed = store.delete_doc(doc_id)
                path = manifest.documents.pop(doc_id).path
                manifest.save(settings.manifest_path)
                report.files.append(FileReport(path, doc_id, "removed", removed=removed, reason="file no longer in corpus"))
                changed = True
        if changed or not (settings.bm25_dir / "chunks.json").exists():
            report.total_chunks = rebuild_bm25(store, settings)
        else:
            report.total_chunks = store.count()
        return report


def _ingest_one(path: Path, settings: Settings, store: Store, manifest: Manifest, refs: dict[str, str], salt: str) -> FileReport:
    doc_id = doc_id_of(path)
    try:
        fingerprint = _fingerprint(path, salt)
    except OSError as exc:
        return FileReport(str(path), doc_id, "failed", reason=f"cannot read file ({exc.strerror or exc})")
    entry = manifest.documents.get(doc_id)
    if entry and entry.sha256 == fingerprint and store.ids_for_doc(doc_id) == set(entry.chunk_ids):
        return FileReport(str(path), doc_id, "unchanged")
    try:
        chunks = _chunks_for(path, settings, refs)
    except (LoadError, ValueError) as exc:
        return FileReport(str(path), doc_id, "failed", reason=str(exc))
    new_ids = {c.id for c in chunks}
    old_ids = store.ids_for_doc(doc_id)
    to_add = [c for c in chunks if c.id not in old_ids]
    stale = old_ids - new_ids
    if to_add:
        # Sentences first: a chunk present in the store always has its sentences, even after an interruption
        # (a chunk missing on the next run is re-added, and its sentence ids upsert in place).
        sentences = [(c.id, c.source_type, s) for c in to_add for s in chunk_sentences(c)]
        store.add_sentences(sentences, embed([s for _, _, s in sentences], settings))
        store.add(to_add, embed([c.context_text() for c in to_add], settings))
    store.delete_ids(stale)
    manifest.documents[doc_id] = ManifestEntry(path=str(path), sha256=fingerprint, chunk_ids=sorted(new_ids))
    manifest.save(settings.manifest_path)
    status = "replaced" if old_ids else "added"
    return FileReport(str(path), doc_id, status, added=len(to_add), removed=len(stale))


def _wipe(settings: Settings) -> None:
    """--rebuild: drop the collection, the BM25 index and the manifest."""
    store = Store(settings)
    with suppress(Exception):
        store.client.delete_collection(settings.collection)
    shutil.rmtree(settings.bm25_dir, ignore_errors=True)
    settings.manifest_path.unlink(missing_ok=True)


def index_ready(settings: Settings) -> bool:
    """True when a BM25 index and a non-empty store exist (the app builds them otherwise)."""
    if not (settings.bm25_dir / "chunks.json").exists():
        return False
    try:
        return Store(settings).count() > 0
    except Exception:
        return False
