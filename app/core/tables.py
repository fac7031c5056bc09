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

    def text(self) -> str:
        """The table as a passage: caption, header and one line per row (what retrieval indexes)."""
        lines = [self.caption, " | ".join(self.header)]
        lines += [" | ".join(cell for cell in row if cell) for row in self.rows]
        return "\n".join(lines)

    def markdown(self, rows: list[list[str]] | None = None) -> str:
        """Header and rows (all, or the given ones) as a Markdown table."""
        rows = self.rows if rows is None else rows
        width = len(self.header)

        def line(cells: list[str]) -> str:
            padded = [*cells, *[""] * (width - len(cells))][:width]
            return "| " + " | ".join(c.replace("|", "/").strip() for c in padded) + " |"

        return "\n".join([line(self.header), "|" + "---|" * width, *(line(r) for r in rows)])

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
