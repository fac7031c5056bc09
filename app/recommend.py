"""Recommendation answers for design questions ("how should we integrate X for group Y?").

The answer is built facet by facet along the integration framework the
documents use (the DMIC clusters), then the report's barriers and
facilitators, its recommendations for the asker's role, and comparable
practices from the cards. Each facet has its own retrieval, aimed at the
facet and at the target group and sectors found in the question; a facet
with nothing relevant is left out rather than padded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.answer.base import Draft, DraftClaim
from app.answer.extractive import SUPPORT_THRESHOLD, ExtractiveBackend
from app.models import Passage
from app.practices import PracticeFinder, PracticeQuery
from app.retrieve import Filters, Retriever

_DESIGN = re.compile(
    r"^\s*(how (should|can|could|do|would|might|to)\b|what should\b|what (would|do) you (recommend|advise)\b)"
    r"|\b(recommend|advise|advice|best way to|design|set up|setting up)\b",
    re.I,
)
TARGET_GROUPS = {
    "older_people": r"older (people|persons|adults)|elderly|seniors|frail",
    "young_people": r"young (people|adults|jobseekers|unemployed)|youth|adolescent",
    "children": r"\bchild(ren)?\b|early (childhood|intervention)",
    "families": r"\bfamil(y|ies)\b|parents",
    "unemployed_people": r"unemploy|jobseeker|job seeker|out of work",
    "people_with_disabilities": r"disabilit|disabled",
    "people_with_mental_health_problems": r"mental (health|illness)|psychiatr",
}
SECTORS = {
    "health": r"\bhealth|hospital|\bgps?\b|medical",
    "education": r"educat|school|teacher",
    "employment": r"employ|\bjobs?\b|labour market|jobseeker",
    "housing": r"housing|homeless",
}
ROLES = {
    "POLICY-MAKERS": r"polic(y|ies)|municipalit|government|ministr|region|national|council|commission",
    "PRACTITIONERS": r"practitioner|\bteams?\b|manager|social worker|professional|front-?line|staff",
    "RESEARCHERS": r"research|evaluat(e|or)|academic",
}


@dataclass(frozen=True)
class Facet:
    heading: str
    terms: str
    section: str | None = None
    sentences: int = 2


FACETS = (
    Facet("Person-centredness", "user involvement person-centred personalised services co-production needs"),
    Facet("Delivery system", "service delivery one-stop shop case-management single point of access shared information ICT"),
    Facet("Inter-professional teamwork and roles", "inter-professional teamwork multidisciplinary team roles responsibilities"),
    Facet("Performance and quality", "monitoring evaluation outcomes measurement performance quality"),
    Facet("Learning", "joint training learning skills professional learning climate"),
    Facet("Commitment", "commitment of stakeholders shared vision trust"),
    Facet("Leadership, funding and innovation", "funding pooled budgets leadership innovation sustainability"),
    Facet("Barriers and facilitators (report, Table 8)", "barriers facilitators", section="Facilitators and barriers"),
)
FACET_THRESHOLD = 0.45  # a facet's best sentence must reach this, or the facet is left out
PER_FACET_PASSAGES = 6


@dataclass
class Profile:
    """What the question says about who it is for, which sectors, and who is asking."""

    target_groups: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)


def _detect(question: str, patterns: dict[str, str]) -> list[str]:
    return [name for name, pattern in patterns.items() if re.search(pattern, question, re.I)]


def profile_of(question: str) -> Profile:
    roles = _detect(question, ROLES)
    return Profile(_detect(question, TARGET_GROUPS), _detect(question, SECTORS), roles or ["POLICY-MAKERS", "PRACTITIONERS"])


def is_design_question(question: str) -> bool:
    """ "How should we …", "what should a municipality …": asks for a recommendation, not a fact."""
    return bool(_DESIGN.search(question))


class Recommender:
    """Composes a sectioned, cited recommendation with the extractive scorer."""

    def __init__(self, retriever: Retriever, finder: PracticeFinder | None, scorer: ExtractiveBackend) -> None:
        self.retriever = retriever
        self.finder = finder
        self.scorer = scorer

    def compose(self, question: str) -> tuple[Draft, list[Passage]]:
        # A design question about something the corpus does not cover gets a refusal, not themes.
        plain = self.retriever.search(question, PER_FACET_PASSAGES)
        scored = self.scorer.score_sentences(question, plain)
        if not scored or scored[0].score < SUPPORT_THRESHOLD:
            return Draft(supported=False, refusal="The documents in this corpus do not answer this question."), plain
        profile = profile_of(question)
        passages: list[Passage] = []
        claims: list[DraftClaim] = []
        used: set[str] = set()
        roles = [Facet(f"Recommendations for {r.lower()}", "recommendation", f"Recommendations > {r}") for r in profile.roles]
        facets = [*FACETS, *roles]
        for facet in facets:
            query = f"{question} {facet.terms}"
            hits = self.retriever.hybrid(
                query, PER_FACET_PASSAGES, Filters(section=facet.section, source_types=("report", "paper"))
            )
            scored = [s for s in self.scorer.score_sentences(query, hits) if s.text not in used]
            threshold = FACET_THRESHOLD if facet.section is None else FACET_THRESHOLD - 0.1
            chosen = [s for s in scored[: facet.sentences] if s.score >= threshold]
            for s in chosen:
                used.add(s.text)
                idx = _index_of(passages, hits[s.passage])
                claims.append(DraftClaim(text=s.text, sources=[idx], quote=s.text, heading=facet.heading))
        claims += self._practices(question, profile, passages)
        if not claims:
            return Draft(supported=False, refusal="The documents in this corpus do not answer this question."), passages
        group = ", ".join(g.replace("_", " ") for g in profile.target_groups) or "your service"
        preface = f"What the evidence says about designing integrated support for {group}, by theme:"
        return Draft(claims=claims, preface=preface), passages

    def _practices(self, question: str, profile: Profile, passages: list[Passage]) -> list[DraftClaim]:
        """Up to three comparable practices: cards matching the target group (and a sector), most similar first."""
        if self.finder is None:
            return []
        query = PracticeQuery(
            target_group=profile.target_groups[0] if profile.target_groups else None,
            sector=next((s for s in profile.sectors if s != "health"), profile.sectors[0] if profile.sectors else None),
            like=question,
            limit=3,
        )
        matches = self.finder.find(query) or self.finder.find(
            PracticeQuery(target_group=query.target_group, like=question, limit=3)
        )
        claims = []
        for m in matches:
            chunk = self.retriever.card_chunk(m.code)
            if chunk is None:
                continue
            idx = _index_of(passages, Passage(chunk=chunk, score=m.score))
            first = chunk.text.split(". ")[0].rstrip(".") + "."
            claims.append(DraftClaim(text=first, sources=[idx], quote=first, heading="Comparable practices"))
        return claims


def _index_of(passages: list[Passage], passage: Passage) -> int:
    for i, p in enumerate(passages):
        if p.chunk.id == passage.chunk.id:
            return i
    passages.append(passage)
    return len(passages) - 1
