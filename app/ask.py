"""``ask``: question (+ history) -> retrieval -> backend -> guard -> :class:`Answer`.

:class:`Assistant` holds what is expensive to load (store, BM25 index,
embedding model) so the CLI, the Streamlit app and evals share one instance.
"""

from __future__ import annotations

import re
import time
from functools import cached_property

from app.answer import AnswerBackend, BackendError, get_backend
from app.answer.base import Draft, DraftClaim
from app.answer.extractive import ExtractiveBackend
from app.answer.llm import LLMBackend
from app.cards import load_cards
from app.codes import PracticeCodes
from app.config import Settings, load_settings
from app.conversation import Turn, condense_with_llm, rewrite_follow_up
from app.corpus_profile import CorpusProfile, load_profile
from app.guard import apply_guard
from app.labels import evidence_label
from app.models import Answer, Citation, Claim, Passage, RetrievedRef
from app.normalise import normalise
from app.practices import PracticeFinder
from app.recommend import Recommender, is_design_question
from app.retrieve import NO_FILTERS, Filters, Retriever
from app.sentences import split_sentences
from app.text import STOPWORDS, content_terms

_SALIENT = re.compile(r"\b(?:[A-Z][\w’'-]+|[A-Z]{2}\d+|(?:19|20)\d\d)\b")


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


class Assistant:
    """The library entry point: ``Assistant().ask("How are integrated services funded?")``."""

    def __init__(self, settings: Settings | None = None, retriever: Retriever | None = None) -> None:
        self.settings = settings or load_settings()
        self.profile: CorpusProfile = load_profile(self.settings.corpus_dir)
        self.codes = PracticeCodes.from_profile(self.profile)
        self._retriever = retriever
        self._backends: dict[str, AnswerBackend] = {}

    @cached_property
    def retriever(self) -> Retriever:
        return self._retriever or Retriever(self.settings)

    def backend(self, name: str) -> AnswerBackend:
        if name not in self._backends:
            backend = get_backend(name, self.settings)
            if isinstance(backend, ExtractiveBackend):
                backend.idf = self.retriever.idf
            self._backends[name] = backend
        return self._backends[name]

    def unknown_terms(self, question: str) -> list[str]:
        """Names, codes and years in the question that the corpus never mentions."""
        return [name for name, _ in scan_names(question) if not self.retriever.knows(name.lower())]

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
            if starts_sentence or low in self.profile.own_name_set:
                continue
            if low not in text and low.rstrip("s") not in text:
                missing.append(name)
        return missing

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

        ``history`` (earlier turns) lets a follow-up be rewritten before retrieval;
        design questions get a sectioned recommendation.
        """
        question = question.strip()
        if not question:
            raise ValueError("the question is empty")
        name = backend or self.settings.answer.backend
        notice = None
        try:
            chosen = self.backend(name)
        except BackendError as exc:
            notice = f"The {name} backend is not available: {exc}. Showing the extractive answer instead."
            name, chosen = "extractive", self.backend("extractive")
        timings: dict[str, int] = {}
        t0 = time.perf_counter()
        query = retrieval_query or self.rewrite(question, history or [], chosen)
        unknown = self.unknown_terms(question)
        recommend = not unknown and not filters.active and is_design_question(question)
        if recommend:
            draft, passages = self.recommender.compose(query)
            timings["retrieve+answer"] = int((time.perf_counter() - t0) * 1000)
            if name != "extractive":
                notice = notice or "Recommendations are composed extractively, theme by theme, whichever backend is chosen."
                name = "extractive"
        else:
            passages = self.retriever.search(query, k or self.settings.retrieval.k, filters)
            timings["retrieve"] = int((time.perf_counter() - t0) * 1000)
            t1 = time.perf_counter()
            if unknown:
                terms = ", ".join(unknown)
                draft = Draft(
                    supported=False, refusal=f"The documents in this corpus do not mention {terms}, so they cannot answer this."
                )
            elif not passages:
                draft = Draft(supported=False, refusal="Nothing in the corpus matches this question.")
            elif missing := self.names_not_in(question, passages):
                names = ", ".join(missing)
                draft = Draft(supported=False, refusal=f"The documents do not discuss {names} in connection with this question.")
            else:
                try:
                    draft = chosen.compose(query, passages)
                except BackendError as exc:
                    notice = f"The {name} backend could not answer: {exc}. Showing the extractive answer instead."
                    name = "extractive"
                    draft = self.backend(name).compose(query, passages)
            timings["answer"] = int((time.perf_counter() - t1) * 1000)
        answer = build_answer(question, draft, passages, name, self.profile, self.settings.answer.guard_min_term_support)
        answer.notice = notice
        answer.timings_ms = timings
        if query != question:
            answer.rewritten_query = query
        return answer

    def rewrite(self, question: str, history: list[Turn], backend: AnswerBackend) -> str:
        """The retrieval query for a follow-up: the LLM's condense prompt, or the rule without a model."""
        config = self.settings.conversation
        if isinstance(backend, LLMBackend):
            try:
                return condense_with_llm(question, history, backend.complete, config, self.settings.prompts_dir)
            except BackendError:
                pass  # the answer step reports the backend problem
        return rewrite_follow_up(question, history, config)

    @cached_property
    def finder(self) -> PracticeFinder | None:
        """The practice finder over the corpus cards (None when the corpus has no practices folder)."""
        if not self.settings.practices_dir.exists():
            return None
        cards = [card for _, card in load_cards(self.settings.practices_dir)]
        return PracticeFinder(cards, self.settings.finder, self.retriever)

    @cached_property
    def recommender(self) -> Recommender:
        scorer = self.backend("extractive")
        assert isinstance(scorer, ExtractiveBackend)  # the registry's extractive backend
        return Recommender(self.retriever, self.finder, scorer, self.settings.recommend)


