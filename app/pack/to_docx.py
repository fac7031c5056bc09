"""A pack as a Word document (python-docx): headings, tables, and the citations as numbered references with their quotes."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from app.pack import layout
from app.pack.model import CitedAnswer, Pack, Source

TABLE_STYLE = "Table Grid"
TABLE_FONT = Pt(8)
A4 = (Mm(210), Mm(297))  # the users are European: A4, not python-docx's default Letter
MARGIN = Mm(20)


def _page(doc: DocxDocument, landscape: bool = False) -> None:
    """The last section as an A4 page, portrait or landscape, with even margins."""
    section = doc.sections[-1]
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN


def _heading(doc: DocxDocument, text: str, level: int) -> Paragraph:
    """A heading kept on the page of what follows it (never alone at the foot of a page)."""
    paragraph = doc.add_heading(text, level=level)
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


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
    _heading(doc, answer.question, 2)
    for block in answer.blocks:
        if block.kind == "heading":
            lead = doc.add_paragraph()
            lead.add_run(block.text).bold = True
            lead.paragraph_format.keep_with_next = True
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
    _page(doc)
    _heading(doc, pack.title, 0)
    doc.add_paragraph().add_run(pack.sources_note).italic = True
    doc.add_paragraph(f"Practices: {layout.practices_line(pack)}")
    _heading(doc, layout.ANSWERS, 1)
    for answer in pack.answers:
        _answer(doc, answer, numbers)
    for i, page in enumerate(pack.practices):
        doc.add_page_break()  # a page per practice: the one-pager
        if i == 0:
            _heading(doc, layout.PRACTICES, 1)
        _heading(doc, f"{page.code} — {page.title}", 2)
        place = doc.add_paragraph()
        place.add_run(page.country).italic = True
        place.add_run(layout.place_line(page, numbers).removeprefix(page.country))
        for heading, text in layout.one_pager(page, numbers):
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{heading}: " if heading == layout.NOT_STATED else f"{heading}. ").bold = True
            paragraph.add_run(text).italic = heading == layout.NOT_STATED
    doc.add_section(WD_SECTION.NEW_PAGE)
    _page(doc, landscape=True)  # up to six practices side by side
    comparison = pack.comparison
    _heading(doc, layout.COMPARISON, 1)
    rows = [[layout.FIELD, *(f"{p.code} — {p.title}" for p in comparison.pages)]]
    for label in comparison.fields:
        cells = [comparison.cell(p, label) for p in comparison.pages]
        rows.append([label, *(f"{c.value} {layout.marks(c.sources, numbers)}".strip() if c else "" for c in cells)])
    _table(doc, rows)
    doc.add_section(WD_SECTION.NEW_PAGE)
    _page(doc)
    _heading(doc, layout.DISCUSSION, 1)
    for d in pack.discussion:
        doc.add_paragraph(f"{d.question} {layout.marks(d.sources, numbers)}", style="List Number")
    _heading(doc, layout.QUIZ, 1)
    for i, q in enumerate(pack.quiz, 1):
        question = doc.add_paragraph(f"{i}. {q.question}")
        question.paragraph_format.keep_with_next = True  # a question stays with its options
        for letter, option in layout.option_letters(q):
            line = doc.add_paragraph(f"{letter}) {option}")
            line.paragraph_format.left_indent = Pt(18)
            line.paragraph_format.keep_with_next = letter != layout.option_letters(q)[-1][0]
    if pack.glossary:
        _heading(doc, layout.GLOSSARY, 1)
        for g in pack.glossary:
            entry = doc.add_paragraph()
            entry.add_run(g.term).bold = True
            entry.add_run(f": {g.meaning} {layout.marks(g.sources, numbers)}")
    doc.add_page_break()  # the answer key on a page of its own: the trainer keeps it
    _heading(doc, layout.ANSWER_KEY, 1)
    for i, q in enumerate(pack.quiz, 1):
        doc.add_paragraph(f"{i}. {q.answer} {layout.marks(q.sources, numbers)}")
    doc.add_page_break()
    _heading(doc, layout.REFERENCES, 1)
    for source, n in numbers.items():
        doc.add_paragraph(layout.reference_line(n, source)).paragraph_format.space_after = Pt(4)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
