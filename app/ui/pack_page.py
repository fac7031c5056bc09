"""The workshop pack: a topic and 2–6 practices become one document (Markdown, Word, PDF) for a training session."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app.core.models import Answer
from app.pack import build_pack, render_docx, render_markdown, render_pdf
from app.query.ask import Assistant
from app.query.practice_table import display_names
from app.ui import chat

TOPIC_KEY, SAVED_KEY, PRACTICES_KEY, PACK_KEY = "pack-topic", "pack-saved-question", "pack-practices", "pack"
PREVIEW_HEIGHT = 640  # px: the preview scrolls inside the page, the downloads stay in view below it
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class BuiltPack:
    """One built pack in the three formats, kept for the session so the downloads survive reruns."""

    topic: str
    codes: list[str]
    summary: str
    markdown: str
    docx: bytes
    pdf: bytes


def _session_answers() -> list[Answer]:
    return [Answer.model_validate(t) for t in st.session_state.get(chat.TURNS, [])]


def _build(assistant: Assistant, topic: str, codes: list[str], answers: list[Answer] | None) -> None:
    try:
        pack = build_pack(assistant, topic, codes, answers=answers)
    except ValueError as exc:
        st.session_state.pop(PACK_KEY, None)
        st.warning(f"The pack could not be built: {exc}.")
        return
    summary = (
        f"{len(pack.answers)} cited answer(s), {len(pack.practices)} practice one-pagers and their comparison, "
        f"{len(pack.discussion)} discussion question(s), {len(pack.quiz)} quiz question(s) with an answer key, "
        f"{len(pack.glossary)} abbreviation(s) explained, "
        f"{len(pack.references())} numbered references."
    )
    st.session_state[PACK_KEY] = BuiltPack(topic, pack.codes, summary, render_markdown(pack), render_docx(pack), render_pdf(pack))


def render_preview(built: BuiltPack) -> None:
    """The pack on screen, as the Markdown download reads (document text escaped there), in a scrolling box."""
    st.markdown("**Preview** — the Word and PDF files hold the same, a practice per page and the answer key last.")
    with st.container(height=PREVIEW_HEIGHT, border=True, key="pack-preview"):
        st.markdown(built.markdown)


def render_pack_page(assistant: Assistant) -> None:
    """Choose a topic (or a question asked in this session) and practices; build; download."""
    st.subheader("Workshop pack")
    st.caption(
        "One document for a training session: the cited answer to your topic, a page per practice (what it is, "
        "who it serves, how it works, funding, effects), a comparison table, discussion questions pairing the "
        "report's barriers with practices that met them, a short quiz with the answer key on its own page, and the "
        "abbreviations it uses — every item with its source quote. Preview it here, then download it."
    )
    answers = _session_answers()
    questions = list(dict.fromkeys(a.question for a in answers if a.supported))
    saved = None
    if questions:
        saved = st.selectbox(
            "Use a question you asked in this session", [None, *questions],
            format_func=lambda q: "— (write a topic below instead)" if q is None else q, key=SAVED_KEY,
        )  # fmt: skip
    written = st.text_input(
        "Topic of the workshop",
        key=TOPIC_KEY,
        placeholder="The question the workshop is about",
        disabled=saved is not None,
        help="For example: How are integrated services funded?",
    )
    config = assistant.settings.pack
    names = display_names(assistant.cards, assistant.profile)
    codes = st.multiselect(
        f"Practices to include ({config.min_practices} to {config.max_practices})",
        sorted(names),
        format_func=lambda c: f"{c} — {names[c]}",
        max_selections=config.max_practices,
        select_all=False,
        key=PRACTICES_KEY,
        placeholder="Type a code or a name",
    )
    topic = saved or (written or "").strip()
    ready = bool(topic) and config.min_practices <= len(codes) <= config.max_practices
    if st.button("Build the workshop pack", key="build-pack", type="primary", disabled=not ready):
        reuse = [a for a in answers if a.question == saved] if saved else None
        with st.spinner("Building the pack: answering the topic, gathering quotes…"):
            _build(assistant, topic, codes, reuse)
    if not ready:
        st.caption(f"Give a topic and choose {config.min_practices} to {config.max_practices} practices.")
    built: BuiltPack | None = st.session_state.get(PACK_KEY)
    if built is None:
        return
    st.success(f"Pack on “{built.topic}” with {', '.join(built.codes)}: {built.summary}")
    render_preview(built)
    stem = "workshop-pack-" + "-".join(built.codes)
    cols = st.columns(3)
    cols[0].download_button(
        "Download Markdown", built.markdown, file_name=f"{stem}.md", mime="text/markdown", key="download-pack-md",
        on_click="ignore",
    )  # fmt: skip
    cols[1].download_button(
        "Download Word", built.docx, file_name=f"{stem}.docx", mime=DOCX_MIME, key="download-pack-docx", on_click="ignore"
    )
    cols[2].download_button(
        "Download PDF", built.pdf, file_name=f"{stem}.pdf", mime="application/pdf", key="download-pack-pdf",
        on_click="ignore",
    )  # fmt: skip
