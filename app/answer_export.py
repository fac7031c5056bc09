"""One answer as a Markdown document a user can keep: the question, the cited answer, and the numbered sources.

The quotes are written verbatim (the file is the user's copy of the evidence, not a page the app renders).
"""

from __future__ import annotations

from app.models import Answer, Citation


def citation_source(c: Citation) -> str:
    """Where a citation's quote is: document, section, page (when the source has pages), evidence label."""
    parts = [c.doc_title, c.section, f"page {c.page}" if c.page else "", c.evidence_label]
    return " — ".join(p for p in parts if p)


def answer_to_markdown(answer: Answer, link: str = "") -> str:
    """The answer as Markdown: a heading with the question, the answer text, then each citation's source and quote."""
    lines = [f"# {answer.question}", ""]
    if answer.notice:
        lines += [f"_{answer.notice}_", ""]
    lines += [answer.answer_markdown.strip(), ""]
    if answer.citations:
        lines += ["## Sources", ""]
        for c in answer.citations:
            lines += [f"[{c.n}] {citation_source(c)}", "", f"> {c.quote}", ""]
    if link:
        lines += [f"Asked at: {link}", ""]
    return "\n".join(lines)
