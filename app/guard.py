"""The grounding guard: every kept claim cites a retrieved passage that supports it.

Applied to every backend's draft. A claim is removed when it cites nothing or
a passage that does not exist, when a number or practice code it states is
absent from the passages it cites, or when it shares too few content words
with them (a citation to the wrong passage). Each removal is counted and
explained in the Answer's ``guard`` field.
"""

from __future__ import annotations

from app.answer.base import DraftClaim
from app.models import GuardReport, Passage
from app.text import content_terms, numbers_in
from ingest.codes import practice_codes
from ingest.quotes import dehyphenate, normalise

MIN_TERM_SUPPORT = 0.5  # share of a claim's content words that its cited passages must contain


def _number_forms(n: str) -> set[str]:
    bare = n.rstrip("%")
    return {n, bare, bare.replace(",", "."), bare.replace(".", ",")}


def check_claim(claim: DraftClaim, passages: list[Passage]) -> str | None:
    """The reason a claim is not grounded, or None when it is."""
    if not claim.sources:
        return "no citation"
    missing = [i + 1 for i in claim.sources if not 0 <= i < len(passages)]
    if missing:
        return f"cites passage [{missing[0]}], which was not retrieved"
    cited = [passages[i].chunk for i in claim.sources]
    text = " ".join(normalise(c.text) for c in cited)
    joined = dehyphenate(text)
    for number in numbers_in(claim.text):
        if not any(f in text or f in joined for f in _number_forms(number.lower())):
            return f"states {number}, which its cited passage does not contain"
    cited_codes = {code for c in cited for code in c.practice_codes} | set(practice_codes(text.upper()))
    for code in practice_codes(claim.text):
        if code not in cited_codes:
            return f"names practice {code}, which its cited passage does not mention"
    terms = set(content_terms(claim.text))
    if terms:
        support = len(terms & set(content_terms(text))) / len(terms)
        if support < MIN_TERM_SUPPORT:
            return f"shares only {support:.0%} of its words with the cited passage (wrong citation?)"
    return None


def apply_guard(claims: list[DraftClaim], passages: list[Passage]) -> tuple[list[DraftClaim], GuardReport]:
    """Keep grounded claims; report the others."""
    kept: list[DraftClaim] = []
    report = GuardReport(checked_claims=len(claims))
    for claim in claims:
        reason = check_claim(claim, passages)
        if reason is None:
            kept.append(claim)
        else:
            report.removed_claims += 1
            report.problems.append(f"removed: “{claim.text[:80]}” — {reason}")
    return kept, report
