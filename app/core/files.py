"""Reading a file a user named, safely: regular files only, never more than a limit, never blocking.

A symlink to ``/dev/zero`` would be read until memory runs out and a FIFO would block ``open``
forever, so every input file is opened non-blocking, checked with ``fstat`` on the open
descriptor (no gap between the check and the read) and read up to its limit only.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class FileRefused(ValueError):
    """A file that is not read: not a regular file, or larger than the limit (the message says which)."""


def resolved(path: Path) -> Path:
    """``path`` made absolute with its links followed; a link loop (or a path the OS refuses) stays as given.

    ``Path.resolve`` raises RuntimeError on a link loop: the loop is then reported as the file that cannot be read.
    """
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return path.absolute()


def describe_kind(mode: int) -> str:
    """What a non-regular file is, in words a user knows."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def regular_file_problem(path: Path, max_bytes: int) -> str:
    """Why ``path`` would not be read (empty when it would), from ``stat`` alone: nothing is opened."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return f"cannot read file ({exc.strerror or exc})"
    if not stat.S_ISREG(info.st_mode):
        return f"{describe_kind(info.st_mode)}, not a regular file: not read"
    if info.st_size > max_bytes:
        return f"{_size(info.st_size)}, larger than the limit of {_size(max_bytes)}: not read"
    return ""


def read_regular(path: Path, max_bytes: int, limit_hint: str = "") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; raises :class:`FileRefused` (or OSError) otherwise.

    ``limit_hint`` names the setting that raises the limit, for the message.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)  # non-blocking: a FIFO opens at once instead of waiting for a writer
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"{describe_kind(info.st_mode)}, not a regular file: not read")
        if info.st_size > max_bytes:
            hint = f" ({limit_hint})" if limit_hint else ""
            raise FileRefused(f"{_size(info.st_size)}, larger than the limit of {_size(max_bytes)}{hint}: not read")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)  # a file that grew since fstat is still cut at the limit
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise FileRefused(f"larger than the limit of {_size(max_bytes)}: not read")
    return data


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"
