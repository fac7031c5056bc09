"""The index through LangChain: our retriever as a BaseRetriever, our collection as a langchain-chroma store."""

from app.query.langchain_adapters import JoinedUpRetriever, langchain_vectorstore


def test_retriever_adapter_returns_cited_documents(assistant):
    lc = JoinedUpRetriever(retriever=assistant.retriever, k=5)
    docs = lc.invoke("which share of practices use pooled funding")
    assert len(docs) == 5
    assert any("Joint/pooled funding 20 45%" in d.page_content for d in docs)
    assert all({"chunk_id", "doc_title", "section", "source_type"} <= set(d.metadata) for d in docs)


def test_vectorstore_adapter_finds_what_our_dense_retriever_finds(assistant, corpus_settings):
    store = langchain_vectorstore(corpus_settings, client=assistant.retriever.store.client)
    query = "Finnish Clubhouses for people with mental health problems"
    ours = assistant.retriever.dense(query, 3)
    # The store holds vectors of title+section+text; LangChain embeds the bare query the same way we do.
    theirs = store.similarity_search_with_score(query, k=3)
    assert [d.id for d, _ in theirs] == [p.chunk.id for p in ours]
