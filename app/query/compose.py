"""Extractive composition by answer type: a bottom line first, then evidence grouped by its kind.

The steps are components of their own: candidate statements (``candidates.py``: units of the retrieved
passages, table rows, practice-card facts with their verbatim source quotes, the report's recommendations),
their relevance to the analysed question (``relevance.py``: features, then the learned or hand-tuned
ranker), whether the evidence answers at all (``answerability.py``) and where the sources differ
(``differences.py``). This module gathers the passages, runs those steps and lays the statements out:

- a **bottom line**: the one to three best candidates (table rows as a Markdown table), or for
  a design question the recommendations that fit the asker's audience and aspect;
- the **supporting evidence**, grouped by kind (literature review, practice review, case
  study, policy description, the paper …), each statement about the asked aspect;
- **comparable practices** with the card facts that answer the question;
- a note on the **strength of the evidence** and on what the documents do not say.

No sentence is written that the sources do not contain, except headings, the practice-fact
lines built from a card (each cited to the source quote the card records) and the notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.core.cards import PracticeCard
from app.core.config import Settings
from app.core.corpus_profile import CURATED_SOURCE_TYPES, CorpusProfile
from app.core.differences import load_differences
from app.core.draft import AddedPassage, Draft, DraftClaim, citation_key
from app.core.models import Analysis, Chunk, Passage, QuestionPart
from app.core.refusals import MAX_NAMES_SHOWN, refusal
from app.core.tables import Table
from app.core.text import content_terms, has_word, lookup_words
from app.query.analyse import asking_sentences, compared_sides, names_not_in
from app.query.answerability import AnswerabilityModel, Evidence, influence, unknown_specificity
from app.query.candidates import Candidate, CandidateBuilder
from app.query.differences import DifferenceNotes, asks_agreement
from app.query.practices import PracticeFinder
from app.query.relevance import StatementInputs, feature_row, gives_figure, gives_name, load_ranker, relevance_before_bonuses
from app.query.retrieve import Filters, Retriever


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


@dataclass
class CitationBudget:
    """The citations an answer has made and the most it may make: a statement that would cite a further passage past
    the limit is left out (one citing passages already cited costs nothing)."""

    limit: int
    cited: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def beyond(cls, claims: Iterable[DraftClaim], chunks: Mapping[str, Chunk], extra: int) -> CitationBudget:
        """A budget of ``extra`` citations more than the claims already made (the opening) cite."""
        cited = {citation_key(chunks[s], c.cite_as) for c in claims for s in c.sources if s in chunks}
        return cls(len(cited) + extra, cited)

    def admits(self, c: Candidate) -> bool:
        """Whether the statement's citations fit within the limit."""
        return len(self.cited | c.citations) <= self.limit

    def spend(self, c: Candidate) -> None:
        """Count the statement's citations as made."""
        self.cited |= c.citations


@dataclass(eq=False)
class ScoredPart:
    """One part of a question in several parts: its own analysis and the candidates rescored against it alone (done once
    per answer: the figure check, answerability and the layout all read it)."""

    part: QuestionPart
    analysis: Analysis
    scored: list[Candidate]


def closest(scored: list[Candidate]) -> Candidate | None:
    """The candidate closest to the question itself: meaning and words, before the ranker's preferences."""
    return max(scored, key=lambda c: c.relevance, default=None)


def closest_first(scored: list[Candidate], taken: list[Candidate], floor: float) -> list[Candidate]:
    """The candidates with the :func:`closest` first, when it is not taken and clears the floor: the ranker, learned on
    whole questions, can put the statement that says what is asked below others about the same practice or aspect.
    (Measured for the evidence layout; the recommendation layout, whose statements are the report's recommendations,
    lost by it.)"""
    nearest = closest(scored)
    if nearest is None or nearest.score < floor or nearest in taken:
        return scored
    return [nearest, *(c for c in scored if c is not nearest)]


def pick(
    scored: Iterable[Candidate],
    n: int,
    taken: list[Candidate],
    floor: float = 0.0,
    *,
    overlap: float,
    budget: CitationBudget | None = None,
) -> list[Candidate]:
    """Up to n candidates (best first) above the floor, none repeating (by word ``overlap``) a statement already taken,
    and none citing past the ``budget``."""
    chosen: list[Candidate] = []
    for c in scored:
        if c.score < floor:
            break
        # A statement that carries on one already chosen ("… similar trends …" + "These include demographic
        # ageing, …") says all it says and what it leads to: it takes its place.
        extended = next((i for i, t in enumerate(chosen) if _carries_on(c, t) or _says_in_full(c, t, overlap)), None)
        if extended is not None:
            chosen[extended] = c
            continue
        if len(chosen) >= n:
            break
        if any(c.quote == t.quote or _overlap(c.terms, t.terms) >= overlap for t in [*taken, *chosen]):
            continue
        if budget is not None:
            if not budget.admits(c):
                continue
            budget.spend(c)
        chosen.append(c)
    return chosen


def _says_in_full(c: Candidate, t: Candidate, overlap: float) -> bool:
    """Whether statement c is the sources' own sentence that card summary t paraphrases, saying more than it does.

    A card's "what it is" is written from the report's sentence about the practice, which often goes on to what the
    practice achieved ("… Their monitoring proved that GP visits were reduced by 33,3%"): the verbatim sentence says
    all the summary says and more, so it takes the summary's place rather than being dropped as its repeat."""
    return (
        t.kind == "card_fact"
        and t.card_field == "summary"
        and c.kind != "card_fact"
        and bool(t.codes)
        and set(t.codes) <= set(c.codes)
        and len(c.terms) > len(t.terms)
        and _overlap(c.terms, t.terms) >= overlap
    )


def _carries_on(c: Candidate, t: Candidate) -> bool:
    """Whether statement c is statement t of the same passage followed by more of the text."""
    return c.chunk.id == t.chunk.id and c.kind != "card_fact" and c.quote != t.quote and c.quote.startswith(t.quote)


@dataclass
class PassagePool:
    """The passages a draft is composed from: the retrieved ones (the caller's list is never changed), then those
    composition adds, each recorded with the step that added it."""

    passages: list[Passage]
    added: list[AddedPassage] = field(default_factory=list)

    def add(self, chunk: Chunk | None, step: str) -> None:
        if chunk is not None and all(p.chunk.id != chunk.id for p in self.passages):
            passage = Passage(chunk=chunk, score=0.0)
            self.passages.append(passage)
            self.added.append(AddedPassage(passage, step))


