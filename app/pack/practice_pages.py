"""Practice one-pagers and their comparison, from the practice cards.

Values and quotes come from :func:`app.query.practice_table.practice_table` (plain labels of the
corpus profile, never internal ids, no curator notes); this module adds the title's own quote,
places every quote in its document, and drops any quote that is not verbatim there. A card
quote that is only a table's caption (the effects cite "Table 6: Reported effects …") is
replaced by the rows of that table that list the practice, as the document prints them. The
comparison is the one-pagers side by side: ``app.query.practice_table.compare`` stops at four
practices and a pack compares up to six, so the pack lays its own pages out as columns.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.core.cards import PracticeCard
from app.core.corpus_profile import CorpusProfile
from app.core.tables import Table
from app.pack.model import Comparison, Fact, PracticePage, Section, Source
from app.pack.sources import SourceTexts
from app.pack.table_facts import code_column, codes_in, data_rows, row_source
from app.query.practice_table import COLUMNS, NOT_STATED, PracticeRow, practice_table

TITLE = "Title"
FIELDS: tuple[tuple[str, str], ...] = (("title", TITLE), *COLUMNS)  # (card field, label), in the order shown
SUMMARY = "summary"
# A one-pager as a reader takes it in: (section heading, [(card field, label within the section)]).
ONE_PAGER: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("What it is", ((SUMMARY, ""),)),
    ("Who it serves", (("target_groups", "Target groups"),)),
    ("How it works", (("delivery_models", "Delivery models"), ("sectors", "Sectors"), ("governance_level", "Governance level"))),
    ("Funding", (("funding", "Funding"),)),
    ("Effects and evaluation", (("effects", "Reported effects"), ("evaluation", "Evaluation"))),
)


def _sources(code: str, quotes: Sequence[str], texts: SourceTexts, tables: Sequence[Table], n: int) -> list[Source]:
    """The quotes as sources; a quote that is only a table's caption becomes the rows of that table naming the practice."""
    found: list[Source] = []
    for quote in quotes:
        table = next((t for t in tables if t.caption.strip() == quote.strip() and code_column(t) is not None), None)
        if table is None:
            source = texts.source(quote)
            found += [source] if source is not None else []
            continue
        j = code_column(table)
        rows = [r for r in data_rows(table) if j is not None and code in codes_in(r[j])]
        found += [s for s in (row_source(table, r, texts) for r in rows) if s is not None]
        n = max(n, len(rows))  # every row is one of the values (Table 6: one reported effect per row)
    return found[:n]


def _value(row: PracticeRow, fld: str) -> str:
    value = getattr(row, fld)
    shown = ", ".join(value) if isinstance(value, list) else str(value).strip()
    return shown or NOT_STATED


def practice_pages(
    codes: Sequence[str],
    cards: Sequence[PracticeCard],
    profile: CorpusProfile,
    texts: SourceTexts,
    tables: Sequence[Table],
    quotes_per_fact: int,
) -> list[PracticePage]:
    """One page per code (unknown codes raise ``UnknownPracticeError``), each field with its verbatim quotes."""
    by_code = {c.code: c for c in cards}
    pages = []
    for row in practice_table(cards, profile, codes):
        card = by_code[row.code]
        quotes = {**row.quotes, "title": card.sources.get("title", [])}
        facts = []
        for fld, name in FIELDS:
            value = _value(row, fld)
            cited = _sources(row.code, quotes.get(fld, []), texts, tables, quotes_per_fact) if value != NOT_STATED else []
            facts.append(Fact(name, value, cited))
        page = PracticePage(row.code, row.name, row.country, facts)
        page.sections, page.not_stated = _sections(page, card, texts, quotes_per_fact)
        pages.append(page)
    return pages


def _sections(page: PracticePage, card: PracticeCard, texts: SourceTexts, n: int) -> tuple[list[Section], list[str]]:
    """The one-pager's sections from the page's facts (and the card's summary); what no source states, by name."""
    by_label = {f.label: f for f in page.facts}
    sections, missing = [], []
    for heading, fields in ONE_PAGER:
        facts = []
        for fld, name in fields:
            if fld == SUMMARY:
                cited = [s for s in (texts.source(q) for q in card.sources.get(SUMMARY, [])) if s is not None]
                fact = Fact(name, " ".join(card.summary.split()), cited[: max(n, 3)]) if card.summary.strip() else None
            else:
                fact = by_label.get(name)
            if fact is None or fact.value == NOT_STATED:
                missing.append(name.lower() or heading.lower())
            else:
                facts.append(fact)
        if facts:
            sections.append(Section(heading, facts))
    return sections, missing


def comparison(pages: list[PracticePage]) -> Comparison:
    """The pages side by side, one row per field (the title is each column's heading)."""
    return Comparison([name for _, name in FIELDS if name != TITLE], pages)
