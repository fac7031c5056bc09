"""``ask``: a question becomes a cited :class:`Answer` in named steps over one typed state.

    scope -> analyse -> retrieve -> check names -> compose -> guard and cite

:class:`Assistant` holds what is expensive to load (store, BM25 index, embedding model,
cards) so the CLI, the Streamlit app and evals share one instance. Each step reads and
writes an :class:`AskState`; a step that finds the corpus cannot answer sets a refusal
and the remaining steps are skipped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

from app.core.cards import PracticeCard, load_cards
from app.core.codes import PracticeCodes
from app.core.config import Settings, load_settings
from app.core.corpus_profile import CorpusProfile, load_profile
from app.core.draft import Draft, DraftClaim, citation_key
from app.core.models import Analysis, Answer, Citation, Claim, Passage, RetrievedRef
from app.core.refusals import refusal
from app.core.sentences import split_sentences
from app.core.text import content_terms, lookup_words
from app.index.generations import read_stamp
from app.index.store import IndexChanged, reopen
from app.query.analyse import (
    QuestionAnalyser,
    asking_sentences,
    asks_opinion,
    country_name_words,
    in_asking_sentences,
    is_corpus_name,
    later_years,
    latest_year,
    scan_names,
    verbs_of_asking,
)
from app.query.answerability import influence
from app.query.backends import AnswerBackend, BackendError, get_backend
from app.query.backends.extractive import ExtractiveBackend
from app.query.backends.llm import LLMBackend
from app.query.compose import Composer
from app.query.conversation import Turn, condense_with_llm, search_query
from app.query.display import ReadableStatements, claim_line, field_labels
from app.query.guard import apply_guard
from app.query.labels import evidence_label
from app.query.practices import PracticeFinder
from app.query.retrieve import NO_FILTERS, Filters, Retriever, rrf_fuse

WARM_BATCH = 64  # statements embedded at a time by Assistant.warm
Progress = Callable[[str], None]  # told the name of each step as it starts ("scope", "analyse", "retrieve", …)


@dataclass
class AskState:
    """Everything one question accumulates on its way to an answer."""

    question: str
    history: list[Turn]
    backend: str
    k: int
    filters: Filters
    retrieval_query: str | None = None
    own_analysis: Analysis | None = None  # the question on its own (scope step), made once
    analysis: Analysis | None = None  # the same, resolved against the conversation (analyse step)
    query: str = ""
    passages: list[Passage] = field(default_factory=list)
    draft: Draft | None = None
    notice: str | None = None
    preface: str = ""  # shown before the answer or the refusal (the note on another language)
    timings: dict[str, int] = field(default_factory=dict)

    def refuse(self, reason: str, **details: str) -> None:
        self.draft = Draft(supported=False, refusal=refusal(reason, **details))

    @property
    def done(self) -> bool:
        return self.draft is not None


class Loaded:
    """What an assistant loads from the live index generation and the cards, each part built on first use.

    ``Assistant.reload`` replaces the whole object, so nothing loaded from an old generation survives a reload.
    """

    def __init__(self, settings: Settings, profile: CorpusProfile, retriever: Retriever | None = None) -> None:
        self.settings = settings
        self.profile = profile
        self._given = retriever
        self.index_open = False  # whether the retriever (store, keyword index, vectors) has been loaded

    @cached_property
    def retriever(self) -> Retriever:
        retriever = self._given or Retriever(self.settings)
        self.index_open = True
        return retriever

    @cached_property
    def cards(self) -> list[PracticeCard]:
        practices = self.settings.practices_dir
        return [card for _, card in load_cards(practices)] if practices.exists() else []

    @cached_property
    def latest_year(self) -> int:
        """The latest year the index can speak for: the sources' own, or a later year a user's document names."""
        mine = (c.text for c in self.retriever.catalogue if c.source_type == "user_document")
        return latest_year(self.retriever.profile.latest_source_year, mine)

    @cached_property
    def analyser(self) -> QuestionAnalyser:
        return QuestionAnalyser(self.profile, self.cards, self.settings.conversation.follow_up_max_words)

    @cached_property
    def composer(self) -> Composer:
        return Composer(self.settings, self.retriever, self.cards)

    @cached_property
    def readable(self) -> ReadableStatements:
        """How a statement is shown: the paper's practice numbers named from the cards, broken words repaired."""
        texts = (c.text for c in self.retriever.catalogue if c.source_type != "user_document")
        return ReadableStatements.from_cards(self.cards, self.retriever.vocabulary, field_labels(texts))

    @cached_property
    def finder(self) -> PracticeFinder | None:
        return self.composer.finder if self.cards else None  # one finder: answers list practices with it too

    @cached_property
    def extractive(self) -> ExtractiveBackend:
        return ExtractiveBackend(self.composer)

    def warm(self, stop: threading.Event | None = None) -> int:
        """Embed every statement an answer can score (see :meth:`Assistant.warm`); how many were not embedded yet."""
        passages = [Passage(chunk=chunk, score=0.0) for chunk in self.retriever.catalogue]
        vectors = self.retriever.vectors
        # By length, so a batch pads little; in batches, so a stop (the server shutting down) waits for one batch only.
        leads = sorted({c.lead for c in self.composer.candidates(passages, Analysis(question=""))}, key=len)
        before = len(vectors)
        for start in range(0, len(leads), WARM_BATCH):
            if stop is not None and stop.is_set():
                break
            vectors.embed(leads[start : start + WARM_BATCH])
        return max(len(vectors) - before, 0)


