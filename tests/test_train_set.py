"""The training and development sets are apart from every evaluation set, their evidence verbatim, the generated part
reproducible."""

from __future__ import annotations

import json

from app.core.config import ROOT
from app.core.normalise import QuoteIndex
from evals.dataset import expects_refusal, load_items
from evals.train import structure
from evals.train.fit import training_items


def _question(text: str) -> str:
    return " ".join(text.lower().split())


DEV_DIR = ROOT / "evals" / "dev"


def _dev_items():
    return [item for path in sorted(DEV_DIR.glob("*.jsonl")) for item in load_items(path)]


def test_no_training_or_development_question_is_an_evaluation_question():
    """Three sets apart: training (fitted on), development (checked on, never fitted), evaluation (reported only)."""
    evaluation = {_question(item.question) for path in (ROOT / "evals").glob("questions*.jsonl") for item in load_items(path)}
    evaluation |= {
        _question(h) for path in (ROOT / "evals").glob("questions*.jsonl") for item in load_items(path) for h in item.history
    }
    training = {_question(item.question) for item in training_items()}
    development = _dev_items()
    assert len(development) >= 100
    assert [item.id for item in training_items() if _question(item.question) in evaluation] == []
    assert [item.id for item in development if _question(item.question) in evaluation | training] == []


def test_training_evidence_is_verbatim_in_the_documents(corpus_quotes: QuoteIndex):
    items = training_items()
    assert len(items) >= 500
    missing = [(item.id, e[:60]) for item in [*items, *_dev_items()] for e in item.evidence if not corpus_quotes.contains(e)]
    assert missing == []
    answerable = [item for item in items if not expects_refusal(item.kind)]
    assert all(item.evidence for item in answerable)
    assert sum(expects_refusal(item.kind) for item in items) >= 100  # enough to fit what a refusal looks like


def test_the_generated_part_is_reproducible():
    generated = [json.loads(line) for line in structure.OUT.read_text(encoding="utf-8").splitlines()]
    assert structure.build() == generated
