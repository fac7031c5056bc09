"""Discussion questions drawn from what the sources say: barriers and facilitators, and recommendations.

- The barriers-and-facilitators table (the report's Table 8; found as the table whose first
  column holds the rows the profile's aspects point to): one question per row, the row's own
  barriers and facilitators quoted, its column headings naming them.
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
from app.pack.model import DiscussionItem
from app.pack.sources import SourceTexts
from app.pack.table_facts import label

BARRIERS = "barriers and facilitators"
RECOMMENDATION = "recommendation"


def barriers_table(tables: Iterable[Table], profile: CorpusProfile) -> Table | None:
    """The table whose first column names the elements the profile's aspects refer to (``table_rows``)."""
    wanted = {r for a in profile.aspects.values() for r in a.table_rows}
    return next((t for t in tables if wanted & {row[0] for row in t.rows if row} and len(t.header) >= 3), None)


def _overlap(text: str, terms: set[str]) -> int:
    return len(set(content_terms(text)) & terms)


def barrier_questions(
    table: Table, texts: SourceTexts, aspects: list[str], profile: CorpusProfile, context: str, n: int
) -> list[DiscussionItem]:
    """One question per chosen row: which of its barriers the group meets, and which facilitator to start with."""
    wanted = {r for a in aspects if a in profile.aspects for r in profile.aspects[a].table_rows}
    terms = set(content_terms(context))
    rows = [r for r in table.rows if len(r) >= 3 and r[0].strip() and r[1].strip() and r[2].strip()]
    rows.sort(key=lambda r: (not ("*" in wanted or r[0] in wanted), -_overlap(" ".join(r), terms)))  # stable: table order
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
