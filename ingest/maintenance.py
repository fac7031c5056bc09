"""``joinedup doctor`` and ``joinedup remove``: the index's health, and taking one user document out."""

from __future__ import annotations

from pathlib import Path

from app.core.config import Settings
from app.index.generations import Stamp, read_stamp, write_stamp
from app.index.index import Index, IndexHealth
from app.index.store import StoreDamaged, damaged_message
from app.index.store_file import erase_removed_text, store_damage
from ingest.manifest import Manifest
from ingest.pipeline import FileReport, in_corpus, ingest_lock
from ingest.registry import Registry


def check_index(settings: Settings, thorough: bool = False) -> IndexHealth:
    """Counts of every part of the live index and each disagreement, the manifest included (read only).

    ``thorough`` (``joinedup doctor``) first reads every page of the store's database file: damage is named
    (:class:`StoreDamaged`) even where Chroma would not read it today.
    """
    damage = store_damage(settings) if thorough else ""
    if damage:  # before Chroma reads it: its errors on a damaged file say little
        raise StoreDamaged(f"{damaged_message(settings)} (SQLite: {damage[:200]})")
    index = Index(settings)
    health = index.health()
    manifest = Manifest.load(index.generation.manifest_path)
    health.manifest_files = len(manifest.documents)
    stored = index.store.ids_by_doc()
    for doc_id, entry in sorted(manifest.documents.items()):
        have, listed = stored.get(doc_id, set()), set(entry.chunk_ids)
        if have != listed:
            health.problems.append(
                f"{doc_id}: the manifest lists {len(listed)} chunks, the store holds {len(have)} "
                f"({len(listed - have)} missing, {len(have - listed)} not listed)"
            )
    unlisted = sorted(set(stored) - set(manifest.documents))
    if index.server_units:  # a shared Chroma server: documents another instance completed are not this one's to list
        unlisted = sorted(set(unlisted) - index.server_units.doc_ids())
    if unlisted:
        health.problems.append(f"documents in the store the manifest does not list: {', '.join(unlisted)}")
    return health


def remove_document(settings: Settings, key: str) -> FileReport:
    """Take a user document (by document id or path) out of the index and the registry.

    A corpus document is refused (delete its file and ingest instead); an unknown one raises ValueError.
    """
    with ingest_lock(settings):
        registry = Registry.load(settings.user_documents_path)
        index = Index(settings)
        manifest = Manifest.load(index.generation.manifest_path)
        entry = registry.find(key)
        doc_id = entry.doc_id if entry else _manifest_id(manifest, key)
        if doc_id is None:
            known = ", ".join(d.doc_id for d in registry.documents) or "none"
            raise ValueError(f"no user document {key!r} (registered: {known})")
        listed = manifest.documents.get(doc_id)
        if entry is None and listed and in_corpus(settings, Path(listed.path)):
            raise ValueError(
                f"{doc_id} is a corpus document ({Path(listed.path).name}): delete its file from the corpus and run "
                "`joinedup ingest` instead"
            )
        removed = index.drop_doc(doc_id)
        path = entry.path if entry else listed.path if listed else key
        manifest.documents.pop(doc_id, None)
        manifest.save(index.generation.manifest_path)
        registry.drop(doc_id)
        registry.save(settings.user_documents_path)
        index.sync_keywords()
        stamp = read_stamp(settings)
        write_stamp(settings, Stamp(stamp.generation, stamp.version + 1))
        # A user who removes a document expects its text gone from the disk, not only from the answers.
        left = erase_removed_text(settings)
        return FileReport(path, doc_id, "removed", removed=removed, reason=left or "removed on request")


def _manifest_id(manifest: Manifest, key: str) -> str | None:
    """A document id of the manifest, given as the id or as its file's path."""
    if key in manifest.documents:
        return key
    resolved = str(Path(key).expanduser().resolve())
    return next((d for d, e in manifest.documents.items() if e.path in (key, resolved)), None)
