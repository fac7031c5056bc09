"""The corpus profile (``corpus/profile.yaml``): what is specific to this corpus, loaded as typed data.

Countries and their codes and demonyms, the card vocabularies with plain labels and
synonyms, the audiences of the recommendations, the evidence-label rules, the
corpus's own names and the cues for section detection live in the YAML file; the
code reads them from here. A corpus folder without its own ``profile.yaml`` uses the
project's.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from app.core.cards import PracticeCard
from app.core.config import ROOT, SOURCE_TYPES

PROFILE_FILE = "profile.yaml"
# The source types of the curated documents (titles and types from corpus/documents/SOURCES.md): what the
# practice cards quote. A user's document is never one of them, whatever its text says.
CURATED_SOURCE_TYPES = frozenset({"report", "paper"})
CARD_VOCABULARY_FIELDS = ("sectors", "target_groups", "delivery_models", "funding", "governance_level", "reasons", "effects")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# "Who is X for?", "who are these services aimed at": a question about whom something serves.
_FOR_WHOM = re.compile(
    r"\bwho\s+(?:is|are|was|were)\s+[^?,;]{1,60}?\s+(?:(?:meant |intended |designed )?for|aimed at)\s*(?=[?,;.!]|$|\s+and\b)",
    re.I,
)


def phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """Whole-word, case-insensitive matching of any phrase; a word ending in ``*`` matches any ending."""

    def word(w: str) -> str:
        if len(w) > 1 and w.isupper():
            return f"(?-i:{re.escape(w)})"  # an acronym ("IT", "ICT") is not the word "it"
        return re.escape(w[:-1]) + r"[\w-]*" if w.endswith("*") else re.escape(w)

    # Longest phrases first: at one position the whole phrase matches ("mental health problems", not "mental health").
    ordered = sorted((p for p in phrases if p.strip()), key=lambda p: (-len(p.split()), -len(p)))
    parts = [r"(?<![\w])" + r"\s+".join(word(w) for w in p.split()) + r"(?![\w])" for p in ordered]
    return re.compile("|".join(parts), re.I) if parts else None


class Country(_Strict):
    code: str
    name: str
    demonyms: list[str] = []
    aliases: list[str] = []

    def names(self) -> list[str]:
        """Every way the documents or a user may name the country."""
        return [self.name, *self.aliases, *self.demonyms]


class Term(_Strict):
    """One vocabulary value: its plain label and the words that mean it in a question."""

    label: str
    synonyms: list[str] = []


class Aspect(_Strict):
    """Something a question can ask about (funding, barriers …), with the words that mean it."""

    label: str
    synonyms: list[str] = []
    card_field: str | None = None  # the practice-card field that records it
    table_rows: list[str] = []  # the rows of the barriers-and-facilitators table that concern it


class CardField(_Strict):
    """How a practice-card field is named to a reader."""

    heading: str  # in the card's indexed passage ("Funding: pooled.")
    label: str = ""  # in an answer's card fact ("FI5 (…) — funding: …"); "" for a field answers do not state


class AnswerText(_Strict):
    """What answers say about this corpus's evidence."""

    barriers_table_heading: str
    report_count_heading: str = "The report's own count"
    practice_evidence_note: str
    evidence_order: list[str]  # evidence-label kinds: the order of the groups of statements on no clear aspect
    practices_heading: str = "Examples in practice"  # the group of statements saying what a practice is
    currency_symbols: str
    currency_words: list[str]


class Audience(_Strict):
    """An audience of the report's recommendations."""

    name: str
    label: str
    section: str
    terms: str
    synonyms: list[str] = []
    default: bool = False


class LabelRule(_Strict):
    """Evidence label for passages of one source type and/or one section."""

    label: str
    kind: str
    source_type: str | None = None
    section: str | None = None

    def matches(self, source_type: str, section: str) -> bool:
        if self.source_type and self.source_type != source_type:
            return False
        return not self.section or self.section.lower() in section.lower()


class EvidenceLabels(_Strict):
    default: LabelRule
    rules: list[LabelRule]


