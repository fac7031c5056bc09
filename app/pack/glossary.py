"""The abbreviations a pack uses, spelled out: the corpus profile's glossary, cited to the sources' own words.

Only the terms the pack's text uses are listed (a pack on jobcentres explains PES, not MAIA), and
only entries whose quote is found verbatim in the documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from app.core.corpus_profile import GlossaryEntry
from app.core.text import has_word
from app.pack.model import GlossaryItem, Pack
from app.pack.sources import SourceTexts


def pack_text(pack: Pack) -> str:
    """Every word the pack prints outside its references: answers, pages, discussion and quiz."""
    parts: list[str] = [pack.topic]
    parts += [b.text + " " + " ".join(" ".join(r) for r in b.rows) for a in pack.answers for b in a.blocks]
    parts += [f"{p.title} {f.value}" for p in pack.practices for f in p.facts]
    parts += [f.value for p in pack.practices for s in p.sections for f in s.facts]
    parts += [d.question for d in pack.discussion]
    parts += [f"{q.question} {q.answer} {' '.join(q.options)}" for q in pack.quiz]
    return "\n".join(parts)


def used_terms(text: str, entries: Iterable[GlossaryEntry]) -> list[GlossaryEntry]:
    """The entries whose term occurs in the text as a word (case as written: "PES", not "pes")."""
    return [e for e in entries if has_word(text, e.term)]


def glossary(pack: Pack, entries: Sequence[GlossaryEntry], texts: SourceTexts) -> list[GlossaryItem]:
    """The glossary of the pack, in alphabetical order, each entry cited where the sources spell it out."""
    items = []
    for entry in sorted(used_terms(pack_text(pack), entries), key=lambda e: e.term.lower()):
        source = texts.source(entry.quote)
        if source is not None:
            items.append(GlossaryItem(entry.term, entry.meaning, [source]))
    return items
