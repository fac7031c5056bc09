"""The report's barriers-and-facilitators table: which table it is, whether a question asks about it, its asked rows."""

from __future__ import annotations

from collections.abc import Mapping

from app.core.corpus_profile import CorpusProfile
from app.core.models import Analysis
from app.core.tables import Table
from app.query.candidates import Candidate


class BarriersTable:
    """The table whose first column names the elements the profile's aspects refer to (``aspects.*.table_rows``)."""

    def __init__(self, profile: CorpusProfile, tables: Mapping[str, Table]) -> None:
        self.profile = profile
        wanted = {r for a in profile.aspects.values() for r in a.table_rows}
        self.id = next((t.id for t in tables.values() if wanted & {row[0] for row in t.rows if row}), "")

    def asked(self, analysis: Analysis) -> bool:
        """Whether the question is about barriers or facilitators as such (all rows of their table concern it)."""
        return any("*" in self.profile.aspects[a].table_rows for a in analysis.aspects)

    def rows(self, analysis: Analysis, scored: list[Candidate]) -> list[Candidate]:
        """The table's rows the question's aspects concern ("*": all), in the table's order."""
        wanted = {r for a in analysis.aspects for r in self.profile.aspects[a].table_rows}
        rows = [c for c in scored if c.kind == "table_row" and c.table is not None and c.table.id == self.id]
        chosen = [c for c in rows if c.row and ("*" in wanted or c.row[0] in wanted)]
        return sorted(chosen, key=lambda c: rows[0].table.rows.index(c.row) if rows[0].table else 0)
