"""Reading a described situation phrase by phrase: which parts name which card facets, and which name none.

"people with mental health problems who need help finding work" is read as

- "people with mental health problems" -> target group *people with mental health problems* (by its words),
- "finding work" -> sector *employment* (by meaning, when the embedding model is at hand),
- "need help" -> no facet.

By words: every label and synonym of the profile's vocabularies (target groups, delivery models, sectors)
is looked for in the text, and the longest phrase found wins where matches overlap, so "mental health
problems" is a target group and the "health" inside it is not also the health sector. By meaning: in
the words no vocabulary phrase covered, every phrase of up to MAX_NGRAM words that starts and ends with a
content word is compared (MiniLM) with each vocabulary label, and a phrase that is close to one label
(``finder.meaning_threshold``) and clearly closer to it than to any other (``finder.meaning_margin``)
names that value, the closest first where phrases overlap. What remains, the content words no facet was
found for, is reported too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.core.corpus_profile import CorpusProfile, phrase_pattern
from app.core.text import STOPWORDS

# The facets a description is read for, in the order a reason names them.
DESCRIBED_FIELDS = ("target_groups", "delivery_models", "sectors")
MAX_NGRAM = 4  # words in the longest phrase compared by meaning

Embed = Callable[[list[str]], np.ndarray]  # texts -> unit-length vectors, one row each


@dataclass(frozen=True)
class DescribedPart:
    """One phrase of the description and the card facet it names."""

    phrase: str  # verbatim from the description
    field: str  # card field ("target_groups")
    value: str  # vocabulary id ("people_with_mental_health_problems")
    by_meaning: bool = False  # found by the embedding model, not by the profile's words
    start: int = 0


@dataclass(frozen=True)
class Reading:
    """A description read for card facets: the parts that name one, and the phrases that name none."""

    parts: list[DescribedPart]
    unmatched: list[str]

    def values(self, fld: str) -> list[str]:
        """The ids of ``fld`` the description names, in the order it names them."""
        return list(dict.fromkeys(p.value for p in self.parts if p.field == fld))


def _word_matches(profile: CorpusProfile, text: str) -> list[DescribedPart]:
    """Every occurrence of a vocabulary label or synonym in the text (overlapping ones included)."""
    flat = text.replace("-", " ")  # "one-stop shop" and "one stop shop" alike (same length: spans still fit)
    found = []
    for fld in DESCRIBED_FIELDS:
        for value, term in profile.vocabularies.get(fld, {}).items():
            pattern = phrase_pattern([term.label.replace("-", " "), *(s.replace("-", " ") for s in term.synonyms)])
            if pattern is None:
                continue
            found += [DescribedPart(text[m.start() : m.end()], fld, value, False, m.start()) for m in pattern.finditer(flat)]
    return found


def _longest_first(candidates: Sequence[DescribedPart], taken: list[tuple[int, int]]) -> list[DescribedPart]:
    """Keep the longest phrases; a phrase overlapping a kept one is dropped. One phrase may name several
    facets (the profile lists it under each: "unemployed" is a target group and points to the employment
    sector), so matches of exactly the same span are all kept."""
    kept: list[DescribedPart] = []
    for part in sorted(candidates, key=lambda p: (-len(p.phrase), p.start)):
        span = (part.start, part.start + len(part.phrase))
        if any(k.field == part.field and k.value == part.value and k.start == part.start for k in kept):
            continue
        if span in taken and not part.by_meaning:
            kept.append(part)
            continue
        if any(span[0] < end and start < span[1] for start, end in taken):
            continue
        kept.append(part)
        taken.append(span)
    return kept


_WORD = re.compile(r"[\w’']+(?:-[\w’']+)*")


def _segments(text: str, covered: list[tuple[int, int]]) -> list[list[tuple[int, int, bool]]]:
    """Word spans outside the covered spans, cut into segments at punctuation and covered spans; each word
    flagged as a content word (not a function word)."""
    segments: list[list[tuple[int, int, bool]]] = [[]]
    last_end = 0
    for m in _WORD.finditer(text):
        inside = any(s <= m.start() < e for s, e in covered)
        if inside or re.search(r"[^\w\s’'-]", text[last_end : m.start()]):
            segments.append([])
        if not inside:
            segments[-1].append((m.start(), m.end(), m.group().lower() not in STOPWORDS))
        last_end = m.end()
    return [seg for seg in segments if any(content for *_, content in seg)]


def _runs(text: str, covered: list[tuple[int, int]]) -> list[str]:
    """The content-word runs outside the covered spans (cut at function words too): what no facet names."""
    out = []
    for seg in _segments(text, covered):
        run: list[tuple[int, int, bool]] = []
        for word in [*seg, (0, 0, False)]:
            if word[2]:
                run.append(word)
            elif run:
                out.append(text[run[0][0] : run[-1][1]])
                run = []
    return out


def _meaning_matches(
    profile: CorpusProfile, text: str, covered: list[tuple[int, int]], embed: Embed, threshold: float, margin: float
) -> list[DescribedPart]:
    """Phrases (up to MAX_NGRAM words, starting and ending with a content word) close in meaning to one
    vocabulary label and clearly closer to it than to any other; the closest first where they overlap."""
    grams = []
    for seg in _segments(text, covered):
        for i, first in enumerate(seg):
            for last in seg[i : i + MAX_NGRAM]:
                if first[2] and last[2]:
                    grams.append((first[0], last[1]))
    terms = [(fld, value, term.label) for fld in DESCRIBED_FIELDS for value, term in profile.vocabularies.get(fld, {}).items()]
    if not grams or not terms:
        return []
    phrases = [text[s:e] for s, e in grams]
    similarity = embed(phrases) @ embed([label for _, _, label in terms]).T
    found = []
    for (start, _), phrase, row in zip(grams, phrases, similarity, strict=True):
        order = np.argsort(-row)
        best, second = float(row[order[0]]), float(row[order[1]]) if len(order) > 1 else 0.0
        if best >= threshold and best - second >= margin:
            fld, value, _ = terms[int(order[0])]
            found.append((best, DescribedPart(phrase, fld, value, True, start)))
    kept: list[DescribedPart] = []
    for _, part in sorted(found, key=lambda x: -x[0]):
        span = (part.start, part.start + len(part.phrase))
        if not any(span[0] < end and start < span[1] for start, end in covered):
            kept.append(part)
            covered.append(span)
    return kept


def read_description(
    profile: CorpusProfile, text: str, embed: Embed | None = None, threshold: float = 0.58, margin: float = 0.05
) -> Reading:
    """The facets a description names, phrase by phrase (by words, then by meaning when ``embed`` is given),
    and the phrases that name none."""
    taken: list[tuple[int, int]] = []
    parts = _longest_first(_word_matches(profile, text), taken)
    if embed is not None:
        parts += _meaning_matches(profile, text, taken, embed, threshold, margin)
    return Reading(sorted(parts, key=lambda p: p.start), _runs(text, taken))
