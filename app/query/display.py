"""Answer lines in Markdown that show document text and nothing else: the answer's bullets and the CLI's sources.

Claims built from passages (and an LLM's wording of them), quotes, document titles and sections are
untrusted data: a user's document may hold a Markdown link or a remote image. They go through
:func:`app.core.text.escape_markdown`, so no link, image, HTML or formatting from a document is rendered;
the markers and labels the application writes itself are added around the escaped text.
(The Streamlit app escapes the citations it draws with the same function, in ``app/ui/common.py``.)
"""

from __future__ import annotations

from app.core.models import Citation
from app.core.text import escape_markdown


def claim_line(claim: str, marks: str, source_note: str = "") -> str:
    """One answer bullet: the claim, its citation marks and, for a user's document, a visible note saying so."""
    note = f" _({source_note})_" if source_note else ""
    return f"- {escape_markdown(claim)} {marks}{note}"


def source_line(citation: Citation, quote_chars: int = 300) -> str:
    """A citation for a Markdown listing of sources: ``[n] Title — section, p. 3 (label)`` and the quote below."""
    page = f", p. {citation.page}" if citation.page else ""
    where = escape_markdown(citation.section) + page
    where = f" — {where}" if where else ""  # a user's document without headings has no section
    head = f"[{citation.n}] {escape_markdown(citation.doc_title)}{where} ({escape_markdown(citation.evidence_label)})"
    quote = citation.quote
    if len(quote) > quote_chars:  # cut at a word, and say so
        quote = quote[:quote_chars].rsplit(" ", 1)[0].rstrip(" ,;:…") + " …"
    return f"{head}\n    “{escape_markdown(quote)}”"
