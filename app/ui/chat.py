"""The conversation: a queue of questions (nothing lost when a second comes in), answers with linked citations.

Streamlit reruns the script when a question is submitted, interrupting an answer in progress. So a
question goes into ``st.session_state`` first (the input's callback), each answer is stored the
moment it is computed, and a question leaves the queue only once its answer is stored: an
interrupted run leaves the queue as it was, and the next run answers the rest.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app.core.answer_markdown import answer_to_markdown, answer_to_text, citation_source
from app.core.models import Answer, Citation
from app.core.quote_context import QuoteContext, quote_context
from app.query.ask import Assistant
from app.query.conversation import Turn
from app.query.retrieve import Filters
from app.ui.common import doc_text, follow_newest, quote_block

TURNS, PENDING, BLANK, FROM_LINK, LOCK = "turns", "pending", "blank_question", "link_question_done", "answer_lock"
TURN_ID = "turn_id"  # the queued question a stored answer belongs to
INPUT_KEY = "question"
QUEUE_LOCK, UNMATCHED, TYPED_KEY, TYPED_SEEN = "queue_lock", "unmatched_questions", "typed_questions", "typed_seen"
BLANK_MESSAGE = "Please type a question first — for example, “How are integrated services funded?”"
# What the assistant is doing, in a user's words, by the step of Assistant.ask that has started.
STEP_WORDS = {
    "scope": "Understanding the question…",
    "analyse": "Understanding the question…",
    "retrieve": "Searching the sources…",
    "check_names": "Searching the sources…",
    "compose": "Composing the answer…",
}
_MARKER = re.compile(r"\[(\d+)\](?!\()")

# The answer backends in a user's words.
BACKEND_LABELS = {
    "extractive": "Quotes from the sources (no AI model)",
    "openai": "AI model on a server (OpenAI-compatible)",
    "ollama": "AI model on this computer (Ollama)",
    "llamacpp": "AI model file on this computer (llama.cpp)",
}


@dataclass(frozen=True)
class ChatOptions:
    backend: str
    k: int
    filters: Filters
    show_query: bool
    show_details: bool


def backend_label(name: str) -> str:
    return BACKEND_LABELS.get(name, name)


def _queue_lock() -> threading.Lock:
    """Guards the queue: the runs of one session overlap (a new question starts a run before the last one ends)."""
    return st.session_state.setdefault(QUEUE_LOCK, threading.Lock())


def queue_question(question: str, claims: str = "") -> None:
    """Put a question in the queue (blank ones get a friendly message instead).

    ``claims`` names where it came from ("box": the question box's own submission, "page": the page's record of
    what was typed); each of the two reports every typed question, so one is matched against the other and a
    question is queued once, whichever arrives first, and still queued when the other never arrives.
    """
    if not question or not question.strip():
        st.session_state[BLANK] = True
        return
    st.session_state[BLANK] = False
    question = question.strip()
    with _queue_lock():
        if claims:
            unmatched: dict[str, list[str]] = st.session_state.setdefault(UNMATCHED, {"box": [], "page": []})
            other = unmatched["page" if claims == "box" else "box"]
            if question in other:
                other.remove(question)  # the other report of this same question: queued already
                return
            unmatched[claims].append(question)
        st.session_state.setdefault(PENDING, []).append({"id": uuid.uuid4().hex, "question": question})


def _queue_from_input() -> None:
    queue_question(st.session_state.get(INPUT_KEY) or "", claims="box")


def _queue_from_page() -> None:
    """Questions the page recorded as typed that this session has not taken yet (see :data:`_TYPED_JS`)."""
    typed = (st.session_state.get(TYPED_KEY) or {}).get("typed") or []
    seen: set[str] = st.session_state.setdefault(TYPED_SEEN, set())
    for item in typed:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"] not in seen:
            seen.add(item["id"])
            queue_question(str(item.get("q") or ""), claims="page")


def queue_from_link() -> None:
    """A link with ``?q=…`` asks its questions once per session, in order (``?q=first&q=follow-up``: a conversation)."""
    questions = [q for q in st.query_params.get_all("q") if q.strip()]
    if questions and st.session_state.get(FROM_LINK) != questions:
        st.session_state[FROM_LINK] = questions
        for question in questions:
            queue_question(question)


def linked_markers(markdown: str, turn: int) -> str:
    """``[n]`` markers as links to the citation blocks of this turn (``#cite-<turn>-<n>``)."""
    return _MARKER.sub(lambda m: rf"[\[{m.group(1)}\]](#cite-{turn}-{m.group(1)})", markdown)


def question_link(questions: list[str]) -> str:
    """A relative link that asks the questions again in order: a follow-up gets the conversation it was asked in."""
    return "?" + urlencode([("q", q) for q in questions])


def _context_texts(assistant: Assistant, answer: Answer, c: Citation) -> list[str]:
    """Where a quote's neighbouring sentences may be: the cited passage, the passages beside it, then its document."""
    chunks = assistant.retriever.chunks_by_id
    cited = chunks.get(c.chunk_id)
    texts = [r.text for r in answer.retrieved if r.chunk_id == c.chunk_id]
    if cited is not None:
        for offset in (cited.char_start - 1, cited.char_end):
            near = assistant.retriever.chunk_at(cited.doc_id, offset)
            if near is not None:
                texts.append(near.text)
    texts += [ch.text for ch in chunks.values() if ch.doc_title == c.doc_title and ch.source_type != "practice_card"]
    return texts


def _context(assistant: Assistant, answer: Answer, c: Citation) -> QuoteContext:
    """The quote's context, computed once per session (every rerun redraws every answer)."""
    cache: dict[tuple[str, str], QuoteContext] = st.session_state.setdefault("quote_contexts", {})
    key = (c.chunk_id, c.quote)
    if key not in cache:
        cache[key] = quote_context(c.quote, _context_texts(assistant, answer, c))
    return cache[key]


def render_citation(assistant: Assistant, answer: Answer, c: Citation, turn: int) -> None:
    """One citation: an expander (anchor ``cite-<turn>-<n>``) with the quote in its context and its source."""
    with st.expander(f"[{c.n}] {doc_text(c.doc_title)} — {doc_text(c.evidence_label)}", key=f"cite-{turn}-{c.n}"):
        st.caption(citation_source(c))  # escaped by citation_source
        context = _context(assistant, answer, c)
        # The cited words stand out (style.css); the sentences around them are grey, for context.
        if context.before:
            st.caption(f"… {doc_text(context.before)}")
        st.markdown(quote_block(c.quote))
        if context.after:
            st.caption(f"{doc_text(context.after)} …")


def render_answer(assistant: Assistant, answer: Answer, turn: int, options: ChatOptions, asked: list[str]) -> None:
    """The answer text with linked markers, its citations, and its exports (``asked``: the questions up to this one)."""
    if answer.backend != options.backend:
        st.info(
            f"The answer style you chose ({backend_label(options.backend)}) could not be used for this question, "
            "so this answer quotes the sources directly."
        )
    if answer.notice and options.show_details:
        st.caption(f"Technical details: {answer.notice}")
    if options.show_query and answer.rewritten_query:
        st.caption(f"Searched for: {doc_text(answer.rewritten_query)}")  # an LLM may have written it: text only
    if not answer.supported:
        st.info(answer.answer_markdown)
        return
    st.markdown(linked_markers(answer.answer_markdown, turn))
    for c in answer.citations:
        render_citation(assistant, answer, c, turn)
    if answer.practices:
        st.caption("Practices mentioned: " + ", ".join(answer.practices))
    if answer.guard and answer.guard.removed_claims:
        st.caption(f"{answer.guard.removed_claims} statement(s) were left out because their source did not support them.")
    link = question_link(asked)
    markdown = answer_to_markdown(answer)
    cols = st.columns([1, 1, 2])
    cols[0].download_button(
        "Download as Markdown", markdown, file_name=f"joinedup-answer-{turn + 1}.md", mime="text/markdown",
        key=f"download-{turn}", on_click="ignore",
    )  # fmt: skip
    cols[1].markdown(f"[Link to this question]({link})")
    with cols[2].popover("Copy the answer", key=f"copy-{turn}"):
        st.caption("The answer as plain text with its numbered sources: the icon at the top right copies it.")
        st.code(answer_to_text(answer), language=None, wrap_lines=True)


def _lock() -> threading.Lock:
    """One answer at a time per session: a superseded run finishes its answer while the new run starts."""
    return st.session_state.setdefault(LOCK, threading.Lock())


def _answer_next(
    assistant: Assistant, entry: dict[str, str], options: ChatOptions, progress: Callable[[str], None] | None = None
) -> tuple[Answer, int]:
    """The answer to a queued question: computed here, or taken from the run that computed it meanwhile."""
    # Everything from session state is taken now: a superseded run may not touch st.session_state again (Streamlit
    # stops it there), and it must still store its answer and take the question off the queue.
    turns: list[dict] = st.session_state[TURNS]
    pending: list[dict[str, str]] = st.session_state[PENDING]
    queue_lock = _queue_lock()

    def answered(i: int) -> int:
        with queue_lock:  # another run may be queueing a question this very moment
            pending[:] = [e for e in pending if e["id"] != entry["id"]]
        return i

    with _lock():
        for i, turn in enumerate(turns):
            if turn.get(TURN_ID) == entry["id"]:
                return Answer.model_validate(turn), answered(i)
        history = [Turn.of(Answer.model_validate(t)) for t in turns]
        answer = assistant.ask(
            entry["question"], backend=options.backend, k=options.k, filters=options.filters, history=history, progress=progress
        )
        turns.append({**answer.model_dump(), TURN_ID: entry["id"]})  # stored before anything can interrupt the run
        return answer, answered(len(turns) - 1)


def _answered_with_progress(assistant: Assistant, entry: dict[str, str], options: ChatOptions) -> tuple[Answer, int]:
    """Answer a queued question with its steps shown as they start (understanding, searching, composing)."""
    holder = st.empty()  # emptied once the answer is drawn: a stored answer shows no status, so none is left behind
    status = holder.status(STEP_WORDS["scope"], expanded=False)
    seen: list[str] = []

    def progress(step: str) -> None:
        words = STEP_WORDS.get(step)
        if words and words not in seen:
            seen.append(words)
            status.update(label=words)
            status.write(words)

    answer, i = _answer_next(assistant, entry, options, progress)
    holder.empty()
    return answer, i


def _show_waiting(box: DeltaGenerator, pending: list[dict[str, str]]) -> None:
    """The questions queued behind the one being answered (none left: the box is emptied)."""
    with box.container():
        for waiting in pending[1:]:
            st.caption(f"Waiting to be answered next: {doc_text(waiting['question'])}")


@st.fragment
def render_chat(assistant: Assistant, options: ChatOptions) -> None:
    """The stored conversation, then the queued questions answered one by one.

    A fragment: what a reader does inside the conversation reruns the conversation only, not the page.
    """
    turns: list[dict] = st.session_state.setdefault(TURNS, [])
    pending: list[dict[str, str]] = st.session_state.setdefault(PENDING, [])
    shown = 0
    for i, turn in enumerate(list(turns)):
        answer = Answer.model_validate(turn)
        with st.chat_message("user"):
            st.markdown(doc_text(answer.question))
        with st.chat_message("assistant"):
            render_answer(assistant, answer, i, options, [t["question"] for t in turns[: i + 1]])
        shown += 1
    if st.session_state.get(BLANK):
        st.info(BLANK_MESSAGE)
    waiting = st.empty()
    while pending:
        _show_waiting(waiting, pending)
        entry = pending[0]
        with st.chat_message("user"):
            st.markdown(doc_text(entry["question"]))
        follow_newest(shown * 2 + 1)
        with st.chat_message("assistant"):
            answer, i = _answered_with_progress(assistant, entry, options)
            render_answer(assistant, answer, i, options, [t["question"] for t in turns[: i + 1]])
        shown += 1
        follow_newest(shown * 2)
    waiting.empty()


# Streamlit drops a question box submission when a newer one stops the run that would have taken it before that run
# began (quick typing while an answer is computed: about 1 in 8 at 0.3 s apart). So the page also keeps its own record
# of every question typed (Enter or the send button) and sends the whole list as the state of an invisible component:
# a state, unlike the box's one-off trigger, is sent again with every later run, so no question can be lost.
_TYPED_JS = """
export default function (component) {
  const w = window;
  if (!w.__joinedUpTyped) {
    const record = { list: [], send: null, n: 0 };
    w.__joinedUpTyped = record;
    const BOX = 'textarea[data-testid="stChatInputTextArea"]';
    const box = () => document.querySelector(BOX);
    const typed = function (text) {
      if (!text || !text.trim()) return;
      record.n += 1;
      record.list.push({ id: Date.now().toString(36) + '-' + record.n, q: text });
      if (record.send) record.send('typed', record.list.slice());
    };
    document.addEventListener('keydown', function (e) {
      const t = e.target;
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && t && t.matches && t.matches(BOX)) {
        typed(t.value);
      }
    }, true);
    document.addEventListener('click', function (e) {
      const button = e.target.closest ? e.target.closest('[data-testid="stChatInputSubmitButton"]') : null;
      if (button && !button.disabled && box()) typed(box().value);
    }, true);
  }
  w.__joinedUpTyped.send = component.setStateValue;  // this run's component sends the list from now on
}
"""
_typed_questions = st.components.v2.component("joinedup_typed_questions", js=_TYPED_JS)


def chat_input() -> None:
    """The question box, pinned to the bottom of the page; a submitted question is queued (never lost, see above)."""
    st.chat_input(
        "Ask about integrated services, e.g. “How are integrated services funded?”", key=INPUT_KEY, on_submit=_queue_from_input
    )
    _typed_questions(key=TYPED_KEY, default={"typed": []}, height=0, on_typed_change=_queue_from_page)
