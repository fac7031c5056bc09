"""What every step of composing an answer reads: the settings, the index, the cards, the candidate builder, the ranker."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.cards import PracticeCard
from app.core.config import AnswerSettings, Settings
from app.core.corpus_profile import CorpusProfile
from app.query.candidates import CandidateBuilder
from app.query.learned import Ranker
from app.query.retrieve import Retriever


@dataclass(frozen=True)
class ComposeContext:
    """Shared, read-only inputs of the composition steps (built once per assistant by ``Composer``)."""

    settings: Settings
    retriever: Retriever
    cards: dict[str, PracticeCard]
    builder: CandidateBuilder
    ranker: Ranker  # the statement ranker: its scores order statements, its ``keep_ratio`` is the shown floor

    @property
    def config(self) -> AnswerSettings:
        return self.settings.answer

    @property
    def profile(self) -> CorpusProfile:
        return self.retriever.profile
