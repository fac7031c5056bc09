"""``joinedup cards check``: the corpus profile and the cards, each card and the set as a whole.

Each card: schema, vocabulary values from the corpus profile, its country and code
known to the profile, a quote under ``sources`` for every filled field, every quote
found in the corpus. The set: no duplicate codes, and it reproduces the report's own
tables (the country spread of the practice review and, for each effect of Table 6,
exactly the codes the table lists). Both expectations are parsed from the report
text at the places the profile names, not typed in here.
``differences.yaml`` (where the sources differ): two sides per entry, each quote
found in its own document.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pydantic import BaseModel

from app.core.cards import PracticeCard, load_card
from app.core.codes import PracticeCodes
from app.core.corpus_profile import CARD_VOCABULARY_FIELDS, CorpusProfile, load_profile
from app.core.differences import DIFFERENCES_FILE, load_differences
from app.core.normalise import QuoteIndex, normalise
from app.core.tables import TABLES_FILE, read_tables

MAX_QUOTE_CHARS = 300


class CardProblem(BaseModel):
    """One thing wrong with one card (or the profile), phrased for the person fixing it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def corpus_quote_index(documents_dir: Path) -> QuoteIndex:
    """Quote index over the source documents (text, markdown) of the corpus."""
    paths = sorted(p for p in documents_dir.iterdir() if p.suffix in {".txt", ".md"} and p.name != "SOURCES.md")
    return QuoteIndex([p.read_text(encoding="utf-8") for p in paths])


def card_term_problems(card: PracticeCard, profile: CorpusProfile) -> list[str]:
    """Country, codes and vocabulary values the profile does not know (ingest refuses such a card too)."""
    problems: list[str] = []
    if card.country not in profile.country_names:
        problems.append(f"unknown country {card.country!r} (the profile lists {', '.join(profile.country_names)})")
    codes = PracticeCodes.from_profile(profile)
    for code in [card.code, *card.alt_codes]:
        if not codes.pattern.fullmatch(code):
            problems.append(f"code {code} does not start with a country code of the profile")
    for field in CARD_VOCABULARY_FIELDS:
        allowed = profile.vocabulary(field)
        for value in getattr(card, field):
            if value not in allowed:
                problems.append(f"{field}: unknown value {value!r} (allowed: {', '.join(allowed)})")
    return problems


def check_card(card: PracticeCard, path: str, quotes: QuoteIndex, profile: CorpusProfile) -> list[CardProblem]:
    """Vocabulary, country, code, file name, sourcing and quote checks for one card."""
    problems: list[CardProblem] = []

    def bad(msg: str) -> None:
        problems.append(CardProblem(path=path, message=msg))

    if Path(path).stem != card.code:
        bad(f"file name does not match code {card.code}")
    for message in card_term_problems(card, profile):
        bad(message)
    filled = set(card.filled_fields())
    for field in sorted(filled):
        if not card.sources.get(field):
            bad(f"field {field!r} is filled but has no quote under sources")
    named = " ".join(card.sources.get("other_names", [])).lower()
    for name in card.other_names:
        if name.lower() not in named:
            bad(f"other_names: {name!r} is in none of its quotes (a name must be the documents' own)")
    for field, field_quotes in card.sources.items():
        if field not in type(card).model_fields or field in {"sources", "code"}:
            bad(f"sources names unknown field {field!r}")
        for q in field_quotes:
            if len(q) > MAX_QUOTE_CHARS:
                bad(f"sources.{field}: quote longer than {MAX_QUOTE_CHARS} characters")
            if not quotes.contains(q):
                bad(f"sources.{field}: quote not found in the corpus: {q!r}")
    return problems


def report_table6(report_text: str, profile: CorpusProfile) -> dict[str, list[str]]:
    """Table 6 of the report (effect -> practice codes), parsed from the broken table text.

    The table is printed one token per line; the effect names are anchors and
    the codes between one anchor and the next belong to the first. The total
    printed at the end of each row is checked against the codes found.
    """
    checks = profile.card_checks
    start = report_text.index(checks.effects_table_start)
    end = report_text.index(checks.effects_table_end)
    table = normalise(report_text[start:end])
    anchors = sorted((table.index(e), e) for e in profile.vocabulary("effects"))
    codes = PracticeCodes.from_profile(profile)
    rows: dict[str, list[str]] = {}
    for i, (pos, effect) in enumerate(anchors):
        stop = anchors[i + 1][0] if i + 1 < len(anchors) else len(table)
        segment = table[pos:stop].upper()
        found = codes.find(segment)
        totals = re.findall(r"\b(\d{1,2})\b", segment)
        if totals and int(totals[-1]) != len(found):
            raise ValueError(f"Table 6 parse: {effect!r} lists {len(found)} codes but prints total {totals[-1]}")
        rows[effect] = found
    return rows


