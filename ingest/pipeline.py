"""``joinedup ingest``: files -> chunks -> the index, idempotently, with a per-file report.

A pure transform from files to chunks, written through :class:`app.index.Index`
(which keeps chunk vectors, sentence vectors and the keyword index in step).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from app.cards import card_doc_id, load_card, paper_refs
from app.codes import PracticeCodes
from app.config import ROOT, Settings
from app.corpus_profile import CorpusProfile, load_profile
from app.index import Index
from app.models import Chunk, Unit
from app.tables import TABLES_FILE
from ingest.cards import chunk_from_card
from ingest.documents import SUPPORTED_SUFFIXES, LoadError, document_id, load_document, read_sources
from ingest.manifest import Manifest, ManifestEntry
from ingest.split import clean_document, split_document
from ingest.tables import TABLES_DOC_ID, chunks_from_tables
from ingest.units import UnitBuilder


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


# Files beside the corpus that describe it (for people and the loader), not evidence.
CORPUS_NOTES = {"SOURCES.md", "SCHEMA.md", "README.md", "REVIEW.md"}


def discover(settings: Settings, paths: list[Path] | None = None) -> list[Path]:
    """The files to ingest: the corpus (documents and practice cards) or the given files/folders."""
    roots = paths or [settings.documents_dir, settings.practices_dir]
    found: list[Path] = []
    for root in roots:
        if not root.is_dir():
            found.append(root)
            continue
        cards_only = root.resolve() == settings.practices_dir.resolve()  # the practices folder holds cards only
        found += sorted(
            p for p in root.iterdir()
            if p.is_file() and p.name not in CORPUS_NOTES
            and (p.suffix == ".yaml" if cards_only else p.suffix.lower() in (*SUPPORTED_SUFFIXES, ".yaml"))
        )  # fmt: skip
    tables = settings.corpus_dir / TABLES_FILE
    if paths is None and tables.exists():
        found.append(tables)
    return found


# The code that decides chunks and sentence vectors; query-time modules are deliberately absent.
CHUNKING_CODE = (
    "ingest/clean.py", "ingest/sections.py", "ingest/split.py", "ingest/cards.py", "ingest/documents.py",
    "ingest/units.py", "ingest/tables.py", "app/tables.py", "app/codes.py", "app/sentences.py", "app/models.py",
    "app/readability.py",
)  # fmt: skip


def chunker_version(profile: CorpusProfile) -> str:
    """Hash of what turns files into chunks (code and the profile's chunking cues): a change re-chunks every file."""
    digest = hashlib.sha256(profile.chunking_fingerprint().encode())
    for name in CHUNKING_CODE:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def _fingerprint(path: Path, salt: str) -> str:
    digest = hashlib.sha256(salt.encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()


def _doc_id(path: Path) -> str:
    """The store's document id for a file: the tables file, cards by their code, other files by their name."""
    if path.name == TABLES_FILE:
        return TABLES_DOC_ID
    return card_doc_id(path.stem) if path.suffix == ".yaml" else document_id(path)


@dataclass(frozen=True)
class _Chunker:
    """Everything that decides how one file becomes chunks, fixed for one ingest run."""

    settings: Settings
    profile: CorpusProfile
    paper_refs: dict[str, str]

    def chunks(self, path: Path) -> tuple[list[Chunk], list[Unit]]:
        """The chunks and evidence units of one file; raises LoadError/ValueError with the reason."""
        codes = PracticeCodes.from_profile(self.profile)
        if path.name == TABLES_FILE:
            sources = read_sources(path.parent / "documents")
            return chunks_from_tables(path, sources, self.profile.headings, codes), []
        if path.suffix == ".yaml":
            return [chunk_from_card(load_card(path))], []
        doc = load_document(path, read_sources(path.parent))
        clean = clean_document(doc, self.profile.headings)
        chunks = split_document(clean, doc, self.settings.index, codes, self.paper_refs)
        if not chunks:
            raise LoadError("no text left after cleaning")
        builder = UnitBuilder(self.profile, codes, self.settings.index.min_sentence_chars)
        return chunks, builder.build(clean, doc.doc_id, doc.source_type, self.paper_refs)

    def salt(self) -> str:
        """Mixed into each file's fingerprint: a change to any of it re-chunks the file."""
        ix = self.settings.index
        return json.dumps(
            [ix.chunk_size, ix.chunk_overlap, ix.min_chunk_chars, ix.min_sentence_chars,
             sorted(self.paper_refs.items()), chunker_version(self.profile)]
        )  # fmt: skip


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
        index = Index(settings)
        if rebuild:
            index.wipe()
            settings.manifest_path.unlink(missing_ok=True)
        manifest = Manifest.load(settings.manifest_path)
        files = discover(settings, paths)
        cards = []
        for p in files:
            if p.suffix == ".yaml":
                with suppress(ValueError):  # a bad card is reported when it is processed itself
                    cards.append(load_card(p))
        chunker = _Chunker(settings, load_profile(settings.corpus_dir), paper_refs(cards))
        salt = chunker.salt()
        report = IngestReport()
        changed = rebuild
        for done, path in enumerate(files):
            if progress:
                progress(done, len(files), path.name)
            file_report = _ingest_one(path, chunker, index, manifest, salt)
            report.files.append(file_report)
            changed |= file_report.status in {"added", "replaced"}
        if paths is None:
            present = {_doc_id(p) for p in files}
            for doc_id in sorted(set(manifest.documents) - present):
                removed = index.drop_doc(doc_id)
                gone = manifest.documents.pop(doc_id).path
                manifest.save(settings.manifest_path)
                report.files.append(FileReport(gone, doc_id, "removed", removed=removed, reason="file no longer in corpus"))
                changed = True
        report.total_chunks = index.sync_keywords() if changed else index.ensure()
        return report


def _ingest_one(path: Path, chunker: _Chunker, index: Index, manifest: Manifest, salt: str) -> FileReport:
    doc_id = _doc_id(path)
    try:
        fingerprint = _fingerprint(path, salt)
    except OSError as exc:
        return FileReport(str(path), doc_id, "failed", reason=f"cannot read file ({exc.strerror or exc})")
    entry = manifest.documents.get(doc_id)
    if entry and entry.sha256 == fingerprint and index.ids_for_doc(doc_id) == set(entry.chunk_ids):
        return FileReport(str(path), doc_id, "unchanged")
    try:
        chunks, units = chunker.chunks(path)
    except (LoadError, ValueError) as exc:
        return FileReport(str(path), doc_id, "failed", reason=str(exc))
    except Exception as exc:  # any other failure while reading one file is that file's failure, not the run's
        return FileReport(str(path), doc_id, "failed", reason=f"could not be read ({type(exc).__name__}: {str(exc)[:120]})")
    new_ids = {c.id for c in chunks}
    old_ids = index.ids_for_doc(doc_id)
    to_add = [c for c in chunks if c.id not in old_ids]
    stale = old_ids - new_ids
    index.add(to_add)
    index.drop(stale)
    index.put_units(doc_id, units)
    manifest.documents[doc_id] = ManifestEntry(path=str(path), sha256=fingerprint, chunk_ids=sorted(new_ids))
    manifest.save(chunker.settings.manifest_path)
    status = "replaced" if old_ids else "added"
    return FileReport(str(path), doc_id, status, added=len(to_add), removed=len(stale))
