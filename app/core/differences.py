"""Where the sources differ (or agree): the typed model of ``corpus/differences.yaml`` and loading it.

Each entry names what is measured and gives two sides, each a value, the document that states it
(the report or the paper; both sides may be one document contradicting itself) and its verbatim
quote. ``joinedup cards check`` verifies every quote in its document; answers use the entries to add
"The sources differ: …" wherever they cite one side (see :mod:`app.query.differences`). An entry marked
``agree`` records a measure both passages give alike, for questions asking whether the sources agree.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.core.corpus_profile import CURATED_SOURCE_TYPES

DIFFERENCES_FILE = "differences.yaml"


class DifferenceSide(BaseModel):
    """One side of a difference: what one passage says."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    document: str  # a curated document's source type (CURATED_SOURCE_TYPES): only they are curated against each other
    value: str = Field(min_length=1)
    quote: str = Field(min_length=10)  # shown in the note and cited
    also: tuple[str, ...] = ()  # other passages stating the same value: citing one of them brings the note too
    label: str = ""  # how the note names this side ("the report's Table 6"); default "the report" / "the paper"

    @field_validator("document")
    @classmethod
    def _curated(cls, value: str) -> str:
        if value not in CURATED_SOURCE_TYPES:
            raise ValueError(f"document must be one of {', '.join(sorted(CURATED_SOURCE_TYPES))}")
        return value

    @property
    def quotes(self) -> tuple[str, ...]:
        """Every passage that states this side's value, the shown quote first."""
        return (self.quote, *self.also)


class Difference(BaseModel):
    """Two passages of the sources that give different values for one measure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    measure: str = Field(min_length=3)  # what is measured, a short phrase
    terms: tuple[str, ...] = Field(min_length=1)  # words a question about the measure would use
    sides: tuple[DifferenceSide, DifferenceSide]  # exactly two
    note: str = ""  # for curators: why the sides differ
    # Both sides give the same value in their own words ("33 of 44" and "75%"): shown only to a question asking whether
    # the sources agree on the measure, never beside an answer citing one side (that needs no note).
    agree: bool = False

    def side_label(self, i: int) -> str:
        """How the note names side ``i``: its label, else its document ("elsewhere the report" for a second passage of one)."""
        side = self.sides[i]
        if side.label:
            return side.label
        if i == 1 and self.sides[0].document == side.document:
            return f"elsewhere the {side.document}"
        return f"the {side.document}"


def parse_differences(text: str, name: str = DIFFERENCES_FILE) -> list[Difference]:
    """Entries from YAML text; raises ``ValueError`` naming the file and the first problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{name}: not valid YAML: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise ValueError(f"{name}: expected a list of entries at the top level")
    out = []
    for i, entry in enumerate(data, 1):
        try:
            out.append(Difference.model_validate(entry))
        except ValidationError as exc:
            ident = entry.get("id", f"entry {i}") if isinstance(entry, dict) else f"entry {i}"
            raise ValueError(f"{name}: {ident}: {exc}") from exc
    return out


def load_differences(corpus_dir: Path) -> list[Difference]:
    """The corpus's curated differences (none when it has no ``differences.yaml``)."""
    path = corpus_dir / DIFFERENCES_FILE
    return parse_differences(path.read_text(encoding="utf-8"), path.name) if path.exists() else []
