"""Evidence-strength labels: a user can tell a literature finding from a single practice's self-report."""

from __future__ import annotations

from app.models import Chunk

LITERATURE = "literature review"
PRACTICE = "practice review (44 self-reported practices)"
CASE_STUDY = "case study"
POLICY = "policy description"
RECOMMENDATION = "recommendation"
PAPER = "peer-reviewed analysis (34 articles, 44 practices)"
SUMMARY = "report summary"
CONCLUSION = "report conclusion (barriers and facilitators)"
USER = "your document"


def evidence_label(chunk: Chunk) -> str:
    """The kind of evidence a chunk is, from its source type and section path."""
    if chunk.source_type == "practice_card":
        return PRACTICE
    if chunk.source_type == "user_document":
        return USER
    section = chunk.section.lower()
    if chunk.source_type == "paper":
        return PAPER
    if "case stud" in section:
        return CASE_STUDY
    if "recommendation" in section:
        return RECOMMENDATION
    if "facilitators and barriers" in section:
        return CONCLUSION
    if "literature review" in section:
        return f"{LITERATURE} (60 articles)"
    if "practice review" in section:
        return PRACTICE
    if "policy framework" in section:
        return POLICY
    return SUMMARY
