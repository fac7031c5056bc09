"""The landscape of the practices, counted from the cards: what the app's charts show.

Each count carries the codes behind it, so a click on a bar or a cell can filter the practice
table to exactly those practices. Values are the profile's plain labels, never internal ids.

Most cards leave some fields empty (the sources do not state them), so a count from the cards is
a count among the cards that record the field: every chart states that denominator
(:func:`recorded`, "funding recorded on 11 of 44 cards"). Where the report counts the same thing
for all its practices (its Tables 6–7, named in the profile's ``report_counts``), those figures
come with the chart, cited (:func:`report_figures`, :func:`facet_note`), so the landscape never
contradicts the report without saying why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.cards import PracticeCard
from app.core.corpus_profile import CorpusProfile
from app.core.tables import Table

# The card fields a bar chart counts, with the chart's title.
BAR_FACETS: dict[str, str] = {
    "country": "Countries",
    "delivery_models": "Delivery models",
    "funding": "Funding",
    "effects": "Reported effects",
}


@dataclass(frozen=True)
class Bar:
    """How many practices have one value of one card field, and which."""

    field: str
    value: str  # the card's value (e.g. ``one_stop_shop``)
    label: str  # the profile's plain label ("one-stop shop")
    codes: tuple[str, ...]
    report: int | None = None  # the report's own count of this value (all its practices), when it gives one

    @property
    def count(self) -> int:
        return len(self.codes)


@dataclass(frozen=True)
class ReportFigure:
    """One row of a report table that counts practices: its label as printed, count and share, the card value."""

    value: str
    printed: str
    count: int
    share: str  # "45%", or "" when the table prints none


@dataclass(frozen=True)
class ReportFigures:
    """The report's own count of a card field, for all its practices, with the table it comes from."""

    caption: str  # the table's caption, verbatim ("Table 7: Ways to fund integrated services (n=44)")
    figures: list[ReportFigure]


@dataclass(frozen=True)
class HeatCell:
    """How many practices work in one sector for one target group, and which."""

    sector: str
    sector_label: str
    group: str
    group_label: str
    codes: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.codes)


def _values(card: PracticeCard, field: str) -> list[str]:
    value = getattr(card, field)
    return list(value) if isinstance(value, list) else [value] if value else []


def recorded(cards: Sequence[PracticeCard], field: str) -> int:
    """How many cards record a value for ``field`` (the denominator of any count of it)."""
    return sum(1 for c in cards if _values(c, field))


def report_figures(profile: CorpusProfile, tables: Sequence[Table], field: str) -> ReportFigures | None:
    """The report's own per-value count of ``field`` (profile ``report_counts``), or None when it gives none."""
    spec = profile.report_counts.get(field)
    table = next((t for t in tables if spec and t.id == spec.table), None)
    if spec is None or table is None:
        return None
    figures = []
    for row in table.rows:
        label = row[0] if row else ""
        value = spec.value_of(label)
        if not value or len(row) <= spec.count_column or not row[spec.count_column].strip().isdigit():
            continue  # group rows ("Service users") and rows the profile does not map count nothing
        share = row[spec.share_column] if spec.share_column is not None and len(row) > spec.share_column else ""
        figures.append(ReportFigure(value, label, int(row[spec.count_column]), share))
    return ReportFigures(table.caption, figures) if figures else None


def facet_note(
    cards: Sequence[PracticeCard], profile: CorpusProfile, field: str, title: str, tables: Sequence[Table] = ()
) -> str:
    """What a chart's counts stand on, in a sentence or two: the cards that record the field and, where the
    report has its own count, that count cited and whether the cards agree with it."""
    n, total = recorded(cards, field), len(cards)
    note = f"{title} recorded on {n} of {total} cards"
    note += "." if n == total else f"; the other {total - n} cards' sources do not state it."
    report = report_figures(profile, tables, field)
    if report is None:
        return note
    by_value = {b.value: b.count for b in bars(cards, profile, field)}
    agree = all(by_value.get(f.value, 0) == f.count for f in report.figures)
    figures = ", ".join(f"{f.printed} {f.count}" + (f" ({f.share})" if f.share else "") for f in report.figures)
    if agree:
        return f"{note} The cards reproduce the report's own count ({report.caption}): {figures}."
    return (
        f"{note} The report counts this for all its practices, but names the practices behind its figures only "
        f"in part, so the cards' counts are lower. The report's own count ({report.caption}): {figures}."
    )


def bars(cards: Sequence[PracticeCard], profile: CorpusProfile, field: str, tables: Sequence[Table] = ()) -> list[Bar]:
    """Practices per value of ``field`` (a card may count under several values), most frequent first.

    Vocabulary fields list every value the profile knows that at least one card uses; ``country``
    lists the countries of the cards. With the corpus's ``tables``, each bar also carries the report's
    own count of its value (and a value the report counts but no card records gets a bar of 0).
    """
    found: dict[str, list[str]] = {}
    for card in sorted(cards, key=lambda c: c.code):
        for value in _values(card, field):
            found.setdefault(value, []).append(card.code)
    report = report_figures(profile, tables, field) if tables else None
    counts = {f.value: f.count for f in report.figures} if report else {}
    for value in counts:
        found.setdefault(value, [])
    out = [
        Bar(field, v, profile.label(field, v) if field != "country" else v, tuple(codes), counts.get(v))
        for v, codes in found.items()
    ]
    return sorted(out, key=lambda b: (-b.count, b.label))


def heatmap(cards: Sequence[PracticeCard], profile: CorpusProfile) -> list[HeatCell]:
    """Every sector × target group of the profile's vocabularies, with the practices that have both (zeros kept)."""
    cells = []
    for sector in profile.vocabulary("sectors"):
        for group in profile.vocabulary("target_groups"):
            codes = tuple(sorted(c.code for c in cards if sector in c.sectors and group in c.target_groups))
            cells.append(HeatCell(sector, profile.label("sectors", sector), group, profile.label("target_groups", group), codes))
    return cells


def heatmap_note(cards: Sequence[PracticeCard]) -> str:
    """The heatmap's denominators: how many cards record a sector, a target group, both."""
    total = len(cards)
    sectors, groups = recorded(cards, "sectors"), recorded(cards, "target_groups")
    both = sum(1 for c in cards if c.sectors and c.target_groups)
    return (
        f"Sectors recorded on {sectors} of {total} cards, target groups on {groups}; a practice appears "
        f"here only when its card records both ({both} of {total})."
    )
