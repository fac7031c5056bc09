"""Practice card -> one chunk: the card as a readable passage, its facets as filterable metadata."""

from __future__ import annotations

from app.core.cards import PracticeCard, card_doc_id
from app.core.corpus_profile import CorpusProfile
from app.core.models import Chunk, join_list
from ingest.split import chunk_id


def _values(values: list[str]) -> str:
    return ", ".join(v.replace("_", " ") for v in values)


def card_text(card: PracticeCard, corpus_profile: CorpusProfile) -> str:
    """The card as a readable passage: what retrieval indexes (field headings: the profile's card_fields)."""

    def heading(field: str) -> str:
        return corpus_profile.card_fields[field].heading

    name = card.title or "(name not given in the sources)"
    phrases = (("uses", card.delivery_models), ("for", card.target_groups), ("joining social services with", card.sectors))
    profile = [f"{verb} {_values(values)}" for verb, values in phrases if values]
    # A self-contained first sentence, so "who uses case management for older people" can find it.
    parts = [f"Practice {card.code}, {name} ({card.country})" + (f", {', '.join(profile)}." if profile else ".")]
    labelled = (
        (heading("original_title"), card.original_title),
        (heading("other_names"), ", ".join(card.other_names)),
        (heading("paper_ref"), card.paper_ref or ""),
        (heading("alt_codes"), ", ".join(card.alt_codes)),
        (heading("organisation"), card.organisation),
    )
    parts += [f"{label}: {value}." for label, value in labelled if value]
    facets = [
        (heading(f), getattr(card, f))
        for f in ("sectors", "target_groups", "delivery_models", "funding", "governance_level", "reasons", "effects")
    ]
    parts += [f"{label}: {_values(values)}." for label, values in facets if values]
    if card.case_study:
        parts.append("One of the report's nine case studies.")
    # Notes (contradictions between the sources) stay on the card itself; they are not evidence to quote.
    for label, text in ((heading(f), getattr(card, f)) for f in ("summary", "evaluation", "transferability")):
        if text:
            parts.append(f"{label}: {text.strip()}")
    return " ".join(parts)


def chunk_from_card(card: PracticeCard, profile: CorpusProfile) -> Chunk:
    """One chunk per card, with the card's facets as filterable metadata."""
    text = card_text(card, profile)
    doc_id = card_doc_id(card.code)
    return Chunk(
        id=chunk_id(doc_id, text),
        text=text,
        doc_id=doc_id,
        doc_title=f"Practice card {card.code}" + (f": {card.title}" if card.title else ""),
        source_type="practice_card",
        section=f"Practice cards > {card.code}",
        practice_codes=[card.code, *card.alt_codes],
        char_start=0,
        char_end=len(text),
        extra={
            "country": card.country,
            "sectors": join_list(card.sectors),
            "target_groups": join_list(card.target_groups),
            "delivery_models": join_list(card.delivery_models),
            "funding": join_list(card.funding),
            "governance_level": join_list(card.governance_level),
            "effects": join_list(card.effects),
        },
    )
