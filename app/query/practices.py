"""The practice finder: "who already does this, for people like mine?".

Hard filters on the cards' facets, then (with ``like``) ranking by how close the
practice's card and the report passages naming it are to a free-text description
(a passage naming several practices counts less for each). A relevance floor
(``finder.relevance_floor``: a share of the best practice's score) keeps only the
well-matched practices. Every match says why it matched in a plain sentence, with
the card's own sources.

Public API:

- ``PracticeFinder(cards, config, retriever=None, profile=None)``; ``finder.find(PracticeQuery(...))
  -> list[PracticeMatch]`` (best first); ``finder.total`` is the number of cards ("n of 44").
  Without a description every practice passing the filters is returned (no cut); with one,
  the practices above the relevance floor (at most ``finder.max_shown``). ``PracticeQuery.limit``
  caps either.
- Filter values may be internal ids (``older_people``) or the profile's plain labels
  (``older people``); countries by name, code, alias or demonym. An unknown value raises
  ``ValueError`` naming the values that are known (``resolve_value`` / ``resolve_country``).
- ``PracticeMatch.reason`` says why it matched, naming every part of a description it matched (the phrase,
  and "by meaning" when the words differ) and what the card does not record: "Serves people with mental
  health problems (you wrote “people with mental health problems”); joins social services with employment
  (“finding work”, by meaning). Not on its card: … No facet found for “need help”." The app's table, the
  CSV and ``joinedup practices --json`` carry this same sentence.
- Practices the sources neither name nor describe (``PracticeCard.listed_only_in_tables``) are left out of
  every result unless asked for by code (``PracticeQuery.codes``); ``finder.left_out(q)`` names them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.cards import PracticeCard, paper_refs
from app.core.codes import PracticeCodes
from app.core.config import FinderSettings, load_settings
from app.core.corpus_profile import CorpusProfile, load_profile, phrase_pattern
from app.core.sentences import split_sentences
from app.query.description import DESCRIBED_FIELDS, Embed, Reading, read_description
from app.query.retrieve import Filters, Retriever

# Query facet -> card field (the profile's vocabulary of the same name).
_CARD_FIELD = {
    "sector": "sectors",
    "target_group": "target_groups",
    "delivery_model": "delivery_models",
    "funding": "funding",
}
# Why a practice matched when it carries none of the facets a description names: its sources read alike.
CLOSE_IN_MEANING = "What the sources say about it is close to the situation you described."
__all__ = ["CLOSE_IN_MEANING", "DESCRIBED_FIELDS", "PracticeFinder", "PracticeMatch", "PracticeQuery"]


@dataclass
class PracticeQuery:
    country: str | None = None
    sector: str | None = None
    target_group: str | None = None
    delivery_model: str | None = None
    funding: str | None = None
    like: str | None = None
    limit: int | None = None  # None: no cap beyond the relevance floor
    codes: tuple[str, ...] = ()  # only these practices (those listed only in the report's tables included)


@dataclass
class PracticeMatch:
    """One practice that matched, with the reasons and the card quotes behind them."""

    code: str
    title: str
    country: str
    score: float
    reason: str
    quotes: list[str] = field(default_factory=list)  # the card's source quotes behind the matched filters/facets
    matched: list[str] = field(default_factory=list)  # the description's phrases the card matched
    not_matched: list[str] = field(default_factory=list)  # its phrases the card does not match (or no facet names)
    similar_passage: str = ""  # verbatim report or paper text about this practice close to the description
    similar_source: str = ""
    card: PracticeCard | None = None

    def to_dict(self) -> dict:
        return {
            "code": self.code, "title": self.title, "country": self.country, "score": round(self.score, 4),
            "reason": self.reason, "matched": self.matched, "not_matched": self.not_matched,
            "quotes": self.quotes, "similar_passage": self.similar_passage,
            "similar_source": self.similar_source, "paper_ref": self.card.paper_ref if self.card else None,
        }  # fmt: skip


def _key(text: str) -> str:
    """Ids and labels compared alike: case, hyphens, underscores and spaces do not matter."""
    return re.sub(r"[\s_\-/]+", " ", text).strip().lower()


def resolve_value(profile: CorpusProfile, fld: str, text: str) -> str:
    """The vocabulary id of ``fld`` that ``text`` names, by id or plain label; ``ValueError`` when none."""
    wanted = _key(text)
    for value, term in profile.vocabularies.get(fld, {}).items():
        if wanted in (_key(value), _key(term.label)):
            return value
    known = ", ".join(t.label for t in profile.vocabularies.get(fld, {}).values())
    raise ValueError(f"unknown {fld.replace('_', ' ').rstrip('s')} {text!r}; known: {known}")


def resolve_country(profile: CorpusProfile, text: str) -> str:
    """The card country name that ``text`` names (name, code, alias or demonym); ``ValueError`` when none."""
    wanted = _key(text)
    for country in profile.countries:
        if wanted in {_key(n) for n in (country.code, *country.names())}:
            return country.name
    raise ValueError(f"unknown country {text!r}; known: {', '.join(profile.country_names)}")


@dataclass
class _Facets:
    """What a query asks for, as vocabulary ids per card field (filters and what a description names)."""

    country: str | None = None
    wanted: dict[str, list[str]] = field(default_factory=dict)  # card field -> ids that must be on the card
    described: dict[str, list[str]] = field(default_factory=dict)  # card field -> ids the description names
    like: bool = False  # a description was given
    reading: Reading | None = None  # the description read phrase by phrase
    codes: frozenset[str] = frozenset()  # asked for by code


class PracticeFinder:
    """Filters and ranks practice cards; shares the retriever with the chat."""

    def __init__(
        self,
        cards: list[PracticeCard],
        config: FinderSettings,
        retriever: Retriever | None = None,
        profile: CorpusProfile | None = None,
    ) -> None:
        self.cards = cards
        self.config = config
        self.retriever = retriever
        self.profile = profile or (retriever.profile if retriever else load_profile(load_settings().corpus_dir))
        self._codes = PracticeCodes.from_profile(self.profile)
        self._paper_refs = paper_refs(cards)

    @property
    def total(self) -> int:
        """How many practices there are to find (the "of 44")."""
        return len(self.cards)

    def find(self, q: PracticeQuery) -> list[PracticeMatch]:
        """Practices passing the filters; with a description, those above the relevance floor, best first.
        Practices listed only in the report's tables are left out unless asked for by code."""
        facets = self._facets(q)
        candidates = [c for c in self.cards if self._passes(c, facets) and self._shown(c, facets)]
        if q.like and q.like.strip():
            matches = self._ranked(candidates, q.like, facets)
        else:
            matches = [self._match(c, len(c.filled_fields()) * self.config.richness_weight, facets) for c in candidates]
            matches.sort(key=lambda m: (-m.score, m.code))
        return matches[: q.limit] if q.limit else matches

    # ---- filters --------------------------------------------------------------------------------

    def left_out(self, q: PracticeQuery) -> list[str]:
        """Codes that pass the filters but are not shown: listed only in the report's tables, not asked for by code."""
        facets = self._facets(q, read=False)
        return [c.code for c in self.cards if self._passes(c, facets) and not self._shown(c, facets)]

    @staticmethod
    def _shown(card: PracticeCard, facets: _Facets) -> bool:
        return card.code in facets.codes or not card.listed_only_in_tables

    def read(self, text: str) -> Reading:
        """The description read phrase by phrase (by meaning too when the index's model is at hand)."""
        # The retriever's own vector cache: each phrase is embedded once per loaded index.
        embed: Embed | None = self.retriever.vectors.embed if self.retriever is not None else None
        return read_description(self.profile, text, embed, self.config.meaning_threshold, self.config.meaning_margin)

    def _facets(self, q: PracticeQuery, read: bool = True) -> _Facets:
        facets = _Facets(country=resolve_country(self.profile, q.country) if q.country else None)
        facets.codes = frozenset(c.strip().upper() for c in q.codes)
        for facet, fld in _CARD_FIELD.items():
            wanted = getattr(q, facet)
            if wanted:
                facets.wanted[fld] = [resolve_value(self.profile, fld, wanted)]
        if q.like and q.like.strip() and read:
            facets.like = True
            facets.reading = self.read(q.like)
            facets.described = {fld: ids for fld in DESCRIBED_FIELDS if (ids := facets.reading.values(fld))}
        return facets

    def detect(self, fld: str, text: str) -> list[str]:
        """Vocabulary ids of ``fld`` a description names, by the profile's synonyms or the plain label itself."""
        found = self.profile.detect(fld, text)
        flat = text.replace("-", " ")
        for value, term in self.profile.vocabularies.get(fld, {}).items():
            pattern = phrase_pattern([term.label.replace("-", " ")])
            if value not in found and pattern is not None and pattern.search(flat):
                found.append(value)
        return found

    @staticmethod
    def _passes(card: PracticeCard, facets: _Facets) -> bool:
        if facets.codes and card.code not in facets.codes:
            return False
        if facets.country and card.country != facets.country:
            return False
        return all(set(ids) <= set(getattr(card, fld)) for fld, ids in facets.wanted.items())

    # ---- ranking by a description ----------------------------------------------------------------

    def closeness(self, text: str, codes: list[str]) -> dict[str, float]:
        """How close each practice of ``codes`` is to a description, as a share of the closest of them (1.0); a
        practice no passage near the description names is absent. Compare with ``finder.relevance_floor``."""
        similarity = self._reached(text, set(codes))
        found = [code for code in codes if code in similarity]
        best = max((similarity[code][0] for code in found), default=0.0)
        return {code: similarity[code][0] / best for code in found} if best > 0 else {}

    def _reached(self, text: str, codes: set[str]) -> dict[str, tuple[float, str, str]]:
        """``_similarity`` over the usual pool, or a wider one when the pool reaches none of ``codes``."""
        similarity = self._similarity(text, self.config.similarity_pool)
        if not codes & similarity.keys() and len(codes) < len(self.cards):
            # Filters kept only practices the description's passages did not reach: look further for them.
            similarity = self._similarity(text, self.config.similarity_pool * self.config.filtered_pool_factor)
        return similarity

    def _ranked(self, candidates: list[PracticeCard], text: str, facets: _Facets) -> list[PracticeMatch]:
        similarity = self._reached(text, {c.code for c in candidates})
        found = [c for c in candidates if c.code in similarity]
        if not found:
            return []
        # The floor is a share of the best practice that passes the filters: filtering to one country still
        # shows that country's best matches, while a practice far below them is left out.
        best = max(similarity[c.code][0] for c in found)
        scored = [(similarity[c.code][0] / best, c, *similarity[c.code][1:]) for c in found]
        kept = [x for x in scored if x[0] >= self.config.relevance_floor]
        kept.sort(key=lambda x: (-x[0], x[1].code))
        matches = []
        for score, card, passage, source in kept[: self.config.max_shown]:  # score: share of the best
            m = self._match(card, score, facets)
            m.similar_passage, m.similar_source = passage, source
            matches.append(m)
        return matches

    def _similarity(self, text: str, pool: int) -> dict[str, tuple[float, str, str]]:
        """Per practice code: its best retrieval score (a passage naming several practices counts less for
        each), and the best verbatim report or paper passage naming it (with its source)."""
        if self.retriever is None:
            raise ValueError("a description search needs the index (run `joinedup ingest` first)")
        scores: dict[str, float] = {}
        passages: dict[str, tuple[str, str]] = {}
        n = self.config.snippet_chars
        for p in self.retriever.hybrid(text, pool, Filters()):
            codes = list(dict.fromkeys(p.chunk.practice_codes))
            if not codes:
                continue
            share = p.score / len(codes) ** self.config.shared_passage_discount
            for code in codes:
                scores[code] = max(scores.get(code, 0.0), share)
                if p.chunk.source_type != "practice_card" and code not in passages:
                    sentence = self._sentence_naming(p.chunk.text, code)
                    if sentence:
                        snippet = sentence[:n] + ("…" if len(sentence) > n else "")
                        passages[code] = (snippet, f"{p.chunk.doc_title} — {p.chunk.section}")
        return {code: (s, *passages.get(code, ("", ""))) for code, s in scores.items()}

    def _sentence_naming(self, text: str, code: str) -> str:
        """The first sentence of a passage that names the practice (by code or the paper's number), else ""."""
        return next((s for s in split_sentences(text) if code in self._codes.find(s, self._paper_refs)), "")

    # ---- the match and why ------------------------------------------------------------------------

    def _match(self, card: PracticeCard, score: float, facets: _Facets) -> PracticeMatch:
        reason, quotes, matched, not_matched = self._reason(card, facets)
        match = PracticeMatch(card.code, card.title, card.country, score, reason, quotes, card=card)
        match.matched, match.not_matched = matched, not_matched
        return match

    def _clause(self, fld: str, labels: list[str]) -> str:
        """A facet in plain words: "serves older people", "one-stop shop", "joins social services with health"."""
        joined = _and(labels)
        return {"target_groups": f"serves {joined}", "sectors": f"joins social services with {joined}"}.get(fld, joined)

    def _reason(self, card: PracticeCard, facets: _Facets) -> tuple[str, list[str], list[str], list[str]]:
        """Why the card matched, as sentences, the card's quotes behind it, and the description's phrases it
        matched and did not."""
        label = self.profile.label
        asked: list[str] = [f"in {card.country}"] if facets.country else []
        fields = ["country"] if facets.country else []
        for fld in (*DESCRIBED_FIELDS, "funding"):
            ids = [v for v in facets.wanted.get(fld, []) if v in getattr(card, fld)]
            if ids:
                asked.append(self._clause(fld, [label(fld, v) for v in ids]))
                fields.append(fld)
        described: list[str] = []
        missing: list[str] = []
        matched: list[str] = []
        not_matched: list[str] = []
        reading = facets.reading
        for fld in DESCRIBED_FIELDS if reading else ():
            on_card, off_card = [], []
            for value in reading.values(fld):  # type: ignore[union-attr]
                parts = [p for p in reading.parts if p.field == fld and p.value == value]  # type: ignore[union-attr]
                said = ", ".join(f"“{p.phrase}”" + (" by meaning" if p.by_meaning else "") for p in parts)
                phrases = [p.phrase for p in parts]
                if value in getattr(card, fld):
                    on_card.append(f"{label(fld, value)} (you wrote {said})")
                    matched += phrases
                else:
                    off_card.append(f"{label(fld, value)} ({said})")
                    not_matched += phrases
            if on_card:
                described.append(self._clause(fld, on_card))
                fields.append(fld)
            missing += off_card
        quotes = list(dict.fromkeys(q for fld in dict.fromkeys(fields) for q in card.sources.get(fld, [])[:1]))
        if not facets.like:
            if not asked:
                return "", quotes, [], []
            return f"{_sentence('; '.join(asked))} — as you asked.", quotes, [], []
        unread = reading.unmatched if reading else []
        not_matched = list(dict.fromkeys([*not_matched, *unread]))
        matched = list(dict.fromkeys(matched))
        out = []
        if asked:
            out.append(f"As you asked: {'; '.join(asked)}.")
        if described:
            out.append(f"{_sentence('; '.join(described))}.")
        else:
            out.append(CLOSE_IN_MEANING)
        if missing:
            out.append(f"Not on its card: {'; '.join(missing)}.")
        if unread:
            out.append(f"No facet found for {_and([f'“{u}”' for u in unread])}.")
        return " ".join(out), quotes, matched, not_matched


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and(items: list[str]) -> str:
    """Items as a phrase: "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
