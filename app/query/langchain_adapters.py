"""LangChain adapters: our index as a LangChain retriever and vector store, for chains built on it.

The app itself calls :class:`app.query.retrieve.Retriever` directly; these adapters let a LangChain
pipeline (an agent, a custom chain) use the same hybrid retrieval, or the same Chroma
collection and embedding model, without a second index.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from app.core.config import Settings
from app.core.models import Passage
from app.index.embeddings import langchain_embeddings
from app.query.retrieve import NO_FILTERS, Filters, Retriever


def to_document(passage: Passage) -> Document:
    """A retrieved passage as a LangChain Document (citation fields in the metadata)."""
    c = passage.chunk
    meta = {**c.metadata(), "chunk_id": c.id, "score": passage.score}
    return Document(page_content=c.text, metadata=meta, id=c.id)


class JoinedUpRetriever(BaseRetriever):
    """Hybrid (or dense / BM25 / sentence) retrieval over the Joined-Up index."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Retriever
    k: int = 8
    mode: str = "hybrid"
    filters: Filters = NO_FILTERS

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [to_document(p) for p in self.retriever.search(query, self.k, self.filters, mode=self.mode)]


def langchain_vectorstore(settings: Settings, client: Any | None = None) -> Any:
    """The chunk collection as a ``langchain_chroma.Chroma`` vector store with the packaged model."""
    from langchain_chroma import Chroma

    from app.index.generations import live_generation
    from app.index.store import open_client

    return Chroma(
        client=client or open_client(settings),
        collection_name=live_generation(settings).collection,
        embedding_function=langchain_embeddings(settings),
    )
