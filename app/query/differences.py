"""Sources differ: which curated differences an answer must show, and the one wording of the note.

An entry of ``corpus/differences.yaml`` (:mod:`app.core.differences`) applies to an answer when

- a quote the answer cites contains one side's quote (or is most of it): the reader sees one value
  and must learn that the other passage gives another; or
- the question asks whether the sources agree (or differ, contradict each other …) about the
  entry's measure, judged by the words of the measure and its terms; a question asking where the
  sources differ without naming a measure gets every entry that differs.

An entry marked ``agree`` (both sides give the same value in their own words) applies only in the second
case: asked whether the sources agree on its measure, the answer says they do, quoting both.

:class:`DifferenceNotes` turns the applicable entries into draft claims, each citing the passage of
both sides, so the guard checks them like any claim and both quotes appear among the citations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.core.corpus_profile import is_curated_document
from app.core.differences import Difference, DifferenceSide
from app.core.draft import DraftClaim
from app.core.models import Chunk
from app.core.normalise import normalise
from app.core.text import content_terms, numbers_in

HEADING = "Where the sources differ"
AGREE_HEADING = "Where the sources agree"
# A cited quote this much of a side's quote "overlaps strongly" with it (a sentence of a two-sentence quote).
MIN_OVERLAP = 0.6
MIN_PART_CHARS = 20  # … and is no mere phrase ("articles")
# An entry's measure and terms must hold more than this share of the question's own words (beyond the agreement words).
MIN_MEASURE_SHARE = 0.5

# Asking whether two passages agree: a word of agreeing, differing or matching ("the same", "different
# figures", "coded the same"), which counts only beside a mention of the two sources (below) …
_AGREEMENT = re.compile(
    r"\b(agree\w*|disagree\w*|differ|differs|differed|different|contradict\w*|discrepanc\w*|inconsisten\w*"
    r"|consistent|conflict(?:s|ing)?|match(?:es|ing)?|same)\b",
    re.I,
)
# … about the sources themselves: both documents, "the sources", or a table and its own text.
_SOURCES = re.compile(
    r"\b(sources|documents|both|itself|each other)\b|\breport\b.*\bpaper\b|\bpaper\b.*\breport\b"
    r"|\btable\b.*\btext\b|\btext\b.*\btable\b",
    re.I,
)
# Words of such a question that say nothing about what is measured.
_ABOUT_SOURCES = set(
    content_terms(
        "agree agreement disagree differ differs difference contradict contradiction consistent inconsistent conflict "
        "source sources document documents report paper study text table value figure give gives state states "
        "whether each other itself"
    )
)


def asks_agreement(question: str) -> bool:
    """Whether the question asks if the sources (or a table and its text) agree or differ."""
    return bool(_AGREEMENT.search(question) and _SOURCES.search(question))


def _squash(text: str) -> str:
    """Letters, digits and % only: line-break hyphens, typography, spaces and table bars do not count."""
    return re.sub(r"[^a-z0-9%]+", "", normalise(text))


def cites_side(side: DifferenceSide, cited_quotes: Iterable[str]) -> bool:
    """A cited quote holds one of the side's quotes, or is most of one."""
    wanted = [_squash(q) for q in side.quotes]
    for cited in cited_quotes:
        c = _squash(cited)
        part = len(c) >= MIN_PART_CHARS
        if c and any(q in c or (part and c in q and len(c) >= MIN_OVERLAP * len(q)) for q in wanted):
            return True
    return False


def asked_about(differences: list[Difference], question: str) -> list[Difference]:
    """The entries a "do the sources agree …" question asks about: those whose measure best holds its words."""
    if not asks_agreement(question):
        return []
    words = set(content_terms(question)) - _ABOUT_SOURCES
    if not words:
        return [d for d in differences if not d.agree]  # "Where do the report and the paper differ?"
    shares = [len(words & set(content_terms(" ".join([d.measure, *d.terms])))) / len(words) for d in differences]
    best = max(shares, default=0.0)
    if best <= MIN_MEASURE_SHARE:
        return []
    tied = [d for d, share in zip(differences, shares, strict=True) if share == best]
    # Of entries holding the question's words equally ("how many articles were reviewed" is in "how many reviewed
    # articles concern health alone" too), those whose measure the question states most fully.
    stated = [len(words & (measure := set(content_terms(d.measure)))) / max(1, len(measure)) for d in tied]
    return [d for d, share in zip(tied, stated, strict=True) if share == max(stated)]


def notes_for(differences: list[Difference], cited_quotes: list[str], question: str) -> list[Difference]:
    """The entries an answer must show: those the question asks about first, then those a cited quote gives one side of."""
    asked = asked_about(differences, question)
    cited = [d for d in differences if d not in asked and not d.agree and any(cites_side(s, cited_quotes) for s in d.sides)]
    return asked + cited


def _shares(text: str) -> set[str]:
    return {n for n in numbers_in(text) if n.endswith("%")}


def shown_quotes(side: DifferenceSide) -> list[str]:
    """The quotes a note shows for a side: its quote, and another of its passages giving a share that quote does not
    (the paper's "teamwork was mentioned in all of the articles" and its Table 4 row "… 97% 33")."""
    given = _shares(side.quote)
    return [side.quote, *(q for q in side.also if _shares(q) - given)]


def note_text(difference: Difference) -> str:
    """The note, worded one way: “The sources differ: the report says “…”; the paper says “…” and “…”.” (“The sources
    agree: …” for an entry whose sides give the same value)."""
    said = [
        f"{difference.side_label(i)} says " + " and ".join(f"“{q.strip().rstrip('.')}”" for q in shown_quotes(side))
        for i, side in enumerate(difference.sides)
    ]
    return f"The sources {'agree' if difference.agree else 'differ'}: {said[0]}; {said[1]}."


class DifferenceNotes:
    """The curated differences with the passages that hold each side's quote, ready to become cited claims."""

    def __init__(self, differences: list[Difference], chunks: list[Chunk]) -> None:
        self.differences = differences
        # Prose passages first: a quote found in running text is cited there rather than in a table passage.
        ordered = sorted((c for c in chunks if is_curated_document(c.source_type)), key=lambda c: c.extra.get("kind") == "table")
        self._texts = [(c, _squash(c.text)) for c in ordered]

    def passage_of(self, side: DifferenceSide, quote: str | None = None) -> Chunk | None:
        """The passage of the side's document that holds its quote, or the given one of its quotes (None when none
        holds it whole)."""
        wanted = _squash(quote or side.quote)
        return next((c for c, text in self._texts if c.source_type == side.document and wanted in text), None)

    def claims(self, cited_quotes: list[str], question: str) -> list[DraftClaim]:
        """A claim per applicable entry, citing the passages of every quote it shows (an entry whose passages are not
        indexed is left out)."""
        out = []
        for d in notes_for(self.differences, cited_quotes, question):
            shown = [(q, self.passage_of(side, q)) for side in d.sides for q in shown_quotes(side)]
            if any(chunk is None for _, chunk in shown):
                continue
            quotes: dict[str, str] = {}
            for quote, chunk in shown:
                assert chunk is not None
                quotes[chunk.id] = f"{quotes[chunk.id]} … {quote}" if chunk.id in quotes else quote
            heading = AGREE_HEADING if d.agree else HEADING
            out.append(DraftClaim(text=note_text(d), sources=list(quotes), heading=heading, quotes=quotes))
        return out
