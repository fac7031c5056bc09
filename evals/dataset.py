"""The evaluation set: items in the design's schema, loaded and validated."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from app.core.normalise import QuoteIndex

# The kinds the evaluation sets use, in report order; other kinds (design, multi_part, differ …) are accepted too.
KINDS: tuple[str, ...] = ("fact", "practice", "recommendation", "compare", "out_of_scope", "follow_up", "follow_up_out_of_scope")


def expects_refusal(kind: str) -> bool:
    """Kinds ending in ``out_of_scope`` are answered correctly by saying the corpus does not cover them."""
    return kind.endswith("out_of_scope")


class EvalItem(BaseModel):
    """One question with what a correct answer contains; ``evidence`` holds the gold passages' verbatim text."""

    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    kind: str  # open: scored as answerable unless it ends in out_of_scope
    must_include: list[str] = []
    any_of: list[str] = []
    evidence: list[str] = []
    source: Literal["report", "paper", "both"]
    history: list[str] = []  # earlier questions of the same conversation, asked first in order


Row = TypeVar("Row", bound=BaseModel)


def load_jsonl(path: Path, model: type[Row]) -> list[Row]:
    """Read a JSONL file of ``model`` rows; raises ``ValueError`` naming the line of a malformed one."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(model.model_validate(json.loads(line)))
        except ValueError as exc:
            raise ValueError(f"{path.name} line {n}: {exc}") from exc
    return items


def load_items(path: Path) -> list[EvalItem]:
    """Read a JSONL file of evaluation items; raises ``ValueError`` naming the line of a malformed item."""
    return load_jsonl(path, EvalItem)


def duplicate_ids(ids: Iterable[str]) -> list[str]:
    """A problem line for each id met more than once."""
    seen: set[str] = set()
    problems = []
    for i in ids:
        if i in seen:
            problems.append(f"{i}: duplicate id")
        seen.add(i)
    return problems


def validate_items(items: list[EvalItem], corpus: QuoteIndex) -> list[str]:
    """Problems with the set: evidence not verbatim, must_include not in the evidence, ids repeated."""
    problems = duplicate_ids(it.id for it in items)
    for it in items:
        if expects_refusal(it.kind):
            if it.evidence or it.must_include:
                problems.append(f"{it.id}: out_of_scope items carry no evidence or must_include")
            continue
        if not it.evidence:
            problems.append(f"{it.id}: no evidence")
        for e in it.evidence:
            if not corpus.contains(e):
                problems.append(f"{it.id}: evidence not found verbatim in the corpus: {e[:80]!r}")
        evidence = QuoteIndex(it.evidence)
        for m in it.must_include:
            if not evidence.contains(m):
                problems.append(f"{it.id}: must_include {m!r} does not occur in its evidence")
    return problems