def report_country_spread(report_text: str, profile: CorpusProfile) -> dict[str, int]:
    """The practice review's "Belgium (3), Bulgaria (1), …" sentence as a dict of profile country names."""
    flat = normalise(report_text)
    at = flat.index(normalise(profile.card_checks.country_spread_anchor))
    sentence = flat[at : flat.index(").", at) + 1]
    names = {normalise(n): c.name for c in profile.countries for n in c.names()}
    spread: dict[str, int] = {}
    for name, n in re.findall(r"(?:and )?([a-z][a-z ]+?) \((\d+)\)", sentence.split(":", 1)[1]):
        name = name.strip()
        spread[names.get(name, name.title())] = int(n)
    return spread


def check_card_set(corpus_dir: Path) -> tuple[list[PracticeCard], list[CardProblem]]:
    """All checks on the profile and all cards; returns the cards that loaded and every problem found."""
    try:
        profile = load_profile(corpus_dir)
    except ValueError as exc:
        return [], [CardProblem(path="profile.yaml", message=str(exc))]
    documents_dir, practices_dir = corpus_dir / "documents", corpus_dir / "practices"
    quotes = corpus_quote_index(documents_dir)
    problems: list[CardProblem] = []
    cards: list[PracticeCard] = []
    for path in sorted(practices_dir.glob("*.yaml")):
        try:
            card = load_card(path)
        except ValueError as exc:
            problems.append(CardProblem(path=path.name, message=str(exc)))
            continue
        cards.append(card)
        problems += check_card(card, path.name, quotes, profile)
    problems += check_tables(corpus_dir, PracticeCodes.from_profile(profile))
    problems += check_differences(corpus_dir)
    report = documents_dir / profile.card_checks.report_file
    if report.exists():
        problems += check_against_report(cards, report.read_text(encoding="utf-8"), profile)
    else:
        problems.append(CardProblem(path="profile.yaml", message=f"card_checks.report_file {report.name} is not in documents/"))
    return cards, problems


def check_differences(corpus_dir: Path) -> list[CardProblem]:
    """``differences.yaml``: schema (two sides, each a value, document and quote), unique ids, every quote in its document.

    A side's document is the corpus document whose SOURCES.md type it names (``report``, ``paper``).
    """
    from ingest.documents import read_sources

    try:
        differences = load_differences(corpus_dir)
    except ValueError as exc:
        return [CardProblem(path=DIFFERENCES_FILE, message=str(exc))]
    documents = corpus_dir / "documents"
    files = {info.source_type: documents / name for name, info in read_sources(documents).items()}
    indexes: dict[str, QuoteIndex] = {}
    problems: list[CardProblem] = []

    def bad(ident: str, msg: str) -> None:
        problems.append(CardProblem(path=DIFFERENCES_FILE, message=f"{ident}: {msg}"))

    for ident, n in Counter(d.id for d in differences).items():
        if n > 1:
            bad(ident, f"id used by {n} entries")
    for d in differences:
        if normalise(d.sides[0].quote) == normalise(d.sides[1].quote):
            bad(d.id, "both sides quote the same passage")
        for side in d.sides:
            path = files.get(side.document)
            if path is None or not path.exists():
                bad(d.id, f"no {side.document} in documents/SOURCES.md")
                continue
            if side.document not in indexes:
                indexes[side.document] = QuoteIndex([path.read_text(encoding="utf-8")])
            for quote in side.quotes:
                if len(quote) > MAX_QUOTE_CHARS:
                    bad(d.id, f"{side.document} quote longer than {MAX_QUOTE_CHARS} characters")
                if not indexes[side.document].contains(quote):
                    bad(d.id, f"quote not found in the {side.document} ({path.name}): {quote!r}")
    return problems


