"""The practice table and the side-by-side comparison, with plain labels and the quotes behind each value.

Public API (the app, the CLI and the workshop pack use these):

- ``practice_table(cards, profile, codes=None) -> list[PracticeRow]``: one row per card (all of them,
  or the given codes in the given order): code, a display name that tells similar titles apart,
  country, sectors, target groups, delivery models, funding, governance level, reported effects,
  evaluation — every value a plain label of the corpus profile, never an internal id; each row also
  carries the verbatim source quotes behind each field (``row.quotes[field]``). Curator notes are
  never part of a row.
- ``display_names(cards, profile) -> dict[str, str]``: the display name of every card.
- ``compare(codes, cards, profile, tables=None) -> Comparison``: 2–4 practices side by side; each
  ``Cell`` holds the value(s) and the verbatim source quote(s) behind them. Unknown codes raise
  ``UnknownPracticeError`` (a ``ValueError`` naming them); fewer than 2 or more than 4 raise ``ValueError``.
- ``parse_codes("DE1, fi6") -> ["DE1", "FI6"]``.
- ``comparison_to_text(comparison) -> str``: the comparison for a terminal.
- ``table_to_csv(rows, reasons=None) -> str`` and ``comparison_to_csv(comparison) -> str``: CSV text (the
  comparison's CSV has a quotes column per practice; the table's has a "Why it matched" column when a
  description ranked it); ``csv_bytes(text)`` is what a download or a file holds: UTF-8 with a byte-order
  mark, so spreadsheet programs read curly quotes and dashes right.
- Practices the sources neither name nor describe (``PracticeCard.listed_only_in_tables``) are named as
  such ("… — listed only in the report's tables") and come last in the table.

Everything here is built from the cards and the profile: no value is typed in twice.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.core.cards import PracticeCard
from app.core.corpus_profile import CorpusProfile
from app.core.tables import Table

NOT_STATED = "not stated in the sources"
TABLE_ONLY = "listed only in the report's tables"
WHY = "Why it matched"
MIN_COMPARED, MAX_COMPARED = 2, 4

# The columns of the table, in order: (card field, column heading). List fields are shown with the profile's labels.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("country", "Country"),
    ("sectors", "Sectors"),
    ("target_groups", "Target groups"),
    ("delivery_models", "Delivery models"),
    ("funding", "Funding"),
    ("governance_level", "Governance level"),
    ("effects", "Reported effects"),
    ("evaluation", "Evaluation"),
)
# The comparison shows these as well (what a practitioner weighs when choosing a model to copy).
COMPARED: tuple[tuple[str, str], ...] = (
    ("organisation", "Organisation"),
    *COLUMNS[:6],
    ("reasons", "Reasons for integrating"),
    *COLUMNS[6:],
    ("transferability", "Transferability"),
)


class UnknownPracticeError(ValueError):
    """Codes that name no practice card."""

    def __init__(self, codes: Sequence[str]) -> None:
        self.codes = list(codes)
        super().__init__(f"unknown practice code(s): {', '.join(self.codes)}")


@dataclass(frozen=True)
class PracticeRow:
    """One practice as the table shows it: plain labels only, and the quotes behind each field."""

    code: str
    name: str
    title: str
    country: str
    sectors: list[str]
    target_groups: list[str]
    delivery_models: list[str]
    funding: list[str]
    governance_level: list[str]
    effects: list[str]
    evaluation: str
    quotes: dict[str, list[str]] = field(default_factory=dict)  # card field -> verbatim source quotes

    def cells(self) -> dict[str, str]:
        """Column heading -> the value as one string ("; " between list items), code and name first."""
        out = {"Code": self.code, "Name": self.name}
        for fld, heading in COLUMNS:
            value = getattr(self, fld)
            out[heading] = "; ".join(value) if isinstance(value, list) else value
        return out


@dataclass(frozen=True)
class Cell:
    """One practice's value for one attribute, with the verbatim source quotes behind it."""

    values: list[str]
    quotes: list[str]

    @property
    def text(self) -> str:
        """The value(s) as one line, or a plain note that the sources do not state it."""
        return "; ".join(self.values) if self.values else NOT_STATED


