"""Question–statement pairs of the ranker's training questions, for comparing a cross-encoder with the feature model.

The same questions and the same candidates as ``evals/train/rank.py`` (``question_rows``' selection: answerable,
with evidence, not another language, at least one candidate holding the evidence), each recorded with the text a
cross-encoder reads and the 20 feature rows the feature rankers read, so every ranker is measured on exactly the
same candidates.

The query recorded is ``state.query``: what retrieval searched with and what the features were computed against
(for a follow-up, the follow-up plus its carried topic; for a first question, the question itself). The question
as asked is kept too (``asked``).

    HF_HUB_OFFLINE=1 JOINEDUP_DATA_DIR=/work/main/data .venv/bin/python -m evals.train.pairs [--out /tmp/ce/pairs]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.config import Settings, load_settings
from app.query.ask import Assistant
from app.query.relevance import STATEMENT_FEATURES
from evals.dataset import EvalItem
from evals.train.fit import training_items
from evals.train.rank import RankingData, labelled_candidates, usable

DEFAULT_OUT = Path("/tmp/ce/pairs")


@dataclass(frozen=True)
class QuestionPairs:
    """One question's candidates: the query they were ranked for, their texts, labels and feature rows."""

    id: str
    asked: str  # the question as the user asked it
    query: str  # state.query: what retrieval and the features used (a follow-up carries its topic)
    texts: list[str]  # Candidate.text, in the composer's (retrieval) order
    labels: list[bool]
    features: np.ndarray  # len(texts) x len(STATEMENT_FEATURES)


def question_pairs(assistant: Assistant, item: EvalItem) -> QuestionPairs | None:
    """One question's pairs, from the very candidates ``rank.question_rows`` reads (None when it teaches nothing)."""
    got = labelled_candidates(assistant, item)
    if got is None:
        return None
    features = assistant.composer.features(got.candidates, got.analysis, got.query)
    return QuestionPairs(item.id, item.question, got.query, [c.text for c in got.candidates], got.labels.tolist(), features)


def collect(settings: Settings, items: list[EvalItem], log: bool = True) -> list[QuestionPairs]:
    """Every usable training question's pairs (answerability off, so each is composed, as ``rank.collect``)."""
    assistant = Assistant(settings.with_({"answer.answerability_model": "off"}))
    out: list[QuestionPairs] = []
    start = time.perf_counter()
    for n, item in enumerate(items, 1):
        if usable(item):
            got = question_pairs(assistant, item)
            if got is not None:
                out.append(got)
        if log and n % 50 == 0:
            print(f"{n}/{len(items)} items, {len(out)} kept, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return out


def save(pairs: list[QuestionPairs], out: Path) -> None:
    """``out.jsonl`` (ids, query, texts, labels per question) and ``out.npz`` (feature rows, labels, groups)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.with_suffix(".jsonl").open("w") as f:
        for q in pairs:
            f.write(json.dumps({"id": q.id, "asked": q.asked, "query": q.query, "texts": q.texts, "labels": q.labels}) + "\n")
    to_ranking(pairs).save(out.with_suffix(".npz"))


def load(out: Path) -> list[QuestionPairs]:
    """Read what :func:`save` wrote."""
    data = RankingData.load(out.with_suffix(".npz"))
    pairs = []
    for g, line in enumerate(out.with_suffix(".jsonl").read_text().splitlines()):
        d = json.loads(line)
        rows = data.features[data.groups == g]
        if len(rows) != len(d["texts"]) or data.ids[g] != d["id"]:
            raise ValueError(f"{out}: texts and feature rows disagree for {d['id']}")
        pairs.append(QuestionPairs(d["id"], d["asked"], d["query"], d["texts"], d["labels"], rows))
    return pairs


def to_ranking(pairs: list[QuestionPairs]) -> RankingData:
    """The feature rows of the pairs as ``rank.RankingData`` (group g is ``pairs[g]``)."""
    width = len(STATEMENT_FEATURES)
    features = np.vstack([q.features for q in pairs]) if pairs else np.zeros((0, width))
    relevant = np.concatenate([np.asarray(q.labels, dtype=bool) for q in pairs]) if pairs else np.zeros(0, dtype=bool)
    groups = np.concatenate([np.full(len(q.texts), g) for g, q in enumerate(pairs)]) if pairs else np.zeros(0, dtype=int)
    return RankingData(features, relevant, groups, [q.id for q in pairs])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="path stem: writes STEM.jsonl and STEM.npz")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)  # the machine's other core is in use
    t = time.perf_counter()
    pairs = collect(load_settings(), training_items())
    save(pairs, args.out)
    n = sum(len(q.texts) for q in pairs)
    print(f"{len(pairs)} questions, {n} candidates, {time.perf_counter() - t:.0f} s -> {args.out}.jsonl/.npz")


if __name__ == "__main__":
    main()
