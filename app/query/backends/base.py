"""The answer-backend abstraction: every backend turns (question, passages, analysis) into a :class:`Draft`.

A backend only composes; retrieval, citation numbering, the grounding guard
and the Answer object are the same for all backends (see :mod:`app.query.ask`).
Claims cite passages by chunk id.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from app.core.draft import Draft, DraftClaim
from app.core.models import Analysis, Passage

__all__ = ["AnswerBackend", "BackendError", "Draft", "DraftClaim"]


class BackendError(RuntimeError):
    """The backend is misconfigured or unreachable; the message tells the user which and why."""


class AnswerBackend(ABC):
    """Base class for answer backends; subclasses set ``name`` and implement :meth:`compose`."""

    name: str = ""

    @abstractmethod
    def compose(self, question: str, passages: list[Passage], analysis: Analysis) -> Draft:
        """Compose a draft answer from the retrieved passages only; any passage it adds is listed in ``Draft.added``."""
