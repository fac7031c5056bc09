"""The embedded store's SQLite file itself: whether it is damaged, and erasing what Chroma keeps of removed text.

Chroma reads and writes ``data/chroma/chroma.sqlite3`` through its own connections; these functions open the
file directly for what Chroma offers no call for (the check only reads; the erasing runs under the ingest lock).
A Chroma server keeps its own files: nothing here applies to it.
"""

from __future__ import annotations

import sqlite3
import struct
from contextlib import closing
from pathlib import Path

from app.core.config import Settings
from app.index.store import DISK_FULL_MESSAGE, DiskFull, is_disk_full


def store_damage(settings: Settings) -> str:
    """What SQLite's quick check finds wrong with the embedded store's database (empty when sound, or none yet)."""
    db = settings.chroma_dir / "chroma.sqlite3"
    if settings.index.chroma_host or not db.is_file():
        return ""
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as conn:
            rows = conn.execute("PRAGMA quick_check").fetchmany(3)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    found = "; ".join(str(r[0]) for r in rows)
    return "" if found == "ok" else found


# Chroma keeps every write in its log table (embeddings_queue) until its vector index next syncs, the text of a
# chunk included, and SQLite keeps deleted rows in free pages: after a removal the text would stay on disk. The log
# rows are still needed for their vectors (the vector index replays them after a restart), so only their text is
# cleared, and only on rows the metadata segment has applied and whose record is gone.
_CLEAR_LOGGED_TEXT = """
UPDATE embeddings_queue SET metadata = NULL
WHERE metadata IS NOT NULL AND seq_id <= (
    SELECT m.seq_id FROM max_seq_id m JOIN segments s ON s.id = m.segment_id
    WHERE s.scope = 'METADATA' AND embeddings_queue.topic LIKE '%/' || s.collection
) AND NOT EXISTS (
    SELECT 1 FROM embeddings e JOIN segments s ON s.id = e.segment_id
    WHERE s.scope = 'METADATA' AND e.embedding_id = embeddings_queue.id
    AND embeddings_queue.topic LIKE '%/' || s.collection
)
"""


def erase_removed_text(settings: Settings) -> str:
    """Leave no text of deleted records in the embedded store's file; returns why not, or "" when done.

    Clears the text Chroma's log keeps of deleted records, merges the full-text index (which keeps deleted
    entries until then), vacuums the file (deleted rows linger in free pages) and zeroes the vector index
    files' unused capacity (``scrub_unused_vector_space``). A Chroma server keeps its own files: nothing is
    done there.
    """
    db = settings.chroma_dir / "chroma.sqlite3"
    if settings.index.chroma_host or not db.is_file():
        return ""
    try:
        with closing(sqlite3.connect(db, timeout=30, isolation_level=None)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(_CLEAR_LOGGED_TEXT)
            conn.execute("INSERT INTO embedding_fulltext_search(embedding_fulltext_search) VALUES ('optimize')")
            conn.execute("COMMIT")
            conn.execute("VACUUM")
        scrub_unused_vector_space(settings.chroma_dir)
    except sqlite3.Error as exc:
        if is_disk_full(exc):
            raise DiskFull(DISK_FULL_MESSAGE) from exc
        return f"the index database could not be compacted now ({exc}); the removed text stays in it until a later remove"
    return ""


# The vector index files (hnswlib, as Chroma writes them) are written from buffers sized for the index's capacity,
# and only the part for the elements held is ever filled: the rest is whatever the writing process's memory held,
# which may be text it read (a removed document's). Layout of header.bin: an int32 version (1), then size_t
# offsetLevel0, max_elements, cur_element_count, size_data_per_element, ...
_HEADER = struct.Struct("<iQQQQ")


def scrub_unused_vector_space(chroma_dir: Path) -> int:
    """Zero the unused capacity of every vector index's files (never-initialised memory); returns bytes zeroed.

    A file whose header is not the layout above is left alone: the bytes it does not use cannot be told apart.
    """
    zeroed = 0
    for header in chroma_dir.glob("*/header.bin"):
        raw = header.read_bytes()
        if len(raw) < _HEADER.size:
            continue
        version, _, max_elements, count, per_element = _HEADER.unpack_from(raw)
        if version != 1 or not 0 <= count <= max_elements or per_element <= 0:
            continue
        for name, used in (("data_level0.bin", count * per_element), ("length.bin", count * 4)):
            path = header.parent / name
            if not path.is_file() or path.stat().st_size <= used:
                continue
            with open(path, "r+b") as f:
                f.seek(used)
                tail = f.read()
                if any(tail):
                    f.seek(used)
                    f.write(bytes(len(tail)))
                    zeroed += len(tail)
    return zeroed
