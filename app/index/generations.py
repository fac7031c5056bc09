"""Index generations: where the live index is, so ``ingest --rebuild`` never pulls it from under a reader.

Generation 0 is the layout of an index never rebuilt (collection ``joinedup``, ``data/bm25``,
``data/units``, ``data/manifest.json``); generation n ≥ 1 lives in the collections
``joinedup-g<n>`` and the folder ``data/gen-<n>/``. A rebuild writes the next generation beside
the live one and then switches the small pointer file ``data/generation.json`` with
``os.replace``. The pointer also carries a version that every ingest which changed something
bumps, so a running reader can tell, cheaply, that it should reload. With a Chroma server
(``CHROMA_HOST``) the stamp is a record in the server instead (:mod:`app.index.shared`), so
every instance sharing it sees the same live generation and each other's changes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from app.core.config import Settings

POINTER_FILE = "generation.json"
# Written into a generation's folder when it goes live: without the pointer, the store itself still says which
# generation is live (the newest one marked), and an interrupted rebuild (never marked) is not mistaken for it.
LIVE_MARK = "went-live.json"


@dataclass(frozen=True)
class Stamp:
    """Which generation is live, and how many writes it has seen (what a reader compares)."""

    generation: int = 0
    version: int = 0


@dataclass(frozen=True)
class Generation:
    """The names and paths of one generation of the index."""

    data_dir: Path
    base_collection: str
    number: int

    @property
    def collection(self) -> str:
        return self.base_collection if self.number == 0 else f"{self.base_collection}-g{self.number}"

    @property
    def sentence_collection(self) -> str:
        """Single-sentence vectors beside the chunk collection."""
        return f"{self.collection}_sentences"

    @property
    def units_collection(self) -> str:
        """Evidence units, when the index is in a Chroma server (:mod:`app.index.shared`); else files in ``units_dir``."""
        return f"{self.collection}_units"

    @property
    def root(self) -> Path:
        return self.data_dir if self.number == 0 else self.data_dir / f"gen-{self.number}"

    @property
    def bm25_dir(self) -> Path:
        return self.root / "bm25"

    @property
    def units_dir(self) -> Path:
        return self.root / "units"

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"


def read_stamp(settings: Settings) -> Stamp:
    """The live generation and version; without a readable pointer, the generation the data folder shows live.

    With a Chroma server the stamp is kept in the server, where every instance sharing it reads it.
    """
    if settings.index.chroma_host:
        from app.index.shared import read_server_stamp  # the server's client lives above this module

        return read_server_stamp(settings)
    try:
        raw = json.loads((settings.data_dir / POINTER_FILE).read_text(encoding="utf-8"))
        return Stamp(int(raw["generation"]), int(raw["version"]))
    except (OSError, ValueError, KeyError, TypeError):
        return Stamp(inferred_generation(settings), 0)


def inferred_generation(settings: Settings) -> int:
    """The live generation from the folders alone: the newest marked live, else the newest whose keyword index a
    finished ingest wrote (an index rebuilt before the mark existed), else 0.

    A rebuild writes its keyword index and mark only once every file is in, so an interrupted one never counts.
    """
    found = 0
    for folder in settings.data_dir.glob("gen-*") if settings.data_dir.is_dir() else []:
        number = folder.name.removeprefix("gen-")
        if number.isdigit() and ((folder / LIVE_MARK).is_file() or (folder / "bm25" / "chunks.json").is_file()):
            found = max(found, int(number))
    return found


def write_stamp(settings: Settings, stamp: Stamp) -> None:
    """Switch the pointer atomically: a reader sees the old stamp or the new one, never half a file."""
    if settings.index.chroma_host:
        from app.index.shared import write_server_stamp

        write_server_stamp(settings, stamp)
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    live = generation(settings, stamp.generation)
    if stamp.generation and live.root.is_dir():
        (live.root / LIVE_MARK).write_text(json.dumps({"generation": stamp.generation}), encoding="utf-8")
    path = settings.data_dir / POINTER_FILE
    tmp = path.with_name(f".{POINTER_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"generation": stamp.generation, "version": stamp.version}), encoding="utf-8")
    os.replace(tmp, path)


def generation(settings: Settings, number: int) -> Generation:
    return Generation(settings.data_dir, settings.index.collection, number)


def live_generation(settings: Settings, stamp: Stamp | None = None) -> Generation:
    """The generation readers use now."""
    return generation(settings, (stamp or read_stamp(settings)).generation)


def generation_of_collection(settings: Settings, name: str) -> int | None:
    """The generation a Chroma collection belongs to (None for a collection of another index)."""
    base = settings.index.collection
    name = name.removesuffix("_sentences").removesuffix("_units")
    if name == base:
        return 0
    prefix = f"{base}-g"
    if name.startswith(prefix) and name[len(prefix) :].isdigit():
        return int(name[len(prefix) :])
    return None