class SourceMentions(_Strict):
    publishers: list[str]
    nouns: list[str]
    publisher_nouns: list[str]


class HeadingCues(_Strict):
    chapter_titles: list[str]
    chapter_words: list[str]
    case_study_label: str

    @cached_property
    def case_study_pattern(self) -> re.Pattern[str]:
        """The case-study label with apostrophe and plural variants ("Programme's name:", "Programme name:")."""
        body = re.escape(self.case_study_label.rstrip(":"))
        body = body.replace("'s", "\x00").replace("'", "[’']?").replace("\x00", "[’']?s?")
        return re.compile(rf"^{body}:\s*(.*)$", re.I)


class CardChecks(_Strict):
    report_file: str
    country_spread_anchor: str
    effects_table_start: str
    effects_table_end: str


class GlossaryEntry(_Strict):
    """An abbreviation the sources use and what it stands for, with the source's own words (``quote``, verbatim)."""

    term: str
    meaning: str
    quote: str


class ReportCount(_Strict):
    """Where a source document counts, for all its practices, what a landscape chart counts from the cards."""

    table: str  # a table id of corpus/tables.yaml
    count_column: int = 1  # the column holding the number of practices
    share_column: int | None = None  # the column holding the share, when printed
    rows: dict[str, str] = {}  # the table's row label -> the card value it counts (empty: the label is the value)

    def value_of(self, label: str) -> str:
        """The card value a printed row counts ("" for a row the profile does not map)."""
        return self.rows.get(label, label if not self.rows else "")


