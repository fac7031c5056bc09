"""Index: the Chroma store, BM25, embeddings and index generations. Uses core only."""
