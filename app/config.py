"""All configuration, read from environment variables in one place.

| variable | default | meaning |
|---|---|---|
| JOINEDUP_DATA_DIR | data/ | Chroma store, BM25 index, manifest |
| JOINEDUP_CORPUS_DIR | corpus/ | documents/ and practices/ |
| JOINEDUP_COLLECTION | joinedup | Chroma collection name |
| JOINEDUP_BACKEND | extractive | answer backend (extractive, openai, ollama, llamacpp) |
| JOINEDUP_K | 8 | passages retrieved per question |
| JOINEDUP_RETRIEVER | hybrid | hybrid, dense or bm25 |
| JOINEDUP_CHUNK_SIZE | 900 | target chunk size in characters |
| JOINEDUP_CHUNK_OVERLAP | 150 | overlap between neighbouring chunks |
| JOINEDUP_MODEL_PATH | (packaged all-MiniLM-L6-v2) | sentence-transformers model directory |
| CHROMA_HOST / CHROMA_PORT | unset / 8000 | use a Chroma server instead of the embedded store |
| JOINEDUP_LLM_BASE_URL | unset | OpenAI-compatible endpoint (e.g. http://127.0.0.1:8080/v1) |
| JOINEDUP_LLM_MODEL | unset | model name for the OpenAI-compatible / Ollama backend |
| JOINEDUP_LLM_API_KEY / OPENAI_API_KEY | unset | key for the OpenAI-compatible endpoint |
| OLLAMA_HOST | http://127.0.0.1:11434 | Ollama server |
| JOINEDUP_GGUF_PATH | unset | GGUF model file for the llama.cpp backend |
| JOINEDUP_LLM_TIMEOUT | 60 | seconds before an LLM call is abandoned |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with :func:`load_settings`, vary with :meth:`with_`."""

    data_dir: Path = ROOT / "data"
    corpus_dir: Path = ROOT / "corpus"
    prompts_dir: Path = ROOT / "prompts"
    collection: str = "joinedup"
    backend: str = "extractive"
    k: int = 8
    retriever: str = "hybrid"
    chunk_size: int = 900
    chunk_overlap: int = 150
    model_path: str = ""
    chroma_host: str = ""
    chroma_port: int = 8000
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = field(default="", repr=False)
    ollama_host: str = "http://127.0.0.1:11434"
    gguf_path: str = ""
    llm_timeout: float = 60.0

    @property
    def documents_dir(self) -> Path:
        return self.corpus_dir / "documents"

    @property
    def practices_dir(self) -> Path:
        return self.corpus_dir / "practices"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def bm25_dir(self) -> Path:
        return self.data_dir / "bm25"

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / "manifest.json"

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (used by tests, evals and ablations)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings() -> Settings:
    """Read the environment once; every module takes a ``Settings`` instead of reading it."""
    return Settings(
        data_dir=_env_path("JOINEDUP_DATA_DIR", ROOT / "data"),
        corpus_dir=_env_path("JOINEDUP_CORPUS_DIR", ROOT / "corpus"),
        collection=_env("JOINEDUP_COLLECTION", "joinedup"),
        backend=_env("JOINEDUP_BACKEND", "extractive"),
        k=int(_env("JOINEDUP_K", "8")),
        retriever=_env("JOINEDUP_RETRIEVER", "hybrid"),
        chunk_size=int(_env("JOINEDUP_CHUNK_SIZE", "900")),
        chunk_overlap=int(_env("JOINEDUP_CHUNK_OVERLAP", "150")),
        model_path=_env("JOINEDUP_MODEL_PATH", ""),
        chroma_host=_env("CHROMA_HOST", ""),
        chroma_port=int(_env("CHROMA_PORT", "8000")),
        llm_base_url=_env("JOINEDUP_LLM_BASE_URL", ""),
        llm_model=_env("JOINEDUP_LLM_MODEL", ""),
        llm_api_key=_env("JOINEDUP_LLM_API_KEY", os.environ.get("OPENAI_API_KEY", "")),
        ollama_host=_env("OLLAMA_HOST", "http://127.0.0.1:11434"),
        gguf_path=_env("JOINEDUP_GGUF_PATH", ""),
        llm_timeout=float(_env("JOINEDUP_LLM_TIMEOUT", "60")),
    )
