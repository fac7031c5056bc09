"""What the answer layouts share: turning chosen statements into claims (a table whole), supporting statements grouped
by what they say, comparable practices one per practice, and the notes on what the evidence does not cover."""

from __future__ import annotations

from dataclasses import replace

from app.core.draft import DraftClaim
from app.core.models import Analysis
from app.core.tables import Table
from app.core.text import content_terms
from app.query.candidates import Candidate
from app.query.context import ComposeContext
from app.query.labels import evidence_label
from app.query.selection import CitationBudget, pick

_PRACTICES = "practices"  # the topic of a card's "what it is": the practice itself


def names_row(question: str, row: list[str]) -> bool:
    """Whether a question names a table row: at least half the words of its label ("pooled funding" names
    "Joint/pooled funding"; "funding types" names none of the funding rows)."""
    label = set(content_terms(row[0])) if row else set()
    return bool(label) and len(label & set(content_terms(question))) * 2 >= len(label)


def _rank(order: list[str], kind: str) -> int:
    return order.index(kind) if kind in order else len(order)


class Layout:
    """Base of the layouts: the shared context and the steps every layout uses."""

    def __init__(self, ctx: ComposeContext) -> None:
        self.ctx = ctx
        self.config = ctx.config
        self.profile = ctx.profile

    def floor(self, scored: list[Candidate]) -> float:
        """The score a statement needs to be shown: the ranker's share of the best one's."""
        return scored[0].score * self.ctx.ranker.keep_ratio

    def about_aspect(self, c: Candidate, analysis: Analysis) -> bool:
        """A statement shown under an aspect must be about it (its words, or the card field that records it)."""
        if not analysis.aspects:
            return True
        fields = {self.profile.aspects[a].card_field for a in analysis.aspects}
        if c.kind == "card_fact" and any(f and self.ctx.builder.card_labels.get(f, "") in c.text for f in fields):
            return True
        return any((p := self.profile.aspect_pattern(a)) and p.search(c.text) for a in analysis.aspects)

    def fits_filters(self, c: Candidate, analysis: Analysis) -> bool:
        """For "which practices …": a practice statement must be about a practice of the asked country and group."""
        if not c.codes:
            return c.kind != "card_fact"
        cards = [self.ctx.cards[code] for code in c.codes if code in self.ctx.cards]
        if analysis.countries and not any(card.country in analysis.countries for card in cards):
            return False
        return not (analysis.target_groups and not any(set(card.target_groups) & set(analysis.target_groups) for card in cards))

    def one_per_practice(self, facts: list[Candidate], analysis: Analysis, n: int) -> list[Candidate]:
        """The best fact of each practice, in order: the asked aspect's card field first, else what the practice is."""
        asked = [f for a in analysis.aspects if (f := self.profile.aspects[a].card_field)]
        wanted = asked or ["summary"]
        chosen: dict[str, Candidate] = {}
        for c in facts:
            if asked and c.kind == "card_fact" and c.fact_field not in asked:
                continue  # a card silent on the asked field is named in the notes, not padded with another fact
            if asked and c.kind != "card_fact" and not self.about_aspect(c, analysis):
                continue
            code = c.codes[0]
            current = chosen.get(code)
            better = current is None or (c.fact_field in wanted and current.fact_field not in wanted)
            if better and (current is not None or len(chosen) < n):
                chosen[code] = c
        return list(chosen.values())

    def recorded_facts(self, scored: list[Candidate], analysis: Analysis) -> list[Candidate]:
        """The named practices' card facts on the asked aspects, one a practice (none when no practice is named or no
        aspect is asked)."""
        if not (analysis.practices and analysis.aspects):
            return []
        facts = [c for c in scored if c.kind == "card_fact" and set(c.codes) & set(analysis.practices)]
        return self.one_per_practice(facts, analysis, len(analysis.practices))

    def claims(self, chosen: list[Candidate], heading: str, question: str | None = None) -> list[DraftClaim]:
        """Claims for candidates; table rows of one table become one Markdown table. A table shown whole marks the rows
        the ``question`` names (none when it names none: "show me all the funding types" asks no one row); without a
        question, the chosen rows."""
        claims: list[DraftClaim] = []
        rows = [c for c in chosen if c.kind == "table_row" and c.table is not None]
        if rows and rows[0].table is not None:
            table = rows[0].table
            selected = [c.row for c in rows if c.table is table]
            # A table that counts something is shown whole, largest first, the asked rows in bold: one row of a
            # distribution ("20 practices pooled their budgets") does not say whether that is most of them.
            whole = table.count_column() is not None and len(table.rows) <= self.config.max_table_rows
            shown = table.by_count() if whole else selected
            marked = selected if question is None else [r for r in table.rows if names_row(question, r)]
            text = table.caption + ": " + " … ".join(Table.quote(r) for r in selected)
            claims.append(
                DraftClaim(
                    text=text,
                    sources=[rows[0].chunk.id],
                    quote=" … ".join(Table.quote(r) for r in selected),
                    heading=heading,
                    table_md=table.markdown(shown, marked=marked if whole and len(marked) < len(table.rows) else None),
                    caption=table.caption,
                )
            )
        claims += [c.claim(heading) for c in chosen if c.kind != "table_row"]
        return claims

    def supporting(
        self, rest: list[Candidate], taken: list[Candidate], floor: float, claims: list[DraftClaim]
    ) -> list[Candidate]:
        """The supporting statements: the best of ``rest`` above the floor, repeating none taken, within the citations
        ``answer.supporting_citations`` allows beyond those the ``claims`` so far make."""
        budget = CitationBudget.beyond(claims, self.ctx.retriever.chunks_by_id, self.config.supporting_citations)
        return pick(rest, self.config.supporting, taken, floor, overlap=self.config.duplicate_overlap, budget=budget)

    def grouped(self, support: list[Candidate], analysis: Analysis) -> list[DraftClaim]:
        """Supporting statements as claims grouped by what they say, each naming its kind of evidence.

        A statement's topic (:meth:`topic`) heads its group, the asked aspects first; a statement whose topic is unclear
        is grouped under its kind of evidence, after the topics, in the profile's order of evidence."""
        topics = [self.topic(c, analysis) for c in support]
        order = list(dict.fromkeys([*(a for a in analysis.aspects if a in topics), *(t for t in topics if t)]))
        claims = [
            replace(c.claim(self.topic_heading(topic)), labelled=True)
            for topic in order for c, t in zip(support, topics, strict=True) if t == topic
        ]  # fmt: skip
        kinds = self.profile.answer_text.evidence_order
        rest = sorted((c for c, t in zip(support, topics, strict=True) if not t), key=lambda c: _rank(kinds, c.evidence))
        return claims + [c.claim(evidence_label(c.chunk, self.profile).capitalize()) for c in rest]

    def topic(self, c: Candidate, analysis: Analysis) -> str:
        """What a statement says, when that is clear: the aspect its card field records (a card's "what it is": the
        practice), else an asked aspect its words name, else an aspect its words name more than once; "" otherwise."""
        if c.kind == "card_fact":
            return self.profile.aspect_of_field(c.fact_field) or (_PRACTICES if c.fact_field == "summary" else "")
        named = self.profile.detect_aspects(c.text)
        if asked := [a for a in named if a in analysis.aspects]:
            return asked[0]
        return next((a for a in named if self.profile.aspect_mentions(a, c.text) >= 2), "")

    def topic_heading(self, topic: str) -> str:
        """The heading of a group of supporting statements on one topic."""
        if topic == _PRACTICES:
            return self.profile.answer_text.practices_heading
        return self.profile.aspects[topic].label.capitalize()

    def practice_lines(self, analysis: Analysis, scored: list[Candidate], taken: list[Candidate]) -> list[DraftClaim]:
        """Comparable practices: the card fact that answers the question best, one per practice."""
        seen = {code for c in taken if c.kind == "card_fact" for code in c.codes}
        facts = [
            c for c in scored
            if c.kind == "card_fact" and c.codes[0] not in seen and self.fits_filters(c, analysis)
            and (self.about_aspect(c, analysis) or c.fact_field == "summary")
        ]  # fmt: skip
        return [c.claim("Comparable practices") for c in self.one_per_practice(facts, analysis, self.config.practices)]

    def notes(self, analysis: Analysis, used: list[Candidate]) -> list[str]:
        """What the reader should weigh: self-reported practice evidence, figures or aspects not covered."""
        notes = []
        fields = [f for a in analysis.aspects if (f := self.profile.aspects[a].card_field)]
        for code in analysis.practices:
            card = self.ctx.cards.get(code)
            if card and fields and not any(getattr(card, f) for f in fields):
                labels = " or ".join(self.ctx.builder.card_labels.get(f, f) for f in fields)
                notes.append(f"The documents do not record the {labels} of {code} ({card.title or 'unnamed'}).")
        kinds = {c.evidence for c in used}
        if "practice" in kinds:
            notes.append(self.profile.answer_text.practice_evidence_note)
        if analysis.aspects and not any(self.about_aspect(c, analysis) for c in used):
            labels = ", ".join(self.profile.aspects[a].label for a in analysis.aspects)
            notes.append(
                f"The documents say little directly about {labels} here; the statements above are the closest they come."
            )
        return notes
