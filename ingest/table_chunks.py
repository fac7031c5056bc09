"""``corpus/tables.yaml`` -> one passage per table, placed in the section of its document where it is printed."""

from __future__ import annotations

from pathlib import Path

from app.core.codes import PracticeCodes
from app.core.corpus_profile import HeadingCues
from app.core.models import Chunk
from app.core.normalise import normalise
from app.core.tables import read_tables
from ingest.documents import SourceInfo, load_document
from ingest.split import chunk_id, clean_document

TABLES_DOC_ID = "tables"


def chunks_from_tables(path: Path, sources: dict[str, SourceInfo], cues: HeadingCues, codes: PracticeCodes) -> list[Chunk]:
    """One chunk per table: its caption, header and rows; ``extra.table_id`` links it back to the table."""
    documents = path.parent / "documents"
    blocks: dict[str, list[tuple[str, str]]] = {}  # document -> (normalised text, section) of each block

    def section_of(caption: str, document: str) -> str:
        if document not in blocks:
            clean = clean_document(load_document(documents / document, sources), cues)
            blocks[document] = [(normalise(b.text), b.section) for b in clean.blocks]
        wanted = normalise(caption)[:40]
        return next((section for text, section in blocks[document] if wanted in text), "")

    chunks = []
    for table in read_tables(path):
        info = sources.get(table.document)
        if info is None or not (documents / table.document).exists():
            raise ValueError(f"table {table.id}: document {table.document} is not in documents/ with a SOURCES.md row")
        text = table.text()
        section = section_of(table.caption, table.document)
        chunks.append(
            Chunk(
                id=chunk_id(TABLES_DOC_ID, text),
                text=text,
                doc_id=TABLES_DOC_ID,
                doc_title=info.title,
                source_type=info.source_type,
                section=" > ".join(p for p in (section, table.caption) if p),
                practice_codes=codes.find(text),
                extra={"kind": "table", "table_id": table.id},
            )
        )
    return chunks
