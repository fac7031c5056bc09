"""Answer backends, registered by name (``JOINEDUP_BACKEND``, ``--backend``, the app's settings).

Every backend plugs into one small abstraction (:class:`AnswerBackend.compose`);
retrieval, the guard and citation numbering are the same for all of them. The
extractive backend is built by the assistant (it needs the index and the cards);
the registry builds the LLM backends from the settings.
"""

from __future__ import annotations

from collections.abc import Callable

from app.core.config import Settings
from app.query.backends.base import AnswerBackend, BackendError, Draft, DraftClaim


def _llm(name: str, settings: Settings) -> AnswerBackend:
    from app.query.backends.llm import make_llm_backend  # LangChain is imported only when an LLM is chosen

    return make_llm_backend(name, settings)


BACKENDS: dict[str, Callable[[str, Settings], AnswerBackend]] = {
    "openai": _llm,
    "ollama": _llm,
    "llamacpp": _llm,
}
BACKEND_NAMES = ("extractive", *BACKENDS)


def get_backend(name: str, settings: Settings) -> AnswerBackend:
    """Instantiate an LLM backend; raises :class:`BackendError` naming what is missing."""
    factory = BACKENDS.get(name)
    if factory is None:
        raise BackendError(f"unknown backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")
    return factory(name, settings)


__all__ = ["BACKENDS", "BACKEND_NAMES", "AnswerBackend", "BackendError", "Draft", "DraftClaim", "get_backend"]
