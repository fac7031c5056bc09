"""The evidence layout: a bottom line (the best statements, a counting table whole, both sides of a comparison, each
part of a question in several parts, or the practice list), then supporting statements grouped by kind of evidence,
then comparable practices."""

from __future__ import annotations

import re

from app.core.draft import Draft, DraftClaim
from app.core.models import Analysis
from app.core.tables import Table
from app.core.text import content_terms
from app.query.analyse import compared_sides
from app.query.barriers import BarriersTable
from app.query.candidates import Candidate
from app.query.context import ComposeContext
from app.query.coverage import Coverage
from app.query.differences import asks_agreement
from app.query.gather import recorded_values
from app.query.layouts.base import Layout
from app.query.layouts.practice_list import PracticeList
from app.query.parts import ScoredPart, as_heading
from app.query.scoring import StatementScorer
from app.query.selection import closest, closest_first, pick, quotes_again


class EvidenceLayout(Layout):
    """Lays out any question that is not a design question (and a design question no recommendation speaks to)."""

    def __init__(
        self,
        ctx: ComposeContext,
        scorer: StatementScorer,
        coverage: Coverage,
        barriers: BarriersTable,
        practice_list: PracticeList,
    ) -> None:
        super().__init__(ctx)
        self.scorer = scorer
        self.coverage = coverage
        self.barriers = barriers
        self.practice_list = practice_list

    def run(self, analysis: Analysis, scored: list[Candidate], parts: list[ScoredPart] | None = None) -> Draft:
        """The evidence layout: a bottom line (or the parts, a practice list, the barriers table), then supporting
        statements grouped by kind of evidence. ``parts``: the question's parts scored, when the caller has them."""
        cfg = self.config
        claims: list[DraftClaim] = []
        rows = self.barriers.rows(analysis, scored) if self.barriers.asked(analysis) else []
        # A user's unreviewed document never leads: it is shown after the curated evidence, as what it says. Curated
        # statements far below it are not promoted to the bottom line in its place (then the answer is the document's):
        # "far below" is judged on relevance before bonuses with the hand-set share, which no ranker's scale changes.
        reviewed = [c for c in scored if c.chunk.source_type != "user_document"]
        lead = self.bottom_line(analysis, reviewed) if reviewed else []
        if scored[0].chunk.source_type == "user_document":
            lead_floor = scored[0].relevance * cfg.keep_ratio
            # (A counting table's rows stay whatever they score: the bottom line chose the table for its sentence.)
            lead = [c for c in lead if c.relevance >= lead_floor or c.kind == "table_row"]
        bottom = lead
        if rows and not (bottom and bottom[0].kind == "card_fact"):
            bottom, rows = rows, []  # the barriers-and-facilitators table is the bottom line
        # "Which practices …" with values the cards record: the complete list from the cards is the answer.
        listed = self.practice_list.run(analysis, scored) if analysis.route == "practices" and not analysis.practices else None
        if listed is not None:
            bottom = []
            claims += listed[0]
        elif len(analysis.parts) >= 2 and not rows and not asks_agreement(analysis.question):
            # (Asked whether the sources agree, "do they agree?" is no part of its own: both sides answer the whole.)
            # A question in several parts: each part is answered under its own line, not the whole by its first part.
            scored_parts = self.scorer.score_parts(analysis, scored) if parts is None else parts
            part_claims, bottom = self.part_answers(scored_parts, curated_only=bool(reviewed))
            claims += part_claims
        else:
            claims += self.claims(bottom, "In short", analysis.question)
        claims += self.claims(rows, self.profile.answer_text.barriers_table_heading)
        floor = self.floor(scored)
        # Supporting evidence is any statement the ranker puts above the floor (it weighs the asked aspect itself).
        # Limited to statements on the aspect or as close as the best one, answers lost what a situational question
        # needed beside its aspect (measured 2026-12-07: training 659 -> 663, development D-J 494 -> 504, no losses).
        rest = [c for c in scored if c.kind != "table_row"]
        if analysis.route == "practices" and not analysis.practices:
            rest = [c for c in rest if self.fits_filters(c, analysis)]
        if listed is not None:
            # The list gives each practice's fact of the asked fields. Another card fact is shown only when it scores above
            # them all: the question then asks beyond the listed values ("Is there a practice that brought the young
            # people in from the start?"), not only which practices record them.
            fields = set(recorded_values(analysis, self.profile))
            best_listed = max((c.score for c in scored if c.fact_field in fields), default=0.0)
            rest = [c for c in rest if c.kind != "card_fact" or (c.fact_field not in fields and c.score > best_listed)]
        rest = closest_first(rest, bottom, floor)
        support = self.supporting(rest, bottom, floor, claims)
        claims += self.grouped(support, analysis)
        if listed is not None:
            notes = [*listed[1], *self.notes(analysis, [*bottom, *support])]
            return Draft(claims=claims, notes=notes)
        if analysis.route == "practices" or analysis.answer_type == "practices":
            claims += self.practice_lines(analysis, scored, [*bottom, *support])
        return Draft(claims=claims, notes=self.notes(analysis, [*bottom, *support]))

    def bottom_line(self, analysis: Analysis, scored: list[Candidate]) -> list[Candidate]:
        """The statements that answer first: the named practices' recorded facts, one line per practice, a table's
        rows, the asked figure, both sides of a comparison, else the best statements."""
        if analysis.route == "practices" and not analysis.practices and (analysis.countries or analysis.target_groups):
            fitting = [c for c in scored if c.codes and self.fits_filters(c, analysis)]
            scored = fitting or scored
        best = scored[0]
        floor = self.floor(scored)
        about = [c for c in scored if self.about_aspect(c, analysis)] or scored
        if facts := self.recorded_facts(scored, analysis):
            return facts  # a question on named practices is answered from their cards first
        if analysis.route == "practices" and not analysis.practices:
            # One line per practice: the report's own sentence about it, or its card's fact, whichever fits best.
            about_one = [c for c in scored if len(set(c.codes)) == 1 and c.kind != "table_row"]
            if about_one:
                return self.one_per_practice(about_one, analysis, self.config.practices)
        if best.kind == "table_row" and best.table is not None:
            return [c for c in about if c.table is best.table and c.score >= floor][: self.config.table_rows]
        if analysis.answer_type == "figure":
            # The asked figure leads, even when a sentence without it is closer to the question's words.
            # A statement on the asked aspect gives it where one does; else any statement does ("How many Danish
            # municipalities … after the reform?": the sentence with the counts does not speak of governance).
            giving = [c for c in scored if self.coverage.gives_figure(c, analysis.measure, analysis.measured)]
            on_aspect = {id(c) for c in about}
            figures = [c for c in giving if id(c) in on_aspect] or giving
            about = figures + [c for c in about if c not in figures]
        if asks_agreement(analysis.question):
            # Asked whether the documents agree, each one's closest statement is shown, however far below the best
            # it scores: what each document says is what was asked (and one saying little on it is part of the answer).
            return self.both_sides(analysis, about, floor, side_floor=0.0)
        if analysis.answer_type == "compare":
            # Two rows of a table that counts them ("pooled versus single-agency funding") compare in the whole table.
            sides = self.both_sides(analysis, about, floor, others=scored)
            return sides + counting_table(analysis, sides, scored, floor)
        chosen = pick(about, self.config.bottom_line, [], floor, overlap=self.config.duplicate_overlap)
        return chosen + counting_table(analysis, chosen, scored, floor)

    def both_sides(
        self,
        analysis: Analysis,
        about: list[Candidate],
        floor: float,
        side_floor: float | None = None,
        others: list[Candidate] | None = None,
    ) -> list[Candidate]:
        """The best statement for each side of the comparison (the best sides first), then the next best.

        ``side_floor``: the score a side's best statement needs (default: ``floor``, as any statement shown).
        ``others``: statements off the asked aspect, where a side none of ``about`` speaks for finds its best.
        """
        side_floor = floor if side_floor is None else side_floor
        best: dict[str, Candidate] = {}
        compared = self._compared_terms(analysis.question)
        for c in [*about, *(c for c in others or [] if c not in about)]:
            side = self._side(c, analysis, compared)
            if side and side not in best and c.score >= side_floor:
                best[side] = c
        overlap = self.config.duplicate_overlap
        chosen = pick(list(best.values()), self.config.bottom_line, [], overlap=overlap)
        return chosen + pick(about, self.config.bottom_line - len(chosen), chosen, floor, overlap=overlap)

    def _side(self, c: Candidate, analysis: Analysis, compared: tuple[set[str], set[str]] | None) -> str:
        """Which side of a comparison a statement speaks for: a named country or practice, a thing the question
        compares (``compared``: each thing's own words), else its source.

        Asked whether the sources agree, the sides are the documents (a practice card speaks for the report it
        was drawn from), so each document's own statement is shown, not two of the one that ranks higher.
        """
        if asks_agreement(analysis.question):
            return c.chunk.source_type if c.chunk.source_type in {"paper", "user_document"} else "report"
        if len(analysis.practices) >= 2:
            return next((code for code in c.codes if code in analysis.practices), "")
        if len(analysis.countries) >= 2:
            # A statement speaks for a country it names, the country its section is about ("France: Coordination
            # policies have been implemented since the 1980s …") or the country of the practice it states a fact of.
            spoken = self.coverage.countries_of(c)
            return next((country for country in analysis.countries if country in spoken), "")
        if compared:
            # The side whose own words the statement uses ("New Public Management" or "co-production"), none if both.
            hits = [len(side & c.terms) for side in compared]
            return "" if hits[0] == hits[1] else str(hits.index(max(hits)))
        return f"{c.chunk.source_type}/{c.evidence}"

    def _compared_terms(self, question: str) -> tuple[set[str], set[str]] | None:
        """The words of each thing a comparison question compares that the other lacks; None when it compares none,
        or two kinds of evidence ("the literature and the practices": then each statement's own kind is its side)."""
        sides = compared_sides(question)
        if sides is None:
            return None
        kinds = {r.kind.replace("_", " ") for r in self.profile.evidence_labels.rules} | set(self.profile.source_mentions.nouns)
        if all(any(k in side.lower() for k in kinds) for side in sides):
            return None
        first, second = (set(content_terms(side)) for side in sides)
        own = (first - second, second - first)
        return own if all(own) else None

    def part_answers(self, parts: list[ScoredPart], curated_only: bool) -> tuple[list[DraftClaim], list[Candidate]]:
        """For each part of the question, its best statements (rescored against the part alone) under the part's text.
        ``curated_only``: a user's unreviewed document is left out (it never leads)."""
        claims: list[DraftClaim] = []
        taken: list[Candidate] = []
        per_part = self.config.statements_per_part
        for p in parts:
            part = p.part
            rescored = [c for c in p.scored if not curated_only or c.chunk.source_type != "user_document"]
            if part.measure:  # the asked figure leads, as in a one-part figure question
                rescored = sorted(rescored, key=lambda c: not self.coverage.gives_figure(c, part.measure, part.measured))
            floor = max(c.score for c in rescored) * self.ctx.ranker.keep_ratio
            fresh = [c for c in rescored if all(c.quote != t.quote for t in taken)]
            # A part asking named practices about what their cards record leads with those facts, whatever they score,
            # as a question in one part does ("Which code does DE2 have in the paper?": its paper reference).
            first = self.recorded_facts(fresh, p.analysis)[:per_part]
            # The statement closest to the part itself is among its statements: the ranker, learned on whole questions,
            # put "The ministry covers all expenses …" tenth for "who covers the costs?".
            nearest = closest(fresh)
            # (Not when a card fact taken quotes it: "Kotitori is a single access point …" was shown twice.)
            if nearest is not None and len(first) < per_part and not any(quotes_again(nearest, f) for f in first):
                first.append(nearest)
            rest = [c for c in fresh if c not in first]
            chosen = first + pick(rest, per_part - len(first), [*taken, *first], floor, overlap=self.config.duplicate_overlap)
            claims += self.claims(chosen, as_heading(part.text), part.text)
            taken += chosen
        return claims, taken


