"""A question in several parts: each part's own analysis, its candidates rescored against it, its answer heading."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.corpus_profile import CorpusProfile
from app.core.models import Analysis, QuestionPart
from app.core.sentences import split_sentences
from app.query.candidates import Candidate


@dataclass(eq=False)
class ScoredPart:
    """One part of a question in several parts: its own analysis and the candidates rescored against it alone (done once
    per answer: the figure check, answerability and the layout all read it)."""

    part: QuestionPart
    analysis: Analysis
    scored: list[Candidate]


def part_analysis(analysis: Analysis, part: QuestionPart, profile: CorpusProfile) -> Analysis:
    """The analysis of one part of a question on its own: its words, the aspects it asks about (not the other
    part's: "Who is Kotitori for, and how is it funded?" asks funding in its second part only), its figure."""
    update: dict[str, object] = {
        "question": part.text, "measure": part.measure, "asked_name": part.asked_name, "parts": [],
        "aspects": profile.detect_aspects(part.text),
    }  # fmt: skip
    return analysis.model_copy(update=update | ({"answer_type": "figure"} if part.measure else {}))


def as_heading(part: str) -> str:
    """A part of a question as the heading of its answer: "and what is its budget" -> "What is its budget?". A part that
    tells a situation first ("We run … clinic. Which model … treatment") is headed by its last sentence, which asks."""
    sentences = split_sentences(part.strip())
    text = sentences[-1] if sentences else part
    text = re.sub(r"^(and|or|but|also)\s+", "", text.strip().rstrip(" ,;.?"), flags=re.I)
    return text[:1].upper() + text[1:] + "?"
