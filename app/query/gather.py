"""The passages an answer is composed from: the retrieved ones, and those its route adds (recommendations, the
barriers table, named or matching practice cards, each document's closest passages, the report's own counts)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.corpus_profile import CURATED_SOURCE_TYPES, CorpusProfile
from app.core.draft import AddedPassage
from app.core.models import Analysis, Chunk, Passage
from app.query.barriers import BarriersTable
from app.query.context import ComposeContext
from app.query.differences import asks_agreement
from app.query.retrieve import Filters


@dataclass
class PassagePool:
    """The passages a draft is composed from: the retrieved ones (the caller's list is never changed), then those
    composition adds, each recorded with the step that added it."""

    passages: list[Passage]
    added: list[AddedPassage] = field(default_factory=list)

    def add(self, chunk: Chunk | None, step: str) -> None:
        if chunk is not None and all(p.chunk.id != chunk.id for p in self.passages):
            passage = Passage(chunk=chunk, score=0.0)
            self.passages.append(passage)
            self.added.append(AddedPassage(passage, step))


def recorded_values(analysis: Analysis, profile: CorpusProfile) -> dict[str, list[str]]:
    """The card-field values a question asks practices to have ("older people", "one-stop shop", "pooled")."""
    asked = {"target_groups": analysis.target_groups, "sectors": analysis.sectors}
    for fld in ("delivery_models", "funding"):
        asked[fld] = profile.detect(fld, analysis.question)
    return {f: v for f, v in asked.items() if v}


class Gatherer:
    """Adds to the retrieved passages what the question's route needs."""

    def __init__(self, ctx: ComposeContext, barriers: BarriersTable) -> None:
        self.ctx = ctx
        self.retriever = ctx.retriever
        self.profile = ctx.profile
        self.config = ctx.config
        self.barriers = barriers

    def run(self, analysis: Analysis, query: str, passages: list[Passage]) -> PassagePool:
        """The retrieved passages and those the question's route adds (recommendations, the barriers table, cards)."""
        pool = PassagePool(list(passages))
        if analysis.route == "recommend":
            self._add_recommendations(analysis, pool)
        if analysis.route == "recommend" or self.barriers.asked(analysis):
            pool.add(self.table_chunk(self.barriers.id), "barriers_table")
        if asks_agreement(analysis.question):
            self._add_each_document(query, pool)
        if analysis.practices:
            self._add_cards(analysis.practices, pool)
        elif analysis.route in {"recommend", "practices"}:
            self._add_matching_cards(analysis, query, pool)
            if analysis.route == "practices":  # the report's own count of what the cards are asked for (its Table 7 …)
                for fld in recorded_values(analysis, self.profile):
                    spec = self.profile.report_counts.get(fld)
                    pool.add(self.table_chunk(spec.table) if spec else None, "report_count")
        return pool

    def table_chunk(self, table_id: str) -> Chunk | None:
        """The indexed passage of one of the corpus's tables."""
        return next((c for c in self.retriever.catalogue if c.extra.get("table_id") == table_id), None)

    def _add_recommendations(self, analysis: Analysis, pool: PassagePool) -> None:
        """The report's recommendations for the audiences, and the barriers-and-facilitators table."""
        audiences = set(analysis.audiences or self.profile.default_audiences)
        for units in self.retriever.units_by_doc.values():
            for u in units:
                if u.kind == "recommendation" and u.audience in audiences:
                    pool.add(self.retriever.chunk_at(u.doc_id, u.start), "recommendations")
        pool.add(self.table_chunk(self.barriers.id), "barriers_table")

    def _add_matching_cards(self, analysis: Analysis, query: str, pool: PassagePool) -> None:
        """The cards of practices that fit the question's country, target group and sector, most similar first.

        A second retrieval, over the cards only: the question's own passages rarely include enough cards to
        list comparable practices. What it adds is recorded as step ``matching_cards``.
        """
        hits = self.retriever.hybrid(query, self.config.practice_pool, Filters(source_types=("practice_card",)))
        fitting = []
        for p in hits:
            card = self.ctx.cards.get(p.chunk.practice_codes[0]) if p.chunk.practice_codes else None
            if card is None or (card.listed_only_in_tables and card.code not in analysis.practices):
                continue  # a practice the sources neither name nor describe is no model to compare with
            if analysis.countries and card.country not in analysis.countries:
                continue
            if analysis.target_groups and not set(card.target_groups) & set(analysis.target_groups):
                continue
            if analysis.sectors and not set(card.sectors) & set(analysis.sectors):
                continue
            fitting.append(p.chunk)
        for chunk in fitting[: self.config.practices * self.config.cards_per_practice]:
            pool.add(chunk, "matching_cards")

    def _add_each_document(self, query: str, pool: PassagePool) -> None:
        """For "do the sources agree …": the passages of each curated document closest to the question, so both
        documents can answer (the question's own search often finds only the one that uses its words)."""
        for source_type in sorted(CURATED_SOURCE_TYPES):
            if not any(p.chunk.source_type == source_type for p in pool.passages):
                for p in self.retriever.hybrid(query, self.config.passages_per_document, Filters(source_types=(source_type,))):
                    pool.add(p.chunk, "each_document")

    def _add_cards(self, codes: list[str], pool: PassagePool) -> None:
        for code in codes:
            pool.add(self.retriever.chunk_of_card(code), "named_cards")
