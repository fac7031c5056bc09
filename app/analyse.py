"""Question analysis: what is asked, about what, by whom — from the corpus profile, not from capitals.

The aspect (funding, barriers, evaluation …), the named practices, countries (demonyms
resolved), target groups, sectors and audiences come from the corpus profile's vocabularies
and the cards' names; the answer type (a figure, practices, a list, a comparison, a
definition, a design recommendation) from the question's grammar. A follow-up inherits what
it does not say itself from the previous question's analysis; a new aspect replaces the old.
"""

from __future__ import annotations

import re

from app.cards import PracticeCard
from app.codes import PracticeCodes
from app.corpus_profile import CorpusProfile, phrase_pattern
from app.models import Analysis

# English question grammar (not corpus knowledge): which kind of answer is asked for.
_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "design",
        re.compile(
            r"^\W*(how (should|could|can|do|would|might) (we|i|a|an|our|my|they|you|one|the|municipalit|region|countr"
            r"|government|ministr)|what should|what (would|do) you (recommend|advise)|how to\b|best way to|any advice"
            r"|what advice)|\b(should we|should i|we want to|we are planning|we're planning|we plan to)\b",
            re.I,
        ),
    ),
    (
        "compare",
        re.compile(r"\b(compare[ds]?|comparison|differ(s|ent|ence|ences)?|versus|vs\.?|agree|same as|similar(ities)?)\b", re.I),
    ),
    (
        "figure",
        re.compile(
            r"\b(how (many|much|often|large|big)|(what|which) (share|proportion|percentage|number|fraction)|per ?cent|%)", re.I
        ),
    ),
    (
        "practices",
        re.compile(
            r"\b((which|what) ([\w-]+ ){0,2}(practices?|examples?|programmes?|programs?|projects?|initiatives?)\b"
            r"|who (runs|operates|offers|does|provides|works|has)\b"
            r"|(is|are) there (a|an|any)\b.{0,60}\b(practices?|examples?|programmes?|projects?)"
            r"|\bany\b.{0,40}\bexamples?|comparable practices?|examples? of|tell me about)",
            re.I,
        ),
    ),
    (
        "list",
        re.compile(
            r"^\W*(list|name|give me|summari[sz]e)\b|\bwhat (are|were) the (main|key|different|most)\b"
            r"|\b(types|kinds|categories|ways|forms) of\b",
            re.I,
        ),
    ),
    ("definition", re.compile(r"^\W*what (is|are|does) (a |an |the )?[\w’' -]{1,40}(\?|\bmean\b)|\bdefin(e|ition)\b", re.I)),
)
_RECOMMEND = re.compile(r"\b(recommend\w*|advi[sc]e\w*|guidance|suggest\w*)\b", re.I)
_POINTS_BACK = re.compile(
    r"^\W*(and|but|also|so|ok|okay|what about|how about|same for|in )\b"
    r"|\b(they|them|their|those|these|it|its|this|that|there|ones?|which of|the same|him|her)\b",
    re.I,
)
_REFERS_TO_PRACTICES = re.compile(r"\b(they|them|their|those|these|it|its|which of|ones?)\b", re.I)
_WORD = re.compile(r"[^\W\d_][\w’'-]*")

# Function words of other languages, to answer "the sources are in English" instead of guessing.
_LANGUAGES = {
    "French": "les des est sont une pour dans avec quels quelles quel quelle comment pourquoi qui que du aux sur pas où "
    "nous vous être intégration financer services sociaux",
    "German": "der die das und ist sind wie welche welcher mit für nicht ein eine den dem werden von zu warum wer",
    "Spanish": "los las el es son cómo qué cuáles cuál para con una del por porque quién servicios sociales",
    "Italian": "il gli sono come quali quale per con della delle che una perché chi servizi sociali",
    "Dutch": "de het een en hoe welke zijn voor met van niet wat waarom wie diensten",
}
_ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "and",
        "to",
        "in",
        "is",
        "are",
        "what",
        "how",
        "which",
        "who",
        "why",
        "for",
        "with",
        "on",
        "by",
        "from",
        "about",
        "do",
        "does",
        "can",
        "should",
        "we",
        "our",
        "you",
        "i",
        "it",
        "this",
        "that",
        "these",
        "there",
        "be",
        "has",
        "have",
        "was",
        "were",
    ]
)


