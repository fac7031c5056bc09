"""``joinedup ingest``: files -> chunks -> the index, idempotently, with a per-file report.

A pure transform from files to chunks, written through :class:`app.index.index.Index`
(which keeps chunk vectors, sentence vectors and the keyword index in step). The files are
the corpus and the user's registered documents (:mod:`ingest.registry`), each with an id
unique by path (:mod:`ingest.doc_ids`). ``rebuild`` writes a new generation of the index
beside the live one and switches to it when complete (:mod:`app.index.generations`); every run
first repairs what an interrupted one left (:meth:`app.index.index.Index.repair`).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.core.cards import PracticeCard, case_study_quotes, load_card, paper_refs
from app.core.codes import PracticeCodes
from app.core.config import ROOT, Settings
from app.core.corpus_profile import CorpusProfile, load_profile
from app.core.files import resolved
from app.core.models import Chunk, Unit
from app.core.tables import TABLES_FILE
from app.index.generations import POINTER_FILE, Generation, Stamp, generation, live_generation, read_stamp, write_stamp
from app.index.index import Index, drop_generation
from app.index.readonly import require_writable
from app.index.store import DISK_FULL_MESSAGE, DiskFull, StoreDamaged, is_disk_full, set_aside_damaged_store
from app.index.store_file import erase_removed_text, store_damage
from ingest.card_check import card_term_problems
from ingest.card_chunks import chunk_from_card
from ingest.doc_ids import Planned, assign_ids
from ingest.documents import (
    SUPPORTED_SUFFIXES,
    LoadError,
    corpus_sources,
    load_document,
    read_input,
    read_sources,
    skip_reason,
)  # fmt: skip
from ingest.manifest import Manifest, ManifestEntry
from ingest.registry import Registry
from ingest.split import clean_document, split_document
from ingest.table_chunks import chunks_from_tables
from ingest.units import UnitBuilder


@dataclass
class FileReport:
    """What happened to one file."""

    path: str
    doc_id: str
    status: str  # added | replaced | unchanged | failed | removed | skipped
    added: int = 0
    removed: int = 0
    reason: str = ""


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    total_chunks: int = 0
    repaired: list[str] = field(default_factory=list)  # what an interrupted run had left, mended first

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """One writer at a time: a second ingest waits instead of interleaving with the first."""
    require_writable(settings)  # a read-only data folder is said plainly, before anything is touched
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


def skipped(settings: Settings, paths: list[Path] | None, taken: list[Path]) -> list[FileReport]:
    """A report line for each entry of the folders ingested that :func:`discover` did not take (never silence).

    Hidden entries (``.DS_Store``, ``.git``) and the corpus's notes are left out without a line.
    """
    chosen = {resolved(p) for p in taken}
    out = []
    for root in paths or [settings.documents_dir, settings.practices_dir]:
        if not root.is_dir():
            continue
        cards_only = root.resolve() == settings.practices_dir.resolve()
        for entry in sorted(root.iterdir()):
            if resolved(entry) not in chosen and entry.name not in CORPUS_NOTES and not entry.name.startswith("."):
                out.append(FileReport(str(entry), "", "skipped", reason=skip_reason(entry, cards_only)))
    return out


# The code that decides chunks and sentence vectors; query-time modules are deliberately absent.
CHUNKING_CODE = (
    "ingest/clean.py", "ingest/sections.py", "ingest/split.py", "ingest/card_chunks.py", "ingest/documents.py",
    "ingest/units.py", "ingest/table_chunks.py", "app/core/tables.py", "app/core/codes.py", "app/core/sentences.py",
    "app/core/models.py", "app/core/readability.py",
)  # fmt: skip


def chunker_version(profile: CorpusProfile) -> str:
    """Hash of what turns files into chunks (code and the profile's chunking cues): a change re-chunks every file."""
    digest = hashlib.sha256(profile.chunking_fingerprint().encode())
    for name in CHUNKING_CODE:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def _fingerprint(path: Path, salt: str, max_bytes: int) -> str:
    """The file's content hash with the salt; raises LoadError for a file that is not read (kind, size, access)."""
    digest = hashlib.sha256(salt.encode())
    digest.update(read_input(path, max_bytes))
    return digest.hexdigest()


def in_corpus(settings: Settings, path: Path) -> bool:
    """True for a file of the corpus itself (documents, cards, the tables file), not a user's file."""
    where = resolved(path)
    folders = {settings.documents_dir.resolve(), settings.practices_dir.resolve()}
    return where.parent in folders or where == (settings.corpus_dir / TABLES_FILE).resolve()


@dataclass(frozen=True)
class _Chunker:
    """Everything that decides how one file becomes chunks, fixed for one ingest run."""

    settings: Settings
    profile: CorpusProfile
    paper_refs: dict[str, str]
    case_studies: dict[str, list[str]] = field(default_factory=dict)  # code -> quotes from its case study

    def chunks(self, path: Path, doc_id: str) -> tuple[list[Chunk], list[Unit]]:
        """The chunks and evidence units of one file under its document id; raises LoadError/ValueError with the reason."""
        codes = PracticeCodes.from_profile(self.profile)
        if path.name == TABLES_FILE:
            sources = read_sources(path.parent / "documents")
            return chunks_from_tables(path, sources, self.profile.headings, codes), []
        if path.suffix == ".yaml":
            card = load_card(path)
            problems = card_term_problems(card, self.profile)
            if problems:
                raise LoadError("; ".join(problems))
            return [chunk_from_card(card, self.profile)], []
        doc = load_document(path, corpus_sources(path, self.settings.documents_dir), self.settings.max_file_bytes)
        doc.doc_id = doc_id  # unique by path (ingest.doc_ids), not only by file name
        clean = clean_document(doc, self.profile.headings)
        chunks = split_document(clean, doc, self.settings.index, codes, self.paper_refs, self.case_studies)
        if not chunks:
            raise LoadError("no text left after cleaning")
        builder = UnitBuilder(self.profile, codes, self.settings.index.min_sentence_chars)
        return chunks, builder.build(clean, doc.doc_id, doc.source_type, self.paper_refs)

    def salt(self) -> str:
        """Mixed into each file's fingerprint: a change to any of it re-chunks the file."""
        ix = self.settings.index
        return json.dumps(
            [ix.chunk_size, ix.chunk_overlap, ix.min_chunk_chars, ix.min_sentence_chars,
             sorted(self.paper_refs.items()), sorted(self.case_studies.items()), chunker_version(self.profile)]
        )  # fmt: skip


def ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    rebuild: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> IngestReport:
    """Ingest files into the store; unchanged files are skipped, changed ones replace their chunks.

    ``progress(done, total, name)`` is called before each file, and within a large file after each committed
    batch of chunks (the name then says how far: ``big.txt 512/27709 chunks``).

    A file that cannot be read is reported as failed and the others still ingest.
    """
    try:
        with ingest_lock(settings):
            return _ingest_locked(settings, paths, rebuild, progress)
    except OSError as exc:  # a write of the manifest, units, keyword index or registry
        if is_disk_full(exc):
            raise DiskFull(DISK_FULL_MESSAGE) from exc
        raise


def _ingest_locked(
    settings: Settings, paths: list[Path] | None, rebuild: bool, progress: Callable[[int, int, str], None] | None
) -> IngestReport:
    stamp = read_stamp(settings)
    # A rebuild writes the next generation while readers keep using the live one, then switches.
    target = generation(settings, stamp.generation + 1) if rebuild else live_generation(settings, stamp)
    index, damaged = _open_index(settings, target, rebuild)
    manifest = Manifest.load(target.manifest_path)
    registry = _load_registry(settings, manifest)
    files = discover(settings, paths)
    whole = paths is None or rebuild
    work, present, cards = _plan(settings, files if paths else [], whole, manifest, registry)
    chunker = _Chunker(settings, load_profile(settings.corpus_dir), paper_refs(cards), case_study_quotes(cards))
    salt = chunker.salt()
    report = IngestReport(files=skipped(settings, paths, files))
    report.repaired = index.repair(known_docs=present | set(manifest.documents) if whole else None)
    if damaged:
        report.repaired.insert(0, "the damaged index database was set aside; this rebuild makes a fresh one")
    changed = rebuild or bool(report.repaired)
    registered = set(registry.paths())
    for done, planned in enumerate(work):
        if progress:
            progress(done, len(work), planned.path.name)
        if planned.path in registered and not planned.path.exists():
            missing = f"the registered file is missing (`joinedup remove {planned.doc_id}` forgets it)"
            file_report = FileReport(str(planned.path), planned.doc_id, "failed", reason=missing)
        else:
            step = _within_file(progress, done, len(work), planned.path.name)
            file_report = _ingest_one(planned, chunker, index, manifest, salt, step)
        report.files.append(file_report)
        changed |= file_report.status in {"added", "replaced"}
        finished = planned.user and file_report.status in {"added", "replaced", "unchanged"}
        if finished and registry.held().get(planned.path) != planned.doc_id:
            # Saved at once: an interrupted run (Ctrl-C, kill -9) must not forget the files it finished.
            registry.add(planned.path, planned.doc_id)
            registry.save(settings.user_documents_path)
    registry.save(settings.user_documents_path)  # also the first time, when it adopted an older index's files
    if whole:
        for doc_id in sorted(set(manifest.documents) - present):
            removed = index.drop_doc(doc_id)
            gone = manifest.documents.pop(doc_id).path
            manifest.save(target.manifest_path)
            report.files.append(FileReport(gone, doc_id, "removed", removed=removed, reason="file no longer in corpus"))
            changed = True
    pointer_lost = not (settings.data_dir / POINTER_FILE).is_file()  # found again from the store: written anew
    if changed or pointer_lost or not index.keywords_agree():
        report.total_chunks = index.sync_keywords()
        # Readers compare this stamp at each question: a new generation or version makes them reload.
        write_stamp(settings, Stamp(target.number, stamp.version + 1))
        if target.number != stamp.generation:
            drop_generation(settings, index.store.client, generation(settings, stamp.generation))
    else:
        report.total_chunks = index.count()
    if any(f.status == "removed" for f in report.files):
        erase_removed_text(settings)  # a deleted file's text leaves the disk too (best effort: in use, it waits)
    if damaged:
        shutil.rmtree(damaged, ignore_errors=True)  # the fresh index is live: the damaged copy served its time
    return report


def _open_index(settings: Settings, target: Generation, rebuild: bool) -> tuple[Index, Path | None]:
    """The index of the generation to write; a rebuild first sets a damaged store aside (returned) for a fresh one.

    Any other run on a damaged store stops with :class:`StoreDamaged`, whose message names ``--rebuild``.
    """
    damaged: Path | None = None
    if rebuild and store_damage(settings):
        damaged = set_aside_damaged_store(settings)
    try:
        index = Index(settings, generation=target)
        if rebuild:
            index.wipe()  # whatever an interrupted rebuild left in this generation
    except StoreDamaged:
        if not rebuild or damaged:
            raise
        damaged = set_aside_damaged_store(settings)  # damage the quick check missed but Chroma met
        index = Index(settings, generation=target)
    return index, damaged


def _plan(
    settings: Settings, given: list[Path], whole: bool, manifest: Manifest, registry: Registry
) -> tuple[list[Planned], set[str], list[PracticeCard]]:
    """The files of this run with their ids (corpus, registered and given files), the ids in use, the cards that load.

    Ids are assigned over the corpus and all user files even when only some are ingested, so that no file ever
    takes an id another one holds.
    """
    given = list(dict.fromkeys(resolved(p) for p in given))
    corpus = list(dict.fromkeys([*(resolved(p) for p in discover(settings)), *(p for p in given if in_corpus(settings, p))]))
    users = list(dict.fromkeys([*registry.paths(), *(p for p in given if not in_corpus(settings, p))]))
    cards = _cards([p for p in corpus + users if p.suffix == ".yaml"])
    held = {resolved(Path(e.path)): doc_id for doc_id, e in manifest.documents.items()} | registry.held()
    plan = assign_ids(corpus, users, held, {p: c.code if c else None for p, c in cards.items()})
    work = [plan[p] for p in (corpus + users if whole else given)]
    present = {pl.doc_id for pl in plan.values() if not pl.refusal}
    return work, present, [c for c in cards.values() if c]


def _load_registry(settings: Settings, manifest: Manifest) -> Registry:
    """The user-documents registry; the first time, it adopts the user files an older index holds."""
    path = settings.user_documents_path
    if path.exists():
        return Registry.load(path)
    registry = Registry()
    # A file named like a corpus file is the corpus of another checkout (an index copied or moved), not the user's.
    corpus_names = {p.name for p in discover(settings)}
    for doc_id, entry in manifest.documents.items():
        file = resolved(Path(entry.path))
        if file.is_file() and not in_corpus(settings, file) and file.name not in corpus_names:
            registry.add(file, doc_id)
    return registry


def _cards(paths: list[Path]) -> dict[Path, PracticeCard | None]:
    """Each card file's card (None when it does not load: it is reported when it is processed itself)."""
    out: dict[Path, PracticeCard | None] = {}
    for path in paths:
        try:
            out[path] = load_card(path)
        except ValueError:
            out[path] = None
    return out


def _within_file(
    progress: Callable[[int, int, str], None] | None, done: int, total: int, name: str
) -> Callable[[int, int], None] | None:
    """The progress callback for the batches inside one file (the file's name says how many chunks are written)."""
    if progress is None:
        return None
    return lambda written, chunks: progress(done, total, f"{name} {written}/{chunks} chunks")


def add_in_batches(index: Index, chunks: list[Chunk], step: Callable[[int, int], None] | None = None) -> None:
    """Embed and write chunks in batches of ``index.commit_batch``, each one committed to the store.

    An interrupted run keeps the batches it wrote: chunk ids hash the document id and text, so the next run of
    the same file finds them stored and embeds only the rest (the keyword index and manifest follow at its end).
    """
    size = max(1, index.settings.index.commit_batch)
    for start in range(0, len(chunks), size):
        index.add(chunks[start : start + size])
        if step and len(chunks) > size:
            step(min(start + size, len(chunks)), len(chunks))


def _ingest_one(
    planned: Planned, chunker: _Chunker, index: Index, manifest: Manifest, salt: str,
    step: Callable[[int, int], None] | None = None,
) -> FileReport:  # fmt: skip
    path, doc_id = planned.path, planned.doc_id
    if planned.refusal:
        return FileReport(str(path), doc_id, "failed", reason=planned.refusal)
    try:
        fingerprint = _fingerprint(path, salt, chunker.settings.max_file_bytes)
    except LoadError as exc:
        return FileReport(str(path), doc_id, "failed", reason=str(exc))
    entry = manifest.documents.get(doc_id)
    if (
        entry and entry.sha256 == fingerprint and index.ids_for_doc(doc_id) == set(entry.chunk_ids)
        and index.has_units(doc_id)
    ):  # fmt: skip
        if entry.path != str(path):  # the same content, moved: remember where it is now
            entry.path = str(path)
            manifest.save(index.generation.manifest_path)
        return FileReport(str(path), doc_id, "unchanged")
    try:
        chunks, units = chunker.chunks(path, doc_id)
    except (LoadError, ValueError) as exc:
        return FileReport(str(path), doc_id, "failed", reason=str(exc))
    except Exception as exc:  # any other failure while reading one file is that file's failure, not the run's
        return FileReport(str(path), doc_id, "failed", reason=f"could not be read ({type(exc).__name__}: {str(exc)[:120]})")
    new_ids = {c.id for c in chunks}
    old_ids = index.ids_for_doc(doc_id)
    to_add = [c for c in chunks if c.id not in old_ids]
    stale = old_ids - new_ids
    try:
        # A kept id is written again when its metadata changed: the id is the text's, and a changed file (or
        # chunker) may give the same text another page, section or practice code.
        add_in_batches(index, to_add + index.outdated([c for c in chunks if c.id in old_ids]), step)
        index.drop(stale)
        index.put_units(doc_id, units)
    except OSError as exc:
        if is_disk_full(exc):
            raise  # the whole run stops: every later file would fail the same way
        # One file's failure (a name the file system refuses): nothing of it stays, the run goes on.
        index.drop_doc(doc_id)
        if manifest.documents.pop(doc_id, None):
            manifest.save(index.generation.manifest_path)
        return FileReport(str(path), doc_id, "failed", reason=f"could not be written ({exc.strerror or exc})")
    manifest.documents[doc_id] = ManifestEntry(path=str(path), sha256=fingerprint, chunk_ids=sorted(new_ids))
    manifest.save(index.generation.manifest_path)
    status = "replaced" if old_ids else "added"
    return FileReport(str(path), doc_id, status, added=len(to_add), removed=len(stale))
