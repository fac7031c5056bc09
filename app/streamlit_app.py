"""Joined-Up (``joinedup serve``): chat with cited answers, and a practice finder."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run` puts this file's folder first on sys.path, where app/*.py would shadow same-named modules
# (a module named like the stdlib's `profile` broke torch's imports); import the package from the repo root instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != _HERE)]

from app.answer import BACKEND_NAMES
from app.ask import Assistant
from app.config import load_settings
from app.conversation import Turn
from app.models import Answer
from app.practices import PracticeQuery
from app.retrieve import Filters

ANY = "(any)"
SEARCHABLE = ("report", "paper", "practice_card")  # source types the chat offers to search


@st.cache_resource(show_spinner=False)
def get_assistant() -> Assistant:
    """One assistant per server process; builds the index on first start if it is missing."""
    from app.index import index_ready
    from ingest.pipeline import ingest

    settings = load_settings()
    if not index_ready(settings):
        with st.spinner("Building the evidence index (first start only, about a minute)…"):
            ingest(settings)
    return Assistant(settings)


def render_answer(answer: Answer, show_query: bool) -> None:
    """The answer text, then one expandable entry per citation with its quote and source."""
    if answer.notice:
        st.warning(answer.notice)
    if show_query and answer.rewritten_query:
        st.caption(f"Searched for: {answer.rewritten_query}")
    if not answer.supported:
        st.info(answer.answer_markdown)
        return
    st.markdown(answer.answer_markdown)
    for c in answer.citations:
        where = c.section + (f", page {c.page}" if c.page else "")
        with st.expander(f"[{c.n}] {c.doc_title} — {c.evidence_label}"):
            st.caption(where)
            st.markdown(f"> {c.quote}")
    if answer.practices:
        st.caption("Practices mentioned: " + ", ".join(answer.practices))
    if answer.guard and answer.guard.removed_claims:
        st.caption(f"Grounding check removed {answer.guard.removed_claims} unsupported statement(s).")


def chat(assistant: Assistant, backend: str, k: int, filters: Filters, show_query: bool) -> None:
    messages: list[dict] = st.session_state.setdefault("messages", [])
    for m in messages:
        with st.chat_message(m["role"]):
            if m["role"] == "user":
                st.markdown(m["content"])
            else:
                render_answer(Answer.model_validate(m["answer"]), show_query)
    question = st.chat_input("Ask about integrated services, e.g. “How are integrated services funded?”")
    if not question:
        return
    history = [Turn.of(Answer.model_validate(a["answer"])) for a in messages if a["role"] == "assistant"]
    messages.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"), st.spinner("Searching the evidence…"):
        answer = assistant.ask(question, backend=backend, k=k, filters=filters, history=history)
        render_answer(answer, show_query)
    messages.append({"role": "assistant", "answer": answer.model_dump()})


def finder(assistant: Assistant) -> None:
    st.subheader("Find comparable practices")
    finder = assistant.finder  # loaded once per server process, not on every rerun
    if finder is None:
        st.info("This corpus has no practice cards.")
        return
    cols = st.columns(5)
    countries = sorted({c.country for c in finder.cards})
    country = cols[0].selectbox("Country", [ANY, *countries])
    vocabulary = assistant.profile.vocabulary
    sector = cols[1].selectbox("Sector", [ANY, *vocabulary("sectors")])
    group = cols[2].selectbox("Target group", [ANY, *vocabulary("target_groups")])
    model = cols[3].selectbox("Delivery model", [ANY, *vocabulary("delivery_models")])
    funding = cols[4].selectbox("Funding", [ANY, *vocabulary("funding")])
    like = st.text_input("Describe your situation (optional)", placeholder="one-stop shop for young jobseekers in a rural area")

    def pick(v: str) -> str | None:
        return None if v == ANY else v

    matches = finder.find(PracticeQuery(pick(country), pick(sector), pick(group), pick(model), pick(funding), like or None))
    st.caption(f"{len(matches)} practice(s)")
    for m in matches:
        with st.expander(f"{m.code} — {m.title or '(name not given in the sources)'} ({m.country})"):
            st.markdown(m.reason)
            for quote in m.quotes:
                st.markdown(f"> {quote}")
            if m.similar_passage:
                st.caption(f"Similar passage ({m.similar_source}): {m.similar_passage}")
            if m.card and m.card.summary:
                st.markdown(m.card.summary)
            if m.card and m.card.notes:
                st.caption(f"Note: {m.card.notes}")


def main() -> None:
    st.set_page_config(page_title="Joined-Up", page_icon="🔗", layout="wide")
    st.title("Joined-Up")
    st.caption("Evidence on integrating social services with health, education and employment — every claim cited.")
    with st.sidebar:
        st.header("Settings")
        backend = st.selectbox("Answer backend", BACKEND_NAMES, index=0)
        k = st.slider("Passages to retrieve", 3, 20, 8)
    assistant = get_assistant()
    labels = {assistant.profile.source_types[t]: t for t in SEARCHABLE}
    with st.sidebar:
        chosen = st.multiselect("Search in", list(labels), default=list(labels))
        show_query = st.toggle("Show the search query of follow-ups", value=False)
    filters = Filters(source_types=tuple(labels[c] for c in chosen) if len(chosen) < len(labels) else None)
    ask_tab, finder_tab = st.tabs(["Ask", "Practice finder"])
    with ask_tab:
        chat(assistant, backend, k, filters, show_query)
    with finder_tab:
        finder(assistant)


main()
