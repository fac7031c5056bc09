"""The grounding guard: every kept claim cites a retrieved passage that supports it.

Applied to every backend's draft. A claim is removed when it cites nothing or
a passage that does not exist or that holds instructions aimed at the assistant (see
:mod:`app.core.injection`: passages are data, never instructions), when a number or practice code it states is
absent from the passages it cites, or when it shares too few content words
with them (a citation to the wrong passage). Each removal is counted and
explained in the Answer's ``guard`` field.

A grounded claim that rests on a user's unreviewed document alone is kept but said as that document's
("Your document says: …"), never as a finding: an obedient LLM may state what a document told it to.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.core.codes import PracticeCodes
from app.core.draft import DraftClaim
from app.core.grounding import unsupported
from app.core.injection import instruction_in
from app.core.models import GuardReport, Passage

UNREVIEWED = "user_document"  # the source type of a user's own documents: nobody reviewed them
YOUR_DOCUMENT_SAYS = "Your document says:"
_ATTRIBUTED = re.compile(
    r"(?:according\s+to\s+)?(?:your|the\s+user['’]s|the\s+uploaded)\s+document(?:\s+(?:says|states|reports|claims)\b|\s*,)", re.I
)


def check_claim(claim: DraftClaim, passages: list[Passage], codes: PracticeCodes, min_term_support: float) -> str | None:
    """The reason a claim is not grounded, or None when it is.

    ``min_term_support``: the share of the claim's content words its cited passages must contain.
    """
    if not claim.sources:
        return "no citation"
    by_id = {p.chunk.id: p.chunk for p in passages}
    missing = [s for s in claim.sources if s not in by_id]
    if missing:
        shown = missing[0].removeprefix("missing:")
        return f"cites passage [{shown}], which was not retrieved"
    cited = [by_id[s] for s in claim.sources]
    for chunk in cited:
        if order := instruction_in(chunk.context_text()):  # title and section too: the LLM sees them
            return f"its cited passage gives the assistant instructions (“{order}”), which are not evidence"
    return unsupported(claim.text, cited, codes, min_term_support)


def rests_on_unreviewed(claim: DraftClaim, passages: list[Passage], codes: PracticeCodes, min_term_support: float) -> bool:
    """Whether a grounded claim needs a user's document: its reviewed passages alone (if any) would not support it.

    A user's document is not reviewed: what it says may be shown as what it says, never as a finding. A claim
    citing a curated passage as well as the user's one is a plain claim only if the curated passage carries it.
    """
    unreviewed = {p.chunk.id for p in passages if p.chunk.source_type == UNREVIEWED}
    if not unreviewed & set(claim.sources):
        return False
    reviewed = [s for s in claim.sources if s not in unreviewed]
    return not reviewed or check_claim(replace(claim, sources=reviewed), passages, codes, min_term_support) is not None


def attributed(text: str) -> str:
    """A statement from a user's document, said as that document's: "Your document says: …"."""
    if _ATTRIBUTED.match(text):
        return text  # the backend already said whose words these are
    return f"{YOUR_DOCUMENT_SAYS} {text}"


def apply_guard(
    claims: list[DraftClaim], passages: list[Passage], codes: PracticeCodes, min_term_support: float
) -> tuple[list[DraftClaim], GuardReport]:
    """Keep grounded claims, a claim resting on a user's document alone said as that document's; report the others."""
    kept: list[DraftClaim] = []
    report = GuardReport(checked_claims=len(claims))
    for claim in claims:
        reason = check_claim(claim, passages, codes, min_term_support)
        if reason is not None:
            report.removed_claims += 1
            report.problems.append(f"removed: “{claim.text[:80]}” — {reason}")
        elif not claim.table_md and rests_on_unreviewed(claim, passages, codes, min_term_support):
            kept.append(replace(claim, text=attributed(claim.text)))
            report.problems.append(f"labelled: “{claim.text[:80]}” — rests only on a user's document, which is not reviewed")
        else:
            kept.append(claim)
    return kept, report
