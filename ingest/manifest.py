"""The manifest: which documents are in the store, with what content hash and which chunk ids."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel


class ManifestEntry(BaseModel):
    path: str
    sha256: str
    chunk_ids: list[str]


class Manifest(BaseModel):
    documents: dict[str, ManifestEntry] = {}

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Read the manifest; a missing or unreadable one is empty (everything is re-checked)."""
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()

    def save(self, path: Path) -> None:
        """Write atomically, so an interrupted ingest never leaves half a manifest."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.model_dump(), indent=1), encoding="utf-8")
        os.replace(tmp, path)