class Assistant:
    """The library entry point: ``Assistant().ask("How are integrated services funded?")``."""

    def __init__(self, settings: Settings | None = None, retriever: Retriever | None = None) -> None:
        self.settings = settings or load_settings()
        self.profile: CorpusProfile = load_profile(self.settings.corpus_dir)
        self.codes = PracticeCodes.from_profile(self.profile)
        self._retriever = retriever
        self._loaded = Loaded(self.settings, self.profile, retriever)
        self._llm_backends: dict[str, AnswerBackend] = {}  # they hold no index: kept across reloads
        self._reload_lock = threading.Lock()

    @property
    def retriever(self) -> Retriever:
        return self._loaded.retriever

    @property
    def cards(self) -> list[PracticeCard]:
        return self._loaded.cards

    @property
    def analyser(self) -> QuestionAnalyser:
        return self._loaded.analyser

    @property
    def composer(self) -> Composer:
        return self._loaded.composer

    @property
    def readable(self) -> ReadableStatements:
        return self._loaded.readable

    @property
    def latest_year(self) -> int:
        return self._loaded.latest_year

    @property
    def finder(self) -> PracticeFinder | None:
        """The practice finder over the corpus cards (None when the corpus has no practices folder)."""
        return self._loaded.finder

    def backend(self, name: str) -> AnswerBackend:
        if name == "extractive":
            return self._loaded.extractive
        if name not in self._llm_backends:
            self._llm_backends[name] = get_backend(name, self.settings)
        return self._llm_backends[name]

    # ---- the steps ----------------------------------------------------------------------------

    def scope(self, state: AskState) -> None:
        """Questions declined by rule: too long to be one question, opinions, years after the sources.

        Another language gets a note first; the names and words the corpus never uses are noted for answerability.
        """
        limit = self.settings.answer.max_question_chars
        if len(state.question) > limit:
            state.refuse("too_long", length=f"{len(state.question):,}", limit=f"{limit:,}")
            return
        analysis = state.own_analysis = self.analyser.analyse(state.question)
        if analysis.language != "English":
            # The note comes first, in the asker's language where the profile has it; the evidence follows.
            state.preface = self.profile.language_notes.get(analysis.language) or refusal("language", language=analysis.language)
        if asks_opinion(state.question):
            state.refuse("opinion")
            return
        # Only what is asked: a situation told first ("We lost half the team this year. What helps keep staff?") may
        # name a time after the sources without asking about it.
        later = later_years(asking_sentences(state.question), self.latest_year)
        if later:
            state.refuse("after_sources", years=", ".join(later), latest=str(self.latest_year))
            return
        analysis.unknown_names, analysis.unknown_words = self.unknown_words(state.question, analysis.language)
        unknown = [*analysis.unknown_names, *analysis.unknown_words]
        # A follow-up's words are measured in its conversation ("and how do they check whether it works?" after "What
        # is Kotitori?"): alone, every word of a short follow-up carries much of it.
        last = state.history[-1].question if state.history and self.analyser.is_follow_up(analysis) else ""
        in_context = f"{state.question} {last}".strip()
        analysis.unknown_influence, analysis.unknown_meaning = self.influence(in_context, unknown)
        if asking_sentences(state.question) != state.question:
            # A situation told before the question ("Our mayor visited a clubhouse abroad … Is there anything that should
            # make us cautious?") carries words the corpus never uses: only the unknown words of the sentences that ask
            # count, weighed by how much of the whole question they carry. (Weighed in the asking sentence alone, a
            # vague one gave its one unknown word the meaning of the question: "cautious" refused the clubhouse one.)
            analysis.unknown_meaning = self.influence(in_context, in_asking_sentences(analysis, unknown))[1]

    def analyse(self, state: AskState) -> None:
        """What is asked, resolved against the previous turn for a follow-up."""
        last = state.history[-1] if state.history else None
        previous = (last.analysis or self.analyser.analyse(last.question)) if last else None
        own = state.own_analysis or self.analyser.analyse(state.question)
        state.analysis = self.analyser.resolve(own, previous, last.practices if last else [])

    def retrieve(self, state: AskState) -> None:
        """The ranked passages for the question (a follow-up carries the earlier topic into the search)."""
        assert state.analysis is not None
        state.query = state.retrieval_query or self._retrieval_query(state)
        state.passages = self.retriever.search(state.query, state.k, state.filters)
        own_weight = self.settings.conversation.own_words_weight
        if state.analysis.follow_up and state.query != state.question and own_weight > 0:
            # A follow-up's own words are searched alone too: one with a subject of its own ("And how many countries
            # does ESN cover?") is not drowned by the topic it carries.
            own = self.retriever.search(state.question, state.k, state.filters)
            rankings = {"with_topic": state.passages, "own_words": own}
            state.passages = rrf_fuse(rankings, {"own_words": own_weight}, self.settings.retrieval.rrf_k, state.k)
        if not state.passages:
            state.refuse("nothing_found")

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
        progress: Progress | None = None,
    ) -> Answer:
        """Answer one question from the corpus, every claim cited; ``supported=False`` when it cannot.

        ``history`` (earlier turns) lets a follow-up build on the conversation; ``progress``, if given,
        is called with each step's name as the step starts (a UI shows the work under way).
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
            return self._run(state, progress)
        except IndexChanged:
            if self._retriever is not None:
                raise
            # Rebuilt while this question was being answered: reload once, from disk, and answer from the new index.
            reopen(self.settings)
            self.reload()
            return self._run(replace(state, passages=[], draft=None, notice=None, timings={}), progress)

    def refresh(self) -> bool:
        """Reload the index if an ingest changed it since it was loaded (one small file read); True if it did."""
        if self._retriever is not None or not self._loaded.index_open:
            return False
        if read_stamp(self.settings) == self.retriever.stamp:
            return False
        self.reload()
        return True

    def warm(self, stop: threading.Event | None = None) -> int:
        """Embed now every statement an answer can score, so that answering embeds little more than the question.

        Ingest stores the vectors of the documents' sentences, but a card's facts and a table's rows are put into
        words when an answer is composed, and the first questions that meet them embed them: with the full corpus
        that is about 0.3 s of CPU per question until most are seen, multiplied by a room asking at once (measured:
        25 questions one after another took 7.3 s of CPU cold, 1.9 s warm). Embedding them once up front costs a few
        seconds (358 statements, about 5 s of CPU on one thread). Returns how many were embedded; a reload starts
        cold again (the statements are then embedded as questions need them, as before). ``stop``, once set, ends
        the work after the batch under way.
        """
        return self._loaded.warm(stop)

    def reload(self) -> None:
        """Forget the loaded index (store, keyword index, units, cards): the next use opens the live generation."""
        with self._reload_lock:
            self._loaded = Loaded(self.settings, self.profile, self._retriever)

    def prepare(self, question: str, history: list[Turn] | None = None) -> AskState:
        """The question scoped, analysed and searched for, not yet composed (what the ranker's training reads);
        ``state.done`` when a rule or an empty search already decided."""
        self.refresh()
        state = AskState(question.strip(), list(history or []), "extractive", self.settings.retrieval.k, NO_FILTERS)
        self._steps(state, [self.scope, self.analyse, self.retrieve])
        return state

    def _run(self, state: AskState, progress: Progress | None = None) -> Answer:
        self._steps(state, [self.scope, self.analyse, self.retrieve, self.compose], progress)
        return self.cite(state)

    @staticmethod
    def _steps(state: AskState, steps: list[Callable[[AskState], None]], progress: Progress | None = None) -> None:
        """Run the steps in order, each timed, until one decides the answer."""
        for step in steps:
            if progress is not None:
                progress(step.__name__)
            t = time.perf_counter()
            step(state)
            state.timings[step.__name__] = int((time.perf_counter() - t) * 1000)
            if state.done:
                break

    def cite(self, state: AskState) -> Answer:
        """Guard the draft, number the citations, and lay out the Answer contract."""
        draft = state.draft or Draft(supported=False, refusal=refusal("not_answered"))
        if state.preface:
            draft = replace(draft, preface=state.preface, refusal=f"{state.preface} {draft.refusal}" if draft.refusal else "")
        answer = build_answer(
            state.question, draft, state.passages, state.backend, self.profile, self.settings.answer.guard_min_term_support,
            self.readable,
        )  # fmt: skip
        answer.notice = state.notice
        answer.timings_ms = state.timings
        answer.analysis = state.analysis
        answer.evidence = draft.evidence
        answer.route = state.analysis.route if state.analysis else "scope"
        if state.query and state.query != state.question:
            answer.rewritten_query = state.query
        return answer

    # ---- helpers ------------------------------------------------------------------------------

    def _retrieval_query(self, state: AskState) -> str:
        """What to retrieve with: an LLM backend may condense a follow-up; else the follow-up plus its carried topic."""
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

    def influence(self, question: str, words: list[str]) -> tuple[dict[str, float], float]:
        """How much of the question's meaning each word carries, and all of them together (see ``influence``)."""
        return influence(question, words, self.retriever.vectors.embed)

    def unknown_words(self, question: str, language: str = "English") -> tuple[list[str], list[str]]:
        """The question's words the corpus never uses, checked once: (names, content words).

        Neither refuses a question on its own: they are evidence for answerability (a name no passage mentions
        makes an answer unlikely), and a refusal names them as its reason once the evidence has decided.
        """
        # A capital at a sentence start is no evidence of a name ("Check which practices …"): such a word counts
        # as a word; and a question in another language is all words the corpus does not use, none of them a topic.
        if language != "English":
            return [], []
        scanned = scan_names(question)
        of_country = country_name_words(question, self.profile)  # "Northern Irish": the United Kingdom's
        names = [
            name
            for name, starts_sentence in scanned
            if not starts_sentence
            and not is_corpus_name(name, self.profile)
            and name.lower() not in of_country
            and not self.retriever.knows(name.lower())
        ]
        known = {n.lower() for n in names} | of_country
        # The corpus's own names, countries' demonyms among them, are known in lower case too ("german" of Germany).
        # Four letters and up: "brew", "beer" carry a question as much as longer words (stopwords are left out).
        known |= verbs_of_asking(question)  # "check" of "Check which practices …" asks; it is not asked about
        words = [w for w in lookup_words(question) if w not in known and not is_corpus_name(w, self.profile)]
        # A word the profile's vocabularies give for something the corpus speaks of is no unknown word: "copy" is a
        # word of transferability, "GPs" of the health sector, though the documents write neither.
        return names, [w for w in words if not self.retriever.knows(w) and not self.profile.names_concept(w)]


def _quote_for(claim: DraftClaim, passage: Passage) -> str:
    """The verbatim source text that supports the claim: the backend's quote, else the passage's best sentence."""
    if passage.chunk.id in claim.quotes:
        return claim.quotes[passage.chunk.id]
    if claim.quote:
        return claim.quote
    terms = set(content_terms(claim.text))
    sentences = split_sentences(passage.chunk.text) or [passage.chunk.text]
    return max(sentences, key=lambda s: len(terms & set(content_terms(s))))


def build_answer(
    question: str, draft: Draft, passages: list[Passage], backend: str, profile: CorpusProfile, min_term_support: float,
    readable: Callable[[str], str] | None = None,
) -> Answer:  # fmt: skip
    """Guard the draft, number citations by first use, and lay out the Answer contract.

    ``readable`` rewords a kept statement for display only (after the guard; the Answer's claims stay verbatim).
    """
    codes = PracticeCodes.from_profile(profile)
    retrieved = [RetrievedRef(chunk_id=p.chunk.id, score=round(p.score, 4), text=p.chunk.text) for p in passages]
    retrieved += [
        RetrievedRef(chunk_id=a.passage.chunk.id, score=round(a.passage.score, 4), text=a.passage.chunk.text, step=a.step)
        for a in draft.added
    ]
    passages = [*passages, *(a.passage for a in draft.added)]
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
            key = citation_key(chunk, claim.cite_as)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                routed = claim.cite_as if key[1] else None  # the card is named as the route to the quote's document
                title, section = routed or (chunk.doc_title, chunk.section)
                citations.append(
                    Citation(
                        n=numbers[key], chunk_id=chunk.id, doc_title=title, section=section, page=chunk.page,
                        quote=_quote_for(claim, by_id[source]), source_type=chunk.source_type,
                        evidence_label=evidence_label(chunk, profile),
                    )
                )  # fmt: skip
            elif (quote := claim.quotes.get(source, claim.quote)) and quote not in citations[numbers[key] - 1].quote:
                citations[numbers[key] - 1].quote += " … " + quote
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
            if claim.labelled and not note:
                note = evidence_label(by_id[claim.sources[0]].chunk, profile)
            shown = readable(claim.text) if readable else claim.text
            lines.append(claim_line(f"{claim.about}: {shown}" if claim.about else shown, marks, note))
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
