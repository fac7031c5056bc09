"""Whether passages carry a statement: its figures, the practice codes it names and most of its content words.

The one test behind the grounding guard (:mod:`app.query.guard`) and behind the choice of what a card fact
cites (:mod:`app.query.candidates`): a statement is cited to passages that pass it.
"""

from __future__ import annotations

import re

from app.core.codes import PracticeCodes
from app.core.models import Chunk
from app.core.normalise import dehyphenate, normalise
from app.core.text import content_terms, numbers_in

# "(1) … (2) …" numbers a list's items as the answer shows them: the enumerators are no figures of the source.
_ENUMERATOR = re.compile(r"(?:^|(?<=\s))\(\d{1,2}\)(?=\s)")


# "FI2 (Family net, Finland)": how an answer names a practice. The name is the code's (checked as a code), not a
# finding the passage must repeat word for word; one level of nested brackets ("(MAIA)") inside the name.
_LABELLED = r"\s*\((?:[^()]|\([^()]*\))*\)"


# "— reported effects (Table 6):": the field a card fact states, after the practice it is about.
_FIELD_LABEL = r"\s+—\s+[^:—“”]{1,60}:\s"


def _number_forms(n: str) -> set[str]:
    bare = n.rstrip("%")
    return {n, bare, bare.replace(",", "."), bare.replace(".", ",")}


def unsupported(text: str, cited: list[Chunk], codes: PracticeCodes, min_term_support: float) -> str | None:
    """Why the cited passages do not carry a statement, or None when they do.

    ``min_term_support``: the share of the statement's content words the passages must contain.
    """
    source = " ".join(normalise(c.text) for c in cited)
    joined = dehyphenate(source)
    for number in numbers_in(_ENUMERATOR.sub(" ", text)):
        if not any(f in source or f in joined for f in _number_forms(number.lower())):
            return f"states {number}, which its cited passage does not contain"
    cited_codes = codes.named_in(cited)
    for code in codes.find(text):
        if code not in cited_codes:
            return f"names practice {code}, which its cited passage does not mention"
    for code in set(codes.find(text)):
        text = re.sub(rf"\b{code}{_LABELLED}", code, text)
        # "FI5 — its number in the IJIC paper: P2": a card fact's field label is the card's heading, not the source's words.
        text = re.sub(rf"\b{code}{_FIELD_LABEL}", code + " ", text)
    terms = set(content_terms(text))
    if terms:
        support = len(terms & set(content_terms(source))) / len(terms)
        if support < min_term_support:
            return f"shares only {support:.0%} of its words with the cited passage (wrong citation?)"
    return None
