"""A pack as PDF (fpdf2): headings, tables, and the citations as numbered references with their quotes.

The font is DejaVu Sans from matplotlib's own data folder (matplotlib is already a runtime
dependency), so quotes keep their typographic quotes, dashes and accents; nothing is shipped or
downloaded for it. Where that file is missing, the PDF falls back to the core Helvetica font
and the text to Latin-1 (typographic punctuation as its ASCII look-alike, any other character
outside Latin-1 as "?").
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.pack import layout
from app.pack.model import CitedAnswer, Pack, Source

FAMILY = "DejaVu"
_STYLES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
_ASCII = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "•": "-", "\u00a0": " "})
BODY, SMALL, TABLE = 10, 8, 7  # font sizes (pt)
LINE = 5  # line height (mm)
HEADING_SIZES = {0: 16, 1: 13, 2: 11}
KEEP_WITH_HEADING = 4 * LINE  # room a heading needs below it on its page, or it starts the next one


def font_dir() -> Path | None:
    """matplotlib's TrueType folder, found without importing matplotlib (None when it is not installed)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    return folder if all((folder / name).exists() for name in _STYLES.values()) else None


class _Writer:
    """An A4 document written top to bottom; text goes through :meth:`clean` for the font in use."""

    def __init__(self) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.set_margins(18, 15, 18)
        folder = font_dir()
        self.unicode = folder is not None
        if folder is not None:
            for style, name in _STYLES.items():
                self.pdf.add_font(FAMILY, style, str(folder / name))
        self.family = FAMILY if self.unicode else "helvetica"
        self.pdf.add_page()

    def clean(self, text: str) -> str:
        text = " ".join(text.split())
        return text if self.unicode else text.translate(_ASCII).encode("latin-1", "replace").decode("latin-1")

    def font(self, size: int, style: str = "") -> None:
        self.pdf.set_font(self.family, style, size)

    def heading(self, text: str, level: int) -> None:
        """A heading that never sits alone at the foot of a page: without room for a few lines under it, a new page."""
        if self.pdf.will_page_break(LINE + 2 + KEEP_WITH_HEADING):
            self.pdf.add_page(orientation=self.pdf.cur_orientation.value)
        self.pdf.ln(2 if level else 0)
        self.font(HEADING_SIZES.get(level, BODY), "B")
        self.pdf.multi_cell(0, LINE + 2, self.clean(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1)

    def para(self, text: str, style: str = "", size: int = BODY, indent: float = 0) -> None:
        self.font(size, style)
        self.pdf.set_x(self.pdf.l_margin + indent)
        self.pdf.multi_cell(0, LINE, self.clean(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1)

    def lead_para(self, lead: str, text: str, italic: bool = False) -> None:
        """A paragraph opening with a bold lead ("Funding. …"), the lead never alone at the foot of a page."""
        if self.pdf.will_page_break(2 * LINE):
            self.pdf.add_page(orientation=self.pdf.cur_orientation.value)
        self.pdf.set_x(self.pdf.l_margin)
        self.font(BODY, "B")
        self.pdf.write(LINE, self.clean(lead) + " ")
        self.font(BODY, "I" if italic else "")
        self.pdf.write(LINE, self.clean(text))
        self.pdf.ln(LINE + 1)

    def keep(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit on this one (a quiz question stays with its options)."""
        if self.pdf.will_page_break(height):
            self.pdf.add_page(orientation=self.pdf.cur_orientation.value)

    def page(self) -> None:
        self.pdf.add_page(orientation="P")

    def table(self, rows: list[list[str]], first_col: float = 0.0) -> None:
        """A bordered table, header row bold; ``first_col`` is the first column's share of the width (0: even)."""
        width = max(len(r) for r in rows)
        widths = None
        if first_col and width > 1:
            rest = (1 - first_col) / (width - 1)
            widths = [first_col * 100, *([rest * 100] * (width - 1))]
        self.font(TABLE)
        with self.pdf.table(col_widths=widths, text_align="LEFT", line_height=LINE - 1, first_row_as_headings=True) as table:
            for cells in rows:
                row = table.row()
                for text in [*cells, *[""] * (width - len(cells))][:width]:
                    row.cell(self.clean(text))
        self.pdf.ln(3)

    def landscape(self) -> None:
        self.pdf.add_page(orientation="L")

    def portrait(self) -> None:
        self.pdf.add_page(orientation="P")

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


def _answer(w: _Writer, answer: CitedAnswer, numbers: dict[Source, int]) -> None:
    w.heading(answer.question, 2)
    for block in answer.blocks:
        if block.kind == "heading":
            w.para(block.text, "B")
        elif block.kind == "table" and block.rows:
            w.table(block.rows)
        elif block.kind == "note":
            w.para(block.text, "I", SMALL)
        elif block.kind == "claim":
            w.para(f"• {block.text} {layout.marks(block.sources, numbers)}".rstrip(), indent=3)
        else:
            w.para(block.text)


def render_pdf(pack: Pack) -> bytes:
    """The whole pack as the bytes of a PDF file."""
    numbers = pack.numbers()
    w = _Writer()
    w.heading(pack.title, 0)
    w.para(pack.sources_note, "I", SMALL)
    w.para(f"Practices: {layout.practices_line(pack)}")
    w.heading(layout.ANSWERS, 1)
    for answer in pack.answers:
        _answer(w, answer, numbers)
    for i, page in enumerate(pack.practices):
        w.page()  # a page per practice: the one-pager
        if i == 0:
            w.heading(layout.PRACTICES, 1)
        w.heading(f"{page.code} — {page.title}", 2)
        w.para(layout.place_line(page, numbers), "I")
        for heading, text in layout.one_pager(page, numbers):
            not_stated = heading == layout.NOT_STATED
            w.lead_para(f"{heading}:" if not_stated else f"{heading}.", text, italic=not_stated)
    comparison = pack.comparison
    w.landscape()  # up to six practices side by side
    w.heading(layout.COMPARISON, 1)
    rows = [[layout.FIELD, *(f"{p.code} — {p.title}" for p in comparison.pages)]]
    for label in comparison.fields:
        cells = [comparison.cell(p, label) for p in comparison.pages]
        rows.append([label, *(f"{c.value} {layout.marks(c.sources, numbers)}".strip() if c else "" for c in cells)])
    w.table(rows, 0.12)
    w.portrait()
    w.heading(layout.DISCUSSION, 1)
    for i, d in enumerate(pack.discussion, 1):
        w.para(f"{i}. {d.question} {layout.marks(d.sources, numbers)}")
    w.heading(layout.QUIZ, 1)
    for i, q in enumerate(pack.quiz, 1):
        w.keep((3 + len(q.options)) * (LINE + 1))  # the question (up to two lines) and its options
        w.para(f"{i}. {q.question}")
        for letter, option in layout.option_letters(q):
            w.para(f"{letter}) {option}", indent=6)
    if pack.glossary:
        w.heading(layout.GLOSSARY, 1)
        for g in pack.glossary:
            w.lead_para(f"{g.term}:", f"{g.meaning} {layout.marks(g.sources, numbers)}")
    w.page()  # the answer key on a page of its own: the trainer keeps it
    w.heading(layout.ANSWER_KEY, 1)
    for i, q in enumerate(pack.quiz, 1):
        w.para(f"{i}. {q.answer} {layout.marks(q.sources, numbers)}")
    w.page()
    w.heading(layout.REFERENCES, 1)
    for source, n in numbers.items():
        w.para(layout.reference_line(n, source), size=SMALL)
    return w.bytes()
