"""Practice cards: the typed model, loading from YAML, and per-card checks.

A card is one practice example of the ESN report (code such as FI5). The
vocabularies below are the contract of ``corpus/practices/SCHEMA.md``; the
finder's filters and the store's metadata use the same values.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.models import Chunk, join_list
from ingest.quotes import QuoteIndex

SECTORS = ("health", "education", "employment", "housing", "other")
TARGET_GROUPS = (
    "children",
    "families",
    "young_people",
    "older_people",
    "people_with_disabilities",
    "people_with_mental_health_problems",
    "unemployed_people",
    "people_with_complex_needs",
    "migrants",
    "professionals",
    "general_population",
)
DELIVERY_MODELS = ("case_management", "one_stop_shop", "multidisciplinary_team", "information_platform")
FUNDING = ("pooled", "single_agency", "existing_resources", "mixed_public_private")
GOVERNANCE_LEVELS = ("local", "regional", "national")
REASONS = (
    "increase_in_service_users",
    "service_coordination",
    "resources_and_costs",
    "prevention",
    "service_quality",
    "user_outcomes",
    "legislation_or_policy",
)
EFFECTS = (
    "improve service user wellbeing",
    "increased home care",
    "service user satisfaction",
    "access to services",
    "single point of contact",
    "improved knowledge and understanding",
    "less resources",
    "improved co-ordination",
    "change in service provision",
    "better information",
)
COUNTRIES = (
    "Belgium", "Bulgaria", "Denmark", "Finland", "France", "Germany", "Greece", "Hungary",
    "Iceland", "Italy", "Netherlands", "Poland", "Romania", "Spain", "Slovenia", "Sweden",
    "United Kingdom",
)  # fmt: skip

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "sectors": SECTORS,
    "target_groups": TARGET_GROUPS,
    "delivery_models": DELIVERY_MODELS,
    "funding": FUNDING,
    "governance_level": GOVERNANCE_LEVELS,
    "reasons": REASONS,
    "effects": EFFECTS,
}
MAX_QUOTE_CHARS = 300


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


class CardProblem(BaseModel):
    """One thing wrong with one card, phrased for the person fixing it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


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


def check_card(card: PracticeCard, path: str, quotes: QuoteIndex) -> list[CardProblem]:
    """Vocabulary, country, file name, sourcing and quote checks for one card."""
    problems: list[CardProblem] = []

    def bad(msg: str) -> None:
        problems.append(CardProblem(path=path, message=msg))

    if Path(path).stem != card.code:
        bad(f"file name does not match code {card.code}")
    if card.country not in COUNTRIES:
        bad(f"unknown country {card.country!r}")
    for field, allowed in VOCABULARIES.items():
        for value in getattr(card, field):
            if value not in allowed:
                bad(f"{field}: unknown value {value!r} (allowed: {', '.join(allowed)})")
    filled = set(card.filled_fields())
    for field in sorted(filled):
        if not card.sources.get(field):
            bad(f"field {field!r} is filled but has no quote under sources")
    for field, field_quotes in card.sources.items():
        if field not in type(card).model_fields or field in {"sources", "code"}:
            bad(f"sources names unknown field {field!r}")
        for q in field_quotes:
            if len(q) > MAX_QUOTE_CHARS:
                bad(f"sources.{field}: quote longer than {MAX_QUOTE_CHARS} characters")
            if not quotes.contains(q):
                bad(f"sources.{field}: quote not found in the corpus: {q!r}")
    return problems


def corpus_quote_index(documents_dir: Path) -> QuoteIndex:
    """Quote index over the source documents (text, markdown) of the corpus."""
    paths = sorted(p for p in documents_dir.iterdir() if p.suffix in {".txt", ".md"} and p.name != "SOURCES.md")
    return QuoteIndex([p.read_text(encoding="utf-8") for p in paths])


