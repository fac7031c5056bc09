"""Whether the best statements give what a question asks for: a figure of the asked kind, a name of the asked kind.

Judged on the statements themselves (no model): answerability declines a question whose figure or name is not
there, and a part of a question lacking its figure gets a note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.core.corpus_profile import CorpusProfile
from app.core.models import Analysis
from app.query.candidates import Candidate
from app.query.context import ComposeContext
from app.query.parts import ScoredPart
from app.query.relevance import gives_figure, gives_name

# A statement about something still to come at the time of writing: planned, expected, under way, due by a date.
_PROSPECTIVE = re.compile(
    r"\b(will|shall|planned|plans? to|is to be|are to be|expected to|intends? to|intended to|scheduled|due to be|foreseen"
    r"|going to|is being|are being|currently being|in preparation"
    # … or as still undecided: "two options are now possible", "under discussion", "yet to be decided".
    r"|options? (?:are|is|remain) (?:now |still )?(?:possible|open)|under (?:discussion|consideration|debate)"
    r"|(?:yet|still) to be (?:decided|agreed|adopted|chosen)|not yet (?:been )?(?:decided|agreed|adopted|chosen))\b",
    re.I,
)


# … and one that reports what came of something: "the evaluation of LAFOS, done in 2008, showed that …".
_REALISED = re.compile(
    r"\b(showed|shown|found|concluded|revealed|proved|indicated|resulted in|achieved|reduced|improved|increased|decreased"
    r"|led to|was evaluated|were evaluated)\b",
    re.I,
)


def is_prospective(quote: str) -> bool:
    """Whether a statement speaks of something only as planned, under way or undecided, not of what came of it (a statement of
    both, "the evaluation of the French practice is in preparation and that of LAFOS showed …", reports a result)."""
    return bool(_PROSPECTIVE.search(quote)) and not _REALISED.search(quote)


def candidate_gives_figure(c: Candidate, measure: str, measured: str, profile: CorpusProfile) -> bool:
    """Whether the statement holds the figure asked for (``gives_figure``), of what the question measures."""
    return gives_figure(c.quote, measure, profile, measured, c.described_by)


class Coverage:
    """Checks of what the best statements give, for one corpus."""

    def __init__(self, ctx: ComposeContext) -> None:
        self.ctx = ctx
        self.profile = ctx.profile
        self.config = ctx.config

    def gives_figure(self, c: Candidate, measure: str, measured: str) -> bool:
        """Whether the statement holds the figure asked for, of what the question measures."""
        return candidate_gives_figure(c, measure, measured, self.profile)

    def has_figure(
        self, scored: list[Candidate], measure: str, analysis: Analysis, by_relevance: bool = False, measured: str = ""
    ) -> bool:
        """Whether one of the best statements (by score, or by relevance before bonuses) holds the kind of figure asked for.

        Asked of named practices, a figure about other practices only ("two case managers" of BE1) does not count,
        and their cards' facts on the asked aspect count wherever they rank (the card records the asked thing). Asked
        of a country or of practices in one, a figure about other countries only does not count either ("£30 a month"
        of a British pilot does not say what Catalonia's pilots cost).
        """
        # A figure of what the question measures, or of a change, is rarer than any figure: looked for further down.
        window = self.config.figure_window_measured if measured or measure == "change" else self.config.figure_window
        asked = set(analysis.practices)
        where = set(analysis.countries) | self.countries_coded(asked)
        fields = {f for a in analysis.aspects if (f := self.profile.aspects[a].card_field)}
        best = self.best(scored, window, by_relevance)
        recorded = [c for c in scored if asked & set(c.codes) and c.fact_field in fields]
        return any(
            self.gives_figure(c, measure, measured)
            and not (asked and c.codes and asked.isdisjoint(c.codes))
            and not (where and (said := self.countries_of(c)) and said.isdisjoint(where))
            for c in [*best, *recorded]
        )

    def figures_missing(self, analysis: Analysis, scored: list[Candidate], parts: list[ScoredPart]) -> bool:
        """A figure is asked and the best statements give none of its kind. A question in several parts is answered part
        by part (a part's missing figure gets its own note) unless every part asks a figure none of them gives."""
        if not parts:
            return (
                analysis.answer_type in {"figure", "compare"}
                and bool(analysis.measure)
                and not self.has_figure(scored, analysis.measure, analysis, by_relevance=True, measured=analysis.measured)
            )
        return all(p.part.measure for p in parts) and not any(
            self.has_figure(p.scored, p.part.measure, analysis, by_relevance=True, measured=p.part.measured) for p in parts
        )

    def lacking_figures(self, analysis: Analysis, parts: list[ScoredPart]) -> list[ScoredPart]:
        """The parts that ask a figure the documents do not give (each judged on its own candidates); each gets a note."""
        return [
            p for p in parts
            if p.part.measure and not self.has_figure(p.scored, p.part.measure, analysis, measured=p.part.measured)
        ]  # fmt: skip

    def best(self, scored: list[Candidate], window: int, by_relevance: bool) -> list[Candidate]:
        """The best ``window`` statements that clear the floor: by relevance before bonuses (what the corpus holds,
        whichever ranker lays the answer out), or by the ranker's score (what the answer shows)."""
        if by_relevance:
            ranked = sorted(scored, key=lambda c: -c.relevance)
            floor = ranked[0].relevance * self.config.keep_ratio if ranked else 0.0
            return [c for c in ranked[:window] if c.relevance >= floor]
        floor = scored[0].score * self.ctx.ranker.keep_ratio if scored else 0.0
        return [c for c in scored[:window] if c.score >= floor]

    def countries_of(self, c: Candidate) -> set[str]:
        """The countries a statement speaks of: those it names, its section's and its practices' (by their codes)."""
        return set(self.profile.countries_in(" ".join([c.text, c.about]))) | self.countries_coded(c.codes)

    def countries_coded(self, codes: Iterable[str]) -> set[str]:
        """The countries of practice codes ("GB1" -> United Kingdom): a code's first two letters are its country's."""
        return {k.name for k in self.profile.countries for code in codes if code[:2] == k.code}

    def has_name(self, scored: list[Candidate], kind: str, analysis: Analysis) -> bool:
        """Whether one of the best statements (by relevance before bonuses, as for a figure) names something of the kind
        asked (``gives_name``) that the conversation does not already give: not the question's, its topic's or the
        asked practices' own names ("Curcubeu" is no answer to "which foundation co-funds the Curcubeu centre?")."""
        best = self.best(scored, self.config.figure_window, by_relevance=True)
        practices = [self.ctx.cards[code] for code in analysis.practices if code in self.ctx.cards]
        given = " ".join([analysis.question, analysis.topic, *(f"{p.title} {' '.join(p.other_names)}" for p in practices)])
        return any(gives_name(c.quote, kind, given, self.profile) for c in best)
