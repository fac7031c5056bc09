"""Run an evaluation set through the real pipeline, for named presets of the settings.

Building an index for a preset is the caller's job (``joinedup eval`` does it):
this package only asks questions and scores answers.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.core.config import ROOT, Settings
from app.core.models import Answer
from app.query.ask import Assistant
from app.query.conversation import Turn
from evals.dataset import KINDS, EvalItem
from evals.scoring import ItemScores, aggregate, score_item

PRESETS_FILE = ROOT / "evals" / "presets.yaml"


@dataclass(frozen=True)
class Preset:
    """A named configuration: dotted overrides of the settings (``{"retrieval.mode": "dense"}``)."""

    name: str
    overrides: dict[str, object] = field(default_factory=dict)

    @property
    def needs_own_index(self) -> bool:
        """Presets that change how files are chunked are measured on an index of their own."""
        return any(key.startswith("index.") for key in self.overrides)

    def settings(self, base: Settings) -> Settings:
        """The base settings with this preset's overrides (and its own data folder when it re-chunks)."""
        settings = base.with_(self.overrides)
        if self.needs_own_index:
            slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
            settings = settings.with_(data_dir=base.data_dir / f"preset-{slug}")
        return settings


def load_presets(path: Path = PRESETS_FILE) -> list[Preset]:
    """The presets in file order; the first is the default configuration."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [Preset(str(name), dict(overrides or {})) for name, overrides in data.items()]


@dataclass
class ItemResult:
    item: EvalItem
    answer: Answer
    scores: ItemScores

    def as_record(self, config: str) -> dict:
        return {"id": self.item.id, "question": self.item.question, "kind": self.item.kind, "config": config,
                "history": self.item.history, "answer": self.answer.model_dump(), "scores": self.scores.as_dict()}  # fmt: skip


def conversation_for(assistant: Assistant, item: EvalItem) -> list[Turn]:
    """Ask the item's earlier questions in order, as a user would before the item's own question."""
    turns: list[Turn] = []
    for earlier in item.history:
        turns.append(Turn.of(assistant.ask(earlier, history=turns)))
    return turns


def run_config(
    items: list[EvalItem], assistant: Assistant, progress: Callable[[int, int], None] | None = None
) -> list[ItemResult]:
    """Answer and score every item with one assistant (one configuration)."""
    results = []
    for n, item in enumerate(items, 1):
        history = conversation_for(assistant, item)
        t = time.perf_counter()
        answer = assistant.ask(item.question, history=history)
        latency = int((time.perf_counter() - t) * 1000)
        results.append(ItemResult(item, answer, score_item(item, answer, latency)))
        if progress:
            progress(n, len(items))
    return results


def summarise(results: list[ItemResult]) -> dict[str, dict]:
    """Aggregates per kind present and overall ("all")."""
    rows = [(r.item, r.scores) for r in results]
    present = list(dict.fromkeys(i.kind for i, _ in rows))
    kinds = [k for k in KINDS if k in present] + [k for k in present if k not in KINDS]
    out = {kind: aggregate([(i, s) for i, s in rows if i.kind == kind]) for kind in kinds}
    out["all"] = aggregate(rows)
    return out
