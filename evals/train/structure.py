"""Training questions generated from the corpus's structure: card fields, and countries the corpus never covers.

Deterministic (no randomness beyond a fixed seed), so ``python -m evals.train.structure`` rewrites
``evals/train/structure.jsonl`` identically. These are training data only: nothing here is
an evaluation set, and no template copies an evaluation question.

- answerable: each filled card field of each named practice, asked by the practice's name or code
  in one of a few phrasings; its evidence is the card's verbatim source quotes;
- follow-ups: "What is {name}?", then one of its filled fields asked as a follow-up ("Who pays for it?"), its evidence
  the card's source quotes; and, out of scope, a follow-up asking for the like of it in a country the corpus never
  mentions ("Is there something like it in Japan?");
- out of scope: questions on everyday topics the corpus never touches; questions on the corpus's topics
  about countries the corpus never mentions; and
  about fields a card leaves empty where no document speaks to them either is NOT generated (the
  documents may say it elsewhere); readers' questions supply the subtler out-of-scope cases.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from app.core.cards import PracticeCard, load_cards
from app.core.config import ROOT
from app.core.corpus_profile import load_profile

ID_PREFIX = "st-"  # every generated question's id starts so (the readers' files use their own prefixes)

OUT = ROOT / "evals" / "train" / "structure.jsonl"
SEED = 20261206

# How a user asks about one card field of a practice ({name}: the practice's name or code).
FIELD_QUESTIONS: dict[str, list[str]] = {
    "funding": ["How is {name} funded?", "Who pays for {name}?", "What funding arrangement does {name} rely on?"],
    "effects": ["What effects did {name} report?", "What difference did {name} make for its users?"],
    "evaluation": ["Was {name} evaluated?", "How was {name} evaluated?"],
    "target_groups": ["Who does {name} serve?", "Which people is {name} aimed at?"],
    "sectors": ["Which services work together in {name}?", "Which sectors does {name} bring together with social services?"],
    "delivery_models": ["How is {name} delivered?", "What delivery model does {name} use?"],
    "reasons": ["Why was {name} set up?", "What were the reasons for creating {name}?"],
    "summary": ["What is {name}?", "Tell me about {name}.", "Describe {name} briefly."],
    "governance_level": ["At what level of government is {name} run?"],
    "transferability": ["Could {name} be transferred to another country?"],
}

# A card field asked as a follow-up to "What is {name}?": the practice is "it".
FOLLOW_UP_QUESTIONS: dict[str, list[str]] = {
    "funding": ["And how is it funded?", "Where does its money come from?"],
    "effects": ["What effects did it have?", "Did it make a difference for the people using it?"],
    "evaluation": ["Was it evaluated?", "How did they evaluate it?"],
    "target_groups": ["Who is it for?", "And which people does it serve?"],
    "sectors": ["Which services work together in it?"],
    "delivery_models": ["How is it delivered?"],
    "reasons": ["Why was it set up?"],
}
OPENERS = ["What is {name}?", "Tell me about {name}."]
OTHER_COUNTRY_FOLLOW_UPS = ["Is there something like it in {country}?", "How does {country} do the same thing?"]

# Countries this corpus does not cover (checked against the profile at generation time).
OTHER_COUNTRIES = [
    "Japan", "Canada", "Brazil", "Australia", "India", "China", "Mexico", "South Africa", "Kenya", "Argentina",
    "Chile", "South Korea", "New Zealand", "Turkey", "Egypt", "Nigeria", "Indonesia", "Vietnam", "Peru", "Colombia",
    "Morocco", "Singapore", "Thailand", "Ghana", "Uruguay",
]  # fmt: skip

OTHER_COUNTRY_QUESTIONS = [
    "How does {country} integrate social services with health care?",
    "Which practices from {country} use case management?",
    "How are integrated employment and social services funded in {country}?",
    "What barriers to integration did social services in {country} report?",
    "Is there a one-stop shop for young jobseekers in {country}?",
    "What did the reform of social assistance in {country} change for long-term unemployed people?",
]


# Everyday topics far from the corpus's, asked the ways its users ask (a design question, a fact, a practice):
# the evidence for them is whatever happens to be nearest, which answerability must learn to refuse.
OFF_TOPICS = [
    "repair a leaking roof", "train for a marathon", "bake sourdough bread", "choose a fixed-rate mortgage",
    "learn to play the violin", "grow tomatoes on a balcony", "fix a bicycle puncture", "plan a wedding reception",
    "improve my chess openings", "install solar panels on a house", "look after a pet rabbit",
    "renew a passport quickly", "clean a cast-iron pan", "tune a guitar", "brew craft beer at home",
]  # fmt: skip

OFF_TOPIC_QUESTIONS = [
    "How should I {topic}?",
    "What is the best way to {topic}?",
    "What do the sources say about how to {topic}?",
    "Which practices help people {topic}?",
]


def _name(card: PracticeCard, style: int) -> str:
    """The practice as a user would name it: by title, by code, or by title and country."""
    title = card.title.split(" (")[0].strip()
    return [title, card.code, f"the {title} practice in {card.country}"][style % 3]


def answerable_items(cards: list[PracticeCard], rng: random.Random) -> list[dict]:
    """One item per (named card, filled field), its evidence the card's verbatim source quotes."""
    items = []
    for card in cards:
        if not card.title or not card.summary:
            continue  # practices the sources only list in a table have nothing to ask about
        for fld, questions in FIELD_QUESTIONS.items():
            quotes = [q for q in card.sources.get(fld, []) if not q.startswith(("Table", "Figure"))]
            if not getattr(card, fld) or not quotes:
                continue
            i = rng.randrange(len(questions))  # one phrasing per fact: the readers' questions bring the variety
            items.append(
                {
                    "id": f"{ID_PREFIX}{card.code}-{fld}-{i}",
                    "question": questions[i].format(name=_name(card, rng.randrange(3))),
                    "kind": "practice",
                    "must_include": [],
                    "evidence": quotes[:3],
                    "source": "report",
                }
            )
    return items


