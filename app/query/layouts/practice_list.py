"""The practice list: for "which practices …", every card recording the asked values, each with its source quote."""

from __future__ import annotations

from app.core.cards import PracticeCard
from app.core.draft import DraftClaim
from app.core.models import Analysis
from app.core.text import has_word
from app.query.analyse import scan_names
from app.query.candidates import Candidate
from app.query.context import ComposeContext
from app.query.gather import recorded_values
from app.query.layouts.base import Layout
from app.query.practices import PracticeFinder


def card_text(card: PracticeCard) -> str:
    """What a card says of its practice in words: its names, summary and source quotes."""
    quotes = [q for field in card.sources.values() for q in field]
    return " ".join([card.title, card.original_title, *card.other_names, card.summary, *quotes])


def recorded_labels(groups: list[list[str]]) -> str:
    """What a list's practices record, read as the cards are matched: any value of a field, and every field
    ("older people or families, and health"; not "older people, families and health", which reads as all three)."""
    either = [f"{', '.join(g[:-1])} or {g[-1]}" if len(g) > 1 else g[0] for g in groups if g]
    return (", and " if any(len(g) > 1 for g in groups[:-1]) else " and ").join(either)


class PracticeList(Layout):
    """Lists the practices whose cards record what the question asks (the cards, not the passages retrieved, decide)."""

    def __init__(self, ctx: ComposeContext) -> None:
        super().__init__(ctx)
        self.finder = PracticeFinder(list(ctx.cards.values()), ctx.settings.finder, ctx.retriever)

    def run(self, analysis: Analysis, scored: list[Candidate]) -> tuple[list[DraftClaim], list[str]] | None:
        """Every card recording what a "which practices …" question asks, each with the card's source quote, and the
        notes on the practices it leaves out; None when the question asks no value the cards record.

        A practice the sources only list in a table is named in a note, not listed among the described ones.
        Where the report counts the value for all its practices (profile ``report_counts``), its table comes
        first, the asked row marked: the report names only some of the practices it counts, so the list of
        named practices is shorter than its count, and the answer says so rather than contradict it.
        """
        asked = recorded_values(analysis, self.profile)
        if not asked:
            return None
        cards = self.ctx.cards
        matching = [
            card for card in cards.values()
            if all(set(getattr(card, f)) & set(values) for f, values in asked.items())
            and (not analysis.countries or card.country in analysis.countries)
        ]  # fmt: skip
        described = [c for c in matching if c.title and c.summary]
        if not described:
            return None
        first = next(iter(asked))
        labels = recorded_labels([[self.profile.label(f, v) for v in vs] for f, vs in asked.items()])
        counted = self._report_count_rows(asked, scored) if len(asked) == 1 else []
        claims = self.claims(counted, self.profile.answer_text.report_count_heading) if counted else []
        heading = f"{len(described)} of {len(cards)} practices record {labels}"
        if counted:
            heading = f"The {len(described)} practices the sources name with {labels}"
        shown, further = self._closest(described, f"{analysis.question} {analysis.topic}".strip())
        if further:
            heading += f": the {len(shown)} closest to the question"
        for card in shown:
            chunk = self.ctx.retriever.chunk_of_card(card.code)
            if chunk is None:
                continue
            facts = {f.fact_field: f for f in self.ctx.builder.card_facts(card, chunk, analysis, 0)}
            fact = facts.get(first) or next((facts[f] for f in asked if f in facts), None) or facts.get("summary")
            if fact is not None:
                claims.append(fact.claim(heading))
        notes = []
        if counted:
            notes.append(
                "The report counts these practices in its table above but names only some of them; the list gives those "
                "the sources name, from the practice cards."
            )
        if further:
            named = "; ".join(f"{c.code} {c.title} ({c.country})" for c in further)
            notes.append(f"Also recording {labels}, further from what the question describes: {named}.")
        listed_only = sorted(c.code for c in matching if c not in described)
        if listed_only:
            notes.append(
                f"Also recorded for {', '.join(listed_only)}, which the sources list only in their tables, without a description."
            )
        return (claims, notes) if claims else None

    def _closest(self, cards: list[PracticeCard], question: str) -> tuple[list[PracticeCard], list[PracticeCard]]:
        """The cards a list shows with their quotes, closest to the question first (those whose own text has a place or name
        the question gives before all), and the further ones it only names.

        A list of up to ``finder.max_shown`` practices is shown whole. A longer one comes from a question that names a
        broad value and describes more ("which practice let GPs prescribe home improvements?" records "health", as 21
        practices do): the practices close to the question are shown and the rest only named. Closeness and its floor
        are the practice finder's description search (``finder.relevance_floor``), measured on
        ``evals/finder_situations*.jsonl``."""
        close = self.finder.closeness(question, [c.code for c in cards])
        # A place or name the question gives that a card's own text has ("… home care in Tampere": Kotitori's) says
        # which practice is meant, however close the description search finds another.
        names = [n for n, starts_sentence in scan_names(question) if not starts_sentence]
        texts = {c.code: card_text(c) for c in cards} if names else {}
        named = {c.code: sum(has_word(texts[c.code], n, ignore_case=True) for n in names) for c in cards}
        ordered = sorted(cards, key=lambda c: (-named[c.code], -close.get(c.code, 0.0), c.code))
        floor, most = self.ctx.settings.finder.relevance_floor, self.ctx.settings.finder.max_shown
        if len(ordered) <= most:
            return ordered, []
        shown = [c for c in ordered if named[c.code] or close.get(c.code, 0.0) >= floor][:most] or ordered[:most]
        return shown, [c for c in ordered if c not in shown]

    def _report_count_rows(self, asked: dict[str, list[str]], scored: list[Candidate]) -> list[Candidate]:
        """The rows of the report's own count (profile ``report_counts``) that count an asked card value."""
        rows = []
        for fld, values in asked.items():
            spec = self.profile.report_counts.get(fld)
            if spec is None:
                continue
            rows += [
                c for c in scored
                if c.kind == "table_row" and c.table is not None and c.table.id == spec.table and c.row
                and spec.value_of(c.row[0]) in values
            ]  # fmt: skip
        return rows