@dataclass(frozen=True)
class ComparisonRow:
    """One attribute across the compared practices (cells in the order of ``Comparison.codes``)."""

    field: str
    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class Comparison:
    """2–4 practices side by side."""

    codes: list[str]
    names: list[str]
    rows: list[ComparisonRow]


def parse_codes(text: str) -> list[str]:
    """Practice codes from a comma- or space-separated list, upper-cased, duplicates dropped, order kept."""
    return list(dict.fromkeys(c.upper() for c in re.split(r"[\s,;]+", text) if c))


def _labels(profile: CorpusProfile, fld: str, values: list[str]) -> list[str]:
    return [profile.label(fld, v) for v in values]


def _stem(title: str) -> str:
    """What two titles of one programme share ("Houses for Personal Autonomy" for both MAIA cards)."""
    return re.split(r"\s*[(,–—]|\s+in\s+", title, maxsplit=1)[0].strip().lower()


def _untitled(card: PracticeCard, profile: CorpusProfile) -> str:
    """A name for a card whose sources give none, from its country and target groups (and, when the sources
    do not describe it either, saying so)."""
    country = next((c for c in profile.countries if c.name == card.country), None)
    adjective = country.demonyms[0] if country and country.demonyms else card.country
    if card.listed_only_in_tables:
        return f"{adjective} practice {card.code} — {TABLE_ONLY}"
    groups = _labels(profile, "target_groups", card.target_groups)
    return f"{adjective} practice {card.code}" + (f" for {' and '.join(groups[:2])}" if groups else "") + " (name not given)"


def table_order(cards: Iterable[PracticeCard]) -> list[str]:
    """Codes in table order: by code, the practices listed only in the report's tables last."""
    return [c.code for c in sorted(cards, key=lambda c: (c.listed_only_in_tables, c.code))]


def display_names(cards: Sequence[PracticeCard], profile: CorpusProfile) -> dict[str, str]:
    """Each card's display name: its title (or a description when it has none), with the organisation or
    governance level added where titles of different cards would otherwise read alike."""
    base = {c.code: c.title or _untitled(c, profile) for c in cards}
    stems: dict[str, list[str]] = {}
    for c in cards:
        stems.setdefault(_stem(base[c.code]), []).append(c.code)
    by_code = {c.code: c for c in cards}
    names = dict(base)
    for codes in stems.values():
        if len(codes) < 2:
            continue
        for code in codes:
            card = by_code[code]
            levels = _labels(profile, "governance_level", card.governance_level)
            extra = card.organisation or (f"{', '.join(levels)} level" if levels else "")
            if extra and extra.lower() not in names[code].lower():
                names[code] = f"{names[code]} ({extra})"
    seen: dict[str, int] = {}
    for code in names:  # still alike (no organisation, no level): the code tells them apart
        seen[names[code]] = seen.get(names[code], 0) + 1
    return {code: (f"{n} ({code})" if seen[n] > 1 else n) for code, n in names.items()}


def _row(card: PracticeCard, name: str, profile: CorpusProfile) -> PracticeRow:
    lists = {fld: _labels(profile, fld, getattr(card, fld)) for fld, _ in COLUMNS if isinstance(getattr(card, fld), list)}
    quotes = {fld: list(card.sources.get(fld, [])) for fld, _ in COLUMNS if card.sources.get(fld)}
    return PracticeRow(
        code=card.code,
        name=name,
        title=card.title,
        country=card.country,
        evaluation=" ".join(card.evaluation.split()),
        quotes=quotes,
        **lists,
    )


def practice_table(
    cards: Sequence[PracticeCard], profile: CorpusProfile, codes: Iterable[str] | None = None
) -> list[PracticeRow]:
    """The table: every card (by code, those listed only in the report's tables last), or the given codes in
    their order (unknown ones raise)."""
    names = display_names(cards, profile)
    by_code = {c.code: c for c in cards}
    if codes is None:
        chosen = table_order(cards)
    else:
        chosen = list(codes)
        unknown = [c for c in chosen if c not in by_code]
        if unknown:
            raise UnknownPracticeError(unknown)
    return [_row(by_code[c], names[c], profile) for c in chosen]


