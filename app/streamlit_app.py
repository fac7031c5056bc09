"""Joined-Up chat (``joinedup serve``): ask, read a cited answer, open each source passage."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` does not install the package

from app.answer import BACKEND_NAMES
from app.ask import Assistant
from app.config import load_settings
from app.models import Answer
from app.retrieve import Filters

SOURCE_TYPES = {"Report": "report", "Paper": "paper", "Practice cards": "practice_card"}


@st.cache_resource(show_spinner=False)
def get_assistant() -> Assistant:
    """One assistant per server process; builds the index on first start if it is missing."""
    from ingest.pipeline import index_ready, ingest

    settings = load_settings()
    if not index_ready(settings):
        with st.spinner("Building the evidence index (first start only, about a minute)…"):
            ingest(settings)
    return Assistant(settings)


def render_answer(answer: Answer) -> None:
    """The answer text, then one expandable entry per citation with its quote and source."""
    if answer.notice:
        st.warning(answer.notice)
    if not answer.supported:
        st.info(answer.answer_markdown)
        return
    st.markdown(answer.answer_markdown)
    if answer.rewritten_query:
        st.caption(f"Searched for: {answer.rewritten_query}")
    for c in answer.citations:
        where = c.section + (f", page {c.page}" if c.page else "")
        with st.expander(f"[{c.n}] {c.doc_title} — {c.evidence_label}"):
            st.caption(where)
            st.markdown(f"> {c.quote}")
    if answer.practices:
        st.caption("Practices mentioned: " + ", ".join(answer.practices))


def main() -> None:
    st.set_page_config(page_title="Joined-Up", page_icon="🔗", layout="wide")
    st.title("Joined-Up")
    st.caption("Evidence on integrating social services with health, education and employment — every claim cited.")
    with st.sidebar:
        st.header("Settings")
        backend = st.selectbox("Answer backend", BACKEND_NAMES, index=0)
        k = st.slider("Passages to retrieve", 3, 20, 8)
        chosen = st.multiselect("Search in", list(SOURCE_TYPES), default=list(SOURCE_TYPES))
    assistant = get_assistant()
    filters = Filters(source_types=tuple(SOURCE_TYPES[c] for c in chosen) or None)
    messages: list[dict] = st.session_state.setdefault("messages", [])
    for m in messages:
        with st.chat_message(m["role"]):
            if m["role"] == "user":
                st.markdown(m["content"])
            else:
                render_answer(Answer.model_validate(m["answer"]))
    question = st.chat_input("Ask about integrated services, e.g. “How are integrated services funded?”")
    if question:
        messages.append({"role": "user", "content": question})
        with st.chat_message("user"):
            st.markdown(question)
        with st.chat_message("assistant"), st.spinner("Searching the evidence…"):
            answer = assistant.ask(question, backend=backend, k=k, filters=filters)
            render_answer(answer)
        messages.append({"role": "assistant", "answer": answer.model_dump()})


main()
