"""The evaluation set is well-formed and verbatim, and the quality gate holds on the real pipeline.

The gate thresholds sit a little below the scores measured for the default
configuration (evals/reports/report.md), so a change that breaks answers fails
CI. They are quality scores, never timings.
"""

from collections import Counter

from app.core.config import ROOT
from evals.dataset import load_items, validate_items
from evals.runner import run_config, summarise

QUESTIONS = ROOT / "evals" / "questions.jsonl"
# Just under the values measured on 2026-12-06 (0.844, 0.646, 0.573, 0.304, 0.714; false refusals 0.000): a
# regression of two questions fails CI.
GATE = {"hit@5": 0.82, "mrr": 0.62, "accuracy": 0.55, "citation_precision": 0.29, "refusal_accuracy": 0.64}
MAX_FALSE_REFUSALS = 0.02
MAX_DEFECT_RATE = 0.03


def test_evaluation_set_is_complete_and_verbatim(corpus_quotes):
    items = load_items(QUESTIONS)
    assert len(items) >= 100
    kinds = Counter(i.kind for i in items)
    assert kinds["out_of_scope"] >= 12 and all(kinds[k] >= 8 for k in ("fact", "practice", "recommendation", "compare"))
    assert {i.source for i in items} == {"report", "paper", "both"}
    assert validate_items(items, corpus_quotes) == []


def test_quality_gate(assistant, corpus_settings):
    results = run_config(load_items(QUESTIONS), assistant)
    overall = summarise(results)["all"]
    failing = {m: round(overall[m], 3) for m, floor in GATE.items() if overall[m] < floor}
    assert not failing, f"below the gate {GATE}: {failing}"
    assert overall["false_refusals"] <= MAX_FALSE_REFUSALS
    assert overall["defect_rate"] is not None and overall["defect_rate"] <= MAX_DEFECT_RATE


def test_held_out_set_is_well_formed_and_independent(corpus_quotes):
    """The second set: its own ids, verbatim evidence, multi-turn items whose history is asked first."""
    tuning, held_out = load_items(QUESTIONS), load_items(ROOT / "evals" / "questions_holdout.jsonl")
    assert len(held_out) >= 80 and sum(1 for i in held_out if i.history) >= 20
    assert not {i.question for i in tuning} & {i.question for i in held_out}
    assert validate_items(held_out, corpus_quotes) == []


def test_blind_set_is_well_formed(corpus_quotes):
    """Written from the two documents alone (never the code or the other sets): sources differ, two parts, situations."""
    blind = load_items(ROOT / "evals" / "questions_blind_holdout.jsonl")
    assert {i.kind for i in blind} == {"differ", "multi_part", "design"} and len(blind) >= 45
    assert validate_items(blind, corpus_quotes) == []


def test_follow_up_tuning_set_is_well_formed(corpus_quotes):
    """Multi-turn tuning items: each has a history asked first, verbatim evidence, and questions of its own."""
    followups = load_items(ROOT / "evals" / "questions_followups.jsonl")
    assert len(followups) >= 25 and all(i.history for i in followups)
    assert {i.kind for i in followups} == {"follow_up", "follow_up_out_of_scope"}
    assert not {i.question for i in followups} & {i.question for i in load_items(QUESTIONS)}
    assert validate_items(followups, corpus_quotes) == []


def test_follow_up_quality_gate(assistant, corpus_settings):
    """Follow-ups answer with the conversation; those asking what the sources cannot know are declined."""
    overall = summarise(run_config(load_items(ROOT / "evals" / "questions_followups.jsonl"), assistant))["all"]
    assert overall["accuracy"] >= 0.56 and overall["refusal_accuracy"] >= 0.5, overall  # measured 0.633 and 0.625
    assert overall["false_refusals"] <= 0.1 and overall["defect_rate"] is not None and overall["defect_rate"] <= MAX_DEFECT_RATE
