"""The answer-backend abstraction: every backend turns (question, passages) into a :class:`Draft`.

A backend only composes; retrieval, citation numbering, the grounding guard
and the Answer object are the same for all backends (see :mod:`app.ask`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from app.models import Passage


class BackendError(RuntimeError):
    """The backend is misconfigured or unreachable; the message tells the user which and why."""


@dataclass
class DraftClaim:
    """One statement and the passages (indices into the retrieved list) it rests on."""

    text: str
    sources: list[int]
    quote: str | None = None  # the verbatim supporting sentence, when the backend knows it
    heading: str = ""  # optional group heading (e.g. a DMIC cluster) for structured answers


@dataclass
class Draft:
    claims: list[DraftClaim] = field(default_factory=list)
    supported: bool = True
    preface: str = ""
    refusal: str = ""


class AnswerBackend(ABC):
    """Base class for answer backends; subclasses set ``name`` and implement :meth:`compose`."""

    name: str = ""

    @abstractmethod
    def compose(self, question: str, passages: list[Passage]) -> Draft:
        """Compose a draft answer from retrieved passages only."""