def load_cards(practices_dir: Path) -> list[tuple[Path, PracticeCard]]:
    """Every card in the folder, sorted by code; raises ``ValueError`` naming the first bad file."""
    return [(p, load_card(p)) for p in sorted(practices_dir.glob("*.yaml"))]


def paper_refs(cards: list[PracticeCard]) -> dict[str, str]:
    """The paper's P-numbers mapped to report codes (``{"P5": "FI5"}``), from the cards."""
    return {c.paper_ref: c.code for c in cards if c.paper_ref}


def _label(values: list[str]) -> str:
    return ", ".join(v.replace("_", " ") for v in values)


def card_text(card: PracticeCard) -> str:
    """The card as a readable passage: what retrieval indexes and a citation quotes."""
    name = card.title or "(name not given in the sources)"
    phrases = (("uses", card.delivery_models), ("for", card.target_groups), ("joining social services with", card.sectors))
    profile = [f"{verb} {_label(values)}" for verb, values in phrases if values]
    # A self-contained first sentence, so "who uses case management for older people" can quote it.
    parts = [f"Practice {card.code}, {name} ({card.country})" + (f", {', '.join(profile)}." if profile else ".")]
    labelled = (
        ("Original title", card.original_title),
        ("Paper reference", card.paper_ref or ""),
        ("Also referred to as", ", ".join(card.alt_codes)),
        ("Organisation", card.organisation),
    )
    parts += [f"{label}: {value}." for label, value in labelled if value]
    facets = [
        ("Sectors working with social services", card.sectors),
        ("Target groups", card.target_groups),
        ("Delivery models", card.delivery_models),
        ("Funding", card.funding),
        ("Governance level", card.governance_level),
        ("Reasons for integrating", card.reasons),
        ("Reported effects (Table 6)", card.effects),
    ]
    parts += [f"{label}: {_label(values)}." for label, values in facets if values]
    if card.case_study:
        parts.append("One of the report's nine case studies.")
    # Notes (contradictions between the sources) stay on the card itself; they are not evidence to quote.
    for label, text in (("Summary", card.summary), ("Evaluation", card.evaluation), ("Transferability", card.transferability)):
        if text:
            parts.append(f"{label}: {text.strip()}")
    return " ".join(parts)


def card_doc_id(code: str) -> str:
    """The document id of a practice card in the store ("practice-fi5")."""
    return f"practice-{code.lower()}"


def card_chunk(card: PracticeCard) -> Chunk:
    """One chunk per card, with the card's facets as filterable metadata."""
    from ingest.split import chunk_id

    text = card_text(card)
    doc_id = card_doc_id(card.code)
    return Chunk(
        id=chunk_id(doc_id, text),
        text=text,
        doc_id=doc_id,
        doc_title=f"Practice card {card.code}" + (f": {card.title}" if card.title else ""),
        source_type="practice_card",
        section=f"Practice cards > {card.code}",
        practice_codes=[card.code, *card.alt_codes],
        char_start=0,
        char_end=len(text),
        extra={
            "country": card.country,
            "sectors": join_list(card.sectors),
            "target_groups": join_list(card.target_groups),
            "delivery_models": join_list(card.delivery_models),
            "funding": join_list(card.funding),
            "governance_level": join_list(card.governance_level),
            "effects": join_list(card.effects),
        },
    )


if __name__ == "__main__":  # pragma: no cover - quick check for card authors
    import sys

    idx = corpus_quote_index(Path("corpus/documents"))
    failed = False
    for arg in sys.argv[1:]:
        p = Path(arg)
        try:
            c = load_card(p)
        except ValueError as exc:
            print(exc)
            failed = True
            continue
        probs = check_card(c, str(p), idx)
        for pr in probs:
            print(pr)
        failed |= bool(probs)
        print(f"{p.name}: {'problems' if probs else 'ok'} ({len(c.filled_fields())} fields filled)")
    sys.exit(1 if failed else 0)
