"""``ask``: a question becomes a cited :class:`Answer` in named steps over one typed state.

    scope -> analyse -> retrieve -> check names -> compose -> guard and cite

:class:`Assistant` holds what is expensive to load (store, BM25 index, embedding model,
cards) so the CLI, the Streamlit app and evals share one instance. Each step reads and
writes an :class:`AskState`; a step that finds the corpus cannot answer sets a refusal
and the remaining steps are skipped.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

from app.core.cards import PracticeCard, load_cards
from app.core.codes import PracticeCodes
from app.core.config import Settings, load_settings
from app.core.corpus_profile import CorpusProfile, load_profile
from app.core.draft import Draft, DraftClaim
from app.core.models import Analysis, Answer, Citation, Claim, Passage, RetrievedRef
from app.core.normalise import normalise
from app.core.refusals import refusal
from app.core.sentences import split_sentences
from app.core.text import STOPWORDS, content_terms
from app.index.generations import read_stamp
from app.index.store import IndexChanged, reopen
from app.query.analyse import QuestionAnalyser, asks_opinion, later_years, latest_year
from app.query.backends import AnswerBackend, BackendError, get_backend
from app.query.backends.extractive import ExtractiveBackend
from app.query.backends.llm import LLMBackend
from app.query.compose import Composer
from app.query.conversation import Turn, condense_with_llm, search_query
from app.query.display import claim_line
from app.query.guard import apply_guard
from app.query.labels import evidence_label
from app.query.practices import PracticeFinder
from app.query.retrieve import NO_FILTERS, Filters, Retriever

_SALIENT = re.compile(r"\b(?:[A-Z][\w’'-]+|[A-Z]{2}\d+|(?:19|20)\d\d)\b")
MAX_NAMES_SHOWN = 5


def scan_names(question: str) -> list[tuple[str, bool]]:
    """Capitalised words, codes and years of a question (possessive dropped), and whether each starts a sentence."""
    out = []
    for m in _SALIENT.finditer(question):
        word = re.sub(r"[’']s$", "", m.group(0))
        if re.search(r"[’']", word) or word.lower() in STOPWORDS:
            continue  # contractions ("I'm") and question words ("What") are not names
        before = question[: m.start()].rstrip()
        out.append((word, not before or before[-1] in ".?!:"))
    return out


@dataclass
class AskState:
    """Everything one question accumulates on its way to an answer."""

    question: str
    history: list[Turn]
    backend: str
    k: int
    filters: Filters
    retrieval_query: str | None = None
    analysis: Analysis | None = None
    query: str = ""
    passages: list[Passage] = field(default_factory=list)
    draft: Draft | None = None
    notice: str | None = None
    timings: dict[str, int] = field(default_factory=dict)

    def refuse(self, reason: str, **details: str) -> None:
        self.draft = Draft(supported=False, refusal=refusal(reason, **details))

    @property
    def done(self) -> bool:
        return self.draft is not None


class Assistant:
    """The library entry point: ``Assistant().ask("How are integrated services funded?")``."""

    def __init__(self, settings: Settings | None = None, retriever: Retriever | None = None) -> None:
        self.settings = settings or load_settings()
        self.profile: CorpusProfile = load_profile(self.settings.corpus_dir)
        self.codes = PracticeCodes.from_profile(self.profile)
        self._retriever = retriever
        self._backends: dict[str, AnswerBackend] = {}
        self._reload_lock = threading.Lock()

    @cached_property
    def retriever(self) -> Retriever:
        return self._retriever or Retriever(self.settings)

    @cached_property
    def cards(self) -> list[PracticeCard]:
        practices = self.settings.practices_dir
        return [card for _, card in load_cards(practices)] if practices.exists() else []

    @cached_property
    def latest_year(self) -> int:
        """The latest year the index can speak for: the sources' own, or a later year a user's document names."""
        mine = (c.text for c in self.retriever.bm25_index.chunks if c.source_type == "user_document")
        return latest_year(self.retriever.profile.latest_source_year, mine)

    @cached_property
    def analyser(self) -> QuestionAnalyser:
        return QuestionAnalyser(self.profile, self.cards, self.settings.conversation.follow_up_max_words)

    @cached_property
    def composer(self) -> Composer:
        return Composer(self.settings, self.retriever, self.cards)

    @cached_property
    def finder(self) -> PracticeFinder | None:
        """The practice finder over the corpus cards (None when the corpus has no practices folder)."""
        return PracticeFinder(self.cards, self.settings.finder, self.retriever) if self.cards else None

    def backend(self, name: str) -> AnswerBackend:
        if name not in self._backends:
            self._backends[name] = ExtractiveBackend(self.composer) if name == "extractive" else get_backend(name, self.settings)
        return self._backends[name]

    # ---- the steps ----------------------------------------------------------------------------

    def scope(self, state: AskState) -> None:
        """Questions the corpus cannot be asked: another language, or names the documents never mention."""
        analysis = self.analyser.analyse(state.question)
        if analysis.language != "English":
            state.refuse("language", language=analysis.language)
            return
        if asks_opinion(state.question):
            state.refuse("opinion")
            return
        later = later_years(state.question, self.latest_year)
        if later:
            state.refuse("after_sources", years=", ".join(later), latest=str(self.latest_year))
            return
        unknown = self.unknown_terms(state.question)
        if unknown:
            shown = ", ".join(unknown[:MAX_NAMES_SHOWN]) + (" …" if len(unknown) > MAX_NAMES_SHOWN else "")
            state.refuse("unknown_names", names=shown)

    def analyse(self, state: AskState) -> None:
        """What is asked, resolved against the previous turn for a follow-up."""
        last = state.history[-1] if state.history else None
        previous = (last.analysis or self.analyser.analyse(last.question)) if last else None
        state.analysis = self.analyser.resolve(state.question, previous, last.practices if last else [])

    def retrieve(self, state: AskState) -> None:
        """The ranked passages for the question (a follow-up carries the earlier topic into the search)."""
        assert state.analysis is not None
        state.query = state.retrieval_query or self._search_query(state)
        state.passages = self.retriever.search(state.query, state.k, state.filters)
        if not state.passages:
            state.refuse("nothing_found")

    def check_names(self, state: AskState) -> None:
        """A name the retrieved passages never mention cannot be answered from them."""
        missing = self.names_not_in(state.question, state.passages)
        if missing:
            state.refuse("names_not_in_evidence", names=", ".join(missing[:MAX_NAMES_SHOWN]))

    def compose(self, state: AskState) -> None:
        """The chosen backend's draft; an LLM that fails leaves the extractive answer and a notice."""
        assert state.analysis is not None
        try:
            chosen = self.backend(state.backend)
        except BackendError as exc:
            state.notice = f"The {state.backend} backend is not available: {exc}. Showing the extractive answer instead."
            state.backend, chosen = "extractive", self.backend("extractive")
        if state.analysis.route == "recommend" and state.backend != "extractive":
            state.notice = "Recommendations are composed extractively from the report's own text, whichever backend is chosen."
            state.backend, chosen = "extractive", self.backend("extractive")
        try:
            state.draft = chosen.compose(state.query, state.passages, state.analysis)
        except BackendError as exc:
            state.notice = f"The {state.backend} backend could not answer: {exc}. Showing the extractive answer instead."
            state.backend = "extractive"
            state.draft = self.backend("extractive").compose(state.query, state.passages, state.analysis)

    def ask(
        self,
        question: str,
        backend: str | None = None,
        k: int | None = None,
        filters: Filters = NO_FILTERS,
        history: list[Turn] | None = None,
        retrieval_query: str | None = None,
    ) -> Answer:
        """Answer one question from the corpus, every claim cited; ``supported=False`` when it cannot.

        ``history`` (earlier turns) lets a follow-up build on the conversation.
        """
        question = question.strip()
        if not question:
            raise ValueError("the question is empty")
        self.refresh()
        state = AskState(
            question, list(history or []), backend or self.settings.answer.backend, k or self.settings.retrieval.k, filters,
            retrieval_query,
        )  # fmt: skip
        try:
            return self._run(state)
        except IndexChanged:
            if self._retriever is not None:
                raise
            # Rebuilt while this question was being answered: reload once, from disk, and answer from the new index.
            reopen(self.settings)
            self.reload()
            return self._run(replace(state, passages=[], draft=None, notice=None, timings={}))

    def refresh(self) -> bool:
        """Reload the index if an ingest changed it since it was loaded (one small file read); True if it did."""
        if self._retriever is not None or "retriever" not in self.__dict__:
            return False
        if read_stamp(self.settings) == self.retriever.stamp:
            return False
        self.reload()
        return True

    def reload(self) -> None:
        """Forget the loaded index (store, keyword index, units, cards): the next use opens the live generation."""
        with self._reload_lock:
            for name in ("retriever", "composer", "finder", "cards", "analyser", "latest_year"):
                self.__dict__.pop(name, None)
            self._backends.pop("extractive", None)  # it holds the composer; LLM backends hold no index

    def _run(self, state: AskState) -> Answer:
        steps: list[Callable[[AskState], None]] = [self.scope, self.analyse, self.retrieve, self.check_names, self.compose]
        for step in steps:
            t = time.perf_counter()
            step(state)
            state.timings[step.__name__] = int((time.perf_counter() - t) * 1000)
            if state.done:
                break
        return self.cite(state)

    def cite(self, state: AskState) -> Answer:
        """Guard the draft, number the citations, and lay out the Answer contract."""
        draft = state.draft or Draft(supported=False, refusal=refusal("not_answered"))
        answer = build_answer(
            state.question, draft, state.passages, state.backend, self.profile, self.settings.answer.guard_min_term_support
        )
        answer.notice = state.notice
        answer.timings_ms = state.timings
        answer.analysis = state.analysis
        answer.route = state.analysis.route if state.analysis else "scope"
        if state.query and state.query != state.question:
            answer.rewritten_query = state.query
        return answer

    # ---- helpers ------------------------------------------------------------------------------

    def _search_query(self, state: AskState) -> str:
        assert state.analysis is not None
        if state.backend != "extractive" and state.analysis.follow_up:
            try:
                chosen = self.backend(state.backend)
                if isinstance(chosen, LLMBackend):
                    config, prompts = self.settings.conversation, self.settings.prompts_dir
                    return condense_with_llm(state.question, state.history, chosen.complete, config, prompts)
            except BackendError:
                pass  # the compose step reports the backend problem
        return search_query(state.analysis, self.settings.conversation)

    def _is_corpus_name(self, word: str) -> bool:
        """The corpus's own names, countries with their demonyms and aliases: known, whatever the passages say."""
        low = word.lower()
        return low in self.profile.own_name_set or any(low == n.lower() for c in self.profile.countries for n in c.names())

    def unknown_terms(self, question: str) -> list[str]:
        """Names, codes and years in the question that the corpus never mentions."""
        return [
            name for name, _ in scan_names(question) if not self._is_corpus_name(name) and not self.retriever.knows(name.lower())
        ]

    def names_not_in(self, question: str, passages: list[Passage]) -> list[str]:
        """Names in the question that none of the retrieved passages mention.

        "What does the report say about Canada?" retrieves passages on integrated services, none of
        which discusses Canada: answering from them would put words in the sources' mouth.
        """
        text = " ".join(normalise(p.chunk.context_text() + " " + " ".join(p.chunk.extra.values())) for p in passages)
        missing = []
        for name, starts_sentence in scan_names(question):
            low = name.lower()
            # A capital at a sentence start is no evidence of a name; the corpus's own names are not topics.
            if starts_sentence or self._is_corpus_name(name):
                continue
            if low not in text and low.rstrip("s") not in text:
                missing.append(name)
        return missing


