"""Scores of one answered item, and their aggregation per kind (the design's metrics)."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field

from app.core.answer_markdown import HEADING_LINE
from app.core.models import Answer
from app.core.normalise import QuoteIndex, dehyphenate, normalise
from app.core.readability import REPEATED, bullets, defects
from evals.dataset import EvalItem, expects_refusal

SOURCES_DIFFER = "differ"  # the kind of a "do the sources agree" question


def _contains(text: str, needle: str) -> bool:
    t, n = normalise(text), normalise(needle)
    return n in t or dehyphenate(n) in dehyphenate(t)


@dataclass
class ItemScores:
    """Per-item metrics; retrieval metrics are None for out-of-scope items.

    Retrieval is scored on the ranked list the answer itself used (``Answer.retrieved``).
    """

    hit1: float | None
    hit5: float | None
    hit10: float | None
    rr: float | None
    accurate: float
    citation_precision: float | None
    refused: bool
    latency_ms: int
    bullets: int = 0
    defective: int = 0  # bullets with at least one reading defect
    defects: list[str] = field(default_factory=list)  # every defect found, by kind
    opening_hit: float | None = None  # the answer's first statement (or its quotes) holds an evidence string
    citations: int | None = None  # numbered references of a supported answer

    def as_dict(self) -> dict:
        return asdict(self)


def first_hit_rank(item: EvalItem, texts: list[str]) -> int | None:
    """1-based rank of the first retrieved text containing an evidence string."""
    for rank, text in enumerate(texts, 1):
        index = QuoteIndex([text])
        if any(index.contains(e) for e in item.evidence):
            return rank
    return None


def answer_is_accurate(item: EvalItem, answer: Answer) -> bool:
    """Out of scope: refused. Otherwise: supported, every must_include and one any_of in the answer's statements (its
    headings do not count)."""
    if expects_refusal(item.kind):
        return not answer.supported
    if not answer.supported:
        return False
    # A heading is a label in the profile's or the question's words, not something the answer states.
    text = HEADING_LINE.sub("", answer.answer_markdown)
    if not all(_contains(text, m) for m in item.must_include):
        return False
    return not item.any_of or any(_contains(text, a) for a in item.any_of)


def citation_precision(item: EvalItem, answer: Answer) -> float | None:
    """Share of cited passages that contain an evidence string or one of the facts asked for."""
    if expects_refusal(item.kind) or not answer.citations:
        return None
    texts = {r.chunk_id: r.text for r in answer.retrieved}
    facts = item.must_include + item.any_of
    good = 0
    for c in answer.citations:
        text = texts.get(c.chunk_id, "")
        index = QuoteIndex([text])
        if any(index.contains(e) for e in item.evidence) or any(_contains(text, f) for f in facts):
            good += 1
    return good / len(answer.citations)


def answer_defects(answer: Answer) -> tuple[int, int, list[str]]:
    """(bullets, bullets with a defect, every defect found) — what a reader trips over in an answer."""
    found: list[str] = []
    defective = 0
    seen: set[str] = set()
    items = bullets(answer.answer_markdown) if answer.supported else []
    for b in items:
        body = normalise(re.sub(r"(\s*\[\d+\])+\s*$", "", b))
        these = defects(b) + ([REPEATED] if body in seen else [])
        defective += bool(these)
        found += these
        seen.add(body)
    return len(items), defective, found


def opening_holds_evidence(item: EvalItem, answer: Answer) -> bool:
    """Whether the answer opens with the evidence: its first statement, or a passage it cites, holds an evidence string."""
    if not answer.claims:
        return False
    first = answer.claims[0]
    quotes = [c.quote for c in answer.citations if c.n in first.citations]
    index = QuoteIndex([first.text, *quotes])
    return any(index.contains(e) for e in item.evidence)


def score_item(item: EvalItem, answer: Answer, latency_ms: int) -> ItemScores:
    """All metrics of one answered item; retrieval is scored on what the answer retrieved."""
    if expects_refusal(item.kind):
        hit1 = hit5 = hit10 = rr = None
    else:
        rank = first_hit_rank(item, [r.text for r in answer.retrieved][:10])
        hit1, hit5, hit10 = (float(rank is not None and rank <= k) for k in (1, 5, 10))
        rr = 1.0 / rank if rank else 0.0
    n_bullets, defective, found = answer_defects(answer)
    answered_with_evidence = answer.supported and not expects_refusal(item.kind) and bool(item.evidence)
    return ItemScores(
        hit1, hit5, hit10, rr, float(answer_is_accurate(item, answer)), citation_precision(item, answer),
        not answer.supported, latency_ms, n_bullets, defective, found,
        opening_hit=float(opening_holds_evidence(item, answer)) if answered_with_evidence else None,
        citations=len(answer.citations) if answer.supported else None,
    )  # fmt: skip


def _mean(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.fmean(vals) if vals else None


def aggregate(rows: list[tuple[EvalItem, ItemScores]]) -> dict[str, float | int | None]:
    """Means over a group of items, plus refusal accuracy and false-refusal rate."""
    scores = [s for _, s in rows]
    oos = [s for it, s in rows if expects_refusal(it.kind)]
    ins = [s for it, s in rows if not expects_refusal(it.kind)]
    lat = sorted(s.latency_ms for s in scores)
    return {
        "n": len(rows),
        "hit@1": _mean([s.hit1 for s in scores]),
        "hit@5": _mean([s.hit5 for s in scores]),
        "hit@10": _mean([s.hit10 for s in scores]),
        "mrr": _mean([s.rr for s in scores]),
        "accuracy": _mean([s.accurate for s in scores]),
        "citation_precision": _mean([s.citation_precision for s in scores]),
        "refusal_accuracy": _mean([float(s.refused) for s in oos]),
        "false_refusals": _mean([float(s.refused) for s in ins]),
        "opening_hit": _mean([s.opening_hit for s in scores]),
        "citations_mean": _mean([float(s.citations) if s.citations is not None else None for s in scores]),
        "sources_differ": _mean([s.accurate for it, s in rows if it.kind == SOURCES_DIFFER]),
        "defect_rate": _defect_rate(scores),
        "latency_p50_ms": lat[len(lat) // 2] if lat else None,
    }


def _defect_rate(scores: list[ItemScores]) -> float | None:
    """Share of bullets with at least one reading defect."""
    total = sum(s.bullets for s in scores)
    return sum(s.defective for s in scores) / total if total else None


def defects_by_kind(scores: list[ItemScores]) -> Counter[str]:
    """How often each kind of reading defect occurs."""
    return Counter(d for s in scores for d in s.defects)
