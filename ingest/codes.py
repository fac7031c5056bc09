"""Practice codes (FI5, DE2 …) and the paper's P-numbers as they appear in text."""

from __future__ import annotations

import re

PRACTICE_CODE = re.compile(r"\b(BE|BG|DK|FI|FR|DE|GR|HU|IS|IT|NL|PL|RO|ES|SI|SE|GB)[1-9]\b")
PAPER_REF = re.compile(r"\bP([1-9][0-9]?)\b")


def practice_codes(text: str, paper_refs: dict[str, str] | None = None) -> list[str]:
    """Practice codes named in a text, in order of first mention; ``[P5]`` maps via the cards."""
    found = [m.group(0) for m in PRACTICE_CODE.finditer(text)]
    if paper_refs:
        found += [paper_refs[f"P{m.group(1)}"] for m in PAPER_REF.finditer(text) if f"P{m.group(1)}" in paper_refs]
    return list(dict.fromkeys(found))
