"""An :class:`~app.core.models.Answer` laid out as blocks a pack renderer can print in any format.

The answer's Markdown is read line by line (bold heading, ``- claim [n]``, a caption with its
markers, a Markdown table, an italic note) and each ``[n]`` marker becomes the citation's
:class:`Source`, so the pack can number every source once across all its parts.
"""

from __future__ import annotations

import re

from app.core.answer_markdown import HEADING_LINE, plain_line
from app.core.models import Answer, Citation
from app.pack.model import AnswerBlock, CitedAnswer, Source

_MARKERS = re.compile(r"(?:\s*\[\d+\])+\s*$")
_MARKER = re.compile(r"\[(\d+)\]")


def citation_source(c: Citation) -> Source:
    """A citation of the answer as a pack source."""
    return Source(document=c.doc_title, where=c.section, quote=c.quote, page=c.page)


def _split_markers(line: str, by_n: dict[int, Source]) -> tuple[str, list[Source]]:
    m = _MARKERS.search(line)
    if not m:
        return line.strip(), []
    numbers = [int(n) for n in _MARKER.findall(m.group(0))]
    return line[: m.start()].strip(), [by_n[n] for n in numbers if n in by_n]


def _cells(line: str) -> list[str]:
    """A table row's cells; an escaped pipe ("\\|") is part of its cell."""
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def cited_answer(answer: Answer) -> CitedAnswer:
    """The answer's headings, claims, tables and notes, each claim with its sources."""
    by_n = {c.n: citation_source(c) for c in answer.citations}
    blocks: list[AnswerBlock] = []
    for raw in answer.answer_markdown.splitlines():
        # The pack's formats set their own marks: a block holds the words (no escapes, the kind label plain).
        line = plain_line(raw.strip())
        if not line:
            continue
        if line.startswith("|"):
            if set(line) <= set("|-: "):
                continue  # the header separator
            if blocks and blocks[-1].kind == "table":
                blocks[-1].rows.append(_cells(line))
            else:
                blocks.append(AnswerBlock("table", rows=[_cells(line)]))
        elif HEADING_LINE.fullmatch(line):
            blocks.append(AnswerBlock("heading", line.strip("*")))
        elif line.startswith("- "):
            text, sources = _split_markers(line[2:], by_n)
            blocks.append(AnswerBlock("claim", text, sources))
        elif line.startswith("_") and line.endswith("_"):
            blocks.append(AnswerBlock("note", " ".join(part.strip("_ ") for part in re.split(r"_\s+_", line))))
        else:
            text, sources = _split_markers(line, by_n)
            blocks.append(AnswerBlock("claim" if sources else "text", text, sources))
    return CitedAnswer(answer.question, blocks, answer.supported)
