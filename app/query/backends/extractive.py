"""The offline default backend: states and cites the sources' own evidence, composed by answer type.

It never writes a sentence of its own beyond headings, card facts (each cited to the
source quote the card records) and notes on the evidence, so it cannot invent evidence.
The work is done by :class:`app.query.compose.Composer`.
"""

from __future__ import annotations

from app.core.models import Analysis, Passage
from app.query.backends.base import AnswerBackend, Draft
from app.query.compose import Composer


class ExtractiveBackend(AnswerBackend):
    """Answers with the passages' own typed evidence."""

    name = "extractive"

    def __init__(self, composer: Composer) -> None:
        self.composer = composer

    def compose(self, question: str, passages: list[Passage], analysis: Analysis) -> Draft:
        return self.composer.compose(analysis, question, passages)
