"""Cleaned document -> chunks: section by section, sentence-aware, with overlap and stable ids."""

from __future__ import annotations

import hashlib

from langchain_text_splitters import RecursiveCharacterTextSplitter

from app.core.codes import PracticeCodes
from app.core.config import IndexSettings
from app.core.corpus_profile import HeadingCues
from app.core.models import Chunk
from app.core.normalise import dehyphenate, normalise
from ingest.clean import Line, drop_running_headers, join_hyphenated, mark_dashes, replace_bullets
from ingest.documents import LoadedDocument
from ingest.sections import Block, CleanDocument, build_blocks

# Sentence ends, then paragraph breaks: a chunk boundary never falls mid-sentence if it can help it.
# Last, "" cuts anywhere: a run with no space at all (a 1 MB line) is hard-split at the chunk size.
_SEPARATORS = [r"\n\n", r"(?<=[.!?])\s+(?=[A-Z(‘'\"“])", r"(?<=[;:])\s+", r"\s+", ""]


def chunk_id(doc_id: str, text: str) -> str:
    """Stable id: the same text of the same document always gets the same id."""
    return hashlib.sha1(f"{doc_id}\x00{normalise(text)}".encode()).hexdigest()[:20]


def clean_document(doc: LoadedDocument, cues: HeadingCues) -> CleanDocument:
    """Raw pages -> cleaned text with blocks carrying section and page."""
    lines: list[Line] = []
    for page, text in doc.pages:
        page_lines = replace_bullets(mark_dashes(text)).split("\n")
        for i, ln in enumerate(page_lines):
            # pypdf pages give page starts directly; extracted .txt marks a new page by one leading space.
            starts = (i == 0) if page is not None else (ln.startswith(" ") and not ln.startswith("  "))
            lines.append(Line(ln, page, starts))
    return build_blocks(join_hyphenated(drop_running_headers(lines)), cues)


def _codes(named: list[str], subject: str | None) -> list[str]:
    return named if subject is None or subject in named else [*named, subject]


def _sections(doc: CleanDocument) -> list[list[Block]]:
    groups: list[list[Block]] = []
    for b in doc.blocks:
        if b.is_heading or not groups or (groups[-1] and groups[-1][-1].section != b.section):
            groups.append([])
        if not b.is_heading:
            groups[-1].append(b)
    return [g for g in groups if g]


def section_subjects(clean: CleanDocument, case_studies: dict[str, list[str]]) -> dict[str, str]:
    """The sections that are one practice's case study (section path -> code): those holding a quote its card
    records from the case study ("Programme's name: Open Dialogue"). Its sentences rarely name the code."""
    found: dict[str, str] = {}
    wanted = {code: [dehyphenate(normalise(q)) for q in quotes] for code, quotes in case_studies.items()}
    for group in _sections(clean):
        text = dehyphenate(normalise(clean.text[group[0].start : group[-1].end]))
        heading = normalise(group[0].section.split(" > ")[-1])
        for code, quotes in wanted.items():
            # The quote is in its text, or is its heading ("Programme's name: Open Dialogue" over "Open Dialogue").
            if any(q in text or (len(heading.split()) > 1 and q.endswith(heading)) for q in quotes):
                found.setdefault(group[0].section, code)
    return found


def split_document(
    clean: CleanDocument,
    doc: LoadedDocument,
    config: IndexSettings,
    codes: PracticeCodes,
    paper_refs: dict[str, str] | None = None,
    case_studies: dict[str, list[str]] | None = None,
) -> list[Chunk]:
    """Chunks of one cleaned document; each stays inside one section and knows its page, offsets and codes (those
    its text names, and a case study's own practice in every chunk of that case study)."""
    subjects = section_subjects(clean, case_studies or {})
    overlap = config.chunk_overlap
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=config.chunk_size,
        chunk_overlap=overlap,
        separators=_SEPARATORS,
        is_separator_regex=True,
        keep_separator=True,
        strip_whitespace=True,
    )
    chunks: dict[str, Chunk] = {}
    for group in _sections(clean):
        start, end = group[0].start, group[-1].end
        body = clean.text[start:end]
        cursor = 0
        for piece in splitter.split_text(body):
            if len(piece) < config.min_chunk_chars:  # stray table cells, page furniture
                continue
            offset = body.find(piece, max(0, cursor - overlap - len(piece)))
            offset = offset if offset >= 0 else body.find(piece)
            cursor = offset + len(piece)
            abs_start = start + offset
            page = next((b.page for b in reversed(group) if b.start <= abs_start), group[0].page)
            cid = chunk_id(doc.doc_id, piece)
            chunks.setdefault(
                cid,
                Chunk(
                    id=cid,
                    text=piece,
                    doc_id=doc.doc_id,
                    doc_title=doc.title,
                    source_type=doc.source_type,
                    section=group[0].section,
                    page=page,
                    practice_codes=_codes(codes.find(piece, paper_refs), subjects.get(group[0].section)),
                    char_start=abs_start,
                    char_end=abs_start + len(piece),
                ),
            )
    return list(chunks.values())
