"""What every renderer of a pack shares: the section headings, citation markers and the quiz's letters."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from app.pack.model import Pack, PracticePage, QuizItem, Source

ANSWERS = "The question and the cited answer"
PRACTICES = "The practices"
COMPARISON = "The practices side by side"
DISCUSSION = "Discussion questions"
QUIZ = "Quiz: what the sources show"
ANSWER_KEY = "Answer key (the trainer's copy)"
GLOSSARY = "Abbreviations"
REFERENCES = "References"
FIELD = "Field"
NOT_STATED = "Not stated in the sources"


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


def section_text(facts: list[tuple[str, str, str]]) -> str:
    """A one-pager section's facts as one paragraph: ``Label: value. [n] Label: value. [m]`` (no label: the value)."""
    parts = []
    for name, value, mark in facts:
        text = (f"{name}: {value}" if name else value).rstrip()
        text += "" if text.endswith((".", "!", "?")) else "."
        parts.append(f"{text} {mark}".rstrip())
    return " ".join(parts)


def place_line(page: PracticePage, numbers: dict[Source, int]) -> str:
    """The practice's country, cited with the sources of its name and country ("Germany [8][9]")."""
    cited = [s for f in page.facts if f.label in ("Title", "Country") for s in f.sources]
    return f"{page.country} {marks(dict.fromkeys(cited), numbers)}".rstrip()


def one_pager(page: PracticePage, numbers: dict[Source, int], text: Callable[[str], str] = str) -> list[tuple[str, str]]:
    """The page's sections as (heading, paragraph with reference markers), then what the sources do not state.

    ``text`` prepares the words for the format (Markdown escapes them); the markers are left as they are.
    """
    out = []
    for s in page.sections:
        # A fact named like its section ("Funding. Funding: …") goes without its label.
        facts = [("" if f.label == s.heading else text(f.label), text(f.value), marks(f.sources, numbers)) for f in s.facts]
        out.append((s.heading, section_text(facts)))
    if page.not_stated:
        out.append((NOT_STATED, text(", ".join(page.not_stated)) + "."))
    return out