def check_tables(corpus_dir: Path, codes: PracticeCodes) -> list[CardProblem]:
    """Every caption and cell of ``tables.yaml`` occurs verbatim in its document (a cell of practice codes: each code)."""
    path = corpus_dir / TABLES_FILE
    try:
        tables = read_tables(path)
    except ValueError as exc:
        return [CardProblem(path=TABLES_FILE, message=str(exc))]
    problems: list[CardProblem] = []
    indexes: dict[str, QuoteIndex] = {}
    for table in tables:
        document = corpus_dir / "documents" / table.document
        if not document.exists():
            problems.append(CardProblem(path=TABLES_FILE, message=f"{table.id}: no document {table.document}"))
            continue
        if table.document not in indexes:
            indexes[table.document] = QuoteIndex([document.read_text(encoding="utf-8")])
        index = indexes[table.document]
        cells = [table.caption, *(c for row in table.rows for c in row if c)]
        for cell in cells:
            found = codes.find(cell)
            only_codes = bool(found) and not re.sub(r"[\s,;]|" + codes.pattern.pattern, "", cell)
            pieces = found if only_codes else cell.split(" … ")
            missing = [p for p in pieces if not index.contains(p)]
            if missing:
                problems.append(
                    CardProblem(path=TABLES_FILE, message=f"{table.id}: not found in {table.document}: {missing[0]!r}")
                )
    return problems


def check_against_report(cards: list[PracticeCard], report_text: str, profile: CorpusProfile) -> list[CardProblem]:
    """Duplicate codes, the country spread and Table 6, compared with the report."""
    problems: list[CardProblem] = []

    def bad(msg: str) -> None:
        problems.append(CardProblem(path="(card set)", message=msg))

    codes = Counter(c.code for c in cards)
    for code, n in sorted(codes.items()):
        if n > 1:
            bad(f"code {code} is used by {n} cards")
    spread = report_country_spread(report_text, profile)
    got = Counter(c.country for c in cards)
    for country in sorted(set(spread) | set(got)):
        if spread.get(country, 0) != got.get(country, 0):
            expected, have = spread.get(country, 0), got.get(country, 0)
            bad(f"country spread: the report counts {expected} practices from {country}, the cards {have}")
    if sum(spread.values()) != len(cards):
        bad(f"the report reviews {sum(spread.values())} practices, there are {len(cards)} cards")
    table = report_table6(report_text, profile)
    for effect, listed in table.items():
        coded = sorted(c.code for c in cards if effect in c.effects)
        if coded != sorted(listed):
            missing = sorted(set(listed) - set(coded))
            extra = sorted(set(coded) - set(listed))
            bad(f"Table 6 '{effect}': missing {missing or 'none'}, not in the table {extra or 'none'}")
    return problems


def coverage_gaps(corpus_dir: Path, cards: list[PracticeCard]) -> list[str]:
    """Card fields left empty although a sentence naming the practice speaks to them (for a curator to check).

    A sentence of the documents that names the practice's code and uses the words of an aspect whose card
    field is empty is listed; it is a prompt to look, not a verdict (the sentence may say it is unknown).
    """
    from ingest.documents import load_document, read_sources
    from ingest.split import clean_document
    from ingest.units import UnitBuilder

    profile = load_profile(corpus_dir)
    codes = PracticeCodes.from_profile(profile)
    refs = {c.paper_ref: c.code for c in cards if c.paper_ref}
    builder = UnitBuilder(profile, codes, 30)
    documents = corpus_dir / "documents"
    sources = read_sources(documents)
    units = []
    for path in sorted(documents.glob("*.txt")):
        doc = load_document(path, sources)
        units += builder.build(clean_document(doc, profile.headings), doc.doc_id, doc.source_type, refs)
    gaps = []
    for card in cards:
        naming = [u for u in units if card.code in u.practice_codes]
        for name, aspect in profile.aspects.items():
            if not aspect.card_field or getattr(card, aspect.card_field):
                continue
            pattern = profile.aspect_pattern(name)
            hits = [u for u in naming if pattern and pattern.search(u.text)]
            if hits:
                gaps.append(f"{card.code}: {aspect.card_field} is empty, but the documents say: “{hits[0].text[:160]}”")
        for fld in VALUE_FIELDS:  # who it serves and which sectors: the words of a value in a sentence naming it
            if getattr(card, fld):
                continue
            for unit in naming:
                if found := profile.detect(fld, unit.text):
                    labels = ", ".join(profile.label(fld, v) for v in found)
                    gaps.append(f"{card.code}: {fld} is empty, but the documents say ({labels}): “{unit.text[:160]}”")
                    break
    return gaps


# Card fields whose empty value is checked against the vocabulary's own words (the aspects cover the rest).
VALUE_FIELDS = ("sectors", "target_groups")
