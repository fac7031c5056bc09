"""What the app says to a new user (``corpus/welcome.yaml``): a welcome, the evidence labels explained, example questions.

The wording lives in the corpus folder, next to the profile, so a different corpus brings its own
welcome and its own example questions; the code only reads it. The sources themselves (title,
authors, year, DOI) are read from ``documents/SOURCES.md`` by the ingester's reader and passed in
as :class:`Source`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from app.core.config import ROOT

WELCOME_FILE = "welcome.yaml"
DOI_RESOLVER = "https://doi.org/"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(_Strict):
    """A kind of user and the questions such a user may start with."""

    name: str
    label: str
    questions: list[str]


class Welcome(_Strict):
    intro: str
    promise: str
    evidence_kinds: dict[str, str] = {}  # evidence-label kind -> what it means, in a sentence
    roles: list[Role] = []


@dataclass(frozen=True)
class Source:
    """One source document as the welcome names it."""

    title: str
    authors: str = ""
    year: str = ""
    doi: str = ""

    @property
    def link(self) -> str:
        """The DOI as a link ("" when the source has none)."""
        doi = self.doi.strip()
        if not doi or set(doi) <= set("–-— "):
            return ""
        return doi if doi.startswith("http") else DOI_RESOLVER + doi


def welcome_path(corpus_dir: Path) -> Path:
    """The corpus's own welcome, else the project's."""
    own = corpus_dir / WELCOME_FILE
    return own if own.exists() else ROOT / "corpus" / WELCOME_FILE


def load_welcome(corpus_dir: Path) -> Welcome:
    """The welcome for a corpus folder; ``ValueError`` names the file and the problem."""
    path = welcome_path(corpus_dir)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Welcome.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"{path}: cannot read the welcome: {exc}") from exc
