"""Candidate statements: what an answer could say, each with the passage it cites and its verbatim quote.

The units of the retrieved passages (sentences, lists, recommendations), the rows of the report's tables,
and the facts of the practice cards, each card fact cited to the source quote the card records. One
``run(passages, analysis)``; ranking and layout are the composer's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.cards import PracticeCard
from app.core.codes import PracticeCodes
from app.core.config import Settings
from app.core.corpus_profile import CorpusProfile, is_curated_document
from app.core.draft import DraftClaim, citation_key
from app.core.grounding import unsupported
from app.core.injection import instruction_in
from app.core.models import Analysis, Chunk, Passage, Unit
from app.core.normalise import QuoteIndex, dehyphenate, normalise
from app.core.readability import DUMMY_IT
from app.core.tables import Table, load_tables
from app.query.analyse import PracticeNames
from app.query.retrieve import Retriever

# The card fields an answer states as facts, in the order they are offered (their labels: the profile's card_fields).
CARD_FACT_FIELDS = (
    "funding", "effects", "evaluation", "governance_level", "delivery_models", "reasons", "transferability",
    "target_groups", "sectors", "summary", "paper_ref", "alt_codes",
)  # fmt: skip


@dataclass
class Candidate:
    """One statement an answer could make, with the passage it cites and the verbatim quote behind it."""

    text: str
    quote: str
    chunk: Chunk
    kind: str  # sentence, list, recommendation, table_row, card_fact
    lead: str
    evidence: str  # evidence kind of the source (literature, practice, case_study, paper …)
    codes: list[str] = field(default_factory=list)
    audience: str = ""
    table: Table | None = None
    row: list[str] = field(default_factory=list)
    cite_as: tuple[str, str] | None = None  # for a practice card cited as the route to a source quote
    card_field: str = ""  # for a card fact: the card field it states ("funding", "effects" …)
    also: list[Chunk] = field(default_factory=list)  # further passages the statement rests on
    rank: int = 0
    similarity: float = 0.0  # embedding similarity of its lead to the question
    relevance: float = 0.0
    passage_relevance: float | None = None  # the passage ranker's score of its passage (None: not scored)
    score: float = 0.0
    terms: set[str] = field(default_factory=set)
    about: str = ""  # what its passage's heading names (a case study's practice, a country) when the statement does not

    @property
    def described_by(self) -> str:
        """What every figure of the statement is of, said elsewhere: a table row's caption and header."""
        return f"{self.table.caption} {' '.join(self.table.header)}" if self.table and self.kind == "table_row" else ""

    @property
    def fact_field(self) -> str:
        """The card field a card fact states ("" for any other statement)."""
        return self.card_field if self.kind == "card_fact" else ""

    @property
    def citations(self) -> set[tuple[str, str]]:
        """The citations the statement adds to an answer (``citation_key`` of each passage it rests on)."""
        return {citation_key(c, self.cite_as) for c in (self.chunk, *self.also)}

    def claim(self, heading: str) -> DraftClaim:
        sources = [self.chunk.id, *(c.id for c in self.also)]
        return DraftClaim(
            text=self.text, sources=sources, quote=self.quote, heading=heading, cite_as=self.cite_as, about=self.about
        )


def _topic_of(unit: Unit) -> str:
    """What a sentence opening "It is striking that …" is about, to show beside it: its nearest heading that is not a
    question ("Monitoring and evaluating practice"); "" for any other sentence."""
    if not DUMMY_IT.match(unit.text):
        return ""
    return next((h for h in reversed(unit.section.split(" > ")) if not h.rstrip().endswith("?")), "")


def _display(unit: Unit) -> str:
    """A unit as an answer states it: a list's items numbered inline, so the bullet reads as one sentence."""
    if unit.kind != "list":
        return unit.text
    parts = re.split(r"\s+-\s+(?=\S)", unit.text)
    text = parts[0] + " " + " ".join(f"({i}) {p.strip()}" for i, p in enumerate(parts[1:], 1))
    # A list of names ends on its last name ("9. Funding, leadership, and innovation"): the statement ends there.
    return text.rstrip() if re.search(r"[.!?:;)\]”\"]$", text.rstrip()) else text.rstrip() + "."


def practice_label(card: PracticeCard) -> str:
    """How an answer names a practice: "FI3 (Kotitori – Service integration, Finland)"."""
    return f"{card.code} ({card.title or 'name not given in the sources'}, {card.country})"


