"""The workshop pack as typed data: what a renderer lays out (Markdown, Word, PDF) and a test checks.

Every piece of evidence in a pack is a :class:`Source`: the document, the place in it (a table
caption or a section path), the page where the document has pages, and the verbatim quote. A
renderer numbers the sources in order of first use (:meth:`Pack.references`) and prints each
once, with its quote, under "References".
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """Where a statement of the pack comes from; ``quote`` is verbatim source text (excerpts joined by " … ")."""

    document: str
    where: str
    quote: str
    page: int | None = None

    def location(self) -> str:
        """Document, place and page as one line ("Integrated social services in Europe — Table 7, p. 3")."""
        parts = [self.document, self.where] if self.where else [self.document]
        return " — ".join(parts) + (f", p. {self.page}" if self.page is not None else "")


@dataclass
class Fact:
    """One field of a practice (its plain label and value) with the source quotes behind it."""

    label: str
    value: str
    sources: list[Source] = field(default_factory=list)


@dataclass
class Section:
    """A part of a one-pager ("What it is", "Who it serves" …): the facts it states, each cited."""

    heading: str
    facts: list[Fact] = field(default_factory=list)


@dataclass
class PracticePage:
    """A practice one-pager: the card's fields, each with its verbatim source quotes, and the page's sections.

    ``facts`` are the fields as the comparison lines them up; ``sections`` the one-pager as a reader
    takes it in (what it is, who it serves, how it works, funding, effects and evaluation), and
    ``not_stated`` what the sources do not say about the practice (one line, not a row each).
    """

    code: str
    title: str
    country: str
    facts: list[Fact] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    not_stated: list[str] = field(default_factory=list)

    def fact(self, label: str) -> Fact | None:
        """The fact with this label, if the card records it."""
        return next((f for f in self.facts if f.label == label), None)


@dataclass
class Comparison:
    """The chosen practices side by side: one column per practice, one row per field."""

    fields: list[str]
    pages: list[PracticePage]

    def cell(self, page: PracticePage, label: str) -> Fact | None:
        return page.fact(label)


@dataclass
class AnswerBlock:
    """One line of a cited answer: a ``heading``, a ``claim``, a ``table`` (``rows``, first row the header) or a ``note``."""

    kind: str
    text: str = ""
    sources: list[Source] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class CitedAnswer:
    """The assistant's answer to a question of the pack, block by block, its citations as sources."""

    question: str
    blocks: list[AnswerBlock] = field(default_factory=list)
    supported: bool = True


@dataclass
class DiscussionItem:
    """A discussion question built on what the sources say (a barrier and facilitator row, a recommendation)."""

    kind: str  # "barriers and facilitators" or "recommendation"
    question: str
    sources: list[Source] = field(default_factory=list)


@dataclass
class QuizItem:
    """A quiz question on a figure of the sources; the answer key cites where the answer is."""

    question: str
    answer: str
    sources: list[Source] = field(default_factory=list)
    options: list[str] = field(default_factory=list)  # multiple choice, when the question offers choices
    fact: str = ""  # what the item asks about (a table row, an element's barriers): no two items of a quiz share one


@dataclass
class GlossaryItem:
    """An abbreviation the pack uses, what it stands for, and where the sources spell it out."""

    term: str
    meaning: str
    sources: list[Source] = field(default_factory=list)


@dataclass
class Pack:
    """A workshop pack: the topic's cited answers, practice one-pagers, their comparison, discussion and quiz."""

    title: str
    topic: str
    answers: list[CitedAnswer]
    practices: list[PracticePage]
    comparison: Comparison
    discussion: list[DiscussionItem]
    quiz: list[QuizItem]
    sources_note: str = ""  # which documents the pack draws on
    glossary: list[GlossaryItem] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.practices]

    def references(self) -> list[Source]:
        """Every source of the pack once, in order of first use (the order of the numbered references)."""
        seen: dict[Source, None] = {}
        for answer in self.answers:
            for block in answer.blocks:
                seen.update(dict.fromkeys(block.sources))
        for page in self.practices:
            for section in page.sections:
                for fact in section.facts:
                    seen.update(dict.fromkeys(fact.sources))
            for fact in page.facts:
                seen.update(dict.fromkeys(fact.sources))
        for item in self.discussion:
            seen.update(dict.fromkeys(item.sources))
        for q in self.quiz:
            seen.update(dict.fromkeys(q.sources))
        for g in self.glossary:
            seen.update(dict.fromkeys(g.sources))
        return list(seen)

    def numbers(self) -> dict[Source, int]:
        """Each source's reference number (1-based)."""
        return {s: n for n, s in enumerate(self.references(), 1)}
