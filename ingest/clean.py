"""Cleaning of PDF-extraction artefacts, done line by line before paragraphs are formed.

Handles what the corpus shows: running headers/footers with page numbers
("39 Integrated social services in Europe38 ..."), words hyphenated across
line breaks, bullet glyphs, runs of blank lines, and tables broken into one
short token per line (merged back into one paragraph).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

BULLETS = ("\uf0b7", "\u2022", "\u25aa", "\u25cf", "\uf0a7", "\u2023")
_PAGE_FOOTER = re.compile(r"^\s*(art\.\s*\d+,\s*)?page\s+\d+\s+of\s+\d+\s*$", re.I)
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_TRAILING_HYPHEN = re.compile(r"(?<![A-Za-z])([A-Za-z]+)-\s*$")  # the lookbehind keeps a 1 MB line linear
_LEADING_WORD = re.compile(r"^\s*([a-z][A-Za-z]*)(\S*)")


@dataclass
class Line:
    """One extracted line with the page it came from and whether it opens a page."""

    text: str
    page: int | None
    page_start: bool = False


def _header_phrase(line: str) -> str | None:
    """The repeated phrase of a running-header line ("12 Title12 Title" -> "title"), if it is one."""
    if not re.search(r"\d", line) or len(line) > 160:
        return None
    words = re.sub(r"\d+", " ", line).lower().split()
    if len(words) < 3:
        return None
    for size in range(3, len(words) + 1):
        if len(words) % size == 0:
            phrase = words[:size]
            if phrase * (len(words) // size) == words:
                return " ".join(phrase)
    return None


def drop_running_headers(lines: list[Line]) -> list[Line]:
    """Remove header/footer lines: a phrase plus page numbers seen at least twice, or 'page X of Y'."""
    counts: Counter[str] = Counter()
    for line in lines:
        phrase = _header_phrase(line.text)
        if phrase:
            counts[phrase] += len(line.text.lower().split()) // max(1, len(phrase.split()))
    headers = {p for p, n in counts.items() if n >= 2}
    kept = []
    for line in lines:
        if _PAGE_FOOTER.match(line.text) or _header_phrase(line.text) in headers:
            continue
        kept.append(line)
    return kept


def mark_dashes(text: str) -> str:
    """A hyphen spaced between words within a line is a dash ("in Central Germany - Kyffhäuserkreis, …"), not a list
    marker: it becomes an en dash, so that no sentence is cut at it. After a sentence's or an intro's end ("… services.
    - Single agency …", "… types: - Joint …") it starts an item."""
    text = re.sub(r"(?<=[^\s\-.:;!?]) - (?=[^\s-])", " – ", text)
    # At a line's start, a hyphen that carries on the previous line's sentence in lower case ("‘pooled budgets’\n- may
    # help …") is a dash too.
    return re.sub(r"(?<=[^\s\-.:;!?])([ \t]*\n[ \t]*)- (?=[a-z])", "\\1– ", text)


def replace_bullets(text: str) -> str:
    """Bullet glyphs become a plain '- ' list marker."""
    for glyph in BULLETS:
        text = text.replace(glyph, "- ")
    return re.sub(r"-\s{2,}", "- ", text)


def vocabulary(lines: list[Line]) -> set[str]:
    """Lower-case words (hyphenated compounds kept whole) appearing anywhere in the document."""
    vocab: set[str] = set()
    for line in lines:
        vocab.update(w.lower() for w in _WORD.findall(line.text))
    return vocab


def join_hyphenated(lines: list[Line]) -> list[Line]:
    """Rejoin words split across a line break.

    ``start-`` + ``ing`` becomes ``starting`` when the document uses
    ``starting`` elsewhere; ``case-`` + ``manager`` stays ``case-manager`` when
    the document writes it with a hyphen (or never writes it at all).
    """
    vocab = vocabulary(lines)
    out = [Line(line.text, line.page, line.page_start) for line in lines]
    for i in range(len(out) - 1):
        m = _TRAILING_HYPHEN.search(out[i].text)
        if not m:
            continue
        j = i + 1
        while j < len(out) and not out[j].text.strip():
            j += 1
        if j >= len(out):
            break
        n = _LEADING_WORD.match(out[j].text)
        if not n:
            continue
        head, tail = m.group(1), n.group(1)
        joined = (head + tail).lower()
        keep_hyphen = joined not in vocab
        glue = "-" if keep_hyphen else ""
        # The whole first token moves up, punctuation included ("manager;").
        out[i].text = out[i].text[: m.start()] + head + glue + tail + n.group(2)
        out[j].text = out[j].text[n.end() :].lstrip()
    return out
