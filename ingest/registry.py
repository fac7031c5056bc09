"""The user-documents registry: files a user ingested beside the corpus, kept by every later ingest.

``joinedup ingest FILES`` adds the files that ingested; a plain ``joinedup ingest`` ingests the
corpus and every registered file (and never removes a registered file's passages);
``joinedup remove DOC`` takes one out. Stored as ``data/user_documents.json``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel


class UserDocument(BaseModel):
    """One registered file: its absolute path and the document id it holds in the index."""

    path: str
    doc_id: str


class Registry(BaseModel):
    documents: list[UserDocument] = []

    @classmethod
    def load(cls, path: Path) -> Registry:
        """Read the registry; a missing one is empty."""
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except ValueError as exc:
            raise ValueError(f"the user-documents registry {path.name} is not valid JSON ({exc}); fix or delete it") from exc

    def save(self, path: Path) -> None:
        """Write atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.model_dump(), indent=1), encoding="utf-8")
        os.replace(tmp, path)

    def paths(self) -> list[Path]:
        return [Path(d.path) for d in self.documents]

    def held(self) -> dict[Path, str]:
        """The id each registered file holds."""
        return {Path(d.path): d.doc_id for d in self.documents}

    def add(self, path: Path, doc_id: str) -> None:
        """Register a file (again: its entry is replaced)."""
        self.documents = [d for d in self.documents if Path(d.path) != path] + [UserDocument(path=str(path), doc_id=doc_id)]

    def find(self, key: str) -> UserDocument | None:
        """The entry for a document id or a path (as given, or resolved)."""
        resolved = str(Path(key).expanduser().resolve())
        return next((d for d in self.documents if key in (d.doc_id, d.path) or d.path == resolved), None)

    def drop(self, doc_id: str) -> None:
        self.documents = [d for d in self.documents if d.doc_id != doc_id]
