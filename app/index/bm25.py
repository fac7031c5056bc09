"""Sparse retrieval: a bm25s index over the same chunks as the Chroma store, saved beside it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from app.core.models import Chunk

_STEMMER = Stemmer.Stemmer("english")


def _tokenize(texts: list[str]) -> bm25s.tokenization.Tokenized:
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, show_progress=False)


class BM25Index:
    """In-memory BM25 over a list of chunks; :meth:`save`/:meth:`load` persist it to a folder."""

    def __init__(self, chunks: list[Chunk], retriever: bm25s.BM25 | None = None) -> None:
        self.chunks = chunks
        if retriever is None:
            retriever = bm25s.BM25()
            if chunks:
                retriever.index(_tokenize([c.context_text() for c in chunks]), show_progress=False)
        self.retriever = retriever

    def save(self, folder: Path) -> None:
        """Write atomically: a reader never sees a half-written index."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.chunks:
            self.retriever.save(str(tmp), show_progress=False)
        (tmp / "chunks.json").write_text(json.dumps([c.model_dump() for c in self.chunks]), encoding="utf-8")
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> BM25Index:
        """Load a saved index; an absent folder gives an empty index."""
        chunks_file = folder / "chunks.json"
        if not chunks_file.exists():
            return cls([])
        chunks = [Chunk.model_validate(c) for c in json.loads(chunks_file.read_text(encoding="utf-8"))]
        if not chunks:
            return cls([])
        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        return cls(chunks, retriever)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[Chunk, float]]:
        """Top-k chunks by BM25 score; ``allowed`` is a 0/1 mask over :attr:`chunks` (filters)."""
        if not self.chunks:
            return []
        known = self.retriever.vocab_dict
        words = bm25s.tokenize([query], stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False)[0]
        words = [w for w in words if w in known]  # unknown words cannot score and bm25s rejects them
        if not words:
            return []
        k = min(k, len(self.chunks))
        ids, scores = self.retriever.retrieve([words], k=k, show_progress=False, weight_mask=allowed, n_threads=0)
        return [(self.chunks[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]