def detect_language(text: str) -> str:
    """ "English", or the name of the other language a question is clearly written in."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 3:
        return "English"
    english = sum(w in _ENGLISH for w in words)
    scores = {lang: sum(w in set(vocab.split()) for w in words) for lang, vocab in _LANGUAGES.items()}
    lang, best = max(scores.items(), key=lambda kv: kv[1])
    return lang if best >= 2 and best > english else "English"


_GENERIC_NAME_ENDINGS = re.compile(r"\s+(project|programme|program|model|practice|pilot|initiative|services?)$", re.I)


class PracticeNames:
    """Finds practices a question names: by code, or by a name the cards give them."""

    def __init__(self, cards: list[PracticeCard], codes: PracticeCodes) -> None:
        self.codes = codes
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        for card in cards:
            names = {card.title, card.original_title}
            names |= set(re.findall(r"\(([A-Z][A-Za-z]{2,})\)", card.title))  # "(LAFOS)"
            names |= set(re.findall(r"\b[A-Z]{3,}\b", card.title))  # "MASS", "MAIA"
            names |= {re.sub(r"\s*\(.*?\)", "", card.title).strip()}
            names |= {_GENERIC_NAME_ENDINGS.sub("", n) for n in list(names) if n}  # "Casa Elena project"
            names |= {re.split(r"\s+[–-]\s+", n)[0] for n in list(names) if n}  # "Kotitori – Service integration"
            phrases = sorted(n for n in names if n and " " in n.strip())  # several words: any case
            single = sorted(n for n in names if n and " " not in n.strip() and len(n) >= 3)
            pattern = phrase_pattern(phrases)
            if pattern is not None:
                self.patterns.append((card.code, pattern))
            if single:  # one word ("Kotitori", "MASS") must be written as a name, not as "home" or "mass"
                words = "|".join(re.escape(w) for w in single)
                self.patterns.append((card.code, re.compile(rf"(?<![\w])({words})(?![\w])")))

    def find(self, text: str) -> list[str]:
        """Codes of the practices the text names, in order of mention."""
        found = [(m.start(), m.group(0)) for m in self.codes.pattern.finditer(text)]
        found += [(m.start(), code) for code, p in self.patterns if (m := p.search(text))]
        return list(dict.fromkeys(code for _, code in sorted(found)))


class QuestionAnalyser:
    """Analyses questions against one corpus profile and card set."""

    def __init__(self, profile: CorpusProfile, cards: list[PracticeCard], follow_up_max_words: int) -> None:
        self.profile = profile
        self.names = PracticeNames(cards, PracticeCodes.from_profile(profile))
        self.max_words = follow_up_max_words
        self._countries = [(c.name, phrase_pattern(c.names())) for c in profile.countries]

    def countries(self, text: str) -> list[str]:
        """Countries named (by name, alias or demonym: "Finnish" -> Finland)."""
        return [name for name, p in self._countries if p is not None and p.search(text)]

    def analyse(self, question: str) -> Analysis:
        """The analysis of a question on its own."""
        answer_type = next((name for name, pattern in _TYPES if pattern.search(question)), "general")
        named = [a.name for a in self.profile.named_audiences(question)]
        return Analysis(
            question=question,
            language=detect_language(question),
            answer_type=answer_type,
            asks_recommendation=bool(_RECOMMEND.search(question)),
            aspects=self.profile.detect_aspects(question),
            practices=self.names.find(question),
            countries=self.countries(question),
            target_groups=self.profile.detect("target_groups", question),
            sectors=self.profile.detect("sectors", question),
            audiences=named,
        )

    def is_follow_up(self, analysis: Analysis) -> bool:
        """A short question that points back, or says nothing of its own topic, continues the conversation."""
        q = analysis.question
        if len(q.split()) > self.max_words:
            return False
        own_topic = analysis.practices or analysis.countries or analysis.target_groups or analysis.sectors
        return bool(_POINTS_BACK.search(q)) or not (own_topic or analysis.aspects)

    def resolve(self, question: str, previous: Analysis | None, answered: list[str] | None = None) -> Analysis:
        """The analysis of a question in a conversation: what it leaves unsaid comes from the previous one.

        ``answered``: the practices the previous answer named; "they", "those", "which of them" refer to them.
        A new aspect, group, sector, country or audience replaces the previous one.
        """
        now = self.analyse(question)
        if previous is None or not self.is_follow_up(now):
            return now
        practices = now.practices or previous.practices
        if not practices and _REFERS_TO_PRACTICES.search(question):
            practices = list(answered or [])
        return now.model_copy(
            update={
                "follow_up": True,
                "topic": previous.topic or previous.question,
                # A follow-up with an aspect of its own asks about it, not for the previous kind of answer.
                "answer_type": previous.answer_type if now.answer_type == "general" and not now.aspects else now.answer_type,
                "asks_recommendation": now.asks_recommendation or (previous.asks_recommendation and not now.aspects),
                "aspects": now.aspects or previous.aspects,
                "practices": practices,
                "countries": now.countries or previous.countries,
                "target_groups": now.target_groups or previous.target_groups,
                "sectors": now.sectors or previous.sectors,
                "audiences": now.audiences or previous.audiences,
            }
        )
