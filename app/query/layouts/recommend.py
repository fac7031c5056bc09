"""The design layout: the report's recommendations for the asker's audience first, the rows of the barriers table the
question's aspects concern, then supporting evidence and comparable practices."""

from __future__ import annotations

from app.core.draft import Draft, DraftClaim
from app.core.models import Analysis
from app.core.refusals import refusal
from app.query.barriers import BarriersTable
from app.query.candidates import Candidate
from app.query.context import ComposeContext
from app.query.layouts.base import Layout
from app.query.layouts.evidence import EvidenceLayout
from app.query.parts import ScoredPart
from app.query.selection import pick


class RecommendLayout(Layout):
    """Lays out a design question ("how should we …"): what the report recommends, then the evidence behind it."""

    def __init__(self, ctx: ComposeContext, barriers: BarriersTable, evidence: EvidenceLayout) -> None:
        super().__init__(ctx)
        self.barriers = barriers
        self.evidence = evidence

    def run(self, analysis: Analysis, scored: list[Candidate], parts: list[ScoredPart] | None = None) -> Draft:
        """The draft of a design question; the evidence layout's when no recommendation speaks to it (``parts``: the
        question's parts scored, when the caller has them, passed on to it)."""
        cfg = self.config
        audiences = analysis.audiences or self.profile.default_audiences
        recs = [
            c for c in scored
            if c.kind == "recommendation" and c.audience in audiences and c.chunk.source_type != "user_document"
        ]  # fmt: skip
        floor = self.floor(scored)
        if analysis.answer_type == "list" and not analysis.aspects:
            chosen = sorted(recs, key=lambda c: (audiences.index(c.audience), c.chunk.char_start, c.quote))
        else:
            # A recommendation is shown as any statement is: not far below the best evidence. The report's
            # recommendations are added to every design question's passages; most are about something else.
            chosen = pick(recs, cfg.recommendations, [], floor, overlap=cfg.duplicate_overlap)
            if not chosen:  # none speaks to the question: the evidence answers it, as any other question
                return self.evidence.run(analysis, scored, parts)
        claims: list[DraftClaim] = []
        for c in chosen:
            label = next((a.label for a in self.profile.audiences if a.name == c.audience), c.audience.lower())
            claims.append(c.claim(f"What the report recommends ({label})"))
        if analysis.answer_type == "list" and not analysis.aspects and chosen:
            return Draft(claims=claims)  # "what does the report recommend to …": its recommendations, nothing else
        claims += self.claims(self.barriers.rows(analysis, scored), self.profile.answer_text.barriers_table_heading)
        # Any statement of the evidence supports the recommendations, as in any answer: limited to those on the asked
        # aspect, the literature's "appoint an independent chair" was left out of a question on leadership set-ups.
        rest = [c for c in scored if c.kind not in {"recommendation", "table_row", "card_fact"}]
        support = self.supporting(rest, chosen, floor, claims)
        claims += self.grouped(support, analysis)
        claims += self.practice_lines(analysis, scored, [*chosen, *support])
        if not claims:
            return Draft(supported=False, refusal=refusal("not_answered"))
        return Draft(claims=claims, notes=self.notes(analysis, [*chosen, *support]))