def follow_up_items(cards: list[PracticeCard], rng: random.Random, known_countries: set[str]) -> list[dict]:
    """Per described card, a conversation of two turns: what the practice is, then one filled field asked as a follow-up;
    for every third card also an out-of-scope follow-up asking for the like of it in a country the corpus never covers."""
    others = [x for x in OTHER_COUNTRIES if x.lower() not in known_countries]
    items = []
    for n, card in enumerate(c for c in cards if c.title and c.summary):
        fields = [
            f for f in FOLLOW_UP_QUESTIONS
            if getattr(card, f) and [q for q in card.sources.get(f, []) if not q.startswith(("Table", "Figure"))]
        ]  # fmt: skip
        if not fields:
            continue
        history = [OPENERS[rng.randrange(len(OPENERS))].format(name=_name(card, rng.randrange(3)))]
        fld = fields[rng.randrange(len(fields))]
        quotes = [q for q in card.sources[fld] if not q.startswith(("Table", "Figure"))]
        i = rng.randrange(len(FOLLOW_UP_QUESTIONS[fld]))
        items.append(
            {
                "id": f"{ID_PREFIX}fu-{card.code}-{fld}-{i}",
                "question": FOLLOW_UP_QUESTIONS[fld][i],
                "kind": "follow_up",
                "must_include": [],
                "evidence": quotes[:3],
                "source": "report",
                "history": history,
            }
        )
        if n % 3 == 0:
            j = rng.randrange(len(OTHER_COUNTRY_FOLLOW_UPS))
            items.append(
                {
                    "id": f"{ID_PREFIX}fu-oos-{card.code}-{j}",
                    "question": OTHER_COUNTRY_FOLLOW_UPS[j].format(country=others[n % len(others)]),
                    "kind": "follow_up_out_of_scope",
                    "must_include": [],
                    "evidence": [],
                    "source": "both",
                    "history": history,
                }
            )
    return items


def out_of_scope_items(known_countries: set[str]) -> list[dict]:
    """Questions on the corpus's topics about countries it never mentions."""
    items = []
    for c, country in enumerate(x for x in OTHER_COUNTRIES if x.lower() not in known_countries):
        for q, template in enumerate(OTHER_COUNTRY_QUESTIONS):
            if (c + q) % 2:  # half the combinations: enough variety without one country dominating
                continue
            items.append(
                {
                    "id": f"{ID_PREFIX}oos-{c}-{q}",
                    "question": template.format(country=country),
                    "kind": "out_of_scope",
                    "must_include": [],
                    "evidence": [],
                    "source": "both",
                }
            )
    return items


def off_topic_items() -> list[dict]:
    """Questions on everyday topics the corpus does not touch, one phrasing each (rotating through the templates)."""
    return [
        {
            "id": f"{ID_PREFIX}off-{i}",
            "question": OFF_TOPIC_QUESTIONS[i % len(OFF_TOPIC_QUESTIONS)].format(topic=topic),
            "kind": "out_of_scope",
            "must_include": [],
            "evidence": [],
            "source": "both",
        }
        for i, topic in enumerate(OFF_TOPICS)
    ]


def build(corpus_dir: Path = ROOT / "corpus") -> list[dict]:
    """All generated items, in a fixed order."""
    rng = random.Random(SEED)
    cards = [card for _, card in load_cards(corpus_dir / "practices")]
    profile = load_profile(corpus_dir)
    known = {n.lower() for c in profile.countries for n in c.names()}
    return answerable_items(cards, rng) + out_of_scope_items(known) + off_topic_items() + follow_up_items(cards, rng, known)


def main() -> None:
    items = build()
    OUT.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    print(f"{len(items)} items -> {OUT}")


if __name__ == "__main__":
    main()
