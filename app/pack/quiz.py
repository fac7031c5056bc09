"""A short quiz on the key figures of the sources, built from the documents' tables.

Three kinds of item, each read off a table (:mod:`app.pack.table_facts`), never typed in:

- *which is highest*: the row with the largest figure in a column, as a multiple choice
  ("Table 7 (Ways to fund integrated services): which of these has the highest “# of practices”?");
- *what figure*: the figures a table gives for one row ("… what does it give for “Joint/pooled funding”?");
- *which rows name a practice*: for a chosen practice, the rows of a table that list its code
  (the reported effects of DE1 in Table 6).

Items are ranked by how much their table (its caption) and row share words with the topic and
the chosen practices; the quiz takes one item from each table, best first, before a second from
any (two at most). Every answer cites the row as the document prints it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.core.tables import Table
from app.core.text import content_terms
from app.pack.model import QuizItem
from app.pack.sources import SourceTexts
from app.pack.table_facts import (
    code_column,
    codes_in,
    data_rows,
    figure,
    figure_columns,
    heading,
    label,
    row_source,
)

MAX_OPTIONS = 4
MAX_PER_TABLE = 2
PRACTICE_BONUS = 2.0  # an item about a chosen practice is worth more to the workshop than a general figure


@dataclass
class _Ranked:
    item: QuizItem
    table: str
    score: float


def _overlap(text: str, terms: set[str]) -> int:
    return len(set(content_terms(text)) & terms)


def _where(table: Table, texts: SourceTexts) -> str:
    return f"{texts.title_of(table.document)}, {label(table)}"


def _column(table: Table, columns: list[int]) -> int:
    """The figure column to ask about: one about practices if there is one (the pack is about practices), else the first."""
    headed = [j for j in columns if table.header[j].strip()]
    return next((j for j in headed if "practice" in table.header[j].lower()), headed[0] if headed else columns[0])


def _figures_of(table: Table, row: list[str], columns: list[int]) -> str:
    """The row's figures under their column headings (``# of practices: 20; % of total: 45%``)."""
    shown = [f"{heading(table, j)}: {row[j].strip()}" if heading(table, j) else row[j].strip()
             for j in columns if j < len(row) and figure(row[j])]  # fmt: skip
    return "; ".join(shown)


def highest(table: Table, texts: SourceTexts) -> QuizItem | None:
    """Which row has the largest figure in the table's main column (None on a tie or an unverifiable row)."""
    columns = figure_columns(table)
    if not columns:
        return None
    j = _column(table, columns)
    rows = [r for r in data_rows(table) if j < len(r) and figure(r[j])]
    ranked = sorted(rows, key=lambda r: -figure(r[j]).value)  # type: ignore[union-attr]
    if len(ranked) < 2 or figure(ranked[0][j]).value == figure(ranked[1][j]).value:  # type: ignore[union-attr]
        return None
    top = ranked[0]
    source = row_source(table, top, texts)
    if source is None:
        return None
    others = [r for r in rows if r is not top][: MAX_OPTIONS - 1]
    options = [r[0].strip() for r in rows if r is top or r in others]  # in the table's order: the answer is not always first
    question = f"{_where(table, texts)}: which of these has the highest “{heading(table, j)}”?"
    answer = f"{top[0].strip()} ({_figures_of(table, top, columns)})"
    return QuizItem(question=question, answer=answer, sources=[source], options=options)


def figure_of(table: Table, row: list[str], texts: SourceTexts) -> QuizItem | None:
    """What figures the table gives for one row."""
    columns = figure_columns(table)
    figures = _figures_of(table, row, columns)
    source = row_source(table, row, texts)
    if not figures or source is None:
        return None
    question = f"{_where(table, texts)}: what figure does it give for “{row[0].strip()}”?"
    return QuizItem(question=question, answer=figures, sources=[source])


def rows_naming(table: Table, code: str, title: str, texts: SourceTexts) -> QuizItem | None:
    """Which rows of a table that lists practice codes name this practice (its reported effects, in Table 6)."""
    j = code_column(table)
    if j is None:
        return None
    rows = [r for r in data_rows(table) if code in codes_in(r[j])]
    sources = [s for s in (row_source(table, r, texts) for r in rows) if s is not None]
    if not rows or len(sources) < len(rows):
        return None
    what = table.header[0].strip().lower().rstrip(":")
    question = f"{_where(table, texts)}: which {what} rows list {code} ({title})?"
    return QuizItem(question=question, answer="; ".join(r[0].strip() for r in rows), sources=sources)


def build_quiz(tables: Iterable[Table], texts: SourceTexts, context: str, practices: dict[str, str], n: int) -> list[QuizItem]:
    """``n`` quiz items from the tables, most relevant to ``context`` (topic and practices) first.

    ``practices`` maps the chosen codes to their titles.
    """
    terms = set(content_terms(context))
    ranked: list[_Ranked] = []
    for table in tables:
        # A table is about the topic by its caption; its row labels count once, or a long table would crowd out the rest.
        about = _overlap(table.caption, terms) + min(1, _overlap(" ".join(r[0] for r in table.rows if r), terms))
        top = highest(table, texts)
        if top is not None:
            ranked.append(_Ranked(top, table.id, about + _overlap(top.answer, terms)))
        if figure_columns(table):
            rows = data_rows(table)
            best = max(rows, key=lambda r: (_overlap(r[0], terms), -rows.index(r)))
            if top is None or not top.answer.startswith(best[0].strip()):
                item = figure_of(table, best, texts)
                if item is not None:
                    ranked.append(_Ranked(item, table.id, about + _overlap(best[0], terms)))
        for code, title in practices.items():
            item = rows_naming(table, code, title, texts)
            if item is not None:
                ranked.append(_Ranked(item, table.id, about + PRACTICE_BONUS))
    by_table: dict[str, list[QuizItem]] = {}
    for r in sorted(ranked, key=lambda r: -r.score):  # stable: equal scores keep the tables' order
        by_table.setdefault(r.table, []).append(r.item)
    # Round by round, the best remaining item of each table (best table first): many tables before a second item of one.
    chosen = [items[i] for i in range(MAX_PER_TABLE) for items in by_table.values() if i < len(items)]
    return chosen[:n]
