"""Sentence splitting: decides which sentences get their own vector at ingest and which can be quoted.

This module is part of what decides chunks (``ingest.pipeline.chunker_version``
hashes it), so query-time word lists live elsewhere (:mod:`app.core.text`).
"""

from __future__ import annotations

import re

from app.core.models import Chunk

_ABBREVIATIONS = ("e.g.", "i.e.", "al.", "etc.", "vs.", "cf.", "p.", "pp.", "no.", "art.", "fig.")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9‘“\"(\[])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; does not break after common abbreviations such as 'e.g.' or 'et al.'."""
    if "\n\n" in text:
        return [s for para in text.split("\n\n") for s in split_sentences(para)]
    pieces: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        before = text[start : m.start() + 1].rstrip()
        last = before.split()[-1].lower() if before.split() else ""
        if last in _ABBREVIATIONS or re.fullmatch(r"[a-z]\.", last):
            continue
        pieces.append(text[start : m.start() + 1].strip())
        start = m.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def chunk_sentences(chunk: Chunk, min_chars: int) -> list[str]:
    """The sentences of a chunk worth indexing on their own (fragments and table debris skipped)."""
    return [s for s in split_sentences(chunk.text) if len(s) >= min_chars]
