"""The landscape of the practices, counted from the cards: what the app's charts show.

Each count carries the codes behind it, so a click on a bar or a cell can filter the practice
table to exactly those practices. Values are the profile's plain labels, never internal ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.cards import PracticeCard
from app.core.corpus_profile import CorpusProfile

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

    @property
    def count(self) -> int:
        return len(self.codes)


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


def bars(cards: Sequence[PracticeCard], profile: CorpusProfile, field: str) -> list[Bar]:
    """Practices per value of ``field`` (a card may count under several values), most frequent first.

    Vocabulary fields list every value the profile knows that at least one card uses; ``country``
    lists the countries of the cards.
    """
    found: dict[str, list[str]] = {}
    for card in sorted(cards, key=lambda c: c.code):
        for value in _values(card, field):
            found.setdefault(value, []).append(card.code)
    out = [Bar(field, v, profile.label(field, v) if field != "country" else v, tuple(codes)) for v, codes in found.items()]
    return sorted(out, key=lambda b: (-b.count, b.label))


def heatmap(cards: Sequence[PracticeCard], profile: CorpusProfile) -> list[HeatCell]:
    """Every sector × target group of the profile's vocabularies, with the practices that have both (zeros kept)."""
    cells = []
    for sector in profile.vocabulary("sectors"):
        for group in profile.vocabulary("target_groups"):
            codes = tuple(sorted(c.code for c in cards if sector in c.sectors and group in c.target_groups))
            cells.append(HeatCell(sector, profile.label("sectors", sector), group, profile.label("target_groups", group), codes))
    return cells
