"""Recommendation answers for design questions ("how should we integrate X for group Y?").

The answer is built theme by theme along the corpus profile's recommendation
themes (the DMIC clusters, then the report's barriers and facilitators), then the
report's recommendations for the asker's audience, and comparable practices from
the cards. Each theme has its own retrieval, aimed at the theme and at the target
group and sectors found in the question; a theme with nothing relevant is left out
rather than padded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.answer.base import Draft, DraftClaim
from app.answer.extractive import ExtractiveBackend
from app.config import RecommendSettings
from app.corpus_profile import CorpusProfile, Theme
from app.models import Passage
from app.practices import PracticeFinder, PracticeQuery
from app.retrieve import Filters, Retriever

_DESIGN = re.compile(
    r"^\s*(how (should|can|could|do|would|might|to)\b|what should\b|what (would|do) you (recommend|advise)\b)"
    r"|\b(recommend|advise|advice|best way to|design|set up|setting up)\b",
    re.I,
)
NOT_ANSWERED = "The documents in this corpus do not answer this question."


@dataclass
class QuestionProfile:
    """What the question says about who it is for, which sectors, and who is asking."""

    target_groups: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)


def question_profile(question: str, profile: CorpusProfile) -> QuestionProfile:
    """Target groups, sectors and audiences a question names, from the corpus profile's synonyms."""
    return QuestionProfile(
        profile.detect("target_groups", question),
        profile.detect("sectors", question),
        [a.name for a in profile.detect_audiences(question)],
    )


def is_design_question(question: str) -> bool:
    """ "How should we …", "what should a municipality …": asks for a recommendation, not a fact."""
    return bool(_DESIGN.search(question))


class Recommender:
    """Composes a sectioned, cited recommendation with the extractive scorer."""

    def __init__(
        self, retriever: Retriever, finder: PracticeFinder | None, scorer: ExtractiveBackend, config: RecommendSettings
    ) -> None:
        self.retriever = retriever
        self.finder = finder
        self.scorer = scorer
        self.config = config
        self.profile = retriever.profile

    def themes(self, asked: QuestionProfile) -> list[Theme]:
        """The profile's themes, then the recommendations for each audience of the question."""
        by_name = {a.name: a for a in self.profile.audiences}
        audiences = [by_name[name] for name in asked.audiences]
        return [
            *self.profile.recommendation_themes,
            *(Theme(heading=f"Recommendations for {a.label}", terms=a.terms, section=a.section) for a in audiences),
        ]

    def compose(self, question: str) -> tuple[Draft, list[Passage]]:
        """The draft and the ranked passages it drew on (the question's own retrieval first, then each theme's)."""
        cfg = self.config
        # A design question about something the corpus does not cover gets a refusal, not themes.
        ranked = self.retriever.search(question, cfg.passages_per_theme)
        if not self.scorer.supports(self.scorer.score_sentences(question, ranked)):
            return Draft(supported=False, refusal=NOT_ANSWERED), ranked
        passages = list(ranked)
        asked = question_profile(question, self.profile)
        claims: list[DraftClaim] = []
        used: set[str] = set()
        for theme in self.themes(asked):
            query = f"{question} {theme.terms}"
            hits = self.retriever.hybrid(
                query, cfg.passages_per_theme, Filters(section=theme.section, source_types=("report", "paper"))
            )
            scored = [s for s in self.scorer.score_sentences(query, hits) if s.text not in used]
            threshold = cfg.theme_threshold if theme.section is None else cfg.section_theme_threshold
            for s in [s for s in scored[: cfg.sentences_per_theme] if s.score >= threshold]:
                used.add(s.text)
                idx = _index_of(passages, hits[s.passage])
                claims.append(DraftClaim(text=s.text, sources=[idx], quote=s.text, heading=theme.heading))
        claims += self._practices(question, asked, passages)
        if not claims:
            return Draft(supported=False, refusal=NOT_ANSWERED), passages
        group = ", ".join(self.profile.label("target_groups", g) for g in asked.target_groups) or "your service"
        preface = f"What the evidence says about designing integrated support for {group}, by theme:"
        return Draft(claims=claims, preface=preface), passages

    def _practices(self, question: str, asked: QuestionProfile, passages: list[Passage]) -> list[DraftClaim]:
        """Comparable practices: cards matching the target group (and a sector), most similar first."""
        if self.finder is None:
            return []
        n = self.config.practices
        query = PracticeQuery(
            target_group=asked.target_groups[0] if asked.target_groups else None,
            sector=next((s for s in asked.sectors if s != "health"), asked.sectors[0] if asked.sectors else None),
            like=question,
            limit=n,
        )
        matches = self.finder.find(query) or self.finder.find(
            PracticeQuery(target_group=query.target_group, like=question, limit=n)
        )
        claims = []
        for m in matches:
            chunk = self.retriever.chunk_of_card(m.code)
            if chunk is None:
                continue
            idx = _index_of(passages, Passage(chunk=chunk, score=m.score))
            first = chunk.text.split(". ")[0].rstrip(".") + "."
            claims.append(DraftClaim(text=first, sources=[idx], quote=first, heading="Comparable practices"))
        return claims


def _index_of(passages: list[Passage], passage: Passage) -> int:
    """The passage's index in the list, appending it when it is new."""
    for i, p in enumerate(passages):
        if p.chunk.id == passage.chunk.id:
            return i
    passages.append(passage)
    return len(passages) - 1
