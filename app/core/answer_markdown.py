"""One answer as a document a user can keep: Markdown to download, plain text to copy.

Both carry the question, the cited answer and the numbered sources with their quotes. The Markdown
file is opened in a Markdown viewer, where a link, remote image or HTML from a document must stay
text; it is also read as plain text, where backslashes before every bracket (``\\[P43\\]``) get in
the way. So the download neutralises only what a viewer would turn into a link, an image or HTML
(:func:`inert_markdown`), and leaves the rest of the words as the document wrote them.
"""

from __future__ import annotations

import re

from app.core.models import Answer, Citation
from app.core.text import escape_markdown, with_bare_links_as_code

# A backslash escape written by escape_markdown, except "\|", which keeps a table cell's pipe from splitting it.
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>~$&#+=.)-])")
_CODE_SPAN = re.compile(r"(?<!\\)`([^`]*)`")
_LINK_TAIL = re.compile(r"\](?=\s*[(:\[])")  # "](url)", "]: url" (a definition), "][ref]": the "]" that makes a link
_ENTITY = re.compile(r"&(?=#?\w+;)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_NOTE = re.compile(r"(?<!\w)_(.+?)_(?!\w)")
# A line that is only a bold heading ("**Funding**", "**How does it work?**"): a label of the statements under it.
HEADING_LINE = re.compile(r"^\*\*[^\n]*\*\*\s*$", re.M)
_KIND = re.compile(r" \*\(([^*]+)\)\*(?= \[)")  # a bullet's kind of evidence (display.claim_line), before escapes go


def unescape_markdown(markdown: str) -> str:
    """The text escape_markdown escaped, with its backslashes taken out (a table cell's ``\\|`` kept)."""
    markdown = _CODE_SPAN.sub(r"\1", markdown)  # its own code spans (bare links); a document's backticks are escaped
    return _ESCAPED.sub(r"\1", markdown).replace(":material\\/", ":material/")


def plain_line(line: str) -> str:
    """One line of an answer's Markdown as the words it shows: escape_markdown's backslashes out and a bullet's kind of
    evidence (``*(case study)*``, display.claim_line) in plain parentheses; a table cell's ``\\|`` kept."""
    return unescape_markdown(_KIND.sub(r" (\1)", line))


def inert_markdown(text: str) -> str:
    """Text that renders as its own words in any Markdown viewer: no link, image, autolink or HTML.

    Only what would become one is touched: the ``]`` before ``(``, ``:`` or ``[`` (inline links,
    images, link definitions), ``<`` (HTML, autolinks), an entity's ``&``; bare URLs and e-mail
    addresses (which GFM links by itself) are shown as code. Everything else is left as written.
    """
    return with_bare_links_as_code(text, _inert_plain)


def _inert_plain(text: str) -> str:
    text = text.replace("`", "'")  # a backtick could open a code span around our own markup
    text = _LINK_TAIL.sub(r"\\]", text).replace("<", "\\<")
    return _ENTITY.sub(r"\\&", text)


def citation_source(c: Citation) -> str:
    """Where a citation's quote is: document, section, page (when the source has pages), evidence label (escaped)."""
    return " — ".join(escape_markdown(p) for p in _source_parts(c))


def _source_parts(c: Citation) -> list[str]:
    return [p for p in (c.doc_title, c.section, f"page {c.page}" if c.page else "", c.evidence_label) if p]


def _answer_lines(answer: Answer) -> list[str]:
    """The answer's Markdown lines with escape_markdown's backslashes out and links still impossible."""
    return [inert_markdown(unescape_markdown(line)) for line in answer.answer_markdown.strip().splitlines()]


def answer_to_markdown(answer: Answer, link: str = "") -> str:
    """The answer as Markdown: a heading with the question, the answer text, then each citation's source and quote."""
    flat = inert_markdown(" ".join(answer.question.split()))
    lines = [f"# {flat}", ""]
    if answer.notice:
        lines += [f"_{inert_markdown(' '.join(answer.notice.split()))}_", ""]
    lines += [*_answer_lines(answer), ""]
    if answer.citations:
        lines += ["## Sources", ""]
        for c in answer.citations:
            where = inert_markdown(" — ".join(" ".join(p.split()) for p in _source_parts(c)))
            lines += [f"[{c.n}] {where}", "", f"> {inert_markdown(' '.join(c.quote.split()))}", ""]
    if link:
        lines += [f"Asked at: {link}", ""]
    return "\n".join(lines)


def answer_to_text(answer: Answer) -> str:
    """The answer as plain text to paste anywhere: no Markdown marks, the numbered references with their quotes."""
    lines = [" ".join(answer.question.split()), ""]
    if answer.notice:
        lines += [answer.notice, ""]
    for raw in answer.answer_markdown.strip().splitlines():
        line = plain_line(raw).replace("\\|", "|")
        if line.strip() and set(line.strip()) <= set("|-: "):
            continue  # a table's header separator
        line = _BOLD.sub(r"\1", line)
        line = _NOTE.sub(r"\1", line) if line.strip().startswith("_") else line
        lines.append(line.replace("`", ""))
    if answer.citations:
        lines += ["", "Sources"]
        for c in answer.citations:
            lines += [f"[{c.n}] " + " — ".join(" ".join(p.split()) for p in _source_parts(c)), f"“{' '.join(c.quote.split())}”"]
    return "\n".join(lines).strip() + "\n"
