"""``joinedup cards check``: the card set as a whole agrees with the report.

Beyond each card's own checks (schema, vocabularies, quotes found in the
corpus), the set must reproduce the report's own tables: the country spread of
the practice review and, for each effect of Table 6, exactly the practice
codes the table lists. Both expectations are parsed from the report text, not
typed in here.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ingest.cards import EFFECTS, CardProblem, PracticeCard, check_card, corpus_quote_index, load_card
from ingest.codes import PRACTICE_CODE
from ingest.quotes import normalise

REPORT_FILE = "esn-integrated-social-services-in-europe-2016.txt"
_COUNTRY_ALIASES = {"the netherlands": "Netherlands", "the united kingdom": "United Kingdom", "the uk": "United Kingdom"}


def report_table6(report_text: str) -> dict[str, list[str]]:
    """Table 6 of the report (effect -> practice codes), parsed from the broken table text.

    The table is printed one token per line; the effect names are anchors and
    the codes between one anchor and the next belong to the first. The total
    printed at the end of each row is checked against the codes found.
    """
    start = report_text.index("Effect Description Practice code Total")
    end = report_text.index("Table 6: Reported effects")
    table = normalise(report_text[start:end])
    anchors = sorted((table.index(e), e) for e in EFFECTS)
    rows: dict[str, list[str]] = {}
    for i, (pos, effect) in enumerate(anchors):
        stop = anchors[i + 1][0] if i + 1 < len(anchors) else len(table)
        segment = table[pos:stop].upper()
        codes = list(dict.fromkeys(m.group(0) for m in PRACTICE_CODE.finditer(segment)))
        totals = re.findall(r"\b(\d{1,2})\b", segment)
        if totals and int(totals[-1]) != len(codes):
            raise ValueError(f"Table 6 parse: {effect!r} lists {len(codes)} codes but prints total {totals[-1]}")
        rows[effect] = codes
    return rows


def report_country_spread(report_text: str) -> dict[str, int]:
    """The practice review's "Belgium (3), Bulgaria (1), …" sentence as a dict."""
    flat = normalise(report_text)
    at = flat.index("44 practice examples were submitted by 36 organisations")
    sentence = flat[at : flat.index(".", flat.index("kingdom", at))]
    spread: dict[str, int] = {}
    for name, n in re.findall(r"(?:and )?([a-z][a-z ]+?) \((\d+)\)", sentence.split(":", 1)[1]):
        name = name.strip()
        spread[_COUNTRY_ALIASES.get(name, name.title())] = int(n)
    return spread


def check_card_set(practices_dir: Path, documents_dir: Path) -> tuple[list[PracticeCard], list[CardProblem]]:
    """All checks on all cards; returns the cards that loaded and every problem found."""
    quotes = corpus_quote_index(documents_dir)
    problems: list[CardProblem] = []
    cards: list[PracticeCard] = []
    for path in sorted(practices_dir.glob("*.yaml")):
        try:
            card = load_card(path)
        except ValueError as exc:
            problems.append(CardProblem(path=path.name, message=str(exc)))
            continue
        cards.append(card)
        problems += check_card(card, path.name, quotes)
    problems += check_against_report(cards, (documents_dir / REPORT_FILE).read_text(encoding="utf-8"))
    return cards, problems


def check_against_report(cards: list[PracticeCard], report_text: str) -> list[CardProblem]:
    """Duplicate codes, the country spread and Table 6, compared with the report."""
    problems: list[CardProblem] = []

    def bad(msg: str) -> None:
        problems.append(CardProblem(path="(card set)", message=msg))

    codes = Counter(c.code for c in cards)
    for code, n in sorted(codes.items()):
        if n > 1:
            bad(f"code {code} is used by {n} cards")
    spread = report_country_spread(report_text)
    got = Counter(c.country for c in cards)
    for country in sorted(set(spread) | set(got)):
        if spread.get(country, 0) != got.get(country, 0):
            expected, have = spread.get(country, 0), got.get(country, 0)
            bad(f"country spread: the report counts {expected} practices from {country}, the cards {have}")
    if sum(spread.values()) != len(cards):
        bad(f"the report reviews {sum(spread.values())} practices, there are {len(cards)} cards")
    table = report_table6(report_text)
    for effect, expected in table.items():
        have = sorted(c.code for c in cards if effect in c.effects)
        if have != sorted(expected):
            missing = sorted(set(expected) - set(have))
            extra = sorted(set(have) - set(expected))
            bad(f"Table 6 '{effect}': missing {missing or 'none'}, not in the table {extra or 'none'}")
    return problems
