"""The question queue of the chat (no model): the question box and the page's own record of typed questions both
report each question; it is queued once, and still queued when the box's report is lost (Streamlit drops a box
submission whose run is stopped by the next question before it begins). The served app: tests/test_browser.py."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    from app.ui import chat

    for source, question in st.session_state.get("reports", []):
        if source == "box":
            chat.queue_question(question, claims="box")
        else:  # the page's record: the whole list of what was typed so far, as the component's state sends it
            typed = st.session_state.setdefault("typed_so_far", [])
            typed.append({"id": f"t{len(typed)}", "q": question})
            st.session_state[chat.TYPED_KEY] = {"typed": list(typed)}
            chat._queue_from_page()
    st.session_state["reports"] = []
    st.write([e["question"] for e in st.session_state.get(chat.PENDING, [])])


def queued(reports: list[tuple[str, str]]) -> list[str]:
    at = AppTest.from_function(_script, default_timeout=120)
    at.session_state["reports"] = reports
    at.run()
    assert not at.exception
    return [e["question"] for e in at.session_state["pending"]]


def test_each_question_is_queued_once_whichever_report_comes_first():
    reports = [("box", "Q1"), ("page", "Q1"), ("page", "Q2"), ("box", "Q2"), ("box", "Q3"), ("page", "Q3")]
    assert queued(reports) == ["Q1", "Q2", "Q3"]


def test_a_question_whose_box_report_was_lost_is_still_queued():
    reports = [("box", "Q1"), ("page", "Q1"), ("page", "Q2"), ("page", "Q3"), ("box", "Q3"), ("page", "Q4"), ("box", "Q4")]
    assert queued(reports) == ["Q1", "Q2", "Q3", "Q4"]


def test_the_same_question_asked_twice_is_queued_twice():
    reports = [("box", "Q1"), ("page", "Q1"), ("page", "Q1"), ("box", "Q1")]
    assert queued(reports) == ["Q1", "Q1"]


def test_without_the_pages_record_the_box_alone_queues_every_question():
    assert queued([("box", "Q1"), ("box", "Q2"), ("box", "  ")]) == ["Q1", "Q2"]
