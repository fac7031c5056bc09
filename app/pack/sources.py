"""Finding where a quote is in the corpus, and refusing any that is not verbatim.

A pack item is only made when its quote occurs in a source document (after the same
normalisation ``joinedup cards check`` uses: case, typography, white space, line-break
hyphens). :class:`SourceTexts` holds the documents' full text for that proof and their
passages (section path, page) for saying where the quote is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.corpus_profile import is_curated_document
from app.core.models import Chunk
from app.core.normalise import QuoteIndex, dehyphenate, normalise
from app.core.text import document_id
from app.pack.model import Source

EXCERPT_JOIN = " … "  # how non-adjacent excerpts of one source are joined in a quote
_DOCUMENT_SUFFIXES = {".txt", ".md"}


@dataclass(frozen=True)
class Passage:
    """A stretch of a document with its place: where a quote found inside it is cited to."""

    document: str
    section: str
    page: int | None
    text: str


class SourceTexts:
    """The source documents (title -> full text) and their passages, for proving and placing quotes."""

    def __init__(
        self, documents: dict[str, str], passages: list[Passage] | None = None, ids: dict[str, str] | None = None
    ) -> None:
        """``documents``: title -> full text; ``ids``: document id (file slug) -> title."""
        self._indexes = {title: QuoteIndex([text]) for title, text in documents.items()}
        self._ids = ids or {document_id(Path(t)): t for t in documents}
        self._passages = [(p, dehyphenate(normalise(p.text))) for p in passages or []]

    @classmethod
    def from_corpus(cls, documents_dir: Path, chunks: list[Chunk]) -> SourceTexts:
        """The corpus's text documents, titled as the index titles them; the indexed passages place quotes."""
        titles = {c.doc_id: c.doc_title for c in chunks}
        paths = sorted(p for p in documents_dir.iterdir() if p.suffix in _DOCUMENT_SUFFIXES and p.name != "SOURCES.md")
        ids = {document_id(p): titles.get(document_id(p), p.stem) for p in paths}
        documents = {ids[document_id(p)]: p.read_text(encoding="utf-8") for p in paths}
        passages = [
            Passage(c.doc_title, c.section, c.page, c.text)
            for c in chunks
            # A document's running text (curated or a user's): not a practice card, not a table.
            if (is_curated_document(c.source_type) or c.source_type == "user_document") and c.extra.get("kind") != "table"
        ]
        return cls(documents, passages, ids)

    @property
    def titles(self) -> list[str]:
        """The documents' titles."""
        return list(self._indexes)

    def title_of(self, file_name: str) -> str:
        """The title of the document with this file name (a table's ``document``); the name itself when unknown."""
        return self._ids.get(document_id(Path(file_name)), file_name)

    def contains(self, quote: str, document: str | None = None) -> bool:
        """Whether every excerpt of the quote occurs in one document (the given one, or any)."""
        return self.document_of(quote, document) is not None

    def document_of(self, quote: str, document: str | None = None) -> str | None:
        """The title of the document holding every excerpt of the quote (None when no document does)."""
        parts = [p for p in quote.split(EXCERPT_JOIN) if p.strip()]
        if not parts:
            return None
        candidates = [document] if document in self._indexes else list(self._indexes)
        return next((t for t in candidates if all(self._indexes[t].contains(p) for p in parts)), None)

    def source(self, quote: str, where: str = "", document: str | None = None, page: int | None = None) -> Source | None:
        """A :class:`Source` for a verbatim quote (placed by the passage holding it), or None if it is not verbatim."""
        quote = quote.strip()
        title = self.document_of(quote, document)
        if title is None:
            return None
        if not where:
            found = self.passage_of(quote.split(EXCERPT_JOIN)[0], title)
            if found is not None:
                where, page = found.section, found.page if page is None else page
        return Source(document=title, where=where, quote=quote, page=page)

    def passage_of(self, quote: str, document: str | None = None) -> Passage | None:
        """The first passage (of the document, if given) that holds the quote."""
        wanted = dehyphenate(normalise(quote))
        return next((p for p, text in self._passages if wanted in text and document in (None, p.document)), None)
