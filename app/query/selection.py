"""Choosing statements for an answer: the best ones above a floor, none repeating another, within a citation budget.

Pure functions over scored candidates (no model, no index): the layouts call them with their own floors and counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.core.draft import DraftClaim, citation_key
from app.core.models import Chunk
from app.query.candidates import Candidate

_MIN_REPEAT_CHARS = 40  # a shorter quote held in another ("articles") is no repeat of it


def word_overlap(a: set[str], b: set[str]) -> float:
    """The share of the smaller set's words that the other has too."""
    return len(a & b) / max(1, min(len(a), len(b)))


@dataclass
class CitationBudget:
    """The citations an answer has made and the most it may make: a statement that would cite a further passage past
    the limit is left out (one citing passages already cited costs nothing)."""

    limit: int
    cited: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def beyond(cls, claims: Iterable[DraftClaim], chunks: Mapping[str, Chunk], extra: int) -> CitationBudget:
        """A budget of ``extra`` citations more than the claims already made (the opening) cite."""
        cited = {citation_key(chunks[s], c.cite_as) for c in claims for s in c.sources if s in chunks}
        return cls(len(cited) + extra, cited)

    def admits(self, c: Candidate) -> bool:
        """Whether the statement's citations fit within the limit."""
        return len(self.cited | c.citations) <= self.limit

    def spend(self, c: Candidate) -> None:
        """Count the statement's citations as made."""
        self.cited |= c.citations


def _bare(quote: str) -> str:
    """A quote without a leading field label ("Summary: …") and without case or spacing differences."""
    return " ".join(re.sub(r"^\w[\w ]{0,30}:\s+", "", quote.strip()).lower().split())


def quotes_again(c: Candidate, t: Candidate) -> bool:
    """Whether one statement's quote holds the other's: a card fact quotes the source sentence that is also a
    statement of its own ("Summary: Kotitori is a single access point …")."""
    a, b = _bare(c.quote), _bare(t.quote)
    return min(len(a), len(b)) >= _MIN_REPEAT_CHARS and (a in b or b in a)


def closest(scored: list[Candidate]) -> Candidate | None:
    """The candidate closest to the question itself: meaning and words, before the ranker's preferences."""
    return max(scored, key=lambda c: c.relevance, default=None)


def closest_first(scored: list[Candidate], taken: list[Candidate], floor: float) -> list[Candidate]:
    """The candidates with the :func:`closest` first, when it is not taken and clears the floor: the ranker, learned on
    whole questions, can put the statement that says what is asked below others about the same practice or aspect.
    (Measured for the evidence layout; the recommendation layout, whose statements are the report's recommendations,
    lost by it.)"""
    nearest = closest(scored)
    if nearest is None or nearest.score < floor or nearest in taken:
        return scored
    return [nearest, *(c for c in scored if c is not nearest)]


def pick(
    scored: Iterable[Candidate],
    n: int,
    taken: list[Candidate],
    floor: float = 0.0,
    *,
    overlap: float,
    budget: CitationBudget | None = None,
) -> list[Candidate]:
    """Up to n candidates (best first) above the floor, none repeating (by word ``overlap``) a statement already taken,
    and none citing past the ``budget``."""
    chosen: list[Candidate] = []
    for c in scored:
        if c.score < floor:
            break
        # A statement that carries on one already chosen ("… similar trends …" + "These include demographic
        # ageing, …") says all it says and what it leads to: it takes its place.
        extended = next((i for i, t in enumerate(chosen) if _carries_on(c, t) or _says_in_full(c, t, overlap)), None)
        if extended is not None:
            chosen[extended] = c
            continue
        if len(chosen) >= n:
            break
        if any(c.quote == t.quote or word_overlap(c.terms, t.terms) >= overlap for t in [*taken, *chosen]):
            continue
        if budget is not None:
            if not budget.admits(c):
                continue
            budget.spend(c)
        chosen.append(c)
    return chosen


def _says_in_full(c: Candidate, t: Candidate, overlap: float) -> bool:
    """Whether statement c is the sources' own sentence that card summary t paraphrases, saying more than it does.

    A card's "what it is" is written from the report's sentence about the practice, which often goes on to what the
    practice achieved ("… Their monitoring proved that GP visits were reduced by 33,3%"): the verbatim sentence says
    all the summary says and more, so it takes the summary's place rather than being dropped as its repeat."""
    return (
        t.kind == "card_fact"
        and t.card_field == "summary"
        and c.kind != "card_fact"
        and bool(t.codes)
        and set(t.codes) <= set(c.codes)
        and len(c.terms) > len(t.terms)
        and word_overlap(c.terms, t.terms) >= overlap
    )


def _carries_on(c: Candidate, t: Candidate) -> bool:
    """Whether statement c is statement t of the same passage followed by more of the text."""
    return c.chunk.id == t.chunk.id and c.kind != "card_fact" and c.quote != t.quote and c.quote.startswith(t.quote)