class CorpusProfile(_Strict):
    """Everything the code knows about this particular corpus."""

    own_names: list[str]
    latest_source_year: int = 2100  # questions about later years are outside what the sources can know
    source_mentions: SourceMentions
    source_types: dict[str, str]
    countries: list[Country]
    paper_practice_prefix: str
    vocabularies: dict[str, dict[str, Term]]
    aspects: dict[str, Aspect]
    card_fields: dict[str, CardField]
    answer_text: AnswerText
    audiences: list[Audience]
    evidence_labels: EvidenceLabels
    headings: HeadingCues
    card_checks: CardChecks
    glossary: list[GlossaryEntry] = []  # abbreviations a workshop pack explains (those its text uses)
    # The note for a question in another language, in that language (English name -> sentence); others get English.
    language_notes: dict[str, str] = {}
    report_counts: dict[str, ReportCount] = {}  # card field -> the report's own count of it

    @model_validator(mode="after")
    def _consistent(self) -> CorpusProfile:
        problems = []
        missing = [f for f in CARD_VOCABULARY_FIELDS if f not in self.vocabularies]
        if missing:
            problems.append(f"vocabularies: missing {', '.join(missing)}")
        extra = [f for f in self.vocabularies if f not in CARD_VOCABULARY_FIELDS]
        if extra:
            problems.append(f"vocabularies: unknown card field(s) {', '.join(extra)}")
        codes = [c.code for c in self.countries]
        if len(set(codes)) != len(codes):
            problems.append("countries: a code is used twice")
        bad = [c for c in codes if not re.fullmatch(r"[A-Z]{2}", c)]
        if bad:
            problems.append(f"countries: codes must be two capital letters: {', '.join(bad)}")
        if set(self.source_types) != set(SOURCE_TYPES):
            problems.append(f"source_types: must label exactly {', '.join(SOURCE_TYPES)}")
        for rule in [*self.evidence_labels.rules, self.evidence_labels.default]:
            if rule.source_type and rule.source_type not in SOURCE_TYPES:
                problems.append(f"evidence_labels: unknown source type {rule.source_type!r}")
        for name, aspect in self.aspects.items():
            if aspect.card_field and aspect.card_field not in PracticeCard.model_fields:
                problems.append(f"aspects.{name}: unknown card field {aspect.card_field!r}")
        unknown_fields = [f for f in self.card_fields if f not in PracticeCard.model_fields]
        if unknown_fields:
            problems.append(f"card_fields: not fields of a practice card: {', '.join(unknown_fields)}")
        kinds = {r.kind for r in [*self.evidence_labels.rules, self.evidence_labels.default]}
        unknown_kinds = [k for k in self.answer_text.evidence_order if k not in kinds]
        if unknown_kinds:
            problems.append(f"answer_text.evidence_order: not evidence-label kinds: {', '.join(unknown_kinds)}")
        if not any(a.default for a in self.audiences):
            problems.append("audiences: mark at least one as default")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # Derived look-ups (computed once per profile).

    @cached_property
    def country_names(self) -> list[str]:
        return [c.name for c in self.countries]

    def vocabulary(self, field: str) -> tuple[str, ...]:
        """The values a card may use in ``field`` (e.g. ``sectors``)."""
        return tuple(self.vocabularies[field])

    def label(self, field: str, value: str) -> str:
        """The plain label of a vocabulary value (the value itself when unknown)."""
        term = self.vocabularies.get(field, {}).get(value)
        return term.label if term else value.replace("_", " ")

    @cached_property
    def _synonym_patterns(self) -> dict[str, dict[str, re.Pattern[str]]]:
        out: dict[str, dict[str, re.Pattern[str]]] = {}
        for field, terms in self.vocabularies.items():
            out[field] = {v: p for v, t in terms.items() if (p := phrase_pattern(t.synonyms)) is not None}
        return out

    def detect(self, field: str, text: str) -> list[str]:
        """Vocabulary values of ``field`` whose synonyms occur in ``text``, in vocabulary order."""
        return [value for value, pattern in self._synonym_patterns.get(field, {}).items() if pattern.search(text)]

    def concepts(self, text: str) -> set[tuple[str, str]]:
        """The (field, value) pairs of every card vocabulary whose synonyms occur in ``text`` ("GPs" -> health)."""
        return {(field, value) for field in self._synonym_patterns for value in self.detect(field, text)}

    @cached_property
    def _aspect_patterns(self) -> dict[str, re.Pattern[str]]:
        return {name: p for name, a in self.aspects.items() if (p := phrase_pattern(a.synonyms)) is not None}

    @cached_property
    def _country_patterns(self) -> list[tuple[str, re.Pattern[str] | None]]:
        return [(c.name, phrase_pattern(c.names())) for c in self.countries]

    def countries_in(self, text: str) -> list[str]:
        """Countries a text names (by name, alias or demonym: "Finnish" -> Finland), in the profile's order."""
        return [name for name, p in self._country_patterns if p is not None and p.search(text)]

    def detect_aspects(self, text: str) -> list[str]:
        """Aspects whose words occur in ``text``, ordered by where they first occur. Words of a group of people the
        text names are not aspect words ("people with mental health problems" asks no question about problems)."""
        text = self._without_groups(text)
        found = [(m.start(), name) for name, p in self._aspect_patterns.items() if (m := p.search(text))]
        # "Who is ALBORADA for?" asks whom a practice serves: the aspect its cards record as target groups.
        if (m := _FOR_WHOM.search(text)) and (name := self.aspect_of_field("target_groups")):
            found.append((m.start(), name))
        return list(dict.fromkeys(name for _, name in sorted(found)))

    def names_concept(self, word: str) -> bool:
        """Whether a word is one the profile gives for an aspect or a card vocabulary's value ("copy": transferability)."""
        return bool(self.detect_aspects(word) or self.concepts(word))

    def aspect_of_field(self, card_field: str) -> str | None:
        """The aspect recorded by a card field, if one is."""
        return next((name for name, a in self.aspects.items() if a.card_field == card_field), None)

    def aspect_mentions(self, name: str, text: str) -> int:
        """How many times the words of one aspect occur in ``text`` (beyond the words of a group of people)."""
        pattern = self._aspect_patterns.get(name)
        return len(pattern.findall(self._without_groups(text))) if pattern is not None else 0

    def _without_groups(self, text: str) -> str:
        """``text`` with the words of the groups of people it names blanked ("people with learning disabilities" is no
        word of learning), at the same length: positions still order what is found."""
        for pattern in self._synonym_patterns.get("target_groups", {}).values():
            text = pattern.sub(lambda m: " " * len(m.group(0)), text)
        return text

    def aspect_pattern(self, name: str) -> re.Pattern[str] | None:
        """The words of one aspect, for checking that a statement is about it."""
        return self._aspect_patterns.get(name)

    @cached_property
    def _audience_patterns(self) -> list[tuple[Audience, re.Pattern[str] | None]]:
        return [(a, phrase_pattern(a.synonyms)) for a in self.audiences]

    def named_audiences(self, text: str) -> list[Audience]:
        """The audiences a question names (none when it names none)."""
        return [a for a, p in self._audience_patterns if p is not None and p.search(text)]

    @cached_property
    def default_audiences(self) -> list[str]:
        """The audiences an answer addresses when the question names none."""
        return [a.name for a in self.audiences if a.default]

    def detect_audiences(self, text: str) -> list[Audience]:
        """The audiences a question names; the default ones when it names none."""
        return self.named_audiences(text) or [a for a in self.audiences if a.name in self.default_audiences]

    def evidence_label(self, source_type: str, section: str) -> LabelRule:
        """The first evidence-label rule that matches, else the default."""
        return next((r for r in self.evidence_labels.rules if r.matches(source_type, section)), self.evidence_labels.default)

    @cached_property
    def money_pattern(self) -> re.Pattern[str]:
        """An amount of money in a quote: a currency symbol, or a currency word of the sources."""
        text = self.answer_text
        words = "|".join(re.escape(w) for w in text.currency_words)
        return re.compile(rf"[{re.escape(text.currency_symbols)}]|\b({words})\b", re.I)

    def card_label(self, field: str) -> str:
        """How an answer names a card field ("reported effects (Table 6)"); the field's name when the profile has none."""
        entry = self.card_fields.get(field)
        return entry.label if entry and entry.label else field.replace("_", " ")

    @cached_property
    def own_name_set(self) -> frozenset[str]:
        return frozenset(n.lower() for n in self.own_names)

    @cached_property
    def source_mention_patterns(self) -> tuple[re.Pattern[str], ...]:
        """Phrases naming the documents themselves ("the ESN report", "this paper")."""
        m = self.source_mentions
        publishers = "|".join(re.escape(p) for p in m.publishers)
        after = "|".join(re.escape(n) for n in m.publisher_nouns)
        nouns = "|".join(re.escape(n) for n in m.nouns)
        return (
            re.compile(rf"\b(the\s+)?({publishers})(['’]s)?\s+({after})\b", re.I),
            re.compile(rf"\b(the|this)\s+({nouns})\b", re.I),
        )

    def chunking_fingerprint(self) -> str:
        """The parts of the profile that decide how files are chunked (their change re-chunks the corpus)."""
        passages = {f: c.heading for f, c in self.card_fields.items()}  # the card passage's headings
        return repr(([c.code for c in self.countries], self.paper_practice_prefix, self.headings.model_dump(), passages))


def is_curated_document(source_type: str) -> bool:
    """Whether a passage of this source type comes from a curated document (the report or the paper)."""
    return source_type in CURATED_SOURCE_TYPES


def profile_path(corpus_dir: Path) -> Path:
    """The corpus's own profile, else the project's."""
    own = corpus_dir / PROFILE_FILE
    return own if own.exists() else ROOT / "corpus" / PROFILE_FILE


def read_profile(path: Path) -> CorpusProfile:
    """Parse and validate one profile file; ``ValueError`` names the file and the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the corpus profile: {exc}") from exc
    try:
        return CorpusProfile.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"{path}: invalid corpus profile: {exc}") from exc


@lru_cache(maxsize=8)
def _cached(path: Path, mtime: float) -> CorpusProfile:
    return read_profile(path)


def load_profile(corpus_dir: Path) -> CorpusProfile:
    """The profile for a corpus folder (cached; re-read when the file changes)."""
    path = profile_path(corpus_dir)
    return _cached(path, path.stat().st_mtime)
