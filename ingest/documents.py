"""Loading source files into :class:`LoadedDocument` (text per page) and reading SOURCES.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.core.control_chars import strip_controls
from app.core.files import FileRefused, read_regular, regular_file_problem, resolved
from app.core.text import document_id

SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md")


class LoadError(Exception):
    """A file could not be read; the message says why, for the per-file report."""


@dataclass(frozen=True)
class SourceInfo:
    """One row of ``corpus/documents/SOURCES.md``."""

    file: str
    title: str
    source_type: str
    authors: str = ""
    year: str = ""
    licence: str = ""
    doi: str = ""


@dataclass
class LoadedDocument:
    """Raw text of one file, page by page (``page`` is None for formats without pages)."""

    doc_id: str
    title: str
    source_type: str
    path: Path
    pages: list[tuple[int | None, str]] = field(default_factory=list)


def read_sources(documents_dir: Path) -> dict[str, SourceInfo]:
    """Parse the Markdown table in SOURCES.md (columns: file, title, type, authors, year, licence, DOI)."""
    path = documents_dir / "SOURCES.md"
    if not path.exists():
        return {}
    rows: dict[str, SourceInfo] = {}
    header: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not header:
            header = [c.lower() for c in cells]
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        rec = dict(zip(header, cells, strict=False))
        name = rec.get("file", "").strip("`")
        if name:
            rows[name] = SourceInfo(
                file=name,
                title=rec.get("title", name),
                source_type=rec.get("type", "user_document"),
                authors=rec.get("authors", ""),
                year=rec.get("year", ""),
                licence=rec.get("licence", ""),
                doi=rec.get("doi", ""),
            )
    return rows


def corpus_sources(path: Path, documents_dir: Path) -> dict[str, SourceInfo]:
    """The corpus's own SOURCES.md rows, for a file inside the corpus's documents folder; nothing for any other file.

    Titles and source types ("report", "paper") are curated: a SOURCES.md beside a user's file, or a user's
    file named like a corpus file, must not make it cite as a reviewed source.
    """
    if resolved(path).parent != documents_dir.resolve():
        return {}
    return read_sources(documents_dir)


def without_controls(pages: list[tuple[int | None, str]]) -> list[tuple[int | None, str]]:
    """The pages without terminal escapes and control characters; raises :class:`LoadError` when they are most of it.

    A file that is mostly escapes is not a document with a little noise: ingesting what is left would add it with
    no usable evidence and say nothing.
    """
    cleaned = [(page, *strip_controls(text)) for page, text in pages]
    removed = sum(n for _, _, n in cleaned)
    kept = sum(len("".join(text.split())) for _, text, _ in cleaned)
    if removed and removed >= kept:
        raise LoadError(
            f"mostly control characters or terminal escape sequences ({removed} of {removed + kept} characters), not text"
        )
    return [(page, text) for page, text, _ in cleaned]


def read_input(path: Path, max_bytes: int) -> bytes:
    """The bytes of an input file: a regular file of at most ``max_bytes`` (a device, FIFO or huge file is refused)."""
    try:
        return read_regular(path, max_bytes, "JOINEDUP_MAX_FILE_MB raises it")
    except FileRefused as exc:
        raise LoadError(str(exc)) from exc
    except OSError as exc:
        raise LoadError(f"cannot read file ({exc.strerror or exc})") from exc


def load_pdf(path: Path, data: bytes | None = None) -> list[tuple[int | None, str]]:
    """Text of each page with its 1-based page number, via pypdf (``data``: the file's bytes, already read)."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data) if data is not None else str(path))
        if reader.is_encrypted:
            raise LoadError("the PDF is encrypted")
        pages: list[tuple[int | None, str]] = [(i + 1, page.extract_text() or "") for i, page in enumerate(reader.pages)]
        meta_title = (reader.metadata.title or "").strip() if reader.metadata else ""
    except LoadError:
        raise
    except PdfReadError as exc:
        raise LoadError(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on damaged files (NotImplementedError, AttributeError …)
        raise LoadError(f"a damaged or unsupported PDF ({type(exc).__name__}: {str(exc)[:120]})") from exc
    if not pages:
        raise LoadError("the PDF has no pages")
    if not any(text.strip() for _, text in pages):
        raise LoadError("the PDF has no extractable text (scanned images need OCR first)")
    if meta_title:
        pages[0] = (1, f"# {meta_title}\n\n" + pages[0][1])  # becomes the title, and the first heading
    return pages


def load_text(path: Path, data: bytes | None = None) -> list[tuple[int | None, str]]:
    """A .txt or .md file as one page-less unit (``data``: the file's bytes, already read)."""
    try:
        text = (data if data is not None else path.read_bytes()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if not text.strip():
        raise LoadError("the file is empty")
    return [(None, text)]


def skip_reason(path: Path, cards_only: bool = False) -> str:
    """Why a folder entry is not ingested, for its report line (a subfolder, or a type the loader cannot read).

    ``cards_only``: the entry is in the practices folder, which holds practice cards (``.yaml``) only.
    """
    if path.is_dir():
        return "a folder inside the folder is not read; give its path to ingest it"
    kind = regular_file_problem(path, 1 << 62)  # any size: the kind is what is asked here
    if kind:
        return kind
    suffix = path.suffix.lower()
    if suffix == ".yml":
        return ".yml is not read; name practice cards .yaml"
    if cards_only:
        return "the practices folder holds practice cards (.yaml) only"
    return f"{suffix or 'a file without an extension'} is not supported; convert to PDF or text ({', '.join(SUPPORTED_SUFFIXES)})"


def load_document(path: Path, sources: dict[str, SourceInfo] | None = None, max_bytes: int = 50 * 1024 * 1024) -> LoadedDocument:
    """Load one file of at most ``max_bytes``; raises :class:`LoadError` with a reason a user can act on."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = " (practice cards are .yaml files in corpus/practices/)" if suffix in {".yml", ".yaml"} else ""
        raise LoadError(f"unsupported file type {suffix or '(none)'}; use {', '.join(SUPPORTED_SUFFIXES)}{hint}")
    if not path.exists():
        raise LoadError("file not found")
    data = read_input(path, max_bytes)
    pages = without_controls(load_pdf(path, data) if suffix == ".pdf" else load_text(path, data))
    info = (sources or {}).get(path.name)
    # A user's document is named by its file, never by a title it gives itself ("# … (ESN, 2016)" would pass for a
    # curated source); answers add "(your document, not reviewed)" beside it.
    title = info.title if info else path.name
    source_type = info.source_type if info else "user_document"
    return LoadedDocument(doc_id=document_id(path), title=title, source_type=source_type, path=path, pages=pages)
