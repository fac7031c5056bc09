"""Query-time text utilities: content words (stemmed, stopwords removed) and numbers as written."""

from __future__ import annotations

import re
from pathlib import Path

import Stemmer

_STEM = Stemmer.Stemmer("english")
_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*|\d+(?:[.,]\d+)?%?")


def _read_words(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


STOPWORDS = _read_words(Path(__file__).with_name("stopwords.txt"))


def content_terms(text: str) -> list[str]:
    """Stemmed, lower-case content words (stopwords removed), in order."""
    words = [part for w in _WORD.findall(text) for part in w.lower().strip("’'-").split("-")]
    return _STEM.stemWords([w for w in words if w and w not in STOPWORDS and len(w) > 1])


NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*\s?%?")


def numbers_in(text: str) -> list[str]:
    """Numbers and percentages as written ("45%", "33,3%", "2016"); citation markers are excluded."""
    cleaned = re.sub(r"\[\d+(?:\s*,\s*\d+)*\]", " ", text)
    return [m.group(0).replace(" ", "") for m in NUMBER.finditer(cleaned)]
