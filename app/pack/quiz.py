"""A short quiz on what a workshop participant should take away, built from the documents' tables.

Three kinds of item, each read off a table (:mod:`app.pack.table_facts`), never typed in, each a
multiple choice whose options come from the same table:

- *which is the most common*: the row with the largest figure in a column of counts (the
  commonest way to fund, monitoring method, reported effect, aim, sector …);
- *which practice did it*: for a chosen practice, a row of a table that lists practice codes
  (Table 6's reported effects), the other options practices that row does not list;
- *which is a barrier*: a barrier the barriers-and-facilitators table names for one element,
  the other options barriers it names for other elements.

Every item has a ``fact`` (what it asks about: a row, or an element's barriers); no two items
share one, so the same figure is never asked twice from two tables. Items are ranked by how much
their table and row share words with the topic and the chosen practices; the quiz takes one
item from each table, best first, before a second from any (two at most). Options are listed in
an order fixed by their words, so the answer is not always the first. Every answer cites the
row as the document prints it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.normalise import normalise
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


def _shuffled(options: list[str]) -> list[str]:
    """The options in an order fixed by their words (the same pack, the same quiz), not the table's ranking."""
    return sorted(options, key=lambda o: hashlib.sha1(o.encode("utf-8")).hexdigest())


def fact_key(text: str) -> str:
    """What an item is about, comparable across tables ("Health" in two tables is one fact)."""
    return " ".join(normalise(text).split())


def _column(table: Table, columns: list[int]) -> int:
    """The figure column to ask about: one about practices if there is one (the pack is about practices), else the first."""
    headed = [j for j in columns if table.header[j].strip()]
    return next((j for j in headed if "practice" in table.header[j].lower()), headed[0] if headed else columns[0])


def _figures_of(table: Table, row: list[str], columns: list[int]) -> str:
    """The row's figures under their column headings (``# of practices: 20; % of total: 45%``)."""
    shown = [f"{heading(table, j)}: {row[j].strip()}" if heading(table, j) else row[j].strip()
             for j in columns if j < len(row) and figure(row[j])]  # fmt: skip
    return "; ".join(shown)


def _counted(table: Table, j: int) -> str:
    """What a column counts, in words ("# of practices" -> "practices"); empty when its heading does not say."""
    words = heading(table, j).lower().lstrip("#").strip()
    words = words.removeprefix("of ").strip()
    return words if words in {"practices", "articles"} else ""


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
    # The runners-up are the plausible wrong answers: the next most common rows of the same table.
    options = _shuffled([r[0].strip() for r in ranked[:MAX_OPTIONS]])
    counted, column = _counted(table, j), heading(table, j)
    among = f" among the {counted} it counts" if counted else " in total" if column.lower() == "total" else f" (“{column}”)"
    question = f"{label(table)}: which of these is the most common{among}?"
    answer = f"{top[0].strip()} ({_figures_of(table, top, columns)})"
    return QuizItem(question=question, answer=answer, sources=[source], options=options, fact=fact_key(top[0]))


def which_practice(table: Table, code: str, names: dict[str, str], texts: SourceTexts, chosen: Iterable[str]) -> QuizItem | None:
    """Which practice a row of a code-listing table names: the most telling row naming ``code`` (fewest codes)."""
    j = code_column(table)
    if j is None or code not in names:
        return None
    rows = [r for r in data_rows(table) if code in codes_in(r[j])]
    if not rows:
        return None
    row = min(rows, key=lambda r: len(codes_in(r[j])))  # the rarest effect says most about the practice
    listed = set(codes_in(row[j]))
    # Wrong answers: the other chosen practices the row does not list, then practices with a name of their own.
    others = [c for c in chosen if c not in listed and c in names] + sorted(c for c in names if c not in listed)
    others = list(dict.fromkeys(c for c in others if names[c].strip() and names[c] != c))[: MAX_OPTIONS - 1]
    source = row_source(table, row, texts)
    if len(others) < 2 or source is None:
        return None
    answer = f"{code} — {names[code]}"
    described = f" ({row[1].strip()})" if len(row) > 2 and row[1].strip() and row[1].strip() != row[j].strip() else ""
    what = table.header[0].strip().lower().rstrip(":")
    question = f"{label(table)}: which of these practices is listed for the {what} “{row[0].strip()}”{described}?"
    options = _shuffled([answer, *(f"{c} — {names[c]}" for c in others)])
    return QuizItem(question=question, answer=answer, sources=[source], options=options, fact=fact_key(row[0]))


