"""How relevant each candidate statement is to the question: features measured once, then a ranker.

Two rankers read the same features (``STATEMENT_FEATURES``):

- ``LearnedRanker``: a logistic model fitted by ``joinedup train`` on the training questions (a statement
  is relevant when it holds the question's evidence), shipped as ``models/statement_ranker.json``;
- ``HandTunedRanker``: the weights the settings give (``answer.semantic_weight``, ``aspect_bonus`` …),
  kept to measure the learned model against and for an install without the model file.

Each is one ``run(features) -> scores`` and is unit-tested on a toy matrix with no model loaded.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.config import AnswerSettings
from app.core.corpus_profile import CorpusProfile
from app.core.models import Analysis
from app.core.text import singular
from app.query.learned import LearnedRanker, Ranker

# Any figure; a code's digit ("DK2", "P29") is none.
_NUMBER = re.compile(
    r"(?<![A-Za-z])\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|half|third|quarter|majority|most)\b", re.I
)
# What counts as the figure a question measures (see app.query.analyse.measure_of); money: the profile's currencies.
_SHARE = re.compile(r"%|\bper ?cent\b|\b(half|third|quarter|majority|minority|fifth|out of)\b|\b\d+ of \d+\b", re.I)
_COUNT = re.compile(
    r"(?<![\w.,])(?!(?:19|20)\d\d(?![\d]))\d+(?:[.,]\d+)*(?![\w])"
    r"|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?)\b",
    re.I,
)
# How often: a frequency word or "every …", "three times a year"; of a body of texts, a share or a count ("how often
# were the clusters mentioned": "in 29%", "13 of the 60 articles", a table row "Health … 33").
_FREQUENCY = re.compile(
    r"\b(daily|weekly|monthly|quarterly|annually|yearly|fortnightly|biweekly|once|twice|every|times (a|per|each)"
    r"|rarely|seldom|never)\b|" + _SHARE.pattern + "|" + _COUNT.pattern,
    re.I,
)
_TIME_UNIT = r"(hours?|days?|weeks?|months?|years?)"
# How long: a number of hours to years ("two years", "6 months"), or since when ("since 2008").
_DURATION = re.compile(
    r"\b(\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|several|a few)"
    rf"[ -]{_TIME_UNIT}\b"
    r"|\bsince (19|20)\d\d\b",
    re.I,
)
_YEAR = re.compile(r"(?<![\d.,])(19|20)\d\d(?![\d])")
# How much something changed: a figure beside a word of change ("were reduced by 33,3%", "grow by 8.4%", "a 20%
# reduction", "halved"). Any other figure beside the thing does not say by how much it changed.
_CHANGE_WORD = r"(reduc|decreas|declin|fell|fall|dropp?|lower|cut|increas|grow|grew|rose|rise|risen|improv|gain|los[st])\w*"
_CHANGE = re.compile(
    rf"\b{_CHANGE_WORD}\s+(by\s+)?((more|less) than |over |under |almost |nearly |about |around |some )?[£€$]?\d"
    rf"|\d(?:[\d.,]*)\s?(%|per ?cent|percentage points?)?\s+(fewer|less|more|lower|higher|{_CHANGE_WORD})\b"
    r"|\b(halved|doubled|tripled|trebled)\b",
    re.I,
)
# When something is open: a weekday, a time of day, "24 hours a day", "opening hours", "weekends".
_SCHEDULE = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekdays?|weekends?|working days?|opening hours"
    r"|around the clock|24/7|(24|twenty-four) hours|hours a day|mornings?|afternoons?|evenings?)\b"
    r"|\b\d{1,2}([:.]\d\d)? ?(am|pm|a\.m\.|p\.m\.|h)\b|\b\d{1,2}[:.]\d\d\b",
    re.I,
)
# … or two figures, one before and one after: "from 271 to 98", "instead of the previous 271, 98".
_BEFORE_AND_AFTER = re.compile(r"\b(from|instead of|previous(ly)?|before|compared (with|to)|down to|up to|no longer)\b", re.I)
_FIGURE_OF = {
    "share": _SHARE, "count": _COUNT, "frequency": _FREQUENCY, "duration": _DURATION, "year": _YEAR, "schedule": _SCHEDULE
}  # fmt: skip


def gives_change(quote: str) -> bool:
    """Whether a statement says by how much something changed: a figure beside a word of change, or two figures, one
    before and one after ("Instead of the previous 271 municipalities, 98 larger municipalities were created")."""
    return bool(_CHANGE.search(quote)) or (bool(_BEFORE_AND_AFTER.search(quote)) and len(_COUNT.findall(quote)) >= 2)


_FIGURE_REACH = 5  # words between a figure and what it measures ("271 to 98 municipalities", "# of practices 20")
_SHARE_WORD = re.compile(r"%$|^(half|third|quarter|majority|minority|fifth|cent|out)$", re.I)  # "out": 13 out of 60


def _names(measured: str, text: str) -> bool:
    """Whether the text names the measured thing: its last word in any number, or another of its words in the
    plural ("# of practices" counts practice examples; "Case management: 7" does not count case managers)."""
    *modifiers, head = measured.split()
    for word in re.findall(r"[\w’'-]+", text.lower()):
        for part in word.strip("’'-").split("-"):
            one = singular(part)
            if one == head or (one in modifiers and one != part):
                return True
    return False


def _counts_other(words: list[str], i: int, measured: str) -> bool:
    """Whether the count at ``words[i]`` counts the plural noun right after it, another thing than the measured one
    ("all three sectors, notably teachers" counts sectors, not teachers)."""
    after = words[i + 1].lower() if i + 1 < len(words) else ""
    return after.isalpha() and singular(after) != after and not _names(measured, after)


_AGE = frozenset({"age", "aged", "ages"})
_SPAN_UNIT = re.compile(rf"^({_TIME_UNIT}|year-olds?)$", re.I)


def _is_age_or_span(words: list[str], i: int) -> bool:
    """Whether the figure at ``words[i]`` is an age or a length of time ("children under the age of 18", "aged 3 to 6",
    "up to 25 years"), which counts nothing: "How many children …" is not answered by it."""
    before = {w.lower() for w in words[max(0, i - 4) : i]}
    return bool(before & _AGE) or (i + 1 < len(words) and bool(_SPAN_UNIT.match(words[i + 1])))


def gives_figure(quote: str, measure: str, profile: CorpusProfile, measured: str = "", described_by: str = "") -> bool:
    """Whether a statement holds the kind of figure asked for (a share, a count, an amount of money, any number).

    A count or share of a named thing (``measured``, its words in the singular: "How many staff …", "the employment rate") must be
    of that thing: such a figure within a few words of one of them. "15 centres" does not say how many staff work
    in them. ``described_by`` says what all the quote's figures are of (a table's caption and header).
    """
    if measure == "change":
        return gives_change(quote)
    pattern = profile.money_pattern if measure == "money" else _FIGURE_OF.get(measure, _NUMBER)
    if not pattern.search(quote):
        return False
    if measure not in {"count", "share"} or not measured:
        return True
    if _names(measured, described_by):
        return True
    words = re.findall(r"[\w%’'#-]+", quote)
    is_figure = _COUNT.fullmatch if measure == "count" else _SHARE_WORD.search
    figures = [
        i for i, w in enumerate(words)
        if is_figure(w) and not (measure == "count" and (_is_age_or_span(words, i) or _counts_other(words, i, measured)))
    ]  # fmt: skip
    if measure == "share":  # "21 of 44 practices": a part of a whole
        figures += [i for i in range(len(words) - 2) if words[i].isdigit() and words[i + 1] == "of" and words[i + 2].isdigit()]
    things = [i for i, w in enumerate(words) if _names(measured, w)]
    return any(abs(i - j) <= _FIGURE_REACH for i in figures for j in things)


_NAME_REACH = 4  # words between a name and what it is ("the Dutch knowledge institute Vilans")
# Who did a piece of work is named beside the work or its verb: "an audit … carried out by KPMG", "evaluated by".
_DOER_STEMS = {"evaluator": "evalua", "auditor": "audit", "assessor": "assess", "researcher": "research"}
_TOKEN = re.compile(r"[\w’'-]+|[.!?;:…()\[\]]")
_SENTENCE_END = frozenset(".!?;:…")


def gives_name(quote: str, kind: str, given: str, profile: CorpusProfile) -> bool:
    """Whether a statement names something of the kind asked (``kind``: "foundation", "evaluator" …): a capitalised
    name not already ``given`` (in the question), a few words from the kind in the same phrase ("the Dutch knowledge
    institute Vilans"; not across a bracket or an elided gap). A sentence's first word, a country and a practice code
    are no such name."""
    asked = {w.lower() for w in _TOKEN.findall(given)}
    tokens = _TOKEN.findall(quote)
    phrase = list(itertools.accumulate(not t[0].isalnum() for t in tokens))  # which phrase each token is in
    names = [
        i for i, t in enumerate(tokens)
        if t[0].isupper() and i > 0 and tokens[i - 1] not in _SENTENCE_END and t.lower() not in asked
        and not re.fullmatch(r"[A-Z]{1,3}\d+", t) and not profile.countries_in(t)
    ]  # fmt: skip
    stem = _DOER_STEMS.get(kind)
    near = [i for i, t in enumerate(tokens) if singular(t.lower()) == kind or (stem and t.lower().startswith(stem))]
    return any(abs(i - j) <= _NAME_REACH and phrase[i] == phrase[j] for i in names for j in near)


# The features of one statement, in the order of a feature row. The first ten are what the hand-tuned score
# weighs; the rest describe the statement itself (its kind, its source, its length), which only a fitted
# model can weigh without guessing.
STATEMENT_FEATURES = (
    "similarity",  # embedding similarity of the statement's lead to the question
    "word_overlap",  # idf-weighted share of the question's content words the statement has
    "rank_prior",  # 1 / (1 + rank of its passage in the retrieval)
    "about_aspect",  # the statement speaks of the aspect asked (funding, barriers …)
    "evidence_kind_asked",  # the question names the statement's kind of evidence ("the case study")
    "asked_practice",  # the statement is about a practice the question names
    "other_practice",  # … about another practice, when the question names one
    "answer_type_fits",  # a figure for a figure question, a practice for a practices question, a list for a list
    "country_fit",  # +1 about the asked country, -1 a practice elsewhere, 0 no country asked or said
    "group_fit",  # +1 a card fact of a practice serving the asked group, -1 one that does not
    "is_list",
    "is_recommendation",
    "is_table_row",
    "is_card_fact",
    "from_paper",
    "from_card",
    "log_words",  # log(1 + the statement's words)
    "has_number",
    "figure_asked",  # the question asks for a figure (lets the model weigh answer_type_fits by question)
    "practices_asked",  # the question asks which practices
    "passage_relevance",  # the passage ranker's score of the statement's passage (0 when not scored) ...
    "passage_unscored",  # ... which a card, or a passage composition adds, is not
)


@dataclass
class StatementInputs:
    """What the features of one statement are measured from (kept apart from the Candidate, so the rankers
    and their tests need no chunk, index or model)."""

    similarity: float
    word_overlap: float
    rank: int
    about_aspect: bool
    evidence_kind_asked: bool
    asked_practice: bool
    other_practice: bool
    answer_type_fits: bool
    country_fit: int
    group_fit: int
    kind: str  # sentence, list, recommendation, table_row, card_fact
    source_type: str  # report, paper, practice_card, user_document
    words: int
    has_number: bool
    passage_relevance: float | None = None


def feature_row(s: StatementInputs, analysis: Analysis) -> list[float]:
    """One statement's features in ``STATEMENT_FEATURES`` order."""
    return [
        s.similarity,
        s.word_overlap,
        1.0 / (1 + s.rank),
        float(s.about_aspect),
        float(s.evidence_kind_asked),
        float(s.asked_practice),
        float(s.other_practice),
        float(s.answer_type_fits),
        float(s.country_fit),
        float(s.group_fit),
        float(s.kind == "list"),
        float(s.kind == "recommendation"),
        float(s.kind == "table_row"),
        float(s.kind == "card_fact"),
        float(s.source_type == "paper"),
        float(s.source_type == "practice_card"),
        math.log1p(s.words),
        float(s.has_number),
        float(analysis.answer_type == "figure"),
        float(analysis.answer_type == "practices" or analysis.route == "practices"),
        s.passage_relevance or 0.0,
        float(s.passage_relevance is None),
    ]


def _base_weights(config: AnswerSettings) -> list[float]:
    """The hand-set weights of meaning, words and rank (the first three features)."""
    return [config.semantic_weight, 1 - config.semantic_weight, config.rank_prior]


def relevance_before_bonuses(features: np.ndarray, config: AnswerSettings) -> np.ndarray:
    """Meaning, words and rank weighed by the hand-set weights, with no bonus: what answerability judges the
    evidence on, whichever ranker orders the statements."""
    return features[:, :3] @ np.asarray(_base_weights(config))


class HandTunedRanker:
    """The hand-set weights of the settings: meaning and words mixed, a rank prior, and fixed bonuses."""

    name = "hand-tuned"

    def __init__(self, config: AnswerSettings) -> None:
        self.keep_ratio = config.keep_ratio
        bonus, named, aspect = config.answer_type_bonus, config.named_practice_bonus, config.aspect_bonus
        head = [*_base_weights(config), aspect, aspect, named, -named, bonus, bonus, bonus]
        self.weights = np.asarray(head + [0.0] * (len(STATEMENT_FEATURES) - len(head)))

    def run(self, features: np.ndarray) -> np.ndarray:
        return features @ self.weights


def load_ranker(config: AnswerSettings) -> Ranker:
    """The ranker the settings name: the learned model file, or the hand-tuned weights ("hand", or no file yet)."""
    path = Path(config.statement_ranker)
    if config.statement_ranker == "hand" or not path.is_file():
        return HandTunedRanker(config)
    return LearnedRanker.load(path, STATEMENT_FEATURES)
