"""A draft answer: the claims a backend composes, before the guard checks them and citations are numbered."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.models import Chunk, Passage


def citation_key(chunk: Chunk, cite_as: tuple[str, str] | None) -> tuple[str, str]:
    """What an answer numbers as one citation: a passage, or a practice card once per quote it is the route to."""
    return (chunk.id, cite_as[1] if cite_as and chunk.source_type == "practice_card" else "")


@dataclass
class DraftClaim:
    """One statement and the passages (chunk ids) it rests on."""

    text: str
    sources: list[str]
    quote: str | None = None  # the verbatim source text behind it, when the backend knows it
    heading: str = ""  # the group it is shown under
    cite_as: tuple[str, str] | None = None  # (document, section) when the passage is only the route to the quote
    table_md: str = ""  # shown as this Markdown table (with ``caption`` and the citation) instead of a bullet
    caption: str = ""
    quotes: dict[str, str] = field(default_factory=dict)  # chunk id -> its own quote, for a claim resting on several
    # What the statement is about when its own words do not say and its passage's heading does (a country: "the
    # municipalities now look after …" under "Policy frameworks > Sweden"); shown before it, never part of the claim.
    about: str = ""
    # Shown under what it says rather than under its kind of evidence: the kind is named beside the claim instead.
    labelled: bool = False


@dataclass
class AddedPassage:
    """A passage composition added to the retrieved ones, and the step that added it (the answer records both)."""

    passage: Passage
    step: str


@dataclass
class Draft:
    claims: list[DraftClaim] = field(default_factory=list)
    supported: bool = True
    preface: str = ""
    refusal: str = ""
    notes: list[str] = field(default_factory=list)  # shown after the evidence, in italics, uncited
    added: list[AddedPassage] = field(default_factory=list)  # passages composition added, in the order it added them
    evidence: dict[str, float] | None = None  # what answerability was judged on (app.query.answerability.Evidence)
