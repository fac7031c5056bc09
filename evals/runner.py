"""Run the evaluation set through the real pipeline, for the default configuration and ablations."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from app.ask import Assistant
from app.config import Settings
from app.models import Answer
from app.retrieve import Filters
from evals.dataset import KINDS, EvalItem
from evals.scoring import ItemScores, aggregate, score_item

NO_CARDS = Filters(source_types=("report", "paper", "user_document"))


@dataclass(frozen=True)
class EvalConfig:
    """One configuration to evaluate; the default is the one the app ships with."""

    name: str
    retriever: str = "hybrid"
    cards: bool = True
    chunk_size: int | None = None  # None: the configured size
    backend: str | None = None


DEFAULT = EvalConfig("default (hybrid, cards, configured chunks)")
ABLATIONS = (
    EvalConfig("dense only", retriever="dense"),
    EvalConfig("BM25 only", retriever="bm25"),
    EvalConfig("sentence-dense only", retriever="sentences"),
    EvalConfig("hybrid without practice cards", cards=False),
    EvalConfig("hybrid, 600-char chunks", chunk_size=600),
    EvalConfig("hybrid, 1200-char chunks", chunk_size=1200),
)


@dataclass
class ItemResult:
    item: EvalItem
    answer: Answer
    scores: ItemScores
    top10: list[str]

    def as_record(self, config: str) -> dict:
        return {"id": self.item.id, "question": self.item.question, "kind": self.item.kind, "config": config,
                "answer": self.answer.model_dump(), "scores": self.scores.as_dict()}  # fmt: skip


def assistant_for(config: EvalConfig, base: Settings) -> Assistant:
    """An assistant for the configuration; other chunk sizes get their own index beside the main one."""
    from ingest.pipeline import ingest

    settings = base.with_(retriever=config.retriever, backend=config.backend or base.backend)
    if config.chunk_size and config.chunk_size != base.chunk_size:
        size = config.chunk_size
        settings = settings.with_(
            chunk_size=size, chunk_overlap=max(50, size // 6), data_dir=base.data_dir / f"ablation-chunks-{size}"
        )
    ingest(settings)  # idempotent: on an existing index it only compares hashes
    return Assistant(settings)


def run_config(
    items: list[EvalItem],
    config: EvalConfig,
    base: Settings,
    assistant: Assistant | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[ItemResult]:
    """Answer and score every item with one configuration."""
    assistant = assistant or assistant_for(config, base)
    filters = Filters() if config.cards else NO_CARDS
    results = []
    for n, item in enumerate(items, 1):
        t = time.perf_counter()
        answer = assistant.ask(item.question, filters=filters)
        latency = int((time.perf_counter() - t) * 1000)
        top10 = [p.chunk.text for p in assistant.retriever.search(item.question, 10, filters)]
        results.append(ItemResult(item, answer, score_item(item, answer, top10, latency), top10))
        if progress:
            progress(n, len(items))
    return results


def summarise(results: list[ItemResult]) -> dict[str, dict]:
    """Aggregates per kind and overall ("all")."""
    rows = [(r.item, r.scores) for r in results]
    out = {kind: aggregate([(i, s) for i, s in rows if i.kind == kind]) for kind in KINDS}
    out["all"] = aggregate(rows)
    return out
