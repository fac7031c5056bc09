"""Document ids unique by path: which id each file gets, and which files are refused.

A corpus document keeps the id it always had (the slug of its file name, a card its practice
code, the tables file ``tables``). Only on a collision does a file get an id from its path
(``report.pdf`` + ``report.txt`` -> ``report`` and ``report-txt``); an id a file already holds
in the manifest or the user-documents registry stays with that file. A user's file never takes
a corpus document's id: it is refused, naming both files, and nothing is written. Two cards
with one practice code: the second file fails.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from app.core.cards import card_doc_id
from app.core.tables import TABLES_FILE
from app.core.text import MAX_ID_CHARS, bounded_id, document_id
from ingest.table_chunks import TABLES_DOC_ID


@dataclass(frozen=True)
class Planned:
    """One file to ingest, with its document id, or the reason it is refused."""

    path: Path
    doc_id: str
    user: bool
    refusal: str = ""


def natural_id(path: Path, card_code: str | None = None) -> str:
    """The id a file gets when nothing else holds it: the tables file, a card by its code, else its name."""
    if path.name == TABLES_FILE:
        return TABLES_DOC_ID
    if path.suffix == ".yaml":
        return bounded_id(card_doc_id(card_code or path.stem))
    return document_id(path)


def path_id(text: str) -> str:
    """A slug of a file's name with its suffix (and folder, for a user's file): ``report.txt`` -> ``report-txt``."""
    return bounded_id(re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document")


def _with_hash(base: str, path: Path) -> str:
    return f"{base[:MAX_ID_CHARS].rstrip('-')}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"


class _Ids:
    """The ids taken so far in one run, by which file."""

    def __init__(self) -> None:
        self.owner: dict[str, Planned] = {}
        self.of: dict[Path, Planned] = {}

    def take(self, path: Path, doc_id: str, user: bool) -> None:
        planned = Planned(path, doc_id, user)
        self.owner[doc_id] = planned
        self.of[path] = planned

    def free(self, doc_id: str) -> bool:
        return doc_id not in self.owner

    def unique(self, base: str, path: Path) -> str:
        return base if self.free(base) else _with_hash(base, path)

    def refuse(self, path: Path, doc_id: str, user: bool, reason: str) -> None:
        self.of[path] = Planned(path, doc_id, user, reason)


def assign_ids(
    corpus: list[Path], users: list[Path], held: dict[Path, str], card_codes: dict[Path, str | None]
) -> dict[Path, Planned]:
    """Give every file an id unique in the index; ``held`` are the ids files already have (manifest, registry)."""
    ids = _Ids()
    cards = [p for p in corpus if p.suffix == ".yaml" and p.name != TABLES_FILE]
    documents = [p for p in corpus if p not in cards]
    # Corpus documents first, those already holding an id before newcomers; then the cards, a file named for its
    # code before a copy; then the user's files, each kept at the id it holds unless a corpus file has it now.
    for path in documents:
        if path in held and ids.free(held[path]):
            ids.take(path, held[path], user=False)
    for path in documents:
        if path not in ids.of:
            natural = natural_id(path)
            ids.take(path, natural if ids.free(natural) else ids.unique(path_id(path.name), path), user=False)
    for path in sorted(cards, key=lambda p: (p.stem != card_codes.get(p), p.name)):
        _take_card(ids, path, card_codes.get(path), user=False)
    for path in users:
        if path.suffix != ".yaml" and path in held and ids.free(held[path]):
            ids.take(path, held[path], user=True)
    for path in users:
        if path in ids.of:
            continue
        if path.suffix == ".yaml":
            _take_card(ids, path, card_codes.get(path), user=True)
            continue
        natural = natural_id(path)
        other = ids.owner.get(natural)
        if other is None:
            ids.take(path, natural, user=True)
        elif not other.user:
            ids.refuse(path, natural, True, f"refused: it would take the document id {natural!r} of the corpus file {other.path}")
        else:
            ids.take(path, ids.unique(path_id(f"{path.parent.name} {path.name}"), path), user=True)
    return ids.of


def _take_card(ids: _Ids, path: Path, code: str | None, user: bool) -> None:
    natural = natural_id(path, code)
    other = ids.owner.get(natural)
    if other is None:
        ids.take(path, natural, user)
    else:
        ids.refuse(path, natural, user, f"duplicate practice code {code or path.stem}: {other.path} already has it")
