"""Query-time text utilities: content words (stemmed, stopwords removed) and numbers as written."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import Stemmer

from app.core.control_chars import printable

_STEM = Stemmer.Stemmer("english")
_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*|\d+(?:[.,]\d+)?%?")


def _read_words(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


STOPWORDS = _read_words(Path(__file__).with_name("stopwords.txt"))
# General English words beyond the stopwords ("ever", "hereby"): never what a question is about (``lookup_words``).
GENERAL_WORDS = _read_words(Path(__file__).with_name("general_words.txt"))


# Ids name files on disk (evidence units) and Chroma metadata: a file name of 251 characters must not make an id
# too long for a file name (255 bytes), so longer slugs keep their start and a hash of the whole.
MAX_ID_CHARS = 80


def bounded_id(slug: str) -> str:
    """``slug`` itself up to :data:`MAX_ID_CHARS` characters, else its start and a hash of it (same length)."""
    if len(slug) <= MAX_ID_CHARS:
        return slug
    digest = hashlib.sha1(slug.encode()).hexdigest()[:10]
    return f"{slug[: MAX_ID_CHARS - 11].rstrip('-')}-{digest}"


def document_id(path: Path) -> str:
    """A document's stable id from its file name: lower-case slug of the stem (ingest's default id), bounded."""
    return bounded_id(re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "document")


def _content_parts(text: str) -> list[str]:
    """Lower-case words and the parts of hyphenated ones, stopwords and single letters left out, in order."""
    words = [part for w in _WORD.findall(text) for part in w.lower().strip("’'-").split("-")]
    return [w for w in words if w and w not in STOPWORDS and len(w) > 1]


def content_terms(text: str) -> list[str]:
    """Stemmed, lower-case content words (stopwords removed), in order."""
    return _STEM.stemWords(_content_parts(text))


def singular(word: str) -> str:
    """A lower-case word's singular by its ending ("municipalities" -> "municipality", "managers" -> "manager")."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def singular_terms(text: str) -> list[str]:
    """Lower-case content words in their singular, in order: finer than stems, which make "case managers" and
    "case management" one thing."""
    return [singular(w) for w in _content_parts(text)]


def compound_parts(word: str) -> list[str] | None:
    """The words of a hyphenated compound of letters, single letters left out ("P-number" -> ["number"]); None for
    a word that is no such compound ("policy", "COVID-19")."""
    parts = word.split("-")
    if len(parts) < 2 or not all(p.isalpha() for p in parts):
        return None
    return [p for p in parts if len(p) > 1]


# Unknown words are looked up from four letters ("brew", "beer"); topic words elsewhere from five.
UNKNOWN_WORD_MIN_LETTERS = 4


def content_words(text: str, min_letters: int = 5) -> list[str]:
    """Distinct lower-case words of ``min_letters`` or more letters that are not stopwords: what a question is about.
    ("wouldn't" is no word "wouldn".)"""
    found = re.findall(rf"[A-Za-z][a-z-]{{{min_letters - 1},}}(?![’']t\b)", text)
    return [w for w in dict.fromkeys(w.lower() for w in found) if w not in STOPWORDS]


def lookup_words(text: str) -> list[str]:
    """The words of a question looked up in the corpus's vocabulary: content words from four letters, less general
    English ones ("ever" in "was it ever evaluated?" is not what is asked about, whether the corpus uses it or not)."""
    return [w for w in content_words(text, UNKNOWN_WORD_MIN_LETTERS) if w not in GENERAL_WORDS]


NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*\s?%?")


def numbers_in(text: str) -> list[str]:
    """Numbers and percentages as written ("45%", "33,3%", "2016"); citation markers are excluded."""
    cleaned = re.sub(r"\[\d+(?:\s*,\s*\d+)*\]", " ", text)
    return [m.group(0).replace(" ", "") for m in NUMBER.finditer(cleaned)]


# Characters Markdown (CommonMark + GFM + Streamlit's math and colour directives) or HTML give meaning to
# anywhere in a line: emphasis, code, links and images, HTML, strikethrough, math, tables, escapes.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>~$|])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")  # "&amp;" would render as "&"
# What GFM links by itself after parsing (remark-gfm finds these in plain text, so a backslash cannot stop
# them): shown as code, which is never searched for links.
_BARE_LINK = re.compile(r"(?:https?://|www\.)[^\s`]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)


def with_bare_links_as_code(text: str, plain: Callable[[str], str]) -> str:
    """``plain`` applied to the text between bare URLs and e-mail addresses, which are shown as code (GFM would link them)."""
    parts: list[str] = []
    last = 0
    for m in _BARE_LINK.finditer(text):
        parts += [plain(text[last : m.start()]), f"`{m.group(0)}`"]
        last = m.end()
    parts.append(plain(text[last:]))
    return "".join(parts)


# What opens a block (heading, list, setext underline) when it starts the text.
_MD_BLOCK_START = re.compile(r"^(?:[#+=-]|\d{1,9}(?=[.)]))")


def _escape_plain(text: str) -> str:
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    return text.replace(":material/", ":material\\/")  # Streamlit's icon shortcode


def escape_markdown(text: str) -> str:
    """Document text made inert for Markdown/HTML rendering: no links, images, HTML or formatting survive.

    Passages are untrusted data (a user's document may hold a link to a tracking image), so the result
    renders as the same words and characters, on one line, wherever it is placed in Markdown (a bullet,
    a quote, a label): special characters are backslash-escaped, bare URLs and e-mail addresses are shown
    as code, and whitespace runs (which Markdown would read as structure) become one space.
    """
    flat = " ".join(printable(text).split())  # and no terminal escape or control character (an index built before)
    out = with_bare_links_as_code(flat, _escape_plain)
    match = _MD_BLOCK_START.match(out)
    if match:
        end = match.end()
        out = out[:end] + "\\" + out[end:] if match.group(0)[0].isdigit() else "\\" + out
    return out


def has_word(text: str, word: str, ignore_case: bool = False) -> bool:
    """Whether ``word`` occurs in ``text`` as a whole word (not inside another word or a hyphenated compound)."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.I if ignore_case else 0) is not None
