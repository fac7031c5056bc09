"""Reading the documents' tables (``corpus/tables.yaml``) for figures a quiz can ask about.

Which column holds numbers, which rows are groups or totals, what a table is about: all read
from the table itself (header, cells, caption), so a new table in ``tables.yaml`` yields quiz
items without code. A row is cited with the words the document prints for it: the cells joined
with a space where the document prints the row that way, otherwise the cells the document
prints verbatim, joined as excerpts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.tables import Table
from app.pack.model import Source
from app.pack.sources import EXCERPT_JOIN, SourceTexts

_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)\s*(%?)\**")
_TOTAL = re.compile(r"^(sub)?total\b", re.I)
_CAPTION_PREFIX = re.compile(r"^(Table|Figure)\s*\d+\s*:\s*")
_CODE = re.compile(r"\b[A-Z]{2}\d\b")
MIN_FIGURES = 3  # a column with fewer numbers is not a column of figures


@dataclass(frozen=True)
class Figure:
    """A number as the table prints it ("45%", "20"), with its value."""

    text: str
    value: float


def figure(cell: str) -> Figure | None:
    """The cell's number ("37**" reads as 37; "–" and text are not figures)."""
    m = _NUMBER.fullmatch(cell.strip())
    return Figure(cell.strip(), float(m.group(1).replace(",", "."))) if m else None


def topic_of(table: Table) -> str:
    """What the table is about, from its caption ("Ways to fund integrated services")."""
    name = _CAPTION_PREFIX.sub("", table.caption)
    name = re.sub(r"\s*\(\s*n\s*=\s*\d+\s*\)\s*$", "", name, flags=re.I)  # "(n=44)"
    name = re.sub(r"(?<=[a-z])\s+\d+$", "", name)  # a page number merged into the caption line
    return name.strip().rstrip(".")


def heading(table: Table, column: int) -> str:
    """A column's heading without its sample size ("% of total (n= 44)" -> "% of total")."""
    return re.sub(r"\s*\(?\bn\s*=\s*\d+\s*\)?", "", table.header[column], flags=re.I).strip().rstrip(":")


def label(table: Table) -> str:
    """How a question names the table: "Table 7 (Ways to fund integrated services)", "Figure 2 (…)"."""
    return f"{table.label} ({topic_of(table)})"


def data_rows(table: Table) -> list[list[str]]:
    """The rows that carry figures of their own: no group headings (label only), no totals or subtotals."""
    return [r for r in table.rows if r and r[0].strip() and not _TOTAL.match(r[0]) and any(c.strip() for c in r[1:])]


def figure_columns(table: Table) -> list[int]:
    """Columns (after the first) where most filled cells of the data rows are figures."""
    out = []
    for j in range(1, len(table.header)):
        cells = [r[j] for r in data_rows(table) if j < len(r) and r[j].strip()]
        figures = [c for c in cells if figure(c)]
        if len(figures) >= MIN_FIGURES and len(figures) * 2 > len(cells):
            out.append(j)
    return out


def code_column(table: Table) -> int | None:
    """The column that lists practice codes in most data rows (Table 6's "Practice code"), if any."""
    rows = data_rows(table)
    for j in range(1, len(table.header)):
        if rows and sum(bool(_CODE.search(r[j])) for r in rows if j < len(r)) * 2 > len(rows):
            return j
    return None


def codes_in(cell: str) -> list[str]:
    return _CODE.findall(cell)


def row_source(table: Table, row: list[str], texts: SourceTexts) -> Source | None:
    """The row as the document prints it, cited to the table; None when its label is not verbatim in the document."""
    document = texts.title_of(table.document)
    cells = [c.strip() for c in row if c.strip()]
    if not cells or not texts.contains(cells[0], document):
        return None
    joined = " ".join(cells)
    if texts.contains(joined, document):
        return texts.source(joined, table.caption, document)
    verbatim = [c for c in cells if texts.contains(c, document)]  # e.g. Table 6's code lists are not printed as one line
    return texts.source(EXCERPT_JOIN.join(verbatim), table.caption, document)
