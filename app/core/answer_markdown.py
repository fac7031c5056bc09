"""One answer as a Markdown document a user can keep: the question, the cited answer, and the numbered sources.

The quotes keep their words, escaped like everything a document wrote: the file will be opened in a Markdown
viewer, where a link or remote image from a document must stay text (see :func:`app.core.text.escape_markdown`).
"""

from __future__ import annotations

from app.core.models import Answer, Citation
from app.core.text import escape_markdown


def citation_source(c: Citation) -> str:
    """Where a citation's quote is: document, section, page (when the source has pages), evidence label."""
    parts = [c.doc_title, c.section, f"page {c.page}" if c.page else "", c.evidence_label]
    return " — ".join(escape_markdown(p) for p in parts if p)


def answer_to_markdown(answer: Answer, link: str = "") -> str:
    """The answer as Markdown: a heading with the question, the answer text, then each citation's source and quote."""
    lines = [f"# {escape_markdown(answer.question)}", ""]
    if answer.notice:
        lines += [f"_{escape_markdown(answer.notice)}_", ""]
    lines += [answer.answer_markdown.strip(), ""]
    if answer.citations:
        lines += ["## Sources", ""]
        for c in answer.citations:
            lines += [f"\\[{c.n}\\] {citation_source(c)}", "", f"> {escape_markdown(c.quote)}", ""]
    if link:
        lines += [f"Asked at: {link}", ""]
    return "\n".join(lines)
