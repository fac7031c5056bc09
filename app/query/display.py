"""Answer lines in Markdown that show document text and nothing else: the answer's bullets and the CLI's sources.

Claims built from passages (and an LLM's wording of them), quotes, document titles and sections are
untrusted data: a user's document may hold a Markdown link or a remote image. They go through
:func:`app.core.text.escape_markdown`, so no link, image, HTML or formatting from a document is rendered;
the markers and labels the application writes itself are added around the escaped text.
(The Streamlit app escapes the citations it draws with the same function, in ``app/ui/common.py``.)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property

from app.core.cards import PracticeCard
from app.core.models import Citation
from app.core.text import STOPWORDS, content_terms, escape_markdown

_UNNESTED = re.compile(r"\s*\((.*)\)$")  # "practice review (44 self-reported practices)" in parentheses of its own


def claim_line(claim: str, marks: str, source_note: str = "") -> str:
    """One answer bullet: the claim, its citation marks and the kind of evidence when its heading does not say it (a
    user's document always says so)."""
    # Before the marks, so a bullet still ends on its sentence and its citations (as a reader, and a defect count,
    # expects); in parentheses, so it reads as a label and not as the document's words.
    kind = _UNNESTED.sub(r", \1", source_note)
    note = f" *({kind})*" if kind else ""
    return f"- {escape_markdown(claim)}{note} {marks}"


def source_line(citation: Citation, quote_chars: int = 300) -> str:
    """A citation for a Markdown listing of sources: ``[n] Title — section, p. 3 (label)`` and the quote below."""
    page = f", p. {citation.page}" if citation.page else ""
    where = escape_markdown(citation.section) + page
    where = f" — {where}" if where else ""  # a user's document without headings has no section
    head = f"[{citation.n}] {escape_markdown(citation.doc_title)}{where} ({escape_markdown(citation.evidence_label)})"
    quote = citation.quote
    if len(quote) > quote_chars:  # cut at a word, and say so
        quote = quote[:quote_chars].rsplit(" ", 1)[0].rstrip(" ,;:…") + " …"
    return f"{head}\n    “{escape_markdown(quote)}”"


_PAPER_REFS = re.compile(r"\[(P\d{1,2}(?:\s*,\s*P\d{1,2})*)\]")
_BROKEN_SPACED = re.compile(r"\b([A-Za-z]+)- ([A-Za-z]+)\b")  # "one- stop", "plan- ning": a line break's hyphen and space
_BROKEN_JOINED = re.compile(r"\b([A-Za-z]+)-([A-Za-z]+)\b")  # "plan-ning": a line break's hyphen ingest kept
_NOTE_MARK = re.compile(r"\b([a-z]{3,})\d{1,2}(?=[.,;:)]?(?:\s|$))")  # "countries2.": a footnote's mark on a word
_QUOTATION = re.compile(r"(“[^”]*”)")  # a quotation inside a statement is shown as the source has it
# English prefixes written with a hyphen by choice ("co-ordination", "multi-disciplinary"): kept when the corpus does.
_PREFIXES = frozenset({"anti", "co", "cross", "inter", "intra", "multi", "non", "post", "pre", "re", "self", "sub"})


# "Summary: Local authorities …": a field label, then a sentence (not a list: "Outcomes: (1) …" keeps its label).
_LEADING_LABEL = re.compile(r"^([A-Z][a-z]+(?: [a-z]+){0,2}):\s+(?=[A-Z][a-z])")
_LABEL_LINE = re.compile(r"^([A-Z][a-z]+(?: [a-z]+){0,2}):", re.M)


def field_labels(texts: Iterable[str], at_least: int = 3) -> frozenset[str]:
    """Labels that begin a line of the documents at least ``at_least`` times ("Resources:" in each case study)."""
    counts = Counter(m.group(1) for t in texts for m in _LABEL_LINE.finditer(t))
    return frozenset(label for label, n in counts.items() if n >= at_least)


@dataclass(frozen=True)
class ReadableStatements:
    """A statement as the reader sees it: the paper's practice numbers named, line-break hyphens repaired,
    footnote marks dropped ("17 European countries2." reads "… countries.").

    Applied to the displayed text only, after the guard has checked the statement against its passage
    (the code and name it adds are not in the paper's sentence); claims, citations and the quotations a
    statement holds (“…”) stay verbatim. ``practice_names`` maps the paper's numbers to "code, name"
    ({"P43": "GB4, Single assessment tool …"}); ``vocabulary`` holds the corpus's lower-case words, which
    decide whether a broken word is joined.
    """

    practice_names: Mapping[str, str] = field(default_factory=dict)
    vocabulary: AbstractSet[str] = frozenset()
    # The documents' field labels ("Summary:", "Resources:" of each case study): a statement that begins with one
    # begins with the sentence after it.
    field_labels: AbstractSet[str] = frozenset()

    @classmethod
    def from_cards(
        cls, cards: Iterable[PracticeCard], vocabulary: AbstractSet[str], field_labels: AbstractSet[str] = frozenset()
    ) -> ReadableStatements:
        """Names from the cards' ``paper_ref`` (a card without a name is named by its code alone).

        The paper's own number stays beside the name, so a reader can find the practice in the paper too.
        """
        names = {
            c.paper_ref: ", ".join(p for p in (c.code, c.title) if p) + f"; the paper's {c.paper_ref}"
            for c in cards
            if c.paper_ref
        }
        return cls(names, vocabulary, field_labels)

    @cached_property
    def _stems(self) -> frozenset[str]:
        """Stems of the corpus's whole words (not of hyphenated tokens, which hold the debris being repaired)."""
        return frozenset(content_terms(" ".join(w for w in self.vocabulary if "-" not in w)))

    def knows(self, word: str) -> bool:
        """The corpus uses the word, or a word with its stem ("connections": "connection")."""
        w = word.lower()
        return w in self.vocabulary or (w.isalpha() and all(t in self._stems for t in content_terms(w)))

    def __call__(self, text: str) -> str:
        parts = _QUOTATION.split(text)
        return "".join(part if i % 2 else self._tidy(part) for i, part in enumerate(parts))

    def _tidy(self, text: str) -> str:
        label = _LEADING_LABEL.match(text)
        if label and label.group(1) in self.field_labels:
            text = text[label.end() :]
        text = _PAPER_REFS.sub(self._practices, text)
        text = _BROKEN_SPACED.sub(self._spaced, text)
        text = _NOTE_MARK.sub(lambda m: m.group(1) if self.knows(m.group(1)) else m.group(0), text)
        return _BROKEN_JOINED.sub(self._joined, text)

    def _practices(self, m: re.Match[str]) -> str:
        refs = [r.strip() for r in m.group(1).split(",")]
        if not all(r in self.practice_names for r in refs):
            return m.group(0)  # a number no card records stays as printed rather than half-named
        return "(" + "; ".join(self.practice_names[r] for r in refs) + ")"

    def _spaced(self, m: re.Match[str]) -> str:
        head, tail = m.groups()
        if tail.lower() in STOPWORDS:
            return m.group(0)  # "health- and social care": a hyphen shared by two compounds
        return self._repair(head, tail)

    def _joined(self, m: re.Match[str]) -> str:
        return self._repair(*m.groups())

    def _repair(self, head: str, tail: str) -> str:
        """``head`` and ``tail`` joined when they were one word broken at a line end, else hyphenated."""
        # Only a fragment ("ning") after the hyphen marks a broken word: "one-stop", "inter-professional" are written so.
        if head.lower() not in _PREFIXES and tail.lower() not in self.vocabulary and self.knows(head + tail):
            return head + tail
        return f"{head}-{tail}"