class CandidateBuilder:
    """Turns passages into candidate statements (units, table rows, card facts)."""

    def __init__(self, settings: Settings, retriever: Retriever, cards: list[PracticeCard]) -> None:
        self.config = settings.answer
        self.retriever = retriever
        self.profile: CorpusProfile = retriever.profile
        self.cards = {c.code: c for c in cards}
        self.card_labels = {f: self.profile.card_label(f) for f in CARD_FACT_FIELDS}
        self.codes = PracticeCodes.from_profile(self.profile)
        self.names = PracticeNames(cards, self.codes)  # a case study's heading names its practice
        self.tables = load_tables(settings.corpus_dir)
        self._quote_sources = _document_texts(retriever.catalogue)
        self._sources_found: dict[str, Chunk | None] = {}
        self._carried: dict[tuple[str, str], bool] = {}  # (source passage id, fact) -> the passage alone carries it
        self._subjects: dict[str, tuple[str, str]] = {}
        self._source_chunks = [
            (c, dehyphenate(normalise(c.text)))
            for c in retriever.catalogue
            if is_curated_document(c.source_type) and c.extra.get("kind") != "table"
        ]

    def evidence_kind(self, chunk: Chunk) -> str:
        return self.profile.evidence_label(chunk.source_type, chunk.section).kind

    def run(self, passages: list[Passage], analysis: Analysis) -> list[Candidate]:
        """Every candidate statement of the passages: units, table rows, card facts."""
        out: list[Candidate] = []
        for rank, p in enumerate(passages):
            mine = self._of_passage(p, rank, analysis)
            for c in mine:
                c.passage_relevance = p.relevance
            out += mine
        return out

    def _of_passage(self, p: Passage, rank: int, analysis: Analysis) -> list[Candidate]:
        """The candidate statements of one passage: a table's rows, a card's facts, or the passage's units."""
        chunk = p.chunk
        if instruction_in(chunk.context_text()):
            return []  # a passage giving the assistant orders is not evidence (the guard would refuse it too)
        if chunk.extra.get("kind") == "table":
            return self._table_rows(chunk, rank)
        if chunk.source_type == "practice_card":
            card = self.cards.get(chunk.practice_codes[0]) if chunk.practice_codes else None
            return self.card_facts(card, chunk, analysis, rank) if card else []
        kind = self.evidence_kind(chunk)
        subject = self.subject_of_section(chunk.section)
        out = []
        for unit in self.retriever.units_in(chunk):
            # A statement that runs on past its passage's end is cited to the passage it ends in too.
            ends_in = self.retriever.chunk_at(chunk.doc_id, unit.end - 1) if unit.end > chunk.char_end else None
            out.append(
                Candidate(
                    text=_display(unit),
                    quote=unit.text,
                    chunk=chunk,
                    also=[ends_in] if ends_in is not None and ends_in.id != chunk.id else [],
                    kind=unit.kind,
                    lead=unit.lead,
                    evidence=kind,
                    # A case study's sentence is about its practice, named or not ("Resources: The set-up …").
                    codes=unit.practice_codes or ([subject[0]] if subject[0] else []),
                    audience=unit.audience,
                    rank=rank,
                    about=self._unnamed(subject, unit.text) or _topic_of(unit),
                )
            )
        return out

    def subject_of_section(self, section: str) -> tuple[str, str]:
        """What a passage's nearest heading is about: ("FI3", its label) for a case study of one practice, else
        ("", the country the heading path names) or ("", "")."""
        if section not in self._subjects:  # the same few headings come up question after question
            found = self.names.find(section.split(" > ")[-1]) if section else []
            one = len(found) == 1 and found[0] in self.cards
            self._subjects[section] = (
                (found[0], practice_label(self.cards[found[0]])) if one else ("", self.country_of_section(section))
            )
        return self._subjects[section]

    def _unnamed(self, subject: tuple[str, str], text: str) -> str:
        """The subject to show beside a statement that does not name it itself ("" when it does, or there is none)."""
        code, label = subject
        if code:
            card = self.cards[code]
            named = code in self.codes.find(text) or any(
                n and normalise(n).lower() in normalise(text).lower() for n in (card.title, card.original_title)
            )
            return "" if named else label
        return label if label and label not in self.profile.countries_in(text) else ""

    def country_of_section(self, section: str) -> str:
        """The country a passage's heading path names ("Policy frameworks > … > Sweden"), the nearest heading first."""
        return next((found[0] for heading in reversed(section.split(" > ")) if (found := self.profile.countries_in(heading))), "")

    def _table_rows(self, chunk: Chunk, rank: int) -> list[Candidate]:
        table = self.tables.get(chunk.extra.get("table_id", ""))
        if table is None:
            return []
        kind = self.evidence_kind(chunk)
        rows = []
        for row in table.rows:
            if sum(1 for c in row if c) < 2:
                continue  # group headings carry no statement of their own
            cells = [
                f"{h.rstrip(':')} {c}" if h and i else c for i, (h, c) in enumerate(zip(table.header, row, strict=False)) if c
            ]
            text = f"{table.caption}: " + "; ".join(cells)
            rows.append(
                Candidate(
                    text=text,
                    quote=Table.quote(row),
                    chunk=chunk,
                    kind="table_row",
                    lead=f"{table.caption} {' '.join(row)}",
                    evidence=kind,
                    codes=chunk.practice_codes,
                    table=table,
                    row=row,
                    rank=rank,
                )
            )
        return rows

    def card_facts(self, card: PracticeCard, chunk: Chunk, analysis: Analysis, rank: int) -> list[Candidate]:
        """The card's facts, each stated plainly and cited to the verbatim source quote the card records."""
        facts = []
        name = practice_label(card)
        for fld, label in self.card_labels.items():
            value = getattr(card, fld)
            quotes = card.sources.get(fld, [])
            if not value or not quotes:
                continue
            shown = ", ".join(self.profile.label(fld, v) for v in value) if isinstance(value, list) else value.strip().rstrip(".")
            quote = " … ".join(quotes[: self.config.quotes_per_fact])
            source = self._source_of(quotes[0])
            in_own_words = source is not None and isinstance(value, list) and not re.match(r"(Table|Figure)\s*\d", quotes[0])
            # The source's own words carry what the category cannot ("jointly financed by the ministry and …").
            text = f"{name} — {label}: {shown}." + (f" “{quotes[0].strip()}”" if in_own_words else "")
            # One citation where the source passage carries the whole statement (the guard's test: its figures, the
            # practice's code, most of its words). The card is cited beside it when only the card ties the source to
            # the code or words the fact in its own terms.
            alone = source is not None and self._carries(source, text)
            facts.append(
                Candidate(
                    text=text,
                    quote=quote,
                    chunk=source or chunk,
                    also=[chunk] if source and not alone else [],
                    kind="card_fact",
                    lead=f"{label} {shown} {quotes[0]}",
                    evidence=self.evidence_kind(source) if source else "practice",
                    codes=[card.code],
                    rank=rank,
                    cite_as=self._cite_quote(quote, card.code, label),
                    card_field=fld,
                )
            )
        return facts

    def _carries(self, source: Chunk, text: str) -> bool:
        """Whether the source passage alone carries a card fact (checked once: the same facts come up again)."""
        key = (source.id, text)
        if key not in self._carried:
            self._carried[key] = unsupported(text, [source], self.codes, self.config.guard_min_term_support) is None
        return self._carried[key]

    def _source_of(self, quote: str) -> Chunk | None:
        """The report or paper passage a card's source quote comes from (None when no single passage holds it)."""
        if quote not in self._sources_found:  # the same cards come up question after question: look each quote up once
            wanted = dehyphenate(normalise(quote))
            self._sources_found[quote] = next((c for c, text in self._source_chunks if wanted in text), None)
        return self._sources_found[quote]

    def _cite_quote(self, quote: str, code: str, label: str) -> tuple[str, str] | None:
        """The document a card's quote comes from, with the card named as the route to it."""
        first = quote.split(" … ")[0]
        title = next((t for t, index in self._quote_sources if index.contains(first)), None)
        return (title, f"via practice card {code}: {label}") if title else None


def _document_texts(chunks: list[Chunk]) -> list[tuple[str, QuoteIndex]]:
    """Each source document's cleaned text, laid back together from its chunks (for finding where a quote is)."""
    by_doc: dict[str, list[Chunk]] = {}
    for c in chunks:
        # Card quotes come from the curated documents: a user's document must never be named as their source.
        if is_curated_document(c.source_type) and c.extra.get("kind") != "table":
            by_doc.setdefault(c.doc_id, []).append(c)
    out = []
    for doc_chunks in by_doc.values():
        text = [" "] * max(c.char_end for c in doc_chunks)
        for c in doc_chunks:
            text[c.char_start : c.char_end] = list(c.text)
        out.append((doc_chunks[0].doc_title, QuoteIndex(["".join(text)])))
    return out
