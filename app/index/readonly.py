"""A read-only data folder: the index is still read (ask, doctor, serve); writing to it is refused with a sentence.

The shipped index may sit on a read-only medium, or be shared read-only by a deployment. Embedded Chroma
writes to its SQLite file even to read (it migrates and records its state on opening), so a reader opens a
private temporary copy of the store instead; the copy follows the live index (a new copy when its stamp
moves on) and is removed when the process ends. Ingest and remove, which must write, stop at once and say why.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from pathlib import Path

from app.core.config import Settings
from app.index.generations import Stamp, read_stamp
from app.index.store import StoreError


class ReadOnlyData(StoreError):
    """The data folder cannot be written; the message says so and what still works."""


def writable(folder: Path) -> bool:
    """Whether files in the folder (and the files already there) can be written: a read-only mount or permissions say no."""
    if not folder.exists():
        return writable(folder.parent) if folder.parent != folder else False
    if not os.access(folder, os.W_OK):
        return False
    return all(os.access(f, os.W_OK) for f in folder.iterdir() if f.is_file())


def require_writable(settings: Settings) -> None:
    """Raise :class:`ReadOnlyData` when the data folder cannot be written (before anything is changed)."""
    folder = settings.data_dir
    if not writable(folder) or (settings.chroma_dir.exists() and not writable(settings.chroma_dir)):
        raise ReadOnlyData(
            f"The data folder {folder} is read-only: ingest and remove need to write there. The index in it can "
            "still be read (ask, doctor, serve); to change it, make the folder writable or set JOINEDUP_DATA_DIR "
            "to a writable copy.",
        )


_COPIES: dict[str, tuple[Stamp, Path]] = {}
_LOCK = threading.Lock()


def readable_store_path(settings: Settings) -> str:
    """The folder to open the embedded store from: its own when writable, else a private copy of it."""
    source = settings.chroma_dir
    if writable(source):
        return str(source)
    stamp = read_stamp(settings)
    with _LOCK:
        known = _COPIES.get(str(source))
        if known and known[0] == stamp and known[1].exists():
            return str(known[1])
        copy = Path(tempfile.mkdtemp(prefix="joinedup-readonly-")) / "chroma"
        shutil.copytree(source, copy)
        for path in (copy, *copy.rglob("*")):
            path.chmod(path.stat().st_mode | 0o200)  # the copy is ours to write (Chroma's bookkeeping)
        atexit.register(shutil.rmtree, copy.parent, True)
        _COPIES[str(source)] = (stamp, copy)
        return str(copy)
