"""Heading detection and paragraph building: cleaned text plus a section path for every block.

Headings in extracted text are recognised by shape: a short capitalised line
without final punctuation, standing alone (blank line before, or opening a
page) and followed by a line of running text. A heading that opens a page is
a chapter; a question ("How may integrated services be funded?") or one that
repeats its chapter's opening words is a sub-chapter; any other is a
sub-heading. The corpus profile's heading cues name the standard chapter titles
and the label that opens a case study.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.corpus_profile import HeadingCues
from ingest.clean import Line

# Words that make a line read as running text rather than a title.
_VERBS = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "should"}
_TRAILING = {"the", "a", "an", "and", "or", "of", "in", "on", "to", "for", "with", "by", "as", "at", "from", "that"}
_MAX_HEADING_CHARS = 90
_MIN_FOLLOWING_TEXT = 45
_TABLE_CELL_CHARS = 40
_TABLE_MIN_CELLS = 3


@dataclass
class Block:
    """A paragraph (or heading) of the cleaned document."""

    text: str
    page: int | None
    section: str
    is_heading: bool = False
    start: int = 0
    end: int = 0


@dataclass
class CleanDocument:
    text: str
    blocks: list[Block] = field(default_factory=list)


def _looks_like_heading(text: str) -> bool:
    s = text.strip()
    if not (3 <= len(s) <= _MAX_HEADING_CHARS) or not s[0].isupper():
        return False
    if re.search(r"[.,;:\-]$", s) or len(s.split()) > 12:
        return False
    if (
        re.search(r"[#%&*=|]|\(n=", s)
        or (re.search(r"\.\s", s) and not s.startswith("Annex"))
        or re.match(r"(Table|Figure|Source)\s*\d", s)
    ):
        return False
    if re.match(r"^[\w /’'-]{1,30}:\s", s) and not s.lower().startswith(("conclusion", "annex")):
        return False  # "Organisation / Country: ..." is a field label, not a heading
    words = [w.strip("?:,").lower() for w in s.split()]
    if not s.endswith("?") and (", " in s or _VERBS & set(words)):
        return False
    if words[-1] in _TRAILING:
        return False
    return not re.search(r"\d", s) or bool(re.match(r"^(Annex|Appendix|Chapter)\b", s))


def _strip_footnote_mark(s: str) -> str:
    return re.sub(r"(?<=[a-z])\d{1,2}$", "", s.strip())


def _heading_level(text: str, is_page_start: bool, chapter: str, cues: HeadingCues) -> int:
    s = text.strip()
    low = s.lower()
    if low in cues.chapter_titles or low.split(":")[0] in cues.chapter_words or low.split()[0] in cues.chapter_words:
        return 1
    if is_page_start:
        # A report's chapters open a page with a long title; a short page-opening heading is a sub-chapter.
        return 1 if len(s.split()) >= 5 and not s.endswith("?") else 2
    if s.endswith("?"):
        return 2
    first = chapter.split()[:2]
    if first and s.split()[:2] == first:
        return 2
    return 3


_LABEL = re.compile(r"^[A-Z][\w /’']{1,30}:")


def _case_name(lines: list[Line], i: int) -> str:
    """The first line after a case-study label that is not itself a label."""
    for j in range(i + 1, min(i + 8, len(lines))):
        t = lines[j].text.strip()
        if t and not _LABEL.match(t):
            return t
    return "Case study"


def _introduces_text(following: str) -> bool:
    """A heading is followed by running text, a field label, or a sub-heading."""
    if not following or following[0].islower():
        return False
    return len(following) >= _MIN_FOLLOWING_TEXT or following.endswith(":") or following.isupper()


def _next_text(lines: list[Line], i: int) -> str:
    for j in range(i + 1, len(lines)):
        if lines[j].text.strip():
            return lines[j].text.strip()
    return ""


def build_blocks(lines: list[Line], cues: HeadingCues) -> CleanDocument:
    """Group lines into headings and paragraphs, track the section path, and lay out the cleaned text."""
    blocks: list[Block] = []
    path: list[str] = ["", "", ""]
    para: list[str] = []
    para_page: int | None = None

    def section() -> str:
        return " > ".join(p for p in path if p)

    def flush() -> None:
        nonlocal para, para_page
        if para:
            blocks.append(Block(text=" ".join(para), page=para_page, section=section()))
        para, para_page = [], None

    prev_blank = True
    for i, line in enumerate(lines):
        raw = line.text
        s = raw.strip()
        if not s:
            flush()
            prev_blank = True
            continue
        # A heading stands alone; a page-opening line only counts when it is short (else it is text).
        standalone = prev_blank or (line.page_start and len(s.split()) <= 8)
        following = _next_text(lines, i)
        programme = cues.case_study_pattern.match(s)
        if programme:
            # Case studies open with a label such as "Programme's name: X" (X sometimes on a later line).
            flush()
            name = programme.group(1).strip() or _case_name(lines, i)
            path[1], path[2] = name, ""
            blocks.append(
                Block(text=s if programme.group(1).strip() else f"{s} {name}", page=line.page, section=section(), is_heading=True)
            )
            prev_blank = True
            continue
        if standalone and _looks_like_heading(_strip_footnote_mark(s)) and _introduces_text(following):
            flush()
            title = _strip_footnote_mark(s)
            level = _heading_level(title, line.page_start, path[0], cues)
            path[level - 1] = title
            for deeper in range(level, 3):
                path[deeper] = ""
            blocks.append(Block(text=title, page=line.page, section=section(), is_heading=True))
            prev_blank = True
            continue
        if para and line.page is not None and line.page != para_page:
            flush()  # a PDF page boundary ends the paragraph, so each chunk knows its page
        if para_page is None:
            para_page = line.page
        para.append(s)
        prev_blank = False
    flush()
    blocks = _merge_table_cells(blocks)
    return _layout(blocks)


def _merge_table_cells(blocks: list[Block]) -> list[Block]:
    """A run of very short paragraphs is a table broken into one cell per line: make it one paragraph."""
    out: list[Block] = []
    run: list[Block] = []

    def end_run() -> None:
        if len(run) >= _TABLE_MIN_CELLS:
            out.append(Block(text=" ".join(b.text for b in run), page=run[0].page, section=run[0].section))
        else:
            out.extend(run)
        run.clear()

    for b in blocks:
        if not b.is_heading and len(b.text) <= _TABLE_CELL_CHARS and (not run or run[-1].section == b.section):
            run.append(b)
            continue
        end_run()
        if not b.is_heading and len(b.text) <= _TABLE_CELL_CHARS:
            run.append(b)
        else:
            out.append(b)
    end_run()
    return out


def _layout(blocks: list[Block]) -> CleanDocument:
    parts: list[str] = []
    pos = 0
    for b in blocks:
        b.start, b.end = pos, pos + len(b.text)
        parts.append(b.text)
        pos = b.end + 2
    return CleanDocument(text="\n\n".join(parts), blocks=blocks)
