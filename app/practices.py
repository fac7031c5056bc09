"""The practice finder: "who already does this, for people like mine?".

Hard filters on the cards' facets, then (with ``like``) ranking by how close
the practice's card and the report passages naming it are to a free-text
description. Every match says why it matched, with the card's own sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.cards import PracticeCard
from app.config import FinderSettings
from app.retrieve import Filters, Retriever

_CARD_FIELD = {
    "sector": "sectors",
    "target_group": "target_groups",
    "delivery_model": "delivery_models",
    "funding": "funding",
}


@dataclass
class PracticeQuery:
    country: str | None = None
    sector: str | None = None
    target_group: str | None = None
    delivery_model: str | None = None
    funding: str | None = None
    like: str | None = None
    limit: int | None = None  # None: the configured limit


@dataclass
class PracticeMatch:
    """One practice that matched, with the reasons and the card quotes behind them."""

    code: str
    title: str
    country: str
    score: float
    reason: str
    quotes: list[str] = field(default_factory=list)  # the card's source quotes behind the matched filters
    similar_passage: str = ""
    similar_source: str = ""
    card: PracticeCard | None = None

    def to_dict(self) -> dict:
        return {
            "code": self.code, "title": self.title, "country": self.country, "score": round(self.score, 4),
            "reason": self.reason, "quotes": self.quotes, "similar_passage": self.similar_passage,
            "similar_source": self.similar_source, "paper_ref": self.card.paper_ref if self.card else None,
        }  # fmt: skip


def _matches(card: PracticeCard, q: PracticeQuery) -> tuple[bool, list[str], list[str]]:
    """(matches, which filters matched, the card's quotes backing them)."""
    why: list[str] = []
    quotes: list[str] = []
    if q.country:
        if card.country.lower() != q.country.lower():
            return False, [], []
        why.append(f"country {card.country}")
    for facet, attr in _CARD_FIELD.items():
        wanted = getattr(q, facet)
        if not wanted:
            continue
        value = wanted.lower().replace(" ", "_").replace("-", "_")
        if value not in getattr(card, attr):
            return False, [], []
        why.append(f"{facet.replace('_', ' ')} {value.replace('_', ' ')}")
        quotes += card.sources.get(attr, [])[:1]
    return True, why, quotes


class PracticeFinder:
    """Filters and ranks practice cards; shares the retriever with the chat."""

    def __init__(self, cards: list[PracticeCard], config: FinderSettings, retriever: Retriever | None = None) -> None:
        self.cards = cards
        self.config = config
        self.retriever = retriever

    def find(self, q: PracticeQuery) -> list[PracticeMatch]:
        matches: list[PracticeMatch] = []
        similarity = self._similarity(q.like) if q.like else {}
        for card in self.cards:
            ok, why, quotes = _matches(card, q)
            if not ok:
                continue
            score = len(card.filled_fields()) * self.config.richness_weight  # richer cards first when nothing else ranks
            passage, source = "", ""
            if q.like:
                if card.code not in similarity:
                    continue
                score, passage, source = similarity[card.code]
                why.append("similar to your description")
            reason = "matches " + ", ".join(why) if why else "all practices"
            matches.append(PracticeMatch(card.code, card.title, card.country, score, reason, quotes, passage, source, card))
        matches.sort(key=lambda m: (-m.score, m.code))
        return matches[: q.limit or self.config.limit]

    def _similarity(self, text: str) -> dict[str, tuple[float, str, str]]:
        """Best fused retrieval score per practice code, over cards and passages naming the practice."""
        if self.retriever is None:
            raise ValueError("--like needs the index (run `joinedup ingest` first)")
        best: dict[str, tuple[float, str, str]] = {}
        n = self.config.snippet_chars
        for p in self.retriever.hybrid(text, self.config.similarity_pool, Filters()):
            for code in p.chunk.practice_codes:
                if code not in best or p.score > best[code][0]:
                    snippet = p.chunk.text[:n] + ("…" if len(p.chunk.text) > n else "")
                    best[code] = (p.score, snippet, f"{p.chunk.doc_title} — {p.chunk.section}")
        return best