def _effect_quotes(effects: list[str], tables: Iterable[Table], profile: CorpusProfile) -> list[str]:
    """The effect and its description from the report's effects table (Table 6, named by the profile),
    verbatim cell by cell (the practice-code cell is left out: the extracted text prints it one code per line)."""
    caption = profile.card_checks.effects_table_end
    table = next((t for t in tables if t.caption.startswith(caption)), None)
    if table is None:
        return []
    return [Table.quote(row[:2]) for row in table.rows if row and row[0] in effects]


def _cell(card: PracticeCard, fld: str, profile: CorpusProfile, tables: Iterable[Table]) -> Cell:
    value = getattr(card, fld)
    quotes = list(card.sources.get(fld, []))
    if isinstance(value, list):
        if fld == "effects":
            quotes += _effect_quotes(value, tables, profile)
        return Cell(_labels(profile, fld, value), quotes if value else [])
    text = " ".join(str(value).split())
    return Cell([text] if text else [], quotes if text else [])


def compare(
    codes: Sequence[str],
    cards: Sequence[PracticeCard],
    profile: CorpusProfile,
    tables: Iterable[Table] = (),
) -> Comparison:
    """2–4 practices side by side: one row per attribute, each cell with its value(s) and verbatim quotes."""
    wanted = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    by_code = {c.code: c for c in cards}
    unknown = [c for c in wanted if c not in by_code]
    if unknown:
        raise UnknownPracticeError(unknown)
    if not MIN_COMPARED <= len(wanted) <= MAX_COMPARED:
        raise ValueError(f"compare {MIN_COMPARED} to {MAX_COMPARED} practices (got {len(wanted)})")
    names = display_names(cards, profile)
    tables = list(tables)
    rows = [ComparisonRow(fld, label, [_cell(by_code[c], fld, profile, tables) for c in wanted]) for fld, label in COMPARED]
    return Comparison(wanted, [names[c] for c in wanted], rows)


def _csv(rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def table_to_csv(rows: Sequence[PracticeRow], reasons: dict[str, str] | None = None) -> str:
    """The table as CSV text: a header row, then one row per practice ("; " between list items); with
    ``reasons`` (code -> why a description matched it) a "Why it matched" column after the name."""
    header = ["Code", "Name", *([WHY] if reasons else []), *(h for _, h in COLUMNS)]
    lines = [header]
    for r in rows:
        cells = r.cells()
        if reasons:
            cells = {"Code": cells.pop("Code"), "Name": cells.pop("Name"), WHY: reasons.get(r.code, ""), **cells}
        lines.append(list(cells.values()))
    return _csv(lines)


def csv_bytes(text: str) -> bytes:
    """CSV text as a file holds it: UTF-8 with a byte-order mark (spreadsheet programs then read “ ” – right)."""
    return ("\ufeff" + text).encode("utf-8")


def comparison_to_csv(comparison: Comparison) -> str:
    """The comparison as CSV text: one row per attribute, for each practice its value and its source quotes
    (several quotes separated by " | ")."""
    header = ["Attribute"]
    for code, name in zip(comparison.codes, comparison.names, strict=True):
        header += [f"{code}: {name}", f"{code}: source quotes"]
    lines = [header]
    for row in comparison.rows:
        line = [row.label]
        for cell in row.cells:
            line += [cell.text, " | ".join(cell.quotes)]
        lines.append(line)
    return _csv(lines)


def comparison_to_text(comparison: Comparison) -> str:
    """The comparison for a terminal: the practices named, then each attribute with every practice's value
    and the quotes behind it."""
    lines = [f"{code}: {name}" for code, name in zip(comparison.codes, comparison.names, strict=True)]
    width = max(len(c) for c in comparison.codes)
    for row in comparison.rows:
        lines += ["", row.label]
        for code, cell in zip(comparison.codes, row.cells, strict=True):
            lines.append(f"  {code:{width}}  {cell.text}")
            lines += [f"  {'':{width}}  “{q}”" for q in cell.quotes]
    return "\n".join(lines)