class Composer:
    """Builds the draft answer for an analysed question from retrieved passages."""

    def __init__(self, settings: Settings, retriever: Retriever, cards: list[PracticeCard]) -> None:
        self.settings = settings
        self.config = settings.answer
        self.retriever = retriever
        self.profile: CorpusProfile = retriever.profile
        self.cards = {c.code: c for c in cards}
        self.builder = CandidateBuilder(settings, retriever, cards)
        self.finder = PracticeFinder(cards, settings.finder, retriever)
        model_path = self.config.answerability_model
        # "off" (training): every question is answered, so the features of unanswerable ones can be collected too.
        self.judge_answerability = model_path != "off"
        self.answerability = (
            AnswerabilityModel.load(Path(model_path)) if self.judge_answerability and Path(model_path).is_file() else None
        )
        self.ranker = load_ranker(self.config)
        self.differences = DifferenceNotes(load_differences(settings.corpus_dir), retriever.catalogue)

    def candidates(self, passages: list[Passage], analysis: Analysis) -> list[Candidate]:
        """Every candidate statement of the passages (``CandidateBuilder.run``)."""
        return self.builder.run(passages, analysis)

    # ---- scoring ----------------------------------------------------------------------------

    def score(self, candidates: list[Candidate], analysis: Analysis, query: str) -> list[Candidate]:
        """Relevance of each candidate to the question (meaning, words, aspect, answer type, names), best first."""
        if not candidates:
            return []
        for c, s in zip(candidates, self.ranker.run(self.features(candidates, analysis, query)), strict=True):
            c.score = float(s)
        return sorted(candidates, key=lambda c: -c.score)

    def features(self, candidates: list[Candidate], analysis: Analysis, query: str) -> np.ndarray:
        """The ranker's feature rows of the candidates (``STATEMENT_FEATURES``); sets each one's words,
        similarity and relevance before bonuses on the way."""
        q_terms = set(content_terms(query))
        idf = self.retriever.idf
        weight = sum(idf.get(t, 1.0) for t in q_terms) or 1.0
        q_vec = self.retriever.vectors.embed([query])[0]
        semantic = self.retriever.vectors.embed([c.lead for c in candidates]) @ q_vec
        aspect_patterns = [p for a in analysis.aspects if (p := self.profile.aspect_pattern(a))]
        # "the case study", "the literature review": a question may name the kind of evidence it wants.
        q_low = analysis.question.lower()
        kinds = {r.kind for r in self.profile.evidence_labels.rules if r.section and r.section.lower() in q_low}
        rows = []
        for c, sim in zip(candidates, np.asarray(semantic), strict=True):
            # A card fact repeats its practice's name: only what it says about the practice counts as its words.
            c.terms = set(content_terms(c.lead if c.kind == "card_fact" else c.text))
            lexical = sum(idf.get(t, 1.0) for t in q_terms & c.terms) / weight
            c.similarity = float(sim)
            rows.append(feature_row(self._inputs(c, analysis, lexical, aspect_patterns, kinds), analysis))
        features = np.asarray(rows, dtype=float)
        # Before any bonus: whether the corpus answers at all is judged on this (the answerability model's input).
        for c, relevance in zip(candidates, relevance_before_bonuses(features, self.config), strict=True):
            c.relevance = float(relevance)
        return features

    def _inputs(
        self, c: Candidate, analysis: Analysis, lexical: float, aspect_patterns: list[re.Pattern[str]], kinds: set[str]
    ) -> StatementInputs:
        """What the ranker's features of one candidate are measured from."""
        asked = set(analysis.practices)
        fits_type = (
            (analysis.answer_type == "figure" and self._gives_figure(c, analysis.measure, analysis.measured))
            or (analysis.answer_type == "practices" and bool(c.codes or c.kind == "card_fact"))
            or (analysis.answer_type == "list" and c.kind in {"list", "table_row"})
        )
        return StatementInputs(
            similarity=c.similarity,
            word_overlap=lexical,
            rank=c.rank,
            about_aspect=bool(aspect_patterns) and any(p.search(c.text) for p in aspect_patterns),
            evidence_kind_asked=c.evidence in kinds,
            asked_practice=bool(asked and set(c.codes) & asked),
            other_practice=bool(asked and c.codes and not set(c.codes) & asked),
            answer_type_fits=fits_type,
            country_fit=self._country_fit(c, analysis),
            group_fit=self._group_fit(c, analysis),
            kind=c.kind,
            source_type=c.chunk.source_type,
            words=len(c.quote.split()),
            has_number=bool(re.search(r"\d", c.quote)),
            passage_relevance=c.passage_relevance,
        )

    def _country_fit(self, c: Candidate, analysis: Analysis) -> int:
        """+1 for a statement about the country asked for, -1 for a practice elsewhere, 0 otherwise."""
        if not analysis.countries:
            return 0
        prefixes = {k.code for k in self.profile.countries if k.name in analysis.countries}
        if c.codes:
            return 1 if any(code[:2] in prefixes for code in c.codes) else -1
        names = [n.lower() for k in self.profile.countries if k.name in analysis.countries for n in k.names()]
        return 1 if any(n in c.text.lower() for n in names) else 0

    def _group_fit(self, c: Candidate, analysis: Analysis) -> int:
        """+1 for a card fact of a practice serving the group asked for, -1 for one that does not, 0 otherwise."""
        if not (analysis.target_groups and c.kind == "card_fact" and c.codes and c.codes[0] in self.cards):
            return 0
        return 1 if set(self.cards[c.codes[0]].target_groups) & set(analysis.target_groups) else -1

    def missing_names(self, analysis: Analysis, passages: list[Passage]) -> list[str]:
        """Names in the question that no passage mentions (none for another language, where every noun is capitalised)."""
        if analysis.language != "English":
            return []
        return names_not_in(analysis.question, passages, self.profile, self.retriever.common_words)

    def evidence(
        self,
        analysis: Analysis,
        query: str,
        scored: list[Candidate],
        passages: list[Passage],
        missing: list[str] | None = None,
        parts: list[ScoredPart] | None = None,
    ) -> Evidence:
        """What answerability is judged on: how close and how complete the best evidence is, and what it never names.

        ``missing``: the names no passage mentions, and ``parts``: the question's parts scored, when the caller has them.
        """
        idf = self.retriever.idf
        q_terms = set(content_terms(query))
        weight = sum(idf.get(t, 1.0) for t in q_terms) or 1.0
        # Judged on relevance before bonuses, not on the ranker's order: whether the corpus answers does not
        # depend on which ranker lays the answer out (and one answerability model serves both).
        scored = sorted(scored, key=lambda c: -c.relevance)
        top = scored[:5]
        # A statement about a practice covers its code, named or not ("DK2" of a follow-up's carried topic).
        best_terms = set().union(*(c.terms | set(content_terms(" ".join(c.codes))) for c in top)) if top else set()
        passage_terms = set(
            content_terms(" ".join(p.chunk.context_text() + " " + " ".join(p.chunk.practice_codes) for p in passages))
        )
        content = lookup_words(analysis.question)  # as ``Assistant.unknown_words`` finds them
        if missing is None:
            missing = self.missing_names(analysis, passages)
        relevance = sorted((c.relevance for c in scored), reverse=True)
        # A question whose most specific word the best statements lack is likely asking something else. A word the
        # corpus never uses is as specific as it is influential: "Canada" carries "Which practices from Canada …",
        # "barely" carries little of a long situational question. Stems the index lacks are skipped: stemming makes
        # "GPs" one, though the corpus knows "GP" (the analysis's unknown words are checked word by word).
        top_idf = max(idf.values(), default=1.0)
        uncovered = [idf[t] for t in q_terms - best_terms if t in idf]
        return Evidence(
            best_relevance=relevance[0] if relevance else 0.0,
            top3_relevance=float(np.mean(relevance[:3])) if relevance else 0.0,
            best_similarity=max((c.similarity for c in scored), default=0.0),
            coverage=sum(idf.get(t, 1.0) for t in q_terms & best_terms) / weight,
            passage_coverage=sum(idf.get(t, 1.0) for t in q_terms & passage_terms) / weight,
            unknown_word_share=len(analysis.unknown_words) / (len(content) + 2),  # smoothed: short questions vary less
            uncovered_specificity=unknown_specificity(analysis.unknown_meaning)
            if analysis.unknown_influence
            else max(uncovered, default=0.0) / top_idf,
            names_unknown=len(analysis.unknown_names),
            names_missing=len(missing),
            figure_missing=self._figures_missing(
                analysis, scored, self.score_parts(analysis, scored) if parts is None else parts
            ),
            words=len(analysis.question.split()),
            follow_up=analysis.follow_up,
        )

    def _figures_missing(self, analysis: Analysis, scored: list[Candidate], parts: list[ScoredPart]) -> bool:
        """A figure is asked and the best statements give none of its kind. A question in several parts is answered part
        by part (a part's missing figure gets its own note) unless every part asks a figure none of them gives."""
        if not parts:
            return (
                analysis.answer_type in {"figure", "compare"}
                and bool(analysis.measure)
                and not self._has_figure(scored, analysis.measure, analysis, by_relevance=True, measured=analysis.measured)
            )
        return all(p.part.measure for p in parts) and not any(
            self._has_figure(p.scored, p.part.measure, analysis, by_relevance=True, measured=p.part.measured) for p in parts
        )

    def score_parts(self, analysis: Analysis, scored: list[Candidate]) -> list[ScoredPart]:
        """Each part of a question in several parts with the candidates rescored against it (none for one part)."""
        if len(analysis.parts) < 2:
            return []
        out = []
        for part in analysis.parts:
            of_part = _for_part(analysis, part, self.profile)
            out.append(ScoredPart(part, of_part, self._rescored(scored, of_part, part.text)))
        return out

    def _refusal(self, analysis: Analysis, missing: list[str], figure_missing: bool = False) -> str:
        """The sentence declining a question the evidence does not answer, naming what the corpus lacks where it can
        (else, when a figure was asked and none of its kind is in the best statements, saying so)."""
        # Only words that carry the question are named as the reason ("do not mention Check" misleads): each that
        # does alone, else all of them when together they do ("brew, craft, beer").
        every = [*asked_names(analysis), *analysis.unknown_words]
        unknown = [w for w in every if unknown_specificity(analysis.unknown_influence.get(w, 1.0)) >= 0.5]
        if not unknown and unknown_specificity(analysis.unknown_meaning) >= 0.5:
            unknown = every
        if unknown:
            return refusal("unknown_names", names=", ".join(unknown[:MAX_NAMES_SHOWN]))
        # Names no passage mentions, likewise: only when together they carry the question (measured only here, when
        # refusing: answered questions need no such embedding).
        if missing and unknown_specificity(influence(analysis.question, missing, self.retriever.vectors.embed)[1]) >= 0.5:
            return refusal("names_not_in_evidence", names=", ".join(missing[:MAX_NAMES_SHOWN]))
        return refusal("no_figure" if figure_missing else "not_answered")

    def answers(self, evidence: Evidence) -> bool:
        """Whether the evidence answers the question: the fitted model, else the relevance floor alone."""
        if self.answerability is None:
            return evidence.best_relevance >= self.config.support_threshold
        return self.answerability.answers(evidence)

    def about_aspect(self, c: Candidate, analysis: Analysis) -> bool:
        """A statement shown under an aspect must be about it (its words, or the card field that records it)."""
        if not analysis.aspects:
            return True
        fields = {self.profile.aspects[a].card_field for a in analysis.aspects}
        if c.kind == "card_fact" and any(f and self.builder.card_labels.get(f, "") in c.text for f in fields):
            return True
        return any((p := self.profile.aspect_pattern(a)) and p.search(c.text) for a in analysis.aspects)

    # ---- layouts ----------------------------------------------------------------------------

    def compose(self, analysis: Analysis, query: str, passages: list[Passage]) -> Draft:
        """The draft for the analysed question; the passages it adds (tables, cards, recommendations) are ``draft.added``."""
        pool = self.gather(analysis, query, passages)
        scored = self.score(self.candidates(pool.passages, analysis), analysis, query)
        missing = self.missing_names(analysis, pool.passages)
        parts = self.score_parts(analysis, scored)
        evidence = self.evidence(analysis, query, scored, pool.passages, missing, parts) if scored else None
        if evidence is None or (self.judge_answerability and not self.answers(evidence)):
            # The evidence decided; what the corpus never mentions is then the likeliest reason, so it is named.
            features = evidence.as_dict() if evidence else None
            declined = self._refusal(analysis, missing, bool(evidence and evidence.figure_missing))
            return Draft(supported=False, refusal=declined, added=pool.added, evidence=features)
        if self.judge_answerability and evidence.figure_missing:
            return Draft(supported=False, refusal=refusal("no_figure"), added=pool.added, evidence=evidence.as_dict())
        if (
            self.judge_answerability
            and not parts
            and analysis.asked_name
            and not self._has_name(scored, analysis.asked_name, analysis)
        ):
            declined = refusal("no_name", kind=analysis.asked_name)
            return Draft(supported=False, refusal=declined, added=pool.added, evidence=evidence.as_dict())
        lacking = self._lacking_figures(analysis, parts)
        unnamed = [p for p in parts if p.part.asked_name and not self._has_name(p.scored, p.part.asked_name, analysis)]
        if self.judge_answerability and parts and self._no_part_answered(parts, lacking + unnamed, pool.passages):
            # No part is answered: declined as a whole, as a question in one part is.
            declined = refusal("no_figure") if len(lacking) == len(parts) else self._refusal(analysis, missing)
            return Draft(supported=False, refusal=declined, added=pool.added, evidence=evidence.as_dict())
        if analysis.route == "recommend":
            draft = self._recommendation(analysis, scored)
        else:
            draft = self._evidence(analysis, scored, parts)
        draft.evidence = evidence.as_dict()
        draft.notes += [refusal("no_figure_for", part=p.part.text.rstrip("?. ")) for p in lacking]
        draft.notes += [refusal("no_name_for", kind=p.part.asked_name, part=p.part.text.rstrip("?. ")) for p in unnamed]
        # Sources differ: a note citing both sides where a claim cites one, first when the question asks whether they agree.
        notes = self.differences.claims([c.quote or "" for c in draft.claims], analysis.question)
        draft.claims = [*notes, *draft.claims] if asks_agreement(analysis.question) else [*draft.claims, *notes]
        for claim in draft.claims:  # every passage a claim rests on is among the answer's passages
            for source in claim.sources:
                pool.add(self.retriever.chunks_by_id.get(source), "claim_sources")
        draft.added = pool.added
        return draft

    def gather(self, analysis: Analysis, query: str, passages: list[Passage]) -> PassagePool:
        """The retrieved passages and those the question's route adds (recommendations, the barriers table, cards)."""
        pool = PassagePool(list(passages))
        if analysis.route == "recommend":
            self._add_recommendations(analysis, pool)
        if analysis.route == "recommend" or self._asks_barriers(analysis):
            pool.add(self._barriers_chunk(), "barriers_table")
        if asks_agreement(analysis.question):
            self._add_each_document(query, pool)
        if analysis.practices:
            self._add_cards(analysis.practices, pool)
        elif analysis.route in {"recommend", "practices"}:
            self._add_matching_cards(analysis, query, pool)
            if analysis.route == "practices":  # the report's own count of what the cards are asked for (its Table 7 …)
                for fld in self.recorded_values(analysis):
                    spec = self.profile.report_counts.get(fld)
                    pool.add(self._table_chunk(spec.table) if spec else None, "report_count")
        return pool

    def _gives_figure(self, c: Candidate, measure: str, measured: str) -> bool:
        """Whether the statement holds the figure asked for (``gives_figure``), of what the question measures."""
        return gives_figure(c.quote, measure, self.profile, measured, c.described_by)

    def _has_figure(
        self, scored: list[Candidate], measure: str, analysis: Analysis, by_relevance: bool = False, measured: str = ""
    ) -> bool:
        """Whether one of the best statements (by score, or by relevance before bonuses) holds the kind of figure asked for.

        Asked of named practices, a figure about other practices only ("two case managers" of BE1) does not count,
        and their cards' facts on the asked aspect count wherever they rank (the card records the asked thing). Asked
        of a country or of practices in one, a figure about other countries only does not count either ("£30 a month"
        of a British pilot does not say what Catalonia's pilots cost).
        """
        window = self.config.figure_window_measured if measured else self.config.figure_window
        asked = set(analysis.practices)
        where = set(analysis.countries) | self._countries_coded(asked)
        fields = {f for a in analysis.aspects if (f := self.profile.aspects[a].card_field)}
        best = self._best(scored, window, by_relevance)
        recorded = [c for c in scored if asked & set(c.codes) and self._field_of(c) in fields]
        return any(
            self._gives_figure(c, measure, measured)
            and not (asked and c.codes and asked.isdisjoint(c.codes))
            and not (where and (said := self._countries_of(c)) and said.isdisjoint(where))
            for c in [*best, *recorded]
        )

    def _best(self, scored: list[Candidate], window: int, by_relevance: bool) -> list[Candidate]:
        """The best ``window`` statements that clear the floor: by relevance before bonuses (what the corpus holds,
        whichever ranker lays the answer out), or by the ranker's score (what the answer shows)."""
        if by_relevance:
            ranked = sorted(scored, key=lambda c: -c.relevance)
            floor = ranked[0].relevance * self.config.keep_ratio if ranked else 0.0
            return [c for c in ranked[:window] if c.relevance >= floor]
        floor = scored[0].score * self.ranker.keep_ratio if scored else 0.0
        return [c for c in scored[:window] if c.score >= floor]

    def _countries_of(self, c: Candidate) -> set[str]:
        """The countries a statement speaks of: those it names, its section's and its practices' (by their codes)."""
        return set(self.profile.countries_in(" ".join([c.text, c.about]))) | self._countries_coded(c.codes)

    def _countries_coded(self, codes: Iterable[str]) -> set[str]:
        """The countries of practice codes ("GB1" -> United Kingdom): a code's first two letters are its country's."""
        return {k.name for k in self.profile.countries for code in codes if code[:2] == k.code}

    def _has_name(self, scored: list[Candidate], kind: str, analysis: Analysis) -> bool:
        """Whether one of the best statements (by relevance before bonuses, as for a figure) names something of the kind
        asked (``gives_name``) that the conversation does not already give: not the question's, its topic's or the
        asked practices' own names ("Curcubeu" is no answer to "which foundation co-funds the Curcubeu centre?")."""
        best = self._best(scored, self.config.figure_window, by_relevance=True)
        practices = [self.cards[code] for code in analysis.practices if code in self.cards]
        given = " ".join([analysis.question, analysis.topic, *(f"{p.title} {' '.join(p.other_names)}" for p in practices)])
        return any(gives_name(c.quote, kind, given, self.profile) for c in best)

    def _lacking_figures(self, analysis: Analysis, parts: list[ScoredPart]) -> list[ScoredPart]:
        """The parts that ask a figure the documents do not give (each judged on its own candidates); each gets a note."""
        return [
            p for p in parts
            if p.part.measure and not self._has_figure(p.scored, p.part.measure, analysis, measured=p.part.measured)
        ]  # fmt: skip

    def _no_part_answered(self, parts: list[ScoredPart], lacking: list[ScoredPart], passages: list[Passage]) -> bool:
        """Whether no part of a question in several parts is answered: each part lacks the figure it asks or, judged as a
        question of its own, its evidence does not answer it.

        Only the whole is declined by this: on a short part alone ("where does its money come from?") the model
        refused parts the documents answer (8 of the development sets' 25 such notes, measured 2026-12-07), so no part
        of an answered question is declined by it.
        """
        return all(p in lacking or not self.answers(self._part_evidence(p, passages)) for p in parts)

    def _part_evidence(self, p: ScoredPart, passages: list[Passage]) -> Evidence:
        """The evidence of one part, measured as a question of its own: its own unknown words, weighed in it."""
        text = p.analysis.question
        names = [n for n in p.analysis.unknown_names if has_word(text, n, ignore_case=True)]
        words = [w for w in p.analysis.unknown_words if has_word(text, w, ignore_case=True)]
        weights, meaning = influence(text, [*names, *words], self.retriever.vectors.embed)
        update = {"unknown_names": names, "unknown_words": words, "unknown_influence": weights, "unknown_meaning": meaning}
        return self.evidence(p.analysis.model_copy(update=update), text, p.scored, passages, parts=[])

    def _rescored(self, scored: list[Candidate], analysis: Analysis, query: str) -> list[Candidate]:
        """Copies of the candidates scored against another question (a part of it): the whole question's scores
        stay as they are for the rest of the answer."""
        return self.score([copy(c) for c in scored], analysis, query)

    def _fits_filters(self, c: Candidate, analysis: Analysis) -> bool:
        """For "which practices …": a practice statement must be about a practice of the asked country and group."""
        if not c.codes:
            return c.kind != "card_fact"
        cards = [self.cards[code] for code in c.codes if code in self.cards]
        if analysis.countries and not any(card.country in analysis.countries for card in cards):
            return False
        return not (analysis.target_groups and not any(set(card.target_groups) & set(analysis.target_groups) for card in cards))

    def _field_of(self, c: Candidate) -> str:
        """The card field a card fact states ("" for other candidates)."""
        return c.card_field if c.kind == "card_fact" else ""

    def one_per_practice(self, facts: list[Candidate], analysis: Analysis, n: int) -> list[Candidate]:
        """The best fact of each practice, in order: the asked aspect's card field first, else what the practice is."""
        asked = [f for a in analysis.aspects if (f := self.profile.aspects[a].card_field)]
        wanted = asked or ["summary"]
        chosen: dict[str, Candidate] = {}
        for c in facts:
            if asked and c.kind == "card_fact" and self._field_of(c) not in asked:
                continue  # a card silent on the asked field is named in the notes, not padded with another fact
            if asked and c.kind != "card_fact" and not self.about_aspect(c, analysis):
                continue
            code = c.codes[0]
            current = chosen.get(code)
            better = current is None or (self._field_of(c) in wanted and self._field_of(current) not in wanted)
            if better and (current is not None or len(chosen) < n):
                chosen[code] = c
        return list(chosen.values())

    def _recorded_facts(self, scored: list[Candidate], analysis: Analysis) -> list[Candidate]:
        """The named practices' card facts on the asked aspects, one a practice (none when no practice is named or no
        aspect is asked)."""
        if not (analysis.practices and analysis.aspects):
            return []
        facts = [c for c in scored if c.kind == "card_fact" and set(c.codes) & set(analysis.practices)]
        return self.one_per_practice(facts, analysis, len(analysis.practices))

    def _bottom_line(self, analysis: Analysis, scored: list[Candidate]) -> list[Candidate]:
        if analysis.route == "practices" and not analysis.practices and (analysis.countries or analysis.target_groups):
            fitting = [c for c in scored if c.codes and self._fits_filters(c, analysis)]
            scored = fitting or scored
        best = scored[0]
        floor = best.score * self.ranker.keep_ratio
        about = [c for c in scored if self.about_aspect(c, analysis)] or scored
        if facts := self._recorded_facts(scored, analysis):
            return facts  # a question on named practices is answered from their cards first
        if analysis.route == "practices" and not analysis.practices:
            # One line per practice: the report's own sentence about it, or its card's fact, whichever fits best.
            about_one = [c for c in scored if len(set(c.codes)) == 1 and c.kind != "table_row"]
            if about_one:
                return self.one_per_practice(about_one, analysis, self.config.practices)
        if best.kind == "table_row" and best.table is not None:
            return [c for c in about if c.table is best.table and c.score >= floor][: self.config.table_rows]
        if analysis.answer_type == "figure":
            # The asked figure leads, even when a sentence without it is closer to the question's words.
            # A statement on the asked aspect gives it where one does; else any statement does ("How many Danish
            # municipalities … after the reform?": the sentence with the counts does not speak of governance).
            giving = [c for c in scored if self._gives_figure(c, analysis.measure, analysis.measured)]
            on_aspect = {id(c) for c in about}
            figures = [c for c in giving if id(c) in on_aspect] or giving
            about = figures + [c for c in about if c not in figures]
        if asks_agreement(analysis.question):
            # Asked whether the documents agree, each one's closest statement is shown, however far below the best
            # it scores: what each document says is what was asked (and one saying little on it is part of the answer).
            return self._both_sides(analysis, about, floor, side_floor=0.0)
        if analysis.answer_type == "compare":
            # Two rows of a table that counts them ("pooled versus single-agency funding") compare in the whole table.
            sides = self._both_sides(analysis, about, floor, others=scored)
            return sides + self._counting_table(analysis, sides, scored, floor)
        chosen = pick(about, self.config.bottom_line, [], floor, overlap=self.config.duplicate_overlap)
        return chosen + self._counting_table(analysis, chosen, scored, floor)

    @staticmethod
    def _counting_table(analysis: Analysis, chosen: list[Candidate], scored: list[Candidate], floor: float) -> list[Candidate]:
        """The rows of a relevant counting table, shown whole (by ``_claims``) beside the sentences that read it.

        "20 practices pooled their budgets" does not say whether that is most of them: the table does. A table
        is added, however its rows score, when a leading statement reads it or sits in the section presenting it;
        or when the question asks for a share, a count or a breakdown and one of its rows is relevant enough.
        """
        if not chosen or any(c.kind == "table_row" for c in chosen):
            return []
        rows = [c for c in scored if c.kind == "table_row" and c.table is not None and c.table.count_column() is not None]
        # The bottom line and the best statement overall (a figure question leads with a figure, which may come
        # from another document than the sentence reading the table).
        leading = [*chosen, scored[0]]
        tables = {id(c.table): c.table for c in rows if c.table is not None}
        read = {key for key, table in tables.items() if any(_reads(table, s.quote) for s in leading)}
        presented = [c for c in rows if id(c.table) in read or any(c.chunk.section.startswith(s.chunk.section) for s in leading)]
        asks_distribution = analysis.answer_type == "list" or (
            analysis.answer_type == "figure" and analysis.measure in {"share", "count"}
        )
        rows = presented or ([c for c in rows if c.score >= floor] if asks_distribution else [])
        if not rows:
            return []
        # The table is shown whole; the rows returned are the ones marked as asked: its best, and any as relevant.
        same = [c for c in rows if c.table is rows[0].table]
        return [c for c in same if c is same[0] or c.score >= floor]

    def _side(self, c: Candidate, analysis: Analysis, compared: tuple[set[str], set[str]] | None) -> str:
        """Which side of a comparison a statement speaks for: a named country or practice, a thing the question
        compares (``compared``: each thing's own words), else its source.

        Asked whether the sources agree, the sides are the documents (a practice card speaks for the report it
        was drawn from), so each document's own statement is shown, not two of the one that ranks higher.
        """
        if asks_agreement(analysis.question):
            return c.chunk.source_type if c.chunk.source_type in {"paper", "user_document"} else "report"
        if len(analysis.practices) >= 2:
            return next((code for code in c.codes if code in analysis.practices), "")
        if len(analysis.countries) >= 2:
            # A statement speaks for a country it names, the country its section is about ("France: Coordination
            # policies have been implemented since the 1980s …") or the country of the practice it states a fact of.
            spoken = self._countries_of(c)
            return next((country for country in analysis.countries if country in spoken), "")
        if compared:
            # The side whose own words the statement uses ("New Public Management" or "co-production"), none if both.
            hits = [len(side & c.terms) for side in compared]
            return "" if hits[0] == hits[1] else str(hits.index(max(hits)))
        return f"{c.chunk.source_type}/{c.evidence}"

    def _compared_terms(self, question: str) -> tuple[set[str], set[str]] | None:
        """The words of each thing a comparison question compares that the other lacks; None when it compares none,
        or two kinds of evidence ("the literature and the practices": then each statement's own kind is its side)."""
        sides = compared_sides(question)
        if sides is None:
            return None
        kinds = {r.kind.replace("_", " ") for r in self.profile.evidence_labels.rules} | set(self.profile.source_mentions.nouns)
        if all(any(k in side.lower() for k in kinds) for side in sides):
            return None
        first, second = (set(content_terms(side)) for side in sides)
        own = (first - second, second - first)
        return own if all(own) else None

    def _both_sides(
        self,
        analysis: Analysis,
        about: list[Candidate],
        floor: float,
        side_floor: float | None = None,
        others: list[Candidate] | None = None,
    ) -> list[Candidate]:
        """The best statement for each side of the comparison (the best sides first), then the next best.

        ``side_floor``: the score a side's best statement needs (default: ``floor``, as any statement shown).
        ``others``: statements off the asked aspect, where a side none of ``about`` speaks for finds its best.
        """
        side_floor = floor if side_floor is None else side_floor
        best: dict[str, Candidate] = {}
        compared = self._compared_terms(analysis.question)
        for c in [*about, *(c for c in others or [] if c not in about)]:
            side = self._side(c, analysis, compared)
            if side and side not in best and c.score >= side_floor:
                best[side] = c
        chosen = pick(list(best.values()), self.config.bottom_line, [], overlap=self.config.duplicate_overlap)
        return chosen + pick(about, self.config.bottom_line - len(chosen), chosen, floor, overlap=self.config.duplicate_overlap)

    def _evidence(self, analysis: Analysis, scored: list[Candidate], parts: list[ScoredPart] | None = None) -> Draft:
        """The evidence layout: a bottom line (or the parts, a practice list, the barriers table), then supporting
        statements grouped by kind of evidence. ``parts``: the question's parts scored, when the caller has them."""
        cfg = self.config
        claims: list[DraftClaim] = []
        rows = self._barrier_rows(analysis, scored) if self._asks_barriers(analysis) else []
        # A user's unreviewed document never leads: it is shown after the curated evidence, as what it says. Curated
        # statements far below it are not promoted to the bottom line in its place (then the answer is the document's):
        # "far below" is judged on relevance before bonuses with the hand-set share, which no ranker's scale changes.
        reviewed = [c for c in scored if c.chunk.source_type != "user_document"]
        lead = self._bottom_line(analysis, reviewed) if reviewed else []
        if scored[0].chunk.source_type == "user_document":
            lead_floor = scored[0].relevance * cfg.keep_ratio
            # (A counting table's rows stay whatever they score: the bottom line chose the table for its sentence.)
            lead = [c for c in lead if c.relevance >= lead_floor or c.kind == "table_row"]
        bottom = lead
        if rows and not (bottom and bottom[0].kind == "card_fact"):
            bottom, rows = rows, []  # the barriers-and-facilitators table is the bottom line
        # "Which practices …" with values the cards record: the complete list from the cards is the answer.
        listed = self._practice_list(analysis, scored) if analysis.route == "practices" and not analysis.practices else None
        if listed is not None:
            bottom = []
            claims += listed[0]
        elif len(analysis.parts) >= 2 and not rows and not asks_agreement(analysis.question):
            # (Asked whether the sources agree, "do they agree?" is no part of its own: both sides answer the whole.)
            # A question in several parts: each part is answered under its own line, not the whole by its first part.
            scored_parts = self.score_parts(analysis, scored) if parts is None else parts
            part_claims, bottom = self._part_answers(scored_parts, curated_only=bool(reviewed))
            claims += part_claims
        else:
            claims += self._claims(bottom, "In short")
        claims += self._claims(rows, self.profile.answer_text.barriers_table_heading)
        floor = scored[0].score * self.ranker.keep_ratio
        # Supporting evidence is any statement the ranker puts above the floor (it weighs the asked aspect itself).
        # Limited to statements on the aspect or as close as the best one, answers lost what a situational question
        # needed beside its aspect (measured 2026-12-07: training 659 -> 663, development D-J 494 -> 504, no losses).
        rest = [c for c in scored if c.kind != "table_row"]
        if analysis.route == "practices" and not analysis.practices:
            rest = [c for c in rest if self._fits_filters(c, analysis)]
        if listed is not None:
            # The list gives each practice's fact of the asked fields. Another card fact is shown only when it scores above
            # them all: the question then asks beyond the listed values ("Is there a practice that brought the young
            # people in from the start?"), not only which practices record them.
            fields = set(self.recorded_values(analysis))
            best_listed = max((c.score for c in scored if self._field_of(c) in fields), default=0.0)
            rest = [c for c in rest if c.kind != "card_fact" or (self._field_of(c) not in fields and c.score > best_listed)]
        rest = closest_first(rest, bottom, floor)
        budget = CitationBudget.beyond(claims, self.retriever.chunks_by_id, cfg.supporting_citations)
        support = pick(rest, cfg.supporting, bottom, floor, overlap=self.config.duplicate_overlap, budget=budget)
        for c in sorted(support, key=lambda c: self._group_order(c.evidence)):
            claims.append(c.claim(self._group_heading(c)))
        if listed is not None:
            notes = [*listed[1], *self._notes(analysis, [*bottom, *support])]
            return Draft(claims=claims, notes=notes)
        if analysis.route == "practices" or analysis.answer_type == "practices":
            claims += self._practice_lines(analysis, scored, [*bottom, *support])
        return Draft(claims=claims, notes=self._notes(analysis, [*bottom, *support]))

    def recorded_values(self, analysis: Analysis) -> dict[str, list[str]]:
        """The card-field values a question asks practices to have ("older people", "one-stop shop", "pooled")."""
        asked = {"target_groups": analysis.target_groups, "sectors": analysis.sectors}
        for fld in ("delivery_models", "funding"):
            asked[fld] = self.profile.detect(fld, analysis.question)
        return {f: v for f, v in asked.items() if v}

    def _practice_list(self, analysis: Analysis, scored: list[Candidate]) -> tuple[list[DraftClaim], list[str]] | None:
        """Every card recording what a "which practices …" question asks, each with the card's source quote.

        The cards, not the passages that happen to be retrieved, say which practices record a value; a
        practice the sources only list in a table is named in a note, not listed among the described ones.
        Where the report counts the value for all its practices (profile ``report_counts``), its table comes
        first, the asked row marked: the report names only some of the practices it counts, so the list of
        named practices is shorter than its count, and the answer says so rather than contradict it.
        """
        asked = self.recorded_values(analysis)
        if not asked:
            return None
        matching = [
            card for card in self.cards.values()
            if all(set(getattr(card, f)) & set(values) for f, values in asked.items())
            and (not analysis.countries or card.country in analysis.countries)
        ]  # fmt: skip
        described = [c for c in matching if c.title and c.summary]
        if not described:
            return None
        first = next(iter(asked))
        labels = " and ".join(", ".join(self.profile.label(f, v) for v in vs) for f, vs in asked.items())
        counted = self._report_count_rows(asked, scored) if len(asked) == 1 else []
        claims = self._claims(counted, self.profile.answer_text.report_count_heading) if counted else []
        heading = f"{len(described)} of {len(self.cards)} practices record {labels}"
        if counted:
            heading = f"The {len(described)} practices the sources name with {labels}"
        shown, further = self._closest(described, f"{analysis.question} {analysis.topic}".strip())
        if further:
            heading += f": the {len(shown)} closest to the question"
        for card in shown:
            chunk = self.retriever.chunk_of_card(card.code)
            if chunk is None:
                continue
            facts = {self._field_of(f): f for f in self.builder.card_facts(card, chunk, analysis, 0)}
            fact = facts.get(first) or next((facts[f] for f in asked if f in facts), None) or facts.get("summary")
            if fact is not None:
                claims.append(fact.claim(heading))
        notes = []
        if counted:
            notes.append(
                "The report counts these practices in its table above but names only some of them; the list gives those "
                "the sources name, from the practice cards."
            )
        if further:
            named = "; ".join(f"{c.code} {c.title} ({c.country})" for c in further)
            notes.append(f"Also recording {labels}, further from what the question describes: {named}.")
        listed_only = sorted(c.code for c in matching if c not in described)
        if listed_only:
            notes.append(
                f"Also recorded for {', '.join(listed_only)}, which the sources list only in their tables, without a description."
            )
        return (claims, notes) if claims else None

    def _closest(self, cards: list[PracticeCard], question: str) -> tuple[list[PracticeCard], list[PracticeCard]]:
        """The cards a list shows with their quotes, closest to the question first, and the further ones it only names.

        A list of up to ``finder.max_shown`` practices is shown whole. A longer one comes from a question that names a
        broad value and describes more ("which practice let GPs prescribe home improvements?" records "health", as 21
        practices do): the practices close to the question are shown and the rest only named. Closeness and its floor
        are the practice finder's description search (``finder.relevance_floor``), measured on
        ``evals/finder_situations*.jsonl``."""
        close = self.finder.closeness(question, [c.code for c in cards])
        ordered = sorted(cards, key=lambda c: (-close.get(c.code, 0.0), c.code))
        floor, most = self.settings.finder.relevance_floor, self.settings.finder.max_shown
        if len(ordered) <= most:
            return ordered, []
        shown = [c for c in ordered if close.get(c.code, 0.0) >= floor][:most] or ordered[:most]
        return shown, [c for c in ordered if c not in shown]

    def _report_count_rows(self, asked: dict[str, list[str]], scored: list[Candidate]) -> list[Candidate]:
        """The rows of the report's own count (profile ``report_counts``) that count an asked card value."""
        rows = []
        for fld, values in asked.items():
            spec = self.profile.report_counts.get(fld)
            if spec is None:
                continue
            rows += [
                c for c in scored
                if c.kind == "table_row" and c.table is not None and c.table.id == spec.table and c.row
                and spec.value_of(c.row[0]) in values
            ]  # fmt: skip
        return rows

    def _recommendation(self, analysis: Analysis, scored: list[Candidate]) -> Draft:
        cfg = self.config
        audiences = analysis.audiences or self.profile.default_audiences
        recs = [
            c for c in scored
            if c.kind == "recommendation" and c.audience in audiences and c.chunk.source_type != "user_document"
        ]  # fmt: skip
        floor = scored[0].score * self.ranker.keep_ratio
        if analysis.answer_type == "list" and not analysis.aspects:
            chosen = sorted(recs, key=lambda c: (audiences.index(c.audience), c.chunk.char_start, c.quote))
        else:
            # A recommendation is shown as any statement is: not far below the best evidence. The report's
            # recommendations are added to every design question's passages; most are about something else.
            chosen = pick(recs, cfg.recommendations, [], floor, overlap=self.config.duplicate_overlap)
            if not chosen:  # none speaks to the question: the evidence answers it, as any other question
                return self._evidence(analysis, scored)
        claims: list[DraftClaim] = []
        for c in chosen:
            label = next((a.label for a in self.profile.audiences if a.name == c.audience), c.audience.lower())
            claims.append(c.claim(f"What the report recommends ({label})"))
        if analysis.answer_type == "list" and not analysis.aspects and chosen:
            return Draft(claims=claims)  # "what does the report recommend to …": its recommendations, nothing else
        claims += self._claims(self._barrier_rows(analysis, scored), self.profile.answer_text.barriers_table_heading)
        # Any statement of the evidence supports the recommendations, as in any answer: limited to those on the asked
        # aspect, the literature's "appoint an independent chair" was left out of a question on leadership set-ups.
        rest = [c for c in scored if c.kind not in {"recommendation", "table_row", "card_fact"}]
        budget = CitationBudget.beyond(claims, self.retriever.chunks_by_id, cfg.supporting_citations)
        support = pick(rest, cfg.supporting, chosen, floor, overlap=self.config.duplicate_overlap, budget=budget)
        for c in sorted(support, key=lambda c: self._group_order(c.evidence)):
            claims.append(c.claim(self._group_heading(c)))
        claims += self._practice_lines(analysis, scored, [*chosen, *support])
        if not claims:
            return Draft(supported=False, refusal=refusal("not_answered"))
        return Draft(claims=claims, notes=self._notes(analysis, [*chosen, *support]))

    def _barriers_table(self) -> str:
        """The table whose first column names the elements the aspects' ``table_rows`` refer to."""
        wanted = {r for a in self.profile.aspects.values() for r in a.table_rows}
        return next((t.id for t in self.builder.tables.values() if wanted & {row[0] for row in t.rows if row}), "")

    def _part_answers(self, parts: list[ScoredPart], curated_only: bool) -> tuple[list[DraftClaim], list[Candidate]]:
        """For each part of the question, its best statements (rescored against the part alone) under the part's text.
        ``curated_only``: a user's unreviewed document is left out (it never leads)."""
        claims: list[DraftClaim] = []
        taken: list[Candidate] = []
        for p in parts:
            part = p.part
            rescored = [c for c in p.scored if not curated_only or c.chunk.source_type != "user_document"]
            if part.measure:  # the asked figure leads, as in a one-part figure question
                rescored = sorted(rescored, key=lambda c: not self._gives_figure(c, part.measure, part.measured))
            floor = max(c.score for c in rescored) * self.ranker.keep_ratio
            fresh = [c for c in rescored if all(c.quote != t.quote for t in taken)]
            # A part asking named practices about what their cards record leads with those facts, whatever they score,
            # as a question in one part does ("Which code does DE2 have in the paper?": its paper reference).
            first = self._recorded_facts(fresh, p.analysis)[: self.config.statements_per_part]
            # The statement closest to the part itself is among its statements: the ranker, learned on whole questions,
            # put "The ministry covers all expenses …" tenth for "who covers the costs?".
            nearest = closest(fresh)
            if nearest is not None and nearest not in first and len(first) < self.config.statements_per_part:
                first.append(nearest)
            rest = [c for c in fresh if c not in first]
            n = self.config.statements_per_part - len(first)
            chosen = first + pick(rest, n, [*taken, *first], floor, overlap=self.config.duplicate_overlap)
            claims += self._claims(chosen, _as_heading(part.text))
            taken += chosen
        return claims, taken

    def _claims(self, chosen: list[Candidate], heading: str) -> list[DraftClaim]:
        """Claims for candidates; table rows of one table become one Markdown table."""
        claims: list[DraftClaim] = []
        rows = [c for c in chosen if c.kind == "table_row" and c.table is not None]
        if rows and rows[0].table is not None:
            table = rows[0].table
            selected = [c.row for c in rows if c.table is table]
            # A table that counts something is shown whole, largest first, the asked rows in bold: one row of a
            # distribution ("20 practices pooled their budgets") does not say whether that is most of them.
            whole = table.count_column() is not None and len(table.rows) <= self.config.max_table_rows
            shown = table.by_count() if whole else selected
            text = table.caption + ": " + " … ".join(Table.quote(r) for r in selected)
            claims.append(
                DraftClaim(
                    text=text,
                    sources=[rows[0].chunk.id],
                    quote=" … ".join(Table.quote(r) for r in selected),
                    heading=heading,
                    table_md=table.markdown(shown, marked=selected if whole and len(selected) < len(table.rows) else None),
                    caption=table.caption,
                )
            )
        claims += [c.claim(heading) for c in chosen if c.kind != "table_row"]
        return claims

    def _practice_lines(self, analysis: Analysis, scored: list[Candidate], taken: list[Candidate]) -> list[DraftClaim]:
        """Comparable practices: the card fact that answers the question best, one per practice."""
        seen = {code for c in taken if c.kind == "card_fact" for code in c.codes}
        facts = [
            c for c in scored
            if c.kind == "card_fact" and c.codes[0] not in seen and self._fits_filters(c, analysis)
            and (self.about_aspect(c, analysis) or self._field_of(c) == "summary")
        ]  # fmt: skip
        return [c.claim("Comparable practices") for c in self.one_per_practice(facts, analysis, self.config.practices)]

    def _group_heading(self, c: Candidate) -> str:
        return self.profile.evidence_label(c.chunk.source_type, c.chunk.section).label.capitalize()

    def _group_order(self, kind: str) -> int:
        order = self.profile.answer_text.evidence_order
        return order.index(kind) if kind in order else len(order)

    def _notes(self, analysis: Analysis, used: list[Candidate]) -> list[str]:
        """What the reader should weigh: self-reported practice evidence, figures or aspects not covered."""
        notes = []
        fields = [f for a in analysis.aspects if (f := self.profile.aspects[a].card_field)]
        for code in analysis.practices:
            card = self.cards.get(code)
            if card and fields and not any(getattr(card, f) for f in fields):
                labels = " or ".join(self.builder.card_labels.get(f, f) for f in fields)
                notes.append(f"The documents do not record the {labels} of {code} ({card.title or 'unnamed'}).")
        kinds = {c.evidence for c in used}
        if "practice" in kinds:
            notes.append(self.profile.answer_text.practice_evidence_note)
        if analysis.aspects and not any(self.about_aspect(c, analysis) for c in used):
            labels = ", ".join(self.profile.aspects[a].label for a in analysis.aspects)
            notes.append(
                f"The documents say little directly about {labels} here; the statements above are the closest they come."
            )
        return notes

    # ---- extra evidence for a route ----------------------------------------------------------

    def _add_recommendations(self, analysis: Analysis, pool: PassagePool) -> None:
        """The report's recommendations for the audiences, and the barriers-and-facilitators table."""
        audiences = set(analysis.audiences or self.profile.default_audiences)
        for units in self.retriever.units_by_doc.values():
            for u in units:
                if u.kind == "recommendation" and u.audience in audiences:
                    pool.add(self.retriever.chunk_at(u.doc_id, u.start), "recommendations")
        pool.add(self._barriers_chunk(), "barriers_table")

    def _barriers_chunk(self) -> Chunk | None:
        return self._table_chunk(self._barriers_table())

    def _table_chunk(self, table_id: str) -> Chunk | None:
        """The indexed passage of one of the corpus's tables."""
        return next((c for c in self.retriever.catalogue if c.extra.get("table_id") == table_id), None)

    def _asks_barriers(self, analysis: Analysis) -> bool:
        """Whether the question is about barriers or facilitators as such (all rows of their table concern it)."""
        return any("*" in self.profile.aspects[a].table_rows for a in analysis.aspects)

    def _table_rows_wanted(self, analysis: Analysis) -> set[str]:
        """The rows of the barriers-and-facilitators table the question's aspects concern ("*": all)."""
        return {r for a in analysis.aspects for r in self.profile.aspects[a].table_rows}

    def _barrier_rows(self, analysis: Analysis, scored: list[Candidate]) -> list[Candidate]:
        wanted = self._table_rows_wanted(analysis)
        table_id = self._barriers_table()
        rows = [c for c in scored if c.kind == "table_row" and c.table is not None and c.table.id == table_id]
        chosen = [c for c in rows if c.row and ("*" in wanted or c.row[0] in wanted)]
        return sorted(chosen, key=lambda c: rows[0].table.rows.index(c.row) if rows[0].table else 0)

    def _add_matching_cards(self, analysis: Analysis, query: str, pool: PassagePool) -> None:
        """The cards of practices that fit the question's country, target group and sector, most similar first.

        A second retrieval, over the cards only: the question's own passages rarely include enough cards to
        list comparable practices. What it adds is recorded as step ``matching_cards``.
        """
        hits = self.retriever.hybrid(query, self.config.practice_pool, Filters(source_types=("practice_card",)))
        fitting = []
        for p in hits:
            card = self.cards.get(p.chunk.practice_codes[0]) if p.chunk.practice_codes else None
            if card is None or (card.listed_only_in_tables and card.code not in analysis.practices):
                continue  # a practice the sources neither name nor describe is no model to compare with
            if analysis.countries and card.country not in analysis.countries:
                continue
            if analysis.target_groups and not set(card.target_groups) & set(analysis.target_groups):
                continue
            if analysis.sectors and not set(card.sectors) & set(analysis.sectors):
                continue
            fitting.append(p.chunk)
        for chunk in fitting[: self.config.practices * self.config.cards_per_practice]:
            pool.add(chunk, "matching_cards")

    def _add_each_document(self, query: str, pool: PassagePool) -> None:
        """For "do the sources agree …": the passages of each curated document closest to the question, so both
        documents can answer (the question's own search often finds only the one that uses its words)."""
        for source_type in sorted(CURATED_SOURCE_TYPES):
            if not any(p.chunk.source_type == source_type for p in pool.passages):
                for p in self.retriever.hybrid(query, self.config.passages_per_document, Filters(source_types=(source_type,))):
                    pool.add(p.chunk, "each_document")

    def _add_cards(self, codes: list[str], pool: PassagePool) -> None:
        for code in codes:
            pool.add(self.retriever.chunk_of_card(code), "named_cards")


