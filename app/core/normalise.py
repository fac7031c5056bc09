"""Normalisation used whenever a quote must be found in the corpus.

A quote "occurs in the corpus" when, after both sides are normalised the same
way, it is a substring of a document. Normalisation folds case, typographic
quotes and dashes, and white space, and joins words hyphenated across a line
break (``inter-\\nprofessional`` matches both ``inter- professional`` and
``interprofessional``), because PDF extraction breaks lines arbitrarily.
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\uf0b7": "- ",  # bullet glyphs read as the "- " list marker cleaning puts in their place
        "\u2022": "- ",
    }
)
_WS = re.compile(r"\s+")
_HYPHEN_BREAK = re.compile(r"(\w)- (\w)")


def normalise(text: str) -> str:
    """Fold case, typography and white space so equal wording compares equal."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE).lower()
    return _WS.sub(" ", text).strip()


def dehyphenate(normalised: str) -> str:
    """Join ``word- word`` (a hyphen left by a line break) into ``wordword``."""
    return _HYPHEN_BREAK.sub(r"\1\2", normalised)


def keep_hyphen(normalised: str) -> str:
    """Close ``word- word`` into ``word-word`` (a real hyphen that fell at a line break)."""
    return _HYPHEN_BREAK.sub(r"\1-\2", normalised)


class QuoteIndex:
    """Normalised forms of a set of texts, for fast repeated quote look-ups."""

    def __init__(self, texts: list[str]) -> None:
        self._plain = [normalise(t) for t in texts]
        self._joined = [dehyphenate(t) for t in self._plain]
        self._kept = [keep_hyphen(t) for t in self._plain]

    def contains(self, quote: str) -> bool:
        """True when ``quote`` occurs (normalised) in any of the texts."""
        q = normalise(quote)
        if not q:
            return False
        if any(q in t for t in self._plain):
            return True
        qj, qk = dehyphenate(q), keep_hyphen(q)
        return any(qj in t for t in self._joined) or any(qk in t for t in self._kept)
