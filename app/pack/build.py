"""``build_pack``: a topic and 2–6 practices become a :class:`~app.pack.model.Pack`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.core.models import Answer
from app.core.tables import load_tables
from app.pack.answers import cited_answer
from app.pack.discussion import barrier_met_questions, barrier_questions, barriers_table, recommendation_questions
from app.pack.glossary import glossary
from app.pack.model import Pack, PracticePage
from app.pack.practice_pages import comparison, practice_pages
from app.pack.quiz import build_quiz
from app.pack.sources import SourceTexts
from app.query.practice_table import display_names

if TYPE_CHECKING:  # the assistant is passed in; importing app.query.ask here would load the whole query layer
    from app.query.ask import Assistant

_CONTEXT_FIELDS = ("Sectors", "Target groups", "Delivery models", "Funding")  # what ties a table row to the practices


def chosen_codes(codes: Sequence[str], known: Sequence[str], fewest: int, most: int) -> list[str]:
    """The codes upper-cased, without repeats; ``ValueError`` in a sentence for unknown codes or a wrong count."""
    wanted = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    unknown = [c for c in wanted if c not in set(known)]
    if unknown:
        raise ValueError(
            f"unknown practice code(s): {', '.join(unknown)} (codes look like DE1 or FI6; `joinedup practices` lists them)"
        )
    if not fewest <= len(wanted) <= most:
        raise ValueError(f"a workshop pack takes {fewest} to {most} practices; {len(wanted)} given")
    return wanted


def _context(topic: str, pages: list[PracticePage]) -> str:
    """The words that make a table row or a recommendation relevant: the topic and what the practices are."""
    facts = [f.value for p in pages for f in p.facts if f.label in _CONTEXT_FIELDS]
    return " ".join([topic, *facts])


def build_pack(assistant: Assistant, topic: str, codes: list[str], answers: list[Answer] | None = None) -> Pack:
    """The workshop pack on ``topic`` for the practices ``codes`` (2–6).

    ``answers``: answers the user already has (the session's saved questions); by default the
    assistant answers the topic itself. Raises ``ValueError`` (a sentence) on an empty topic,
    unknown codes or a wrong number of practices.
    """
    settings = assistant.settings
    config = settings.pack
    topic = topic.strip()
    if not topic:
        raise ValueError("the topic is empty: give the question the workshop is about")
    wanted = chosen_codes(codes, [c.code for c in assistant.cards], config.min_practices, config.max_practices)
    answered = answers or [assistant.ask(topic)]
    texts = SourceTexts.from_corpus(settings.documents_dir, assistant.retriever.catalogue)
    tables = list(load_tables(settings.corpus_dir).values())
    pages = practice_pages(wanted, assistant.cards, assistant.profile, texts, tables, config.quotes_per_fact)
    context = _context(topic, pages)
    analysis = assistant.analyser.analyse(topic)
    discussion = []
    table = barriers_table(tables, assistant.profile)
    if table is not None:
        n = config.barrier_questions
        discussion += barrier_met_questions(table, texts, pages, analysis.aspects, assistant.profile, context, n)
        quoted = {q.sources[0].where for q in discussion}  # a row already paired with a practice is not asked again
        plain = barrier_questions(table, texts, analysis.aspects, assistant.profile, context, n)
        discussion += [q for q in plain if q.sources[0].where not in quoted][: n - len(discussion)]
    units = [u for doc in assistant.retriever.units_by_doc.values() for u in doc]
    discussion += recommendation_questions(
        units, texts, analysis.audiences, assistant.profile, context, config.recommendation_questions
    )
    titled = {c.code for c in assistant.cards if c.title.strip()}  # a practice known only by its code is no answer to learn
    names = {code: name for code, name in display_names(assistant.cards, assistant.profile).items() if code in titled}
    quiz = build_quiz(tables, texts, context, {p.code: p.title for p in pages}, config.quiz_items, names, table)
    pack = Pack(
        title=f"Workshop pack: {topic}",
        topic=topic,
        answers=[cited_answer(a) for a in answered],
        practices=pages,
        comparison=comparison(pages),
        discussion=discussion,
        quiz=quiz,
        sources_note="Sources: " + "; ".join(texts.titles) + ", and the practice cards drawn from them.",
    )
    pack.glossary = glossary(pack, assistant.profile.glossary, texts)
    return pack
