"""A quote with the sentence before and the sentence after it, found in the verbatim text around it.

A citation's quote is verbatim source text; a reader judges it better with its neighbours. The
caller passes the texts that may hold it (the cited passage first, then its neighbours), and the
context is taken from whichever text has it; nothing is ever reworded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.sentences import split_sentences

QUOTE_JOIN = " … "  # how an Answer joins several quotes of one passage


@dataclass(frozen=True)
class QuoteContext:
    before: str
    quote: str
    after: str


def _pattern(fragment: str) -> re.Pattern[str]:
    """The fragment, whatever whitespace the source has between its words."""
    return re.compile(r"\s+".join(re.escape(w) for w in fragment.split()))


def _before(text: str, end: int) -> str:
    sentences = split_sentences(text[:end])
    return sentences[-1] if sentences else ""


def _after(text: str, start: int) -> str:
    sentences = split_sentences(text[start:])
    return sentences[0] if sentences else ""


def _span(patterns: list[re.Pattern[str]], text: str) -> tuple[int, int] | None:
    """Where the quote's pieces are in ``text``: from the first piece's start to the last piece's end."""
    found = [m for p in patterns if (m := p.search(text))]
    if len(found) < len(patterns):
        return None
    return min(m.start() for m in found), max(m.end() for m in found)


def quote_context(quote: str, texts: Iterable[str]) -> QuoteContext:
    """The quote with the full sentence before and after it, from the first text that has each.

    A quote made of several pieces (joined by `` … ``) is placed from its earliest to its latest piece.
    A sentence cut by the start or end of a text is not used.
    """
    patterns = [_pattern(p) for p in quote.split(QUOTE_JOIN) if p.strip()] or [_pattern(quote)]
    before = after = ""
    for text in texts:
        span = _span(patterns, text)
        if span is None:
            continue
        start, end = span
        if not before:
            candidate = _before(text, start)
            if candidate and (text[:start].strip() != candidate or text[:1].isupper()):
                before = candidate
        if not after:
            candidate = _after(text, end)
            if candidate and (text[end:].strip() != candidate or candidate.rstrip()[-1:] in ".!?:"):
                after = candidate
        if before and after:
            break
    return QuoteContext(before, quote, after)
