"""A pack as a Word document (python-docx): headings, tables, and the citations as numbered references with their quotes."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Pt

from app.pack import layout
from app.pack.model import CitedAnswer, Pack, Source

TABLE_STYLE = "Table Grid"
TABLE_FONT = Pt(8)


def _table(doc: DocxDocument, rows: list[list[str]]) -> None:
    """A bordered table, the first row bold (the header)."""
    width = max(len(r) for r in rows)
    table = doc.add_table(rows=0, cols=width)
    table.style = TABLE_STYLE
    for i, cells in enumerate(rows):
        row = table.add_row().cells
        for j, text in enumerate(cells[:width]):
            run = row[j].paragraphs[0].add_run(text)
            run.font.size = TABLE_FONT
            run.bold = i == 0
    doc.add_paragraph()


def _answer(doc: DocxDocument, answer: CitedAnswer, numbers: dict[Source, int]) -> None:
    doc.add_heading(answer.question, level=2)
    for block in answer.blocks:
        if block.kind == "heading":
            doc.add_paragraph().add_run(block.text).bold = True
        elif block.kind == "table" and block.rows:
            _table(doc, block.rows)
        elif block.kind == "note":
            doc.add_paragraph().add_run(block.text).italic = True
        elif block.kind == "claim":
            doc.add_paragraph(f"{block.text} {layout.marks(block.sources, numbers)}".rstrip(), style="List Bullet")
        else:
            doc.add_paragraph(block.text)


def render_docx(pack: Pack) -> bytes:
    """The whole pack as the bytes of a .docx file."""
    numbers = pack.numbers()
    doc = Document()
    doc.add_heading(pack.title, level=0)
    doc.add_paragraph().add_run(pack.sources_note).italic = True
    doc.add_paragraph(f"Practices: {layout.practices_line(pack)}")
    doc.add_heading(layout.ANSWERS, level=1)
    for answer in pack.answers:
        _answer(doc, answer, numbers)
    doc.add_heading(layout.PRACTICES, level=1)
    for page in pack.practices:
        doc.add_heading(f"{page.code} — {page.title}", level=2)
        _table(doc, [[layout.FIELD, "", ""], *([f.label, f.value, layout.marks(f.sources, numbers)] for f in page.facts)])
    comparison = pack.comparison
    doc.add_heading(layout.COMPARISON, level=1)
    rows = [[layout.FIELD, *(f"{p.code} — {p.title}" for p in comparison.pages)]]
    for label in comparison.fields:
        cells = [comparison.cell(p, label) for p in comparison.pages]
        rows.append([label, *(f"{c.value} {layout.marks(c.sources, numbers)}".strip() if c else "" for c in cells)])
    _table(doc, rows)
    doc.add_heading(layout.DISCUSSION, level=1)
    for d in pack.discussion:
        doc.add_paragraph(f"{d.question} {layout.marks(d.sources, numbers)}", style="List Number")
    doc.add_heading(layout.QUIZ, level=1)
    for i, q in enumerate(pack.quiz, 1):
        doc.add_paragraph(f"{i}. {q.question}")
        for letter, option in layout.option_letters(q):
            doc.add_paragraph(f"{letter}) {option}").paragraph_format.left_indent = Pt(18)
    doc.add_heading(layout.ANSWER_KEY, level=2)
    for i, q in enumerate(pack.quiz, 1):
        doc.add_paragraph(f"{i}. {q.answer} {layout.marks(q.sources, numbers)}")
    doc.add_heading(layout.REFERENCES, level=1)
    for source, n in numbers.items():
        doc.add_paragraph(layout.reference_line(n, source)).paragraph_format.space_after = Pt(4)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
