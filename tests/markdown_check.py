"""What a GFM renderer (Streamlit's) would make of Markdown beyond plain text, for tests of untrusted text.

markdown-it-py parses CommonMark with GFM tables and strikethrough; the bare-URL and e-mail links GFM
adds after parsing are found with the same patterns remark-gfm uses (as bundled with Streamlit), in
plain-text tokens only, as remark-gfm does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.I)
GFM_EMAIL = re.compile(r"(?<![-.\w+])([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
PLAIN_BLOCKS = {"paragraph_open", "paragraph_close", "inline"}
PLAIN_INLINE = {"text", "softbreak", "code_inline"}  # code spans show their text literally


@dataclass
class Rendered:
    """The parts of rendered Markdown: the text a reader sees, and every element that is more than text."""

    text: str = ""
    elements: list[str] = field(default_factory=list)  # "link http://…", "image …", "html <img …>", "heading" …
    links: list[str] = field(default_factory=list)  # every URL a link or image points to, explicit or bare


def _inline(tokens: list[Token], out: Rendered) -> None:
    for t in tokens:
        if t.type in {"link_open", "image"}:
            url = str(t.attrs.get("href") or t.attrs.get("src") or "")
            out.links.append(url)
            out.elements.append(f"{t.type} {url}")
        elif t.type in {"html_inline", "html_block"}:
            out.elements.append(f"html {t.content}")
        elif t.type not in PLAIN_INLINE and not t.type.endswith("_close"):
            out.elements.append(t.type)
        if t.type == "text":
            out.links += [m.group(0) for m in GFM_URL.finditer(t.content)]
            out.links += [m.group(0) for m in GFM_EMAIL.finditer(t.content)]
        if t.type in {"text", "code_inline"}:
            out.text += t.content
        elif t.type == "softbreak":
            out.text += " "
        if t.children:
            _inline(t.children, out)


def render(markdown: str) -> Rendered:
    """Parse ``markdown`` as GFM would and list what it renders."""
    out = Rendered()
    for t in _MD.parse(markdown):
        if t.type == "inline":
            _inline(t.children or [], out)
        elif t.type not in PLAIN_BLOCKS:
            out.elements.append(t.type if t.type != "html_block" else f"html {t.content}")
    return out
