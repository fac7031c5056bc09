"""Many questions at once on one process (Streamlit serves every session from threads of one process)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.slow  # the real model

QUESTIONS = [
    "How are integrated services funded?",
    "What are the barriers to integrating social and health services?",
    "Which practices support young people into work?",
    "What does the report recommend to national governments?",
    "How do one-stop shops work?",
    "What role do municipalities play in integrated services?",
]


def at_once(work, items: list) -> list:  # type: ignore[no-untyped-def]
    """Run ``work`` on every item, each on its own thread, all released together."""
    start = threading.Barrier(len(items))

    def one(item):  # type: ignore[no-untyped-def]
        start.wait()
        return work(item)

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(one, items))


def test_questions_asked_at_once_are_answered_as_if_asked_alone(assistant):
    alone = {q: assistant.ask(q) for q in QUESTIONS}
    together = at_once(assistant.ask, QUESTIONS * 2)
    for answer in together:
        expected = alone[answer.question]
        assert answer.supported == expected.supported
        assert [r.chunk_id for r in answer.retrieved] == [r.chunk_id for r in expected.retrieved]
