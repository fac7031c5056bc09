"""Practice cards: the typed model of ``corpus/practices/<CODE>.yaml`` and loading it.

A card is one practice example of the report (code such as FI5). The values its
list fields may take are the vocabularies of the corpus profile
(:mod:`app.core.corpus_profile`); ``joinedup cards check`` holds every card to them.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.core.files import read_regular

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
    other_names: list[str] = []  # other names the documents give the practice ("RLDS"), each in one of its quotes
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


# A card is a page of text; a larger file is not a card (and is refused before it is parsed).
CARD_MAX_BYTES = 256 * 1024
# Nodes a card may expand to once YAML aliases are followed: a real card has a few hundred; a "billion laughs"
# card of a few hundred bytes has billions, and walking them (validation, an error message) never ends.
CARD_MAX_NODES = 20_000


def _expanded_nodes(node: yaml.Node, limit: int) -> int:
    """How many nodes ``node`` stands for with every alias expanded, counted once per distinct node (memoised)."""
    sizes: dict[int, int] = {}

    def size(n: yaml.Node, depth: int) -> int:
        if id(n) in sizes:
            return sizes[id(n)]
        if depth > 100:  # deeper than any card; also keeps a self-referencing alias from recursing forever
            raise ValueError("nested more than 100 levels deep")
        sizes[id(n)] = limit + 1  # a node met again while it is being counted refers to itself: too large
        if isinstance(n, yaml.SequenceNode):
            total = 1 + sum(size(child, depth + 1) for child in n.value)
        elif isinstance(n, yaml.MappingNode):
            total = 1 + sum(size(k, depth + 1) + size(v, depth + 1) for k, v in n.value)
        else:
            total = 1
        sizes[id(n)] = min(total, limit + 1)
        return sizes[id(n)]

    return size(node, 0)


def parse_card_yaml(text: str, name: str) -> object:
    """The data of a card's YAML; aliases that expand beyond :data:`CARD_MAX_NODES` nodes are refused unexpanded."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_nodes(node, CARD_MAX_NODES) > CARD_MAX_NODES:
            raise ValueError(f"{name}: its YAML aliases expand to more than {CARD_MAX_NODES} values; not a card")
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise ValueError(f"{name}: not valid YAML: {str(exc)[:300]}") from exc
    except RecursionError as exc:  # thousands of nested brackets: the parser recurses once per level
        raise ValueError(f"{name}: nested too deeply to be a card") from exc
    finally:
        loader.dispose()


def load_card(path: Path) -> PracticeCard:
    """Parse one YAML card; raises ``ValueError`` with the file name on bad YAML or schema, or a file not a card.

    Only a regular file of at most :data:`CARD_MAX_BYTES` is read, and its aliases are bounded before anything
    walks the data, so no card can exhaust memory or time.
    """
    try:
        raw = read_regular(path, CARD_MAX_BYTES)
    except OSError as exc:
        raise ValueError(f"{path.name}: cannot read file ({exc.strerror or exc})") from exc
    except ValueError as exc:  # FileRefused
        raise ValueError(f"{path.name}: {exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    data = parse_card_yaml(text, path.name)
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a mapping at the top level")
    try:
        return PracticeCard.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"{path.name}: {str(exc)[:2000]}") from exc


def load_cards(practices_dir: Path) -> list[tuple[Path, PracticeCard]]:
    """Every card in the folder, sorted by file name; raises ``ValueError`` naming the first bad file."""
    return [(p, load_card(p)) for p in sorted(practices_dir.glob("*.yaml"))]


def case_study_quotes(cards: list[PracticeCard]) -> dict[str, list[str]]:
    """Each case study's code and the quotes its card records from the case study itself (its programme's name …)."""
    return {c.code: c.sources.get("case_study", []) for c in cards if c.case_study and c.sources.get("case_study")}


def paper_refs(cards: list[PracticeCard]) -> dict[str, str]:
    """The paper's practice numbers mapped to report codes (``{"P5": "FI5"}``), from the cards."""
    return {c.paper_ref: c.code for c in cards if c.paper_ref}
