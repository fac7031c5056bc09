"""The evaluation's accuracy counts what an answer states, not the labels it gives its statements."""

from __future__ import annotations

from app.core.models import Answer
from evals.dataset import EvalItem
from evals.scoring import answer_is_accurate

ITEM = EvalItem(
    id="t1", question="How do I get real commitment?", kind="design", must_include=["shared vision"], any_of=[],
    evidence=["it is helpful to develop collectively a shared vision"], source="report",
)  # fmt: skip


def _answer(markdown: str) -> Answer:
    return Answer(question=ITEM.question, answer_markdown=markdown, supported=True, backend="extractive")


def test_a_fact_only_in_a_heading_does_not_count():
    heading_only = "**Commitment and shared vision**\n- Commitment at all levels is required. [1]"
    assert not answer_is_accurate(ITEM, _answer(heading_only))


def test_a_fact_in_a_statement_counts_under_any_heading():
    stated = "**Commitment and shared vision**\n- It helps to develop a shared vision for practitioners. [1]"
    assert answer_is_accurate(ITEM, _answer(stated))


def test_a_refused_answer_is_accurate_only_for_a_question_out_of_scope():
    refused = Answer(question="q", answer_markdown="The documents do not say.", supported=False, backend="extractive")
    assert not answer_is_accurate(ITEM, refused)
    assert answer_is_accurate(EvalItem(id="t2", question="q", kind="out_of_scope", source="report"), refused)
