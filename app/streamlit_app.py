"""Joined-Up (``joinedup serve``): a welcome, a chat with cited answers, the practice table, charts and a workshop pack."""

from __future__ import annotations

import atexit
import logging
import sys
import threading
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

# `streamlit run` puts this file's folder first on sys.path, where app/*.py would shadow same-named modules
# (a module named like the stdlib's `profile` broke torch's imports); import the package from the repo root instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != _HERE)]

from app.core.config import SOURCE_TYPES, Settings, load_settings
from app.core.welcome import Source, Welcome, load_welcome
from app.index.store import StoreError
from app.query.ask import Assistant
from app.query.backends import BACKEND_NAMES
from app.query.retrieve import Filters
from app.ui import chat, finder_page, onboarding, pack_page
from app.ui.charts import render_landscape
from app.ui.common import install_page_helpers, keep_widget_state
from ingest.documents import read_sources

SEARCHABLE = tuple(t for t in SOURCE_TYPES if t != "user_document")  # source types the chat offers to search
SECTIONS = ("Ask", "Practices", "Workshop pack")
SECTION_KEY = "section"


@st.cache_resource(show_spinner=False)
def get_assistant() -> Assistant:
    """One assistant per server process; builds the index on first start if it is missing."""
    from app.index.index import index_ready
    from ingest.pipeline import ingest

    settings = load_settings()
    if not index_ready(settings):
        with st.spinner("Building the evidence index (first start only, about a minute)…"):
            ingest(settings)
    assistant = Assistant(settings)
    # A room asks at once soon after the page opens: the statements answers score are embedded now, on a thread of
    # their own, so the page is not kept waiting and the first questions do not each embed the same statements.
    stop = threading.Event()
    warming = threading.Thread(target=_warm, args=(assistant, stop), name="joinedup-warm", daemon=True)
    warming.start()

    def stop_warming() -> None:
        """The process must not end while torch computes on that thread (its C++ aborts): stop after its batch."""
        stop.set()
        warming.join()

    atexit.register(stop_warming)
    return assistant


def _warm(assistant: Assistant, stop: threading.Event) -> None:
    """Embed the statements ahead of the questions; a failure only means they are embedded as questions need them."""
    try:
        assistant.warm(stop)
    except Exception:  # an accelerator only: the questions still work cold
        logging.getLogger(__name__).warning("could not embed the statements ahead of the questions", exc_info=True)


@st.cache_data(show_spinner=False)
def sources(documents_dir: Path) -> list[Source]:
    """The source documents the welcome names, from documents/SOURCES.md."""
    return [Source(s.title, s.authors, s.year, s.doi) for s in read_sources(documents_dir).values()]


@st.cache_resource(show_spinner=False)
def welcome_text(corpus_dir: Path) -> Welcome:
    """The welcome and example questions (read once per process: they change only with the corpus folder)."""
    return load_welcome(corpus_dir)


def ask_example(question: str) -> None:
    """An example question was clicked: go to the conversation and queue it."""
    st.session_state[SECTION_KEY] = SECTIONS[0]
    chat.queue_question(question)


def sidebar(assistant: Assistant) -> chat.ChatOptions:
    """Where to search, and the technical settings under "Advanced"."""
    labels = {assistant.profile.source_types[t]: t for t in SEARCHABLE}
    with st.sidebar:
        st.header("Search")
        chosen = st.multiselect("Search in", list(labels), default=list(labels), key="search-in")
        with st.expander("Advanced", key="advanced"):
            backend = st.selectbox("How answers are written", BACKEND_NAMES, format_func=chat.backend_label, key="backend")
            k = st.slider("Passages to read per question", 3, 20, assistant.settings.retrieval.k, key="k")
            show_query = st.toggle("Show the search query of follow-up questions", value=False, key="show-query")
            show_details = st.toggle("Show technical details", value=False, key="show-details")
    filters = Filters(source_types=tuple(labels[c] for c in chosen) if len(chosen) < len(labels) else None)
    return chat.ChatOptions(backend, k, filters, show_query, show_details)


def hidden_tab_widgets() -> list[str]:
    """Keys of the widgets on the Practices and Workshop pack tabs: kept while another tab is open (it is not drawn)."""
    practices = [key for key, _, _ in finder_page.FILTERS] + [finder_page.LIKE_KEY, finder_page.COMPARE_KEY]
    return [*practices, pack_page.TOPIC_KEY, pack_page.SAVED_KEY, pack_page.PRACTICES_KEY]


def main() -> None:
    st.set_page_config(page_title="Joined-Up", page_icon="🔗", layout="wide")
    install_page_helpers()
    st.title("Joined-Up")
    st.caption("Evidence on integrating social services with health, education and employment — every claim cited.")
    assistant = get_assistant()
    settings: Settings = assistant.settings
    options = sidebar(assistant)
    chat.queue_from_link()
    keep_widget_state(hidden_tab_widgets())
    # Only the open tab is drawn (tabs rerun the app when switched): a rerun in a room of users is the chat's alone,
    # not every chart, table and pack of the page. `.open` is None where the browser keeps the tab (never here).
    ask_tab, practices_tab, pack_tab = st.tabs(SECTIONS, key=SECTION_KEY, on_change="rerun")
    if ask_tab.open is not False:
        chat.chat_input()  # pinned to the bottom of the page; drawn first so it stays usable while an answer runs
        draw_ask(ask_tab, assistant, settings, options)
    if practices_tab.open is not False:
        draw_practices(practices_tab, assistant)
    if pack_tab.open is not False:
        with pack_tab:
            pack_page.render_pack_page(assistant)


def draw_ask(ask_tab: DeltaGenerator, assistant: Assistant, settings: Settings, options: chat.ChatOptions) -> None:
    """The welcome (and example questions on a first visit), then the conversation."""
    with ask_tab:
        welcome = welcome_text(settings.corpus_dir)
        first_visit = not st.session_state.get(chat.TURNS) and not st.session_state.get(chat.PENDING)
        onboarding.render_welcome(welcome, sources(settings.documents_dir), assistant.profile, expanded=first_visit)
        if first_visit:
            onboarding.render_examples(welcome, ask_example)
        chat.render_chat(assistant, options)


def draw_practices(practices_tab: DeltaGenerator, assistant: Assistant) -> None:
    """The landscape charts, the filters, the practice table and the comparison."""
    with practices_tab:
        if not assistant.cards:
            st.info("This corpus has no practice cards.")
        else:
            with st.expander("The landscape: click a bar or a cell to show only those practices", expanded=True, key="landscape"):
                picks = render_landscape(assistant.cards, assistant.profile, finder_page.report_tables(assistant))
            finder_page.render_filters(assistant, picks)
            rows = finder_page.render_table(assistant, picks)
            finder_page.render_compare(assistant, rows)


try:
    main()
except StoreError as exc:  # the index cannot be read (a Chroma server down): one sentence, never a traceback or a path
    st.error(str(exc))