def _phrases(cell: str) -> list[str]:
    return [p.strip() for p in cell.split(",") if p.strip()]


def _in(phrase: str, cell: str) -> bool:
    """Whether the cell names the phrase (or most of its words: "continue traditional way of working (in silos)")."""
    words, named = set(content_terms(phrase)), set(content_terms(cell))
    return normalise(phrase) in normalise(cell) or len(words & named) * 2 > len(words)


def barrier_items(table: Table, texts: SourceTexts) -> list[tuple[list[str], QuizItem]]:
    """For each element of the barriers table, "which of these is a barrier to it?" (with the row it is about)."""
    document = texts.title_of(table.document)
    barriers = table.header[1].strip().lower()
    rows = [r for r in table.rows if len(r) >= 3 and r[0].strip() and r[1].strip()]
    out = []
    for row in rows:
        # The answer: a barrier only this element names ("cultural differences" is named for three, so never the answer).
        answer = next((p for p in _phrases(row[1]) if not any(_in(p, r[1]) for r in rows if r is not row)), None)
        # Wrong answers: what other elements name first, where this element does not name it too.
        others = [_phrases(r[1])[0] for r in rows if r is not row]
        others = list(dict.fromkeys(o for o in others if not _in(o, row[1])))[: MAX_OPTIONS - 1]
        if answer is None:
            continue
        source = texts.source(row[1].strip().rstrip(","), f"{label(table)}, row “{row[0].strip()}”", document)
        if source is None or len(others) < 2:
            continue
        question = f"{label(table)}: which of these does the report name among the {barriers} to “{row[0].strip()}”?"
        item = QuizItem(question, answer, [source], _shuffled([answer, *others]), fact=f"barrier of {fact_key(row[0])}")
        out.append((row, item))
    return out


def build_quiz(
    tables: Iterable[Table],
    texts: SourceTexts,
    context: str,
    practices: dict[str, str],
    n: int,
    names: dict[str, str] | None = None,
    barriers: Table | None = None,
) -> list[QuizItem]:
    """``n`` quiz items from the tables, most relevant to ``context`` (topic and practices) first, no fact twice.

    ``practices`` maps the chosen codes to their titles; ``names`` every practice's display name (the
    wrong answers of a "which practice" item); ``barriers`` the barriers-and-facilitators table.
    """
    terms = set(content_terms(context))
    names = {**(names or {}), **practices}
    ranked: list[_Ranked] = []
    for table in tables:
        # A table is about the topic by its caption; its row labels count once, or a long table would crowd out the rest.
        about = _overlap(table.caption, terms) + min(1, _overlap(" ".join(r[0] for r in table.rows if r), terms))
        top = highest(table, texts)
        if top is not None:
            ranked.append(_Ranked(top, table.id, about + _overlap(top.answer, terms)))
        for code in practices:
            item = which_practice(table, code, names, texts, practices)
            if item is not None:  # a group of their own: they do not wait for the table's second round
                ranked.append(_Ranked(item, f"{table.id} practices", about + PRACTICE_BONUS))
        if barriers is not None and table.id == barriers.id:
            for row, item in barrier_items(table, texts):
                ranked.append(_Ranked(item, table.id, about + _overlap(" ".join(row), terms)))
    by_table: dict[str, list[QuizItem]] = {}
    facts: set[str] = set()
    for r in sorted(ranked, key=lambda r: -r.score):  # stable: equal scores keep the tables' order
        if r.item.fact in facts:
            continue  # the same fact from another table (or another kind of item) is not asked twice
        facts.add(r.item.fact)
        by_table.setdefault(r.table, []).append(r.item)
    # Round by round, the best remaining item of each table (best table first): many tables before a second item of one.
    chosen = [items[i] for i in range(MAX_PER_TABLE) for items in by_table.values() if i < len(items)]
    return chosen[:n]
