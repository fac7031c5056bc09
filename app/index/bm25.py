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
    """In-memory BM25 over a list of chunks; :meth:`save`/:meth:`load` persist it to a folder.

    ``catalogue`` is every indexed chunk in index order (row i of the BM25 matrix), and so the catalogue
    of the whole index that retrieval and composition read; ``engine`` is the bm25s object that scores.
    """

    def __init__(self, catalogue: list[Chunk], engine: bm25s.BM25 | None = None) -> None:
        self.catalogue = catalogue
        if engine is None:
            engine = bm25s.BM25()
            if catalogue:
                engine.index(_tokenize([c.context_text() for c in catalogue]), show_progress=False)
        self.engine = engine

    def save(self, folder: Path) -> None:
        """Write atomically: a reader never sees a half-written index."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.catalogue:
            self.engine.save(str(tmp), show_progress=False)
        (tmp / "chunks.json").write_text(json.dumps([c.model_dump() for c in self.catalogue]), encoding="utf-8")
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
        return cls(chunks, bm25s.BM25.load(str(folder), show_progress=False))

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[Chunk, float]]:
        """Top-k chunks by BM25 score; ``allowed`` is a 0/1 mask over :attr:`catalogue` (filters)."""
        if not self.catalogue:
            return []
        known = self.engine.vocab_dict
        words = bm25s.tokenize([query], stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False)[0]
        words = [w for w in words if w in known]  # unknown words cannot score and bm25s rejects them
        if not words:
            return []
        k = min(k, len(self.catalogue))
        ids, scores = self.engine.retrieve([words], k=k, show_progress=False, weight_mask=allowed, n_threads=0)
        return [(self.catalogue[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]
