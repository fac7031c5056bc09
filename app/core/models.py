"""Typed data passed between ingest, retrieval, answering, the UI and evals.

These follow the contracts of the design document (Chunk, Answer). Chroma
metadata must be flat scalars, so list fields are stored as ``|``-delimited
strings (``|FI5|DE2|``) and converted back here.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


def join_list(values: list[str]) -> str:
    """``["FI5", "DE2"]`` -> ``"|FI5|DE2|"`` (delimiters on both ends make ``$contains`` exact)."""
    return "|" + "|".join(values) + "|" if values else ""


def split_list(value: str | None) -> list[str]:
    """Inverse of :func:`join_list`."""
    return [v for v in (value or "").split("|") if v]


class Chunk(BaseModel):
    """One cited passage as stored in the vector store and the BM25 index."""

    id: str
    text: str
    doc_id: str
    doc_title: str
    source_type: str
    section: str = ""
    page: int | None = None
    practice_codes: list[str] = []
    char_start: int = 0
    char_end: int = 0
    extra: dict[str, str] = Field(default_factory=dict)  # card facets, e.g. {"country": "Finland"}

    def context_text(self) -> str:
        """What the retrievers index: title and section add words the passage may not repeat."""
        return f"{self.doc_title}. {self.section}.\n{self.text}"

    def metadata(self) -> dict[str, str | int | bool]:
        """Flat metadata for Chroma (no lists, no None)."""
        meta: dict[str, str | int | bool] = {
            "doc_id": self.doc_id,
            "doc_title": self.doc_title,
            "source_type": self.source_type,
            "section": self.section,
            "page": self.page if self.page is not None else -1,
            "practice_codes": join_list(self.practice_codes),
            "char_start": self.char_start,
            "char_end": self.char_end,
        }
        for key, value in self.extra.items():
            meta[f"x_{key}"] = value
        return meta

    @classmethod
    def from_store(cls, chunk_id: str, text: str, meta: dict) -> Chunk:
        """Rebuild a chunk from what Chroma returns."""
        page = meta.get("page", -1)
        return cls(
            id=chunk_id,
            text=text,
            doc_id=str(meta.get("doc_id", "")),
            doc_title=str(meta.get("doc_title", "")),
            source_type=str(meta.get("source_type", "")),
            section=str(meta.get("section", "")),
            page=None if page in (-1, None) else int(page),
            practice_codes=split_list(meta.get("practice_codes")),
            char_start=int(meta.get("char_start", 0)),
            char_end=int(meta.get("char_end", 0)),
            extra={k[2:]: str(v) for k, v in meta.items() if k.startswith("x_")},
        )


class Unit(BaseModel):
    """A typed piece of evidence an answer can state and cite on its own, built at ingest from a document.

    ``text`` is verbatim source text (a sentence with the sentence it points back to, a list with its
    intro, a recommendation with its example), so it is also the citation's quote. ``lead`` is the
    sentence that carries the unit's meaning (its stored sentence vector scores the unit).
    """

    kind: str
    text: str
    lead: str
    doc_id: str
    section: str = ""
    page: int | None = None
    start: int = 0  # offsets in the cleaned document, like Chunk.char_start/char_end
    end: int = 0
    practice_codes: list[str] = []
    audience: str = ""  # recommendation units: the audience of the section


class QuestionPart(BaseModel):
    """One part of a question that asks several things ("…, and how much did it save?")."""

    text: str
    measure: str = ""  # the figure this part asks for (money, share, count, other); "" when it asks none
    measured: str = ""  # what its figure is of, singular ("how many case managers" -> "case manager"); "" when not said
    asked_name: str = ""  # the kind of name this part asks for ("foundation", "evaluator"); "" when it asks none


class Analysis(BaseModel):
    """What a question asks (see :mod:`app.query.analyse`); answers carry it so a follow-up can build on it."""

    question: str
    language: str = "English"
    answer_type: str = "general"  # design, compare, figure, practices, list, definition, general
    measure: str = ""  # what a figure question measures: money, share, count, other ("" when no figure is asked)
    measured: str = ""  # what a count or share asked is of, singular ("the employment rate of …" -> "employment")
    asked_name: str = ""  # the kind of name asked ("Which foundation co-funds …" -> "foundation"); "" when none is
    asks_recommendation: bool = False
    aspects: list[str] = []
    practices: list[str] = []
    countries: list[str] = []
    target_groups: list[str] = []
    sectors: list[str] = []
    audiences: list[str] = []  # the audiences the question names (none: not said)
    follow_up: bool = False
    topic: str = ""  # the earlier question a follow-up continues
    parts: list[QuestionPart] = []  # a question in several parts, each on its own (empty for a simple question)
    unknown_words: list[str] = []  # content words of the question the corpus never uses (set by the scope step)
    unknown_names: list[str] = []  # names, codes and years of the question the corpus never mentions
    # How much each unknown word or name carries of the question's meaning: 1 - cosine(question, question without it).
    # "Canada" in "Which practices from Canada …" carries much; "barely" in a long situational question, little.
    unknown_influence: dict[str, float] = {}
    unknown_meaning: float = 0.0  # … and all of them together (a topic may take several unknown words: "craft beer")

    @property
    def route(self) -> str:
        """Which composition answers it: ``recommend``, ``practices`` or ``evidence``."""
        if self.answer_type == "design" or self.asks_recommendation:
            return "recommend"
        if self.answer_type == "practices" or (self.practices and not self.aspects and self.answer_type == "general"):
            return "practices"
        return "evidence"


class Passage(BaseModel):
    """A retrieved chunk with its fused score and the rank it had in each retriever."""

    chunk: Chunk
    score: float
    ranks: dict[str, int] = {}
    relevance: float | None = None  # the passage ranker's probability that it holds the evidence (None: not scored)


class Citation(BaseModel):
    n: int
    chunk_id: str
    doc_title: str
    section: str = ""
    page: int | None = None
    quote: str
    source_type: str = ""
    evidence_label: str = ""


class Claim(BaseModel):
    text: str
    citations: list[int]


class RetrievedRef(BaseModel):
    """A passage the answer was composed from, and the step that brought it in."""

    chunk_id: str
    score: float
    text: str
    # "retrieve" (the question's retrieval), else the composition step that added it: "recommendations",
    # "barriers_table", "named_cards", "matching_cards" (a second retrieval, over the cards), "claim_sources".
    step: str = "retrieve"


class GuardReport(BaseModel):
    """What the grounding guard checked and changed."""

    checked_claims: int = 0
    removed_claims: int = 0
    problems: list[str] = []


class Answer(BaseModel):
    """The Answer contract: what ``ask`` returns, the UI renders and evals score."""

    question: str
    answer_markdown: str
    claims: list[Claim] = []
    citations: list[Citation] = []
    practices: list[str] = []
    supported: bool = True
    backend: str = "extractive"
    retrieved: list[RetrievedRef] = []
    timings_ms: dict[str, int] = {}
    rewritten_query: str | None = None
    notice: str | None = None
    guard: GuardReport | None = None
    analysis: Analysis | None = None
    route: str = ""
    evidence: dict[str, float] | None = None  # what answerability judged (see app.query.answerability.Evidence)
