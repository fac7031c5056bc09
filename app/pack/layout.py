"""What every renderer of a pack shares: the section headings, citation markers and the quiz's letters."""

from __future__ import annotations

from collections.abc import Iterable

from app.pack.model import Pack, QuizItem, Source

ANSWERS = "The question and the cited answer"
PRACTICES = "The practices"
COMPARISON = "The practices side by side"
DISCUSSION = "Discussion questions"
QUIZ = "Quiz: the key figures of the sources"
ANSWER_KEY = "Answer key"
REFERENCES = "References"
FIELD = "Field"


def marks(sources: Iterable[Source], numbers: dict[Source, int]) -> str:
    """The reference numbers of the sources as markers ("[1][4]")."""
    return "".join(f"[{numbers[s]}]" for s in sources if s in numbers)


def option_letters(item: QuizItem) -> list[tuple[str, str]]:
    """The item's options as ("a", option) pairs."""
    return [(chr(ord("a") + i), option) for i, option in enumerate(item.options)]


def reference_line(n: int, source: Source) -> str:
    """A numbered reference: ``[3] Document — place, p. 4: “quote”``."""
    return f"[{n}] {source.location()}: “{source.quote}”"


def practices_line(pack: Pack) -> str:
    """The practices of the pack on one line (``DE1 — name (Germany); FI6 — …``)."""
    return "; ".join(f"{p.code} — {p.title} ({p.country})" for p in pack.practices)
