"""Practice codes (FI5, DE2 …) and the paper's practice numbers ([P5]) as they appear in text.

The country codes come from the corpus profile, so a code-shaped word that is not
a practice ("EU2", "NO1") is never taken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from app.core.corpus_profile import CorpusProfile
from app.core.models import Chunk
from app.core.normalise import normalise


@dataclass(frozen=True)
class PracticeCodes:
    """Finds the practice codes named in a text."""

    country_codes: tuple[str, ...]
    paper_prefix: str = "P"

    @classmethod
    def from_profile(cls, profile: CorpusProfile) -> PracticeCodes:
        return cls(tuple(c.code for c in profile.countries), profile.paper_practice_prefix)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """A practice code: a country code of the corpus and one digit."""
        return re.compile(rf"\b({'|'.join(self.country_codes)})[1-9]\b")

    @cached_property
    def _paper_ref(self) -> re.Pattern[str]:
        return re.compile(rf"\b{re.escape(self.paper_prefix)}([1-9][0-9]?)\b")

    def find(self, text: str, paper_refs: dict[str, str] | None = None) -> list[str]:
        """Codes named in a text, in order of first mention; the paper's ``[P5]`` maps through ``paper_refs``."""
        found = [m.group(0) for m in self.pattern.finditer(text)]
        if paper_refs:
            for m in self._paper_ref.finditer(text):
                ref = f"{self.paper_prefix}{m.group(1)}"
                if ref in paper_refs:
                    found.append(paper_refs[ref])
        return list(dict.fromkeys(found))

    def named_in(self, chunks: list[Chunk]) -> set[str]:
        """The codes a set of passages names: their recorded codes and the codes in their text (any case)."""
        text = " ".join(normalise(c.text) for c in chunks)
        return {code for c in chunks for code in c.practice_codes} | set(self.find(text.upper()))
