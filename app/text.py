"""Small text utilities shared by answer backends, the guard and evals."""

from __future__ import annotations

import re

import Stemmer

from app.models import Chunk

_STEM = Stemmer.Stemmer("english")
_ABBREVIATIONS = ("e.g.", "i.e.", "al.", "etc.", "vs.", "cf.", "p.", "pp.", "no.", "art.", "fig.")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9‘“\"(\[])")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "us",
        "also",
        "may",
        "might",
        "must",
        "shall",
        "within",
        "across",
        "among",
        "per",
        "via",
        "towards",
        "toward",
        "report",
        "paper",
        "documents",
        "document",
        "say",
        "says",
        "said",
        "tell",
        "show",
        "shows",
    ]
)
_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*|\d+(?:[.,]\d+)?%?")


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; does not break after common abbreviations such as 'e.g.' or 'et al.'."""
    if "\n\n" in text:
        return [s for para in text.split("\n\n") for s in split_sentences(para)]
    pieces: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        before = text[start : m.start() + 1].rstrip()
        last = before.split()[-1].lower() if before.split() else ""
        if last in _ABBREVIATIONS or re.fullmatch(r"[a-z]\.", last):
            continue
        pieces.append(text[start : m.start() + 1].strip())
        start = m.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


MIN_SENTENCE_CHARS = 30


def chunk_sentences(chunk: Chunk) -> list[str]:
    """The sentences of a chunk worth indexing on their own (fragments and table debris skipped)."""
    return [s for s in split_sentences(chunk.text) if len(s) >= MIN_SENTENCE_CHARS]


def content_terms(text: str) -> list[str]:
    """Stemmed, lower-case content words (stopwords removed), in order."""
    words = [part for w in _WORD.findall(text) for part in w.lower().strip("’'-").split("-")]
    return _STEM.stemWords([w for w in words if w and w not in STOPWORDS and len(w) > 1])


NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*\s?%?")


def numbers_in(text: str) -> list[str]:
    """Numbers and percentages as written ("45%", "33,3%", "2016"); citation markers are excluded."""
    cleaned = re.sub(r"\[\d+(?:\s*,\s*\d+)*\]", " ", text)
    return [m.group(0).replace(" ", "") for m in NUMBER.finditer(cleaned)]