def _reads(table: Table, sentence: str) -> bool:
    """Whether a sentence reads a row of a counting table: it gives the row's count and a word of its label
    ("20 practices are financed by joint or pooled funding" reads "Joint/pooled funding | 20 | 45%")."""
    column = table.count_column()
    if column is None:
        return False
    words = set(content_terms(sentence))
    for row in table.rows:
        count = row[column].strip() if column < len(row) else ""
        if count and re.search(rf"(?<![\d.,]){count}(?![\d])", sentence) and set(content_terms(row[0])) & words:
            return True
    return False


def asked_names(analysis: Analysis) -> list[str]:
    """The unknown names of the sentences that ask (all of them for a question of one sentence)."""
    asked = asking_sentences(analysis.question)
    return [n for n in analysis.unknown_names if has_word(asked, n)]


def _for_part(analysis: Analysis, part: QuestionPart, profile: CorpusProfile) -> Analysis:
    """The analysis of one part of a question on its own: its words, the aspects it asks about (not the other
    part's: "Who is Kotitori for, and how is it funded?" asks funding in its second part only), its figure."""
    update: dict[str, object] = {
        "question": part.text, "measure": part.measure, "asked_name": part.asked_name, "parts": [],
        "aspects": profile.detect_aspects(part.text),
    }  # fmt: skip
    return analysis.model_copy(update=update | ({"answer_type": "figure"} if part.measure else {}))


def _as_heading(part: str) -> str:
    """A part of a question as the heading of its answer: "and what is its budget" -> "What is its budget?"."""
    text = re.sub(r"^(and|or|but|also)\s+", "", part.strip().rstrip(" ,;.?"), flags=re.I)
    return text[:1].upper() + text[1:] + "?"