def counting_table(analysis: Analysis, chosen: list[Candidate], scored: list[Candidate], floor: float) -> list[Candidate]:
    """The rows of a relevant counting table, shown whole (by ``Layout.claims``) beside the sentences that read it.

    "20 practices pooled their budgets" does not say whether that is most of them: the table does. A table
    is added, however its rows score, when a leading statement reads it or sits in the section presenting it;
    or when the question asks for a share, a count or a breakdown and one of its rows is relevant enough.
    """
    if not chosen or any(c.kind == "table_row" for c in chosen):
        return []
    rows = [c for c in scored if c.kind == "table_row" and c.table is not None and c.table.count_column() is not None]
    # The bottom line and the best statement overall (a figure question leads with a figure, which may come
    # from another document than the sentence reading the table).
    leading = [*chosen, scored[0]]
    tables = {id(c.table): c.table for c in rows if c.table is not None}
    read = {key for key, table in tables.items() if any(_reads(table, s.quote) for s in leading)}
    presented = [c for c in rows if id(c.table) in read or any(c.chunk.section.startswith(s.chunk.section) for s in leading)]
    asks_distribution = analysis.answer_type == "list" or (
        analysis.answer_type == "figure" and analysis.measure in {"share", "count"}
    )
    rows = presented or ([c for c in rows if c.score >= floor] if asks_distribution else [])
    if not rows:
        return []
    # The table is shown whole; the rows returned are the ones marked as asked: its best, and any as relevant.
    same = [c for c in rows if c.table is rows[0].table]
    return [c for c in same if c is same[0] or c.score >= floor]


def _reads(table: Table, sentence: str) -> bool:
    """Whether a sentence reads a row of a counting table: it gives the row's count and a word of its label
    ("20 practices are financed by joint or pooled funding" reads "Joint/pooled funding | 20 | 45%")."""
    column = table.count_column()
    if column is None:
        return False
    words = set(content_terms(sentence))
    for row in table.rows:
        count = row[column].strip() if column < len(row) else ""
        if count and re.search(rf"(?<![\d.,]){count}(?![\d])", sentence) and set(content_terms(row[0])) & words:
            return True
    return False
