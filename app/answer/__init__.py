"""Answer backends, chosen by name (``JOINEDUP_BACKEND`` or ``--backend``)."""

from __future__ import annotations

from app.answer.base import AnswerBackend, BackendError, Draft, DraftClaim
from app.config import Settings

BACKEND_NAMES = ("extractive", "openai", "ollama", "llamacpp")


def get_backend(name: str, settings: Settings) -> AnswerBackend:
    """Instantiate a backend; raises :class:`BackendError` naming what is missing."""
    if name == "extractive":
        from app.answer.extractive import ExtractiveBackend

        return ExtractiveBackend(settings)
    if name in ("openai", "ollama", "llamacpp"):
        from app.answer.llm import make_llm_backend

        return make_llm_backend(name, settings)
    raise BackendError(f"unknown backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")


__all__ = ["BACKEND_NAMES", "AnswerBackend", "BackendError", "Draft", "DraftClaim", "get_backend"]