def _quote_for(claim: DraftClaim, passage: Passage) -> str:
    """The verbatim sentence(s) of the passage that support the claim."""
    if claim.quote and claim.quote in passage.chunk.text:
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
            question=question,
            answer_markdown="The documents in this corpus do not support an answer to this question.",
            supported=False,
            backend=backend,
            retrieved=retrieved,
            guard=report,
        )
    numbers: dict[int, int] = {}  # passage index -> citation number
    citations: list[Citation] = []
    claims: list[Claim] = []
    lines: list[str] = [draft.preface] if draft.preface else []
    heading = None
    for claim in kept:
        ns = []
        for idx in claim.sources:
            if idx not in numbers:
                numbers[idx] = len(numbers) + 1
                chunk = passages[idx].chunk
                citations.append(
                    Citation(
                        n=numbers[idx], chunk_id=chunk.id, doc_title=chunk.doc_title, section=chunk.section,
                        page=chunk.page, quote=_quote_for(claim, passages[idx]), source_type=chunk.source_type,
                        evidence_label=evidence_label(chunk, profile),
                    )
                )  # fmt: skip
            elif claim.quote and claim.quote not in citations[numbers[idx] - 1].quote:
                citations[numbers[idx] - 1].quote += " … " + claim.quote
            ns.append(numbers[idx])
        if claim.heading and claim.heading != heading:
            heading = claim.heading
            lines.append(f"\n**{heading}**")
        claims.append(Claim(text=claim.text, citations=ns))
        lines.append(f"- {claim.text} " + "".join(f"[{n}]" for n in ns))
    named = [code for c in claims for code in codes.find(c.text)]
    named += [passages[i].chunk.practice_codes[0] for i in numbers if passages[i].chunk.source_type == "practice_card"]
    return Answer(
        question=question,
        answer_markdown="\n".join(lines),
        claims=claims,
        citations=citations,
        practices=list(dict.fromkeys(named)),
        supported=True,
        backend=backend,
        retrieved=retrieved,
        guard=report,
    )
