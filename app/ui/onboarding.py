"""The welcome: what the sources are, what the evidence labels mean, and example questions to click."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from app.core.corpus_profile import CorpusProfile
from app.core.welcome import Source, Welcome
from app.ui.common import doc_text


def _source_line(s: Source) -> str:
    who = f"{doc_text(s.authors)}" if s.authors else ""
    year = f" ({doc_text(s.year)})" if s.year and s.year not in s.title else ""
    link = f" — [doi.org/{doc_text(s.doi.strip())}]({s.link})" if s.link else ""
    return f"- **{doc_text(s.title)}**{year}. {who}{link}"


def evidence_labels(profile: CorpusProfile, welcome: Welcome) -> list[tuple[str, str]]:
    """(label, what it means) for every evidence label of the profile, in the profile's order, once each."""
    rules = [*profile.evidence_labels.rules, profile.evidence_labels.default]
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.label not in seen and rule.kind in welcome.evidence_kinds:
            seen[rule.label] = welcome.evidence_kinds[rule.kind]
    return list(seen.items())


def render_welcome(welcome: Welcome, sources: Sequence[Source], profile: CorpusProfile, expanded: bool) -> None:
    """The welcome text with the sources (year, authors, DOI) and the evidence labels explained."""
    with st.expander("About Joined-Up: the sources and what the labels mean", expanded=expanded, key="welcome"):
        for paragraph in welcome.intro.split("\n\n"):  # escaping flattens a text to one line: one call per paragraph
            st.markdown(doc_text(paragraph))
        st.markdown("\n".join(_source_line(s) for s in sources))
        st.markdown(f"**{doc_text(welcome.promise)}**")
        with st.popover("What the evidence labels mean", key="evidence-labels"):
            st.markdown("Each quote carries a label saying what kind of evidence it is:")
            lines = [f"- *{doc_text(label)}*: {doc_text(meaning)}" for label, meaning in evidence_labels(profile, welcome)]
            st.markdown("\n".join(lines))


def render_examples(welcome: Welcome, ask: Callable[[str], None]) -> None:
    """Example questions per kind of user; a click asks it."""
    if not welcome.roles:
        return
    st.markdown("**Not sure where to start? Pick a question:**")
    columns = st.columns(len(welcome.roles))
    for column, role in zip(columns, welcome.roles, strict=True):
        with column:
            st.caption(role.label)
            for i, question in enumerate(role.questions):
                st.button(question, key=f"example-{role.name}-{i}", on_click=ask, args=(question,), width="stretch")
