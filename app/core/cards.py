"""Practice cards: the typed model of ``corpus/practices/<CODE>.yaml`` and loading it.

A card is one practice example of the report (code such as FI5). The values its
list fields may take are the vocabularies of the corpus profile
(:mod:`app.core.corpus_profile`); ``joinedup cards check`` holds every card to them.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

# Fields a card fills from the report's tables and the curator's own words, not from a description of the practice.
_TABLE_ONLY_FIELDS = frozenset({"country", "effects", "alt_codes", "summary", "notes"})


class PracticeCard(BaseModel):
    """One structured, sourced practice example."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Z]{2}[0-9]$")
    alt_codes: list[str] = []
    paper_ref: str | None = Field(default=None, pattern=r"^P[0-9]{1,2}$")
    title: str
    original_title: str = ""
    country: str
    organisation: str = ""
    sectors: list[str] = []
    target_groups: list[str] = []
    delivery_models: list[str] = []
    funding: list[str] = []
    governance_level: list[str] = []
    reasons: list[str] = []
    effects: list[str] = []
    case_study: bool = False
    evaluation: str = ""
    transferability: str = ""
    summary: str = ""
    notes: str = ""
    sources: dict[str, list[str]] = {}

    def filled_fields(self) -> list[str]:
        """Names of the content fields that carry a value (``code`` and ``sources`` excluded)."""
        skip = {"code", "sources", "case_study"}
        return [name for name in type(self).model_fields if name not in skip and getattr(self, name) not in ("", [], None)]

    @property
    def listed_only_in_tables(self) -> bool:
        """The sources neither name nor describe this practice: the card knows only what a table lists
        (its country, its Table 6 effects). Such a practice is no model to learn from, so lists mark it,
        put it last and leave it out unless it is asked for by code."""
        return not self.title and not set(self.filled_fields()) - _TABLE_ONLY_FIELDS


def card_doc_id(code: str) -> str:
    """The document id of a practice card in the store ("practice-fi5")."""
    return f"practice-{code.lower()}"


def load_card(path: Path) -> PracticeCard:
    """Parse one YAML card; raises ``ValueError`` with the file name on bad YAML or schema."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a mapping at the top level")
    try:
        return PracticeCard.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"{path.name}: {exc}") from exc


def load_cards(practices_dir: Path) -> list[tuple[Path, PracticeCard]]:
    """Every card in the folder, sorted by file name; raises ``ValueError`` naming the first bad file."""
    return [(p, load_card(p)) for p in sorted(practices_dir.glob("*.yaml"))]


def paper_refs(cards: list[PracticeCard]) -> dict[str, str]:
    """The paper's practice numbers mapped to report codes (``{"P5": "FI5"}``), from the cards."""
    return {c.paper_ref: c.code for c in cards if c.paper_ref}
