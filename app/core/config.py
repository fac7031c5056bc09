"""All settings, as a tree by stage, read from the environment in one place.

Every tunable of the pipeline is a field here with a one-line description; the
ones a user may want to set have an environment variable. ``joinedup config``
prints the whole tree with its sources. The evaluation varies settings through
named presets (``evals/presets.yaml``): dotted overrides such as
``{"retrieval.mode": "dense"}`` applied with :meth:`Settings.with_`.

Environment variables (defaults in brackets):

| variable | default | meaning |
|---|---|---|
| JOINEDUP_DATA_DIR | data/ | Chroma store, BM25 index, manifest |
| JOINEDUP_CORPUS_DIR | corpus/ | documents/, practices/ and profile.yaml |
| JOINEDUP_COLLECTION | joinedup | Chroma collection name |
| JOINEDUP_CHUNK_SIZE / JOINEDUP_CHUNK_OVERLAP | 900 / 150 | chunk size and overlap in characters |
| JOINEDUP_MAX_FILE_MB | 50 | largest file ingest reads (checked before reading) |
| JOINEDUP_MODEL_PATH | (packaged all-MiniLM-L6-v2) | sentence-transformers model directory |
| CHROMA_HOST / CHROMA_PORT | unset / 8000 | use a Chroma server instead of the embedded store |
| JOINEDUP_RETRIEVER | hybrid | hybrid, dense, bm25 or sentences |
| JOINEDUP_K | 8 | passages retrieved per question |
| JOINEDUP_SOURCE_TYPES | (all) | comma-separated source types to search |
| JOINEDUP_BACKEND | extractive | answer backend (extractive, openai, ollama, llamacpp) |
| JOINEDUP_LLM_BASE_URL | unset | OpenAI-compatible endpoint (e.g. http://127.0.0.1:8080/v1) |
| JOINEDUP_LLM_MODEL | unset | model name for the OpenAI-compatible / Ollama backend |
| JOINEDUP_LLM_API_KEY / OPENAI_API_KEY | unset | key for the OpenAI-compatible endpoint |
| OLLAMA_HOST | http://127.0.0.1:11434 | Ollama server |
| JOINEDUP_GGUF_PATH | unset | GGUF model file for the llama.cpp backend |
| JOINEDUP_LLM_TIMEOUT | 60 | seconds before an LLM call is abandoned |
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_type_hints

ROOT = Path(__file__).resolve().parents[2]
# The source types of the Chunk contract (app/core/models.py), one definition for the whole project.
SOURCE_TYPES = (
    "report",  # a curated document listed in corpus/documents/SOURCES.md (the ESN report)
    "paper",  # a curated document listed there (the IJIC paper)
    "practice_card",  # a practice card of corpus/practices/
    "user_document",  # a document a user ingested: cited, never under a curated title
)


def setting(default: Any, doc: str, env: str | tuple[str, ...] = ()) -> Any:
    """A settings field: its default, a one-line description and the environment variable(s) that set it."""
    names = (env,) if isinstance(env, str) else env
    meta = {"doc": doc, "env": names}
    if isinstance(default, list | dict):
        return field(default_factory=lambda: default, metadata=meta)
    return field(default=default, metadata=meta)


def model_file(name: str, doc: str, env: str) -> Any:
    """A settings field naming a fitted model: by default ``models/<name>`` of the repository."""
    return setting(str(ROOT / "models" / name), doc, env)


@dataclass(frozen=True)
class IndexSettings:
    """How files become chunks and vectors, and where they are stored."""

    collection: str = setting("joinedup", "Chroma collection name", "JOINEDUP_COLLECTION")
    chunk_size: int = setting(900, "target chunk size in characters", "JOINEDUP_CHUNK_SIZE")
    chunk_overlap: int = setting(150, "characters shared by neighbouring chunks", "JOINEDUP_CHUNK_OVERLAP")
    min_chunk_chars: int = setting(25, "shorter pieces (stray table cells, page furniture) are not stored")
    min_sentence_chars: int = setting(30, "shorter sentences get no vector of their own and are never quoted alone")
    model_path: str = setting("", "sentence-transformers model directory (empty: the packaged MiniLM)", "JOINEDUP_MODEL_PATH")
    embed_batch: int = setting(16, "texts embedded per model call (sorted by token length; 16 measured fastest on 2 cores)")
    commit_batch: int = setting(
        256, "chunks of one file embedded and written per batch (an interrupted large file resumes after the last)"
    )
    embedding_cache_rows: int = setting(
        300_000, "vectors kept in data/embeddings.sqlite3 for rebuilds and re-chunking (~0.5 GB; 0: no cache)"
    )
    max_file_mb: float = setting(
        50.0, "largest file ingest reads, in MB (checked before reading; only regular files are read)", "JOINEDUP_MAX_FILE_MB"
    )
    chroma_host: str = setting("", "Chroma server host (empty: the embedded store under data/)", "CHROMA_HOST")
    chroma_port: int = setting(8000, "Chroma server port", "CHROMA_PORT")


@dataclass(frozen=True)
class RetrievalSettings:
    """Which passages a question retrieves."""

    mode: str = setting("hybrid", "hybrid, dense, bm25 or sentences", "JOINEDUP_RETRIEVER")
    k: int = setting(8, "passages retrieved per question", "JOINEDUP_K")
    source_types: tuple[str, ...] = setting(SOURCE_TYPES, "source types searched at all", "JOINEDUP_SOURCE_TYPES")
    rrf_k: int = setting(60, "reciprocal-rank-fusion constant: dampens the weight of top ranks")
    weight_dense: float = setting(1.0, "fusion weight of the chunk-dense ranking")
    weight_bm25: float = setting(1.0, "fusion weight of the BM25 ranking")
    weight_sentences: float = setting(1.0, "fusion weight of the sentence-dense ranking")
    pool_factor: int = setting(3, "each retriever of the hybrid is asked for k times this many passages …")
    pool_min: int = setting(20, "… and at least this many")
    filtered_overfetch: int = setting(8, "dense search fetches k times this many when a filter applies")
    sentence_fetch: int = setting(5, "sentence search fetches k times this many sentences")
    sentence_fetch_filtered: int = setting(10, "… and this many when a filter applies")
    exact_search_limit: int = setting(
        50_000,
        "collections of up to this many vectors are searched exactly (every vector compared); larger ones by the "
        "approximate index alone, whose misses vary between processes",
        "JOINEDUP_EXACT_SEARCH_LIMIT",
    )
    passage_ranker: str = model_file(
        "passage_ranker.json",
        "the fitted passage ranker (joinedup train) whose score of a passage its statements' ranker reads; 'off': none",
        "JOINEDUP_PASSAGE_RANKER",
    )
    ranker_pool: int = setting(30, "the passage ranker is fitted on and reads this many fused passages (at least k)")


@dataclass(frozen=True)
class AnswerSettings:
    """How an answer is composed from the retrieved passages (design questions included), and checked."""

    backend: str = setting("extractive", "answer backend: extractive, openai, ollama or llamacpp", "JOINEDUP_BACKEND")
    semantic_weight: float = setting(0.65, "share of a sentence's score from embedding similarity (the rest: word overlap)")
    rank_prior: float = setting(0.05, "bonus for sentences of higher-ranked passages (divided by 1 + rank)")
    support_threshold: float = setting(
        0.38, "without an answerability model: best sentence below this score means the corpus does not answer"
    )
    answerability_model: str = model_file(
        "answerability.json",
        "the fitted answerability model (joinedup train); 'off' answers every question (for collecting training features)",
        "JOINEDUP_ANSWERABILITY_MODEL",
    )
    statement_ranker: str = model_file(
        "statement_ranker.json",
        "the fitted statement-relevance model (joinedup train); 'hand' ranks by the hand-set weights above",
        "JOINEDUP_STATEMENT_RANKER",
    )
    keep_ratio: float = setting(0.5, "statements scoring under this share of the best one are not shown")
    duplicate_overlap: float = setting(0.6, "word overlap at which a statement repeats one already chosen")
    answer_type_bonus: float = setting(0.08, "bonus for a sentence of the kind asked for (a figure, a named practice)")
    aspect_bonus: float = setting(0.12, "bonus for a statement about the aspect asked (funding, barriers …)")
    named_practice_bonus: float = setting(0.15, "bonus for a statement about a practice the question names (penalty: another)")
    bottom_line: int = setting(3, "most statements in the bottom line")
    # Chosen on the training set (python -m evals.train.sweep answer.statements_per_part=2,3): accuracy 0.862, 0.864
    # (questions in several parts 0.700, 0.767) at 5.06, 5.12 citations per answer.
    statements_per_part: int = setting(3, "most statements answering each part of a question in several parts")
    max_question_chars: int = setting(
        2000, "a longer question is declined with a sentence (a page of text is not one question)", "JOINEDUP_MAX_QUESTION_CHARS"
    )
    max_table_rows: int = setting(16, "a table that counts something is shown whole up to this many rows (else its asked rows)")
    figure_window: int = setting(
        8, "a figure question is answered only if one of this many best statements (above keep_ratio) holds such a figure"
    )
    figure_window_measured: int = setting(
        24, "… this many when the question says what the figure is of (a figure beside that thing is rarer than any figure)"
    )
    # Chosen on the training set (python -m evals.train.sweep answer.supporting=3,4,5,6): accuracy 0.809, 0.812,
    # 0.815, 0.819 at 5.7, 6.1, 6.3, 6.5 citations per answer; five is the most an answer should support itself with.
    supporting: int = setting(5, "most supporting statements after the bottom line")
    # Chosen on the training set (answer.supporting_citations=1,2,3,99, 2026-12-07): accuracy 0.867, 0.883, 0.885, 0.883
    # at 3.8, 4.4, 4.8, 5.1 citations per answer (citation precision 0.44, 0.40, 0.38, 0.37). Two: a citation less per
    # answer than no limit at the same accuracy; one loses two questions in a hundred. The comparable practices (at
    # most ``practices``) are outside the limit: a design answer without them leaves a follow-up nothing to carry.
    supporting_citations: int = setting(
        2, "most passages the supporting statements cite beyond those the opening (bottom line, parts, list) cites"
    )
    recommendations: int = setting(4, "most recommendations of the report in a design answer")
    # Chosen on the training set (python -m evals.train.sweep answer.practices=0,1,2,3): accuracy 0.811, 0.811, 0.812,
    # 0.813 (one to two questions of 745) at 5.4, 5.8, 6.1, 6.4 citations per answer and citation precision 0.36, 0.34,
    # 0.33, 0.33. Two, not one: the cards' retrieval scores of the best few fitting practices are near ties (a youth
    # agency came before the long-term unemployed's own practices), so one slot too often shows the weaker peer.
    practices: int = setting(2, "most comparable practices listed")
    practice_pool: int = setting(12, "practice cards retrieved to find comparable practices")
    passages_per_document: int = setting(
        3, "asked whether the sources agree: passages of each document searched for when the question's search found none"
    )
    cards_per_practice: int = setting(
        2, "matching cards added to the passages per practice listed (more than one: a card may be silent on the asked field)"
    )
    table_rows: int = setting(8, "most rows of one table in a bottom line (more reads as the whole table)")
    quotes_per_fact: int = setting(3, "source quotes behind one card fact (joined with ' … ' into its citation)")
    guard_min_term_support: float = setting(0.5, "share of a claim's content words its cited passages must contain")


@dataclass(frozen=True)
class FinderSettings:
    """The practice finder."""

    similarity_pool: int = setting(40, "passages retrieved to rank practices by a description")
    filtered_pool_factor: int = setting(4, "… this many times more when the filters keep none of the practices found")
    relevance_floor: float = setting(
        0.6, "a description lists practices scoring at least this share of the best one (tuned on evals/finder_situations.jsonl)"
    )
    max_shown: int = setting(10, "most practices a description lists, however many clear the relevance floor")
    shared_passage_discount: float = setting(
        1.0, "a passage naming n practices counts score / n ** this for each (0: the same for all of them)"
    )
    snippet_chars: int = setting(240, "length of the similar passage shown with a match")
    richness_weight: float = setting(0.01, "without a description, cards with more filled fields rank first (per field)")
    meaning_threshold: float = setting(
        0.58, "a phrase of a description names a facet by meaning at this cosine to its label (MiniLM; set on hand-made phrases)"
    )
    meaning_margin: float = setting(0.05, "… and only if it is this much closer to that label than to any other")


@dataclass(frozen=True)
class ConversationSettings:
    """Follow-up questions."""

    follow_up_max_words: int = setting(14, "longer questions are taken as standalone")
    topic_words: int = setting(12, "topic words carried over from the previous question")
    carried_practices: int = setting(4, "practice codes carried over from the previous answer")
    # Chosen on the training set's 40 follow-ups (0, 0.5, 1.0): accuracy 0.775, 0.800, 0.775 (1.0 answered one more
    # out-of-scope follow-up). Small evidence: one question either way.
    own_words_weight: float = setting(
        0.5,
        "a follow-up is also searched with its own words alone, fused at this weight beside the search with its topic (0: off)",
    )
    llm_history_turns: int = setting(3, "earlier questions shown to an LLM that condenses a follow-up")


@dataclass(frozen=True)
class PackSettings:
    """The workshop pack (``joinedup pack``, the app's workshop-pack page)."""

    min_practices: int = setting(2, "fewest practices a pack compares")
    max_practices: int = setting(6, "most practices a pack compares")
    quiz_items: int = setting(6, "quiz questions on the sources' key figures")
    barrier_questions: int = setting(3, "discussion questions from the barriers-and-facilitators table")
    recommendation_questions: int = setting(3, "discussion questions from the report's recommendations")
    quotes_per_fact: int = setting(2, "source quotes cited for each field of a practice one-pager")


@dataclass(frozen=True)
class LLMSettings:
    """Optional LLM backends."""

    base_url: str = setting("", "OpenAI-compatible endpoint", "JOINEDUP_LLM_BASE_URL")
    model: str = setting("", "model name the endpoint or Ollama serves", "JOINEDUP_LLM_MODEL")
    api_key: str = field(default="", repr=False, metadata={"doc": "API key", "env": ("JOINEDUP_LLM_API_KEY", "OPENAI_API_KEY")})
    ollama_host: str = setting("http://127.0.0.1:11434", "Ollama server", "OLLAMA_HOST")
    gguf_path: str = setting("", "GGUF model file for the llama.cpp backend", "JOINEDUP_GGUF_PATH")
    timeout: float = setting(60.0, "seconds before an LLM call is abandoned", "JOINEDUP_LLM_TIMEOUT")
    max_passage_chars: int = setting(1200, "characters of each passage sent to the model")


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with :func:`load_settings`, vary with :meth:`with_`."""

    data_dir: Path = setting(ROOT / "data", "Chroma store, BM25 index, manifest", "JOINEDUP_DATA_DIR")
    corpus_dir: Path = setting(ROOT / "corpus", "documents/, practices/ and profile.yaml", "JOINEDUP_CORPUS_DIR")
    prompts_dir: Path = setting(ROOT / "prompts", "prompt templates")
    index: IndexSettings = field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    finder: FinderSettings = field(default_factory=FinderSettings)
    conversation: ConversationSettings = field(default_factory=ConversationSettings)
    llm: LLMSettings = field(default_factory=LLMSettings)
    pack: PackSettings = field(default_factory=PackSettings)

    @property
    def documents_dir(self) -> Path:
        return self.corpus_dir / "documents"

    @property
    def practices_dir(self) -> Path:
        return self.corpus_dir / "practices"

    @property
    def max_file_bytes(self) -> int:
        """``index.max_file_mb`` in bytes: ingest reads no larger file."""
        return int(self.index.max_file_mb * 1024 * 1024)

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def user_documents_path(self) -> Path:
        """The registry of documents a user ingested beside the corpus (kept by every later ingest)."""
        return self.data_dir / "user_documents.json"

    # The keyword index, units and manifest live in the live generation of the index: see app.index.generations.

    def with_(self, overrides: Mapping[str, object] | None = None, **top: object) -> Settings:
        """A copy with some settings changed: ``{"retrieval.k": 5}`` (dotted paths) and/or top-level keywords."""
        changes: dict[str, object] = {**(overrides or {}), **top}
        result: Settings = self
        for path, value in changes.items():
            result = _replace_path(result, path.split("."), value)
        return result


def _replace_path(obj: Any, parts: list[str], value: object) -> Any:
    names = {f.name for f in fields(obj)}
    if parts[0] not in names:
        raise ValueError(f"unknown setting {parts[0]!r} in {type(obj).__name__}; known: {', '.join(sorted(names))}")
    if len(parts) == 1:
        current = getattr(obj, parts[0])
        if dataclasses.is_dataclass(current):
            raise ValueError(f"{parts[0]!r} is a group of settings; name one of its fields")
        return replace(obj, **{parts[0]: _coerce(value, type(current))})
    return replace(obj, **{parts[0]: _replace_path(getattr(obj, parts[0]), parts[1:], value)})


def _coerce(value: Any, kind: type) -> object:
    """Values from YAML presets and the environment arrive as str/list/int; give them the field's type."""
    if kind is Path:
        return Path(str(value)).expanduser().resolve()
    if kind is tuple:
        items = value.split(",") if isinstance(value, str) else list(value)
        return tuple(str(i).strip() for i in items if str(i).strip())
    if kind is bool and isinstance(value, str):
        return value.lower() in {"1", "true", "yes", "on"}
    if kind in (int, float, str):
        return kind(value)
    return value


def iter_settings(obj: Any, prefix: str = "") -> Iterator[tuple[str, object, str, tuple[str, ...]]]:
    """(dotted name, value, description, environment variables) for every leaf setting."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            yield from iter_settings(value, f"{prefix}{f.name}.")
        else:
            yield f"{prefix}{f.name}", value, f.metadata.get("doc", ""), tuple(f.metadata.get("env", ()))


def _from_env(cls: type, environ: Mapping[str, str]) -> Any:
    """An instance of a settings dataclass with every field that has a set environment variable read from it."""
    hints = get_type_hints(cls)
    values: dict[str, object] = {}
    for f in fields(cls):
        if dataclasses.is_dataclass(hints[f.name]):
            values[f.name] = _from_env(hints[f.name], environ)
            continue
        for name in f.metadata.get("env", ()):
            raw = environ.get(name, "").strip()
            if raw:
                kind = hints[f.name]
                kind = tuple if getattr(kind, "__origin__", None) is tuple else kind
                try:
                    values[f.name] = _coerce(raw, kind)
                except ValueError as exc:
                    raise ValueError(f"{name}={raw!r} is not a valid {kind.__name__}") from exc
                break
    return cls(**values)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the environment once; every module takes a ``Settings`` instead of reading it."""
    settings: Settings = _from_env(Settings, os.environ if environ is None else environ)
    unknown = set(settings.retrieval.source_types) - set(SOURCE_TYPES)
    if unknown:
        raise ValueError(f"JOINEDUP_SOURCE_TYPES: unknown source type(s) {', '.join(sorted(unknown))}")
    return settings
