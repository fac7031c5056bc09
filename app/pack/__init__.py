"""Workshop packs for trainers: a topic and 2–6 practices become one document to take into a workshop.

Public API (the CLI's ``joinedup pack`` and the app's workshop-pack page use these)::

    from app.pack import build_pack, render_markdown, render_docx, render_pdf

    pack = build_pack(assistant, "How are integrated services funded?", ["DE1", "FI6"])
    text: str = render_markdown(pack)     # Markdown, document text escaped
    word: bytes = render_docx(pack)       # .docx (python-docx)
    pdf: bytes = render_pdf(pack)         # .pdf (fpdf2)

- ``build_pack(assistant, topic, codes, answers=None) -> Pack``: ``assistant`` is an
  :class:`app.query.ask.Assistant`; ``codes`` 2–6 practice codes (any case; ``ValueError`` in a
  sentence for unknown codes, a wrong count or an empty topic); ``answers`` the session's
  answers to reuse (default: the assistant answers ``topic``).
- A :class:`Pack` holds the cited answers, a one-pager per practice (what it is, who it serves,
  how it works, funding, effects and evaluation, each with its verbatim source quotes; what the
  sources do not state on one line), the comparison of the practices, discussion questions
  (a barrier of the report's Table 8 paired with a chosen practice that met it, the table's
  barriers and facilitators, the report's recommendations), a quiz on what a participant should
  learn (the commonest funding, monitoring, effect …, which practice did what, which is a
  barrier; no fact twice) with an answer key, and a glossary of the abbreviations it uses.
  Every quote in it is verbatim source text: an item
  whose quote is not found in the documents is left out.
- Renderers number the sources in order of first use and list them under "References" with
  their quotes (:meth:`Pack.references`).
"""

from app.pack.build import build_pack, chosen_codes
from app.pack.model import (
    AnswerBlock,
    CitedAnswer,
    Comparison,
    DiscussionItem,
    Fact,
    GlossaryItem,
    Pack,
    PracticePage,
    QuizItem,
    Section,
    Source,
)
from app.pack.to_docx import render_docx
from app.pack.to_markdown import render_markdown
from app.pack.to_pdf import render_pdf

FORMATS = {
    "md": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def render(pack: Pack, fmt: str) -> bytes:
    """The pack in one of :data:`FORMATS` ("md", "docx", "pdf") as bytes (Markdown as UTF-8)."""
    if fmt == "md":
        return render_markdown(pack).encode("utf-8")
    if fmt == "docx":
        return render_docx(pack)
    if fmt == "pdf":
        return render_pdf(pack)
    raise ValueError(f"unknown pack format {fmt!r}; choose one of {', '.join(FORMATS)}")


__all__ = [
    "FORMATS",
    "AnswerBlock",
    "CitedAnswer",
    "Comparison",
    "DiscussionItem",
    "Fact",
    "GlossaryItem",
    "Pack",
    "PracticePage",
    "QuizItem",
    "Section",
    "Source",
    "build_pack",
    "chosen_codes",
    "render",
    "render_docx",
    "render_markdown",
    "render_pdf",
]
