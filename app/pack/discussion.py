"""Discussion questions drawn from what the sources say: barriers and facilitators, and recommendations.

- The barriers-and-facilitators table (the report's Table 8; found as the table whose first
  column holds the rows the profile's aspects point to): one question per row, the row's own
  barriers and facilitators quoted, its column headings naming them.
- A barrier of that table met by a chosen practice: the row's barriers quoted, then the practice
  and the fact of its card that answers the row's facilitators (pooled funding for "Funding",
  case management for "Well-functioning delivery system", joint training for "Learning"), quoted.
- The report's recommendations (``recommendation`` evidence units, with their audience): one
  question per recommendation, its first sentence quoted, the whole recommendation cited.

Rows and recommendations are chosen by the topic: first the rows of the aspects the topic asks
about (funding -> Funding, Sustainability), then by the words they share with the topic and the
chosen practices.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.core.corpus_profile import CorpusProfile
from app.core.models import Unit
from app.core.tables import Table
from app.core.text import content_terms
from app.pack.model import DiscussionItem, Fact, PracticePage, Source
from app.pack.sources import SourceTexts
from app.pack.table_facts import label
from app.query.practice_table import COLUMNS

BARRIERS = "barriers and facilitators"
BARRIER_MET = "a barrier a practice met"
SHORT_VALUE = 60  # a fact value longer than this (an evaluation, a summary) is left to its quote
MIN_SHARED = 1  # facilitator words a practice's fact must share to count as meeting the barrier
RECOMMENDATION = "recommendation"


def barriers_table(tables: Iterable[Table], profile: CorpusProfile) -> Table | None:
    """The table whose first column names the elements the profile's aspects refer to (``table_rows``)."""
    wanted = {r for a in profile.aspects.values() for r in a.table_rows}
    return next((t for t in tables if wanted & {row[0] for row in t.rows if row} and len(t.header) >= 3), None)


def _overlap(text: str, terms: set[str]) -> int:
    return len(set(content_terms(text)) & terms)


def _rows(table: Table, aspects: list[str], profile: CorpusProfile, context: str) -> list[list[str]]:
    """The table's complete rows, those of the topic's aspects first, then by the words they share with the context."""
    wanted = {r for a in aspects if a in profile.aspects for r in profile.aspects[a].table_rows}
    terms = set(content_terms(context))
    rows = [r for r in table.rows if len(r) >= 3 and r[0].strip() and r[1].strip() and r[2].strip()]
    rows.sort(key=lambda r: (not ("*" in wanted or r[0] in wanted), -_overlap(" ".join(r), terms)))  # stable: table order
    return rows


def barrier_questions(
    table: Table, texts: SourceTexts, aspects: list[str], profile: CorpusProfile, context: str, n: int
) -> list[DiscussionItem]:
    """One question per chosen row: which of its barriers the group meets, and which facilitator to start with."""
    rows = _rows(table, aspects, profile, context)
    document = texts.title_of(table.document)
    barriers, facilitators = table.header[1].strip().lower(), table.header[2].strip().lower()
    items = []
    for row in rows:
        where = f"{label(table)}, row “{row[0].strip()}”"
        sources = [texts.source(cell.strip().rstrip(","), where, document) for cell in row[1:3]]
        if None in sources:
            continue  # a cell that is not verbatim in the document is never shown as a quote
        question = (
            f"{row[0].strip()}: the report names as {barriers} “{row[1].strip().rstrip(',')}”, and as {facilitators} "
            f"“{row[2].strip()}”. Which of these {barriers} do you meet in your own setting, and which of the "
            f"{facilitators} could you put in place first?"
        )
        items.append(DiscussionItem(BARRIERS, question, [s for s in sources if s is not None]))
        if len(items) == n:
            break
    return items


def _fields(page: PracticePage) -> dict[str, Fact]:
    """The page's stated facts by card field (the one-pager's labels mapped back through the table's columns)."""
    labels = dict(COLUMNS)
    by_label = {f.label: f for section in page.sections for f in section.facts}
    return {fld: by_label[name] for fld, name in labels.items() if name in by_label}


