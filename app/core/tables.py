"""Tables of the source documents as structured data (``corpus/tables.yaml``): caption, header, rows.

Extracted PDF text breaks tables into one cell per line, so the tables are transcribed cell by
cell, every cell verbatim from its document (``joinedup cards check`` verifies it). Ingest
indexes each table as one passage; an answer shows the rows it needs as a Markdown table and
cites the row's cells as the quote.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

TABLES_FILE = "tables.yaml"


class Table(BaseModel):
    """One table of one document."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    document: str
    number: int
    caption: str
    header: list[str]
    rows: list[list[str]]
    notes: str = ""

    @property
    def label(self) -> str:
        """How the document names it: "Table 7", or "Figure 2" for a chart transcribed as a table."""
        return self.caption.split(":", 1)[0].strip()

    def text(self) -> str:
        """The table as a passage: caption, header and one line per row (what retrieval indexes)."""
        lines = [self.caption, " | ".join(self.header)]
        lines += [" | ".join(cell for cell in row if cell) for row in self.rows]
        return "\n".join(lines)

    def markdown(self, rows: list[list[str]] | None = None, marked: list[list[str]] | None = None) -> str:
        """Header and rows (all, or the given ones) as a Markdown table; ``marked`` rows are shown in bold."""
        rows = self.rows if rows is None else rows
        width = len(self.header)

        def line(cells: list[str], bold: bool = False) -> str:
            padded = [*cells, *[""] * (width - len(cells))][:width]
            shown = [c.replace("|", "/").strip() for c in padded]
            if bold:
                shown = [f"**{c}**" if c else c for c in shown]
            return "| " + " | ".join(shown) + " |"

        marked = marked or []
        return "\n".join([line(self.header), "|" + "---|" * width, *(line(r, r in marked) for r in rows)])

    @property
    def has_groups(self) -> bool:
        """Whether some rows are group headings (one filled cell) that introduce the rows after them."""
        return any(sum(1 for c in row if c) == 1 for row in self.rows)

    def count_column(self) -> int | None:
        """The column that counts something (every filled row holds a whole number there), if any."""
        rows = [r for r in self.rows if sum(1 for c in r if c) > 1]
        for i in range(1, len(self.header)):
            cells = [r[i].strip() for r in rows if i < len(r)]
            if rows and len(cells) == len(rows) and all(c.isdigit() for c in cells):
                return i
        return None

    def by_count(self) -> list[list[str]]:
        """The rows, largest count first where the table counts something and has no group headings; else as printed."""
        col = self.count_column()
        if col is None or self.has_groups:
            return list(self.rows)
        return sorted(self.rows, key=lambda r: -int(r[col]))

    @staticmethod
    def quote(row: list[str]) -> str:
        """A row's verbatim cells, joined as non-adjacent excerpts."""
        return " … ".join(c for c in row if c)


def read_tables(path: Path) -> list[Table]:
    """Parse a tables file; ``ValueError`` names the file and the problem. An absent file has no tables."""
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        return [Table.model_validate(t) for t in data]
    except (yaml.YAMLError, ValidationError, TypeError) as exc:
        raise ValueError(f"{path}: invalid tables file: {exc}") from exc


@lru_cache(maxsize=8)
def _cached(path: Path, mtime: float) -> dict[str, Table]:
    return {t.id: t for t in read_tables(path)}


def load_tables(corpus_dir: Path) -> dict[str, Table]:
    """The corpus's tables by id (cached; re-read when the file changes)."""
    path = corpus_dir / TABLES_FILE
    return _cached(path, path.stat().st_mtime) if path.exists() else {}
