"""Ingestion: load documents and practice cards, clean, split, index."""