def _meets(row: list[str], page: PracticePage, profile: CorpusProfile) -> tuple[int, str, Source] | None:
    """How the practice meets a row of the table: (strength, what it has, the quote showing it), or None.

    The row's aspects (the profile's ``table_rows``) say where to look: an aspect recorded on the card
    (funding, delivery models, evaluation) counts when the practice's value or quote shares words with
    the row's facilitators (pooled funding and "Pooled budgets"); an aspect with no card field
    (teamwork, training) counts when a quote of the practice uses the aspect's words ("additional training").
    """
    wanted = set(content_terms(row[2]))
    fields = _fields(page)
    best: tuple[int, str, Source] | None = None
    for name, aspect in profile.aspects.items():
        if row[0] not in aspect.table_rows:
            continue
        if aspect.card_field:
            fact = fields.get(aspect.card_field)
            if fact is None or not fact.sources:
                continue
            shared = set(content_terms(fact.value)) & wanted
            what = f"{fact.label.lower()}: {fact.value}" if len(fact.value) <= SHORT_VALUE else ""
            for source in fact.sources:
                strength = len(shared | (set(content_terms(source.quote)) & wanted))
                if strength >= MIN_SHARED and (best is None or strength > best[0]):
                    best = (strength, what, source)
            continue
        pattern = profile.aspect_pattern(name)
        quotes = [s for section in page.sections for f in section.facts for s in f.sources]
        for source in quotes:
            if pattern is not None and pattern.search(source.quote):
                strength = MIN_SHARED + len(set(content_terms(source.quote)) & wanted)
                if best is None or strength > best[0]:
                    best = (strength, "", source)
    return best


def barrier_met_questions(
    table: Table, texts: SourceTexts, pages: list[PracticePage], aspects: list[str], profile: CorpusProfile, context: str,
    n: int,
) -> list[DiscussionItem]:  # fmt: skip
    """A barrier of the table paired with a chosen practice that met it, both quoted: how did it, could we?

    Each practice is paired once before any is paired again, so the questions spread over the chosen set.
    """
    document = texts.title_of(table.document)
    barriers = table.header[1].strip().lower()
    items: list[DiscussionItem] = []
    used: dict[str, int] = {}
    for row in _rows(table, aspects, profile, context):
        found = [(m, p) for p in pages if (m := _meets(row, p, profile)) is not None]
        if not found:
            continue
        (_, what, quote), page = min(found, key=lambda f: (used.get(f[1].code, 0), -f[0][0]))
        where = f"{label(table)}, row “{row[0].strip()}”"
        barrier = texts.source(row[1].strip().rstrip(","), where, document)
        if barrier is None:
            continue
        used[page.code] = used.get(page.code, 0) + 1
        has = f" ({what})" if what else ""
        question = (
            f"{row[0].strip()}: the report names as {barriers} “{row[1].strip().rstrip(',')}”. {page.code} — {page.title}"
            f"{has} shows one way through: “{quote.quote}”. What made it work there, and what would it take where you work?"
        )
        items.append(DiscussionItem(BARRIER_MET, question, [barrier, quote]))
        if len(items) == n:
            break
    return items


def recommendation_questions(
    units: Iterable[Unit], texts: SourceTexts, audiences: list[str], profile: CorpusProfile, context: str, n: int
) -> list[DiscussionItem]:
    """One question per recommendation most related to the topic (the audiences' own first, when named)."""
    labels = {a.name: a.label for a in profile.audiences}
    terms = set(content_terms(context))
    recs = [u for u in units if u.kind == RECOMMENDATION]
    recs.sort(key=lambda u: (bool(audiences) and u.audience not in audiences, -_overlap(u.text, terms)))
    items = []
    for unit in recs:
        source = texts.source(unit.text, unit.section, page=unit.page)
        if source is None:
            continue
        audience = labels.get(unit.audience, unit.audience.lower() or "readers")
        question = (
            f"The report recommends to {audience}: “{unit.lead.strip()}” What would it take to do this where you work, "
            "and who would need to be involved?"
        )
        items.append(DiscussionItem(RECOMMENDATION, question, [source]))
        if len(items) == n:
            break
    return items
