"""The practice finder's description search, measured on situations written in a practitioner's words.

Each situation (``evals/finder_situations.jsonl`` for tuning, ``finder_situations_holdout.jsonl``
held out) names the practices the report shows to fit. A situation is run as a description
only (no filters), exactly as ``joinedup practices --like`` runs it, and scored on the list a
user is shown: recall@5 (share of the expected practices among the first five), reciprocal
rank of the first expected practice (0 when none is shown), and how many practices are shown.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from app.core.config import ROOT
from app.core.normalise import QuoteIndex
from app.query.practices import PracticeFinder, PracticeQuery
from evals.dataset import duplicate_ids, load_jsonl

TUNING = ROOT / "evals" / "finder_situations.jsonl"
HOLDOUT = ROOT / "evals" / "finder_situations_holdout.jsonl"
FINDER_METRICS = ("recall@5", "mrr", "shown_mean", "shown_max")


class Situation(BaseModel):
    """A situation in a practitioner's words, the practices that fit it, why, and the verbatim evidence."""

    model_config = ConfigDict(extra="forbid")

    id: str
    situation: str
    expected: list[str]
    why: dict[str, str] = {}
    evidence: dict[str, str] = {}


def load_situations(path: Path) -> list[Situation]:
    """Read a JSONL file of situations; ``ValueError`` names the line of a malformed one."""
    return load_jsonl(path, Situation)


def validate_situations(items: list[Situation], codes: set[str], corpus: QuoteIndex) -> list[str]:
    """Problems with a set: unknown codes, evidence missing or not verbatim, ids repeated."""
    problems = duplicate_ids(it.id for it in items)
    for it in items:
        if not it.expected:
            problems.append(f"{it.id}: no expected practice")
        for code in it.expected:
            if code not in codes:
                problems.append(f"{it.id}: unknown practice {code}")
            quote = it.evidence.get(code, "")
            if not quote or not corpus.contains(quote):
                problems.append(f"{it.id}: evidence for {code} not found verbatim in the corpus")
    return problems


@dataclass
class SituationResult:
    """What a user is shown for one situation, and its scores."""

    situation: Situation
    shown: list[str]
    reasons: list[str]

    @property
    def recall5(self) -> float:
        return len(set(self.situation.expected) & set(self.shown[:5])) / len(self.situation.expected)

    @property
    def rank(self) -> int | None:
        """1-based rank of the first expected practice shown (None when none is)."""
        return next((i for i, code in enumerate(self.shown, 1) if code in self.situation.expected), None)

    @property
    def rr(self) -> float:
        return 1.0 / self.rank if self.rank else 0.0


def run_finder(situations: list[Situation], finder: PracticeFinder) -> list[SituationResult]:
    """Each situation as a description only, with the finder's configured floor and cap."""
    results = []
    for s in situations:
        matches = finder.find(PracticeQuery(like=s.situation))
        results.append(SituationResult(s, [m.code for m in matches], [m.reason for m in matches]))
    return results


def summarise_finder(results: list[SituationResult]) -> dict[str, float | int]:
    """recall@5, MRR, mean and most practices shown over a set."""
    shown = [len(r.shown) for r in results]
    return {
        "n": len(results),
        "recall@5": statistics.fmean(r.recall5 for r in results) if results else 0.0,
        "mrr": statistics.fmean(r.rr for r in results) if results else 0.0,
        "shown_mean": statistics.fmean(shown) if shown else 0.0,
        "shown_max": max(shown, default=0),
    }


def finder_section(sets: dict[str, list[SituationResult]]) -> list[str]:
    """The report's Markdown section: the sets side by side, then the situations not ranked first."""
    lines = [
        "## Practice finder: description search",
        "",
        "Each situation is run as a description only (`joinedup practices --like`), with the configured",
        "relevance floor; scored on the list shown: recall@5 (share of the fitting practices among the first",
        "five), MRR (first fitting practice), and how many practices are shown (mean, most).",
        "",
        finder_summary_table(sets),
    ]
    misses = [(name, r) for name, results in sets.items() for r in results if r.rank != 1 or r.recall5 < 1]
    if misses:
        lines += ["", "Situations where a fitting practice is not first or not in the first five:", ""]
        for name, r in misses:
            lines.append(
                f"- {name} {r.situation.id}: expected {', '.join(r.situation.expected)}; shown {', '.join(r.shown) or 'none'}"
            )
    return [*lines, ""]


def run_finder_sets(finder: PracticeFinder, paths: list[Path]) -> dict[str, list[SituationResult]]:
    """Every situation file through the finder, keyed by the file's name as the report shows it."""
    return {_shown(p): run_finder(load_situations(p), finder) for p in paths}


def _shown(path: Path) -> str:
    p = path.resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)


def write_finder_section(report: Path, sets: dict[str, list[SituationResult]]) -> Path:
    """Put the finder section into an existing report (replacing an older one), or start a report with it;
    for ``joinedup eval --finder-only``, which leaves the answer figures as they are."""
    section = "\n".join(finder_section(sets))
    heading = section.splitlines()[0]
    text = report.read_text(encoding="utf-8") if report.exists() else "# Joined-Up evaluation report\n\n"
    if heading in text:
        start = text.index(heading)
        nxt = text.find("\n## ", start + len(heading))
        text = text[:start] + section + ("\n" + text[nxt + 1 :] if nxt != -1 else "")
    else:
        marker = text.find("\n## Error analysis")
        text = text[: marker + 1] + section + "\n" + text[marker + 1 :] if marker != -1 else text.rstrip("\n") + "\n\n" + section
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(text, encoding="utf-8")
    return report


def finder_summary_table(sets: dict[str, list[SituationResult]]) -> str:
    """The sets side by side as a Markdown table (the report's, and what the command line prints)."""
    lines = ["| set | n | " + " | ".join(FINDER_METRICS) + " |", "|---" * (len(FINDER_METRICS) + 2) + "|"]
    for name, results in sets.items():
        s = summarise_finder(results)
        shown = [f"{s[m]:.3f}" if isinstance(s[m], float) else str(s[m]) for m in FINDER_METRICS]
        lines.append(f"| {name} | {s['n']} | " + " | ".join(shown) + " |")
    return "\n".join(lines)
