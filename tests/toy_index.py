"""A hand-made index for unit tests: real Chroma on disk and a real BM25 index, with toy vectors (no model).

Each text's vector marks the concepts its words belong to, so "pooled budgets" and "joint funding" are
close (both FUNDING) while sharing no word: dense search finds what BM25 cannot, as with the real model.
"""

from __future__ import annotations

import re

import numpy as np

from app.core.config import Settings
from app.core.models import Chunk, Unit
from app.index.bm25 import BM25Index
from app.index.embeddings import DIMENSION, VectorCache
from app.index.index import Index
from app.index.store import Store
from app.query.retrieve import Retriever

CONCEPTS = {
    "funding": ("pooled", "budget", "budgets", "joint", "funding", "funded", "financed", "finance"),
    "training": ("training", "trained", "skills", "learning"),
    "housing": ("housing", "homeless", "shelter"),
    "elders": ("older", "elderly", "home", "care"),
}


def toy_vector(text: str) -> np.ndarray:
    """A unit vector: one dimension per concept the text's words name, and a little of a shared one."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    vec = np.zeros(DIMENSION, dtype=np.float32)
    for i, members in enumerate(CONCEPTS.values()):
        vec[i] = len(words & set(members))
    vec[DIMENSION - 1] = 0.1  # no text is orthogonal to every other
    return vec / np.linalg.norm(vec)


def toy_vectors(texts: list[str]) -> np.ndarray:
    return np.stack([toy_vector(t) for t in texts]) if texts else np.zeros((0, DIMENSION), dtype=np.float32)


def chunk(cid: str, text: str, source_type: str = "report", section: str = "Literature review", doc: str = "doc", **kw) -> Chunk:
    """A chunk that is the whole of its document (so its units start inside it)."""
    kw.setdefault("char_end", len(text))
    return Chunk(id=cid, text=text, doc_id=doc, doc_title=f"Document {doc}", source_type=source_type, section=section, **kw)


def sentence_units(c: Chunk) -> list[Unit]:
    """One sentence unit per sentence of a chunk, at its offsets in the document."""
    units, offset = [], c.char_start
    for sentence in re.findall(r"[^.]+\.", c.text):
        start = offset + c.text[offset - c.char_start :].index(sentence.strip())
        units.append(
            Unit(kind="sentence", text=sentence.strip(), lead=sentence.strip(), doc_id=c.doc_id, section=c.section, start=start)
        )
        offset = start + len(sentence.strip())
    return units


def build(settings: Settings, chunks: list[Chunk]) -> Retriever:
    """Store the chunks (vectors, sentence vectors, keyword index, evidence units) and open a retriever on them."""
    store = Store(settings)
    store.add(chunks, toy_vectors([c.context_text() for c in chunks]))
    sentences = [(c.id, c.source_type, u.text) for c in chunks for u in sentence_units(c)]
    store.add_sentences(sentences, toy_vectors([s for _, _, s in sentences]))
    index = Index(settings)
    by_doc: dict[str, list[Unit]] = {}
    for c in chunks:
        if c.source_type != "practice_card":
            by_doc.setdefault(c.doc_id, []).extend(sentence_units(c))
    for doc_id, units in by_doc.items():
        index.put_units(doc_id, units)
    keywords = BM25Index(chunks)
    keywords.save(store.generation.bm25_dir)
    retriever = Retriever(settings, store, keywords)
    retriever.vectors = VectorCache(settings, encode=toy_vectors)
    return retriever
