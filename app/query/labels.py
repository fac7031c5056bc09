"""Evidence labels: a user can tell a literature finding from a single practice's self-report.

The rules (which source type or section is which kind of evidence) are data in the
corpus profile; this applies them.
"""

from __future__ import annotations

from app.core.corpus_profile import CorpusProfile
from app.core.models import Chunk


def evidence_label(chunk: Chunk, profile: CorpusProfile) -> str:
    """The kind of evidence a chunk is, from its source type and section path."""
    return profile.evidence_label(chunk.source_type, chunk.section).label