def _quote_for(claim: DraftClaim, passage: Passage) -> str:
    """The verbatim source text that supports the claim: the backend's quote, else the passage's best sentence."""
    if claim.quote:
        return claim.quote
    terms = set(content_terms(claim.text))
    sentences = split_sentences(passage.chunk.text) or [passage.chunk.text]
    return max(sentences, key=lambda s: len(terms & set(content_terms(s))))


def build_answer(
    question: str, draft: Draft, passages: list[Passage], backend: str, profile: CorpusProfile, min_term_support: float
) -> Answer:
    """Guard the draft, number citations by first use, and lay out the Answer contract."""
    codes = PracticeCodes.from_profile(profile)
    retrieved = [RetrievedRef(chunk_id=p.chunk.id, score=round(p.score, 4), text=p.chunk.text) for p in passages]
    if not draft.supported:
        return Answer(question=question, answer_markdown=draft.refusal, supported=False, backend=backend, retrieved=retrieved)
    kept, report = apply_guard(draft.claims, passages, codes, min_term_support)
    if not kept:
        return Answer(
            question=question, answer_markdown=refusal("guard_removed_all"), supported=False, backend=backend,
            retrieved=retrieved, guard=report,
        )  # fmt: skip
    by_id = {p.chunk.id: p for p in passages}
    numbers: dict[tuple[str, str], int] = {}  # (chunk id, route to the quote) -> citation number
    citations: list[Citation] = []
    claims: list[Claim] = []
    lines: list[str] = [draft.preface] if draft.preface else []
    heading = None
    for claim in kept:
        ns = []
        for source in claim.sources:
            chunk = by_id[source].chunk
            # A card cited as the route to different quotes is a citation per route; any other passage is one citation.
            key = (source, claim.cite_as[1] if claim.cite_as and chunk.source_type == "practice_card" else "")
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                routed = claim.cite_as if claim.cite_as and chunk.source_type == "practice_card" else None
                title, section = routed or (chunk.doc_title, chunk.section)
                citations.append(
                    Citation(
                        n=numbers[key], chunk_id=chunk.id, doc_title=title, section=section, page=chunk.page,
                        quote=_quote_for(claim, by_id[source]), source_type=chunk.source_type,
                        evidence_label=evidence_label(chunk, profile),
                    )
                )  # fmt: skip
            elif claim.quote and claim.quote not in citations[numbers[key] - 1].quote:
                citations[numbers[key] - 1].quote += " … " + claim.quote
            ns.append(numbers[key])
        if claim.heading and claim.heading != heading:
            heading = claim.heading
            lines.append(f"\n**{heading}**")
        claims.append(Claim(text=claim.text, citations=ns))
        marks = "".join(f"[{n}]" for n in ns)
        if claim.table_md:
            lines.append(f"\n{claim.caption} {marks}\n\n{claim.table_md}\n")
        else:
            # Document text is shown, never rendered; a user's unreviewed document says so beside its claim.
            mine = [
                evidence_label(by_id[s].chunk, profile) for s in claim.sources if by_id[s].chunk.source_type == "user_document"
            ]
            note = mine[0] if mine and mine[0].lower() not in claim.heading.lower() else ""
            lines.append(claim_line(claim.text, marks, note))
    if draft.notes:
        lines.append("\n" + " ".join(f"_{note}_" for note in draft.notes))
    named = [code for c in claims for code in codes.find(c.text)]
    named += [by_id[s].chunk.practice_codes[0] for s, _ in numbers if by_id[s].chunk.source_type == "practice_card"]
    return Answer(
        question=question,
        answer_markdown="\n".join(lines).strip(),
        claims=claims,
        citations=citations,
        practices=list(dict.fromkeys(named)),
        supported=True,
        backend=backend,
        retrieved=retrieved,
        guard=report,
    )
