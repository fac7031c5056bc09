"""Practice card -> one chunk: the card as a readable passage, its facets as filterable metadata."""

from __future__ import annotations

from app.core.cards import PracticeCard, card_doc_id
from app.core.models import Chunk, join_list
from ingest.split import chunk_id


def _values(values: list[str]) -> str:
    return ", ".join(v.replace("_", " ") for v in values)


def card_text(card: PracticeCard) -> str:
    """The card as a readable passage: what retrieval indexes."""
    name = card.title or "(name not given in the sources)"
    phrases = (("uses", card.delivery_models), ("for", card.target_groups), ("joining social services with", card.sectors))
    profile = [f"{verb} {_values(values)}" for verb, values in phrases if values]
    # A self-contained first sentence, so "who uses case management for older people" can find it.
    parts = [f"Practice {card.code}, {name} ({card.country})" + (f", {', '.join(profile)}." if profile else ".")]
    labelled = (
        ("Original title", card.original_title),
        ("Paper reference", card.paper_ref or ""),
        ("Also referred to as", ", ".join(card.alt_codes)),
        ("Organisation", card.organisation),
    )
    parts += [f"{label}: {value}." for label, value in labelled if value]
    facets = [
        ("Sectors working with social services", card.sectors),
        ("Target groups", card.target_groups),
        ("Delivery models", card.delivery_models),
        ("Funding", card.funding),
        ("Governance level", card.governance_level),
        ("Reasons for integrating", card.reasons),
        ("Reported effects (Table 6)", card.effects),
    ]
    parts += [f"{label}: {_values(values)}." for label, values in facets if values]
    if card.case_study:
        parts.append("One of the report's nine case studies.")
    # Notes (contradictions between the sources) stay on the card itself; they are not evidence to quote.
    for label, text in (("Summary", card.summary), ("Evaluation", card.evaluation), ("Transferability", card.transferability)):
        if text:
            parts.append(f"{label}: {text.strip()}")
    return " ".join(parts)


def chunk_from_card(card: PracticeCard) -> Chunk:
    """One chunk per card, with the card's facets as filterable metadata."""
    text = card_text(card)
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
