"""Question analysis: what is asked, about what, by whom — from the corpus profile, not from capitals.

The aspect (funding, barriers, evaluation …), the named practices, countries (demonyms
resolved), target groups, sectors and audiences come from the corpus profile's vocabularies
and the cards' names; the answer type (a figure, practices, a list, a comparison, a
definition, a design recommendation) from the question's grammar. A follow-up inherits what
it does not say itself from the previous question's analysis; a new aspect replaces the old.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from app.core.cards import PracticeCard
from app.core.codes import PracticeCodes
from app.core.corpus_profile import CorpusProfile, phrase_pattern
from app.core.models import Analysis, Passage, QuestionPart
from app.core.normalise import normalise
from app.core.sentences import split_sentences
from app.core.text import STOPWORDS, compound_parts, has_word, singular, singular_terms

# English question grammar (not corpus knowledge): which kind of answer is asked for.
# When something is open or staffed: its days and hours ("what are the opening hours", "on which days … staffed").
_SCHEDULE = re.compile(
    r"\bopening (hours|times)\b|\b(at|on|during) (what|which) (days?|times?|hours)\b"
    r"|\b(what|which) (days?|times?|hours) (is|are|was|were|do|does) [\w’' -]{1,40}? (open|staffed|available)\b",
    re.I,
)
_ASKS_FIGURE = re.compile(
    r"\b(how (many|much|often|large|big|long)\b|(what|which) (share|proportion|percentage|number|fraction)|per ?cent|%"
    r"|\bby how much\b|\b(in )?(which|what) year\b|\baverage\b|\b(maximum|minimum|total|largest|smallest) number of\b"
    r"|(what|which) (is|was|were|are) the ([\w-]+ ){1,2}(rate|ratio)\b|\b(what|which) ([\w-]+ )?(rate|ratio)\b"
    r"|" + _SCHEDULE.pattern + ")",
    re.I,
)
_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "design",
        re.compile(
            r"^\W*(how (should|could|can|would|might) (we|i|a|an|our|my|they|you|one|the|municipalit|region|countr"
            r"|government|ministr)|how do (we|i|you|one|our|my)\b|what should|what (would|do) you (recommend|advise)"
            r"|how to\b|best way to|any advice|what advice)"
            r"|\b(should we|should i|we want to|we are planning|we're planning|we plan to)\b",
            re.I,
        ),
    ),
    (
        "compare",
        re.compile(
            r"\b(compare[ds]?|comparison|differ(s|ent|ently|ence|ences)?|versus|vs\.?|agree|same as|similar(ities)?)\b", re.I
        ),
    ),
    ("figure", _ASKS_FIGURE),
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
# What a figure measures, from the question's grammar: money wants an amount of money, a share a proportion,
# a count a number that is not a year. A quote with some other number does not answer it.
_MEASURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # By how much something changed ("by what percentage did admissions fall", "by how many days did absence drop"):
    # a figure of the change, not any figure of the thing.
    ("change", re.compile(r"\bby (how (much|many|far)|what (percentage|proportion|share|amount|factor|margin|%))", re.I)),
    ("frequency", re.compile(r"\bhow (often|frequently)\b", re.I)),
    ("schedule", _SCHEDULE),
    # A length of time ("how long do they wait") and a year ("in which year did it start") are figures of their own.
    ("duration", re.compile(r"\bhow long\b", re.I)),
    ("year", re.compile(r"\b(which|what) year\b", re.I)),
    ("share", re.compile(r"\b(share|proportion|percentage|fraction|per ?cent|rate|ratio)\b|%", re.I)),
    (
        "money",
        re.compile(
            r"\b(cost|costs|costed|costing|spend|spent|spending|save|saved|saving|savings|pay|pays|paying|paid|fee|fees"
            r"|charge|charges|charged|budget|budgets|price|prices"
            r"|euros?|money|expenditure|invest|invested|investment)\b(?!-)",
            re.I,
        ),
    ),
    ("count", re.compile(r"\bhow many\b|\b(what|which) (is|was|were|are) the number\b|\bnumber of\b", re.I)),
)
_MONEY_QUESTION = re.compile(
    r"\b(what|which)(?:'s|’s| is| was| were| are) (?:the |its |their )(?:[\w-]+(?:'s|’s) )?(total |annual |yearly |average )?"
    r"(cost|budget|savings?|price|fee)\b"
    r"|\bin (euros?|pounds|dollars)\b"  # "what is the size of the allowance in euros?" asks an amount
    # What people are paid is an amount however it is asked: "what salary do they earn", "how much do staff earn".
    r"|\b(what|which) ([\w-]+ ){0,2}(salar(y|ies)|wages?|earnings|fees?|prices?)\b"  # "what hourly price …"
    r"|\bhow much (do|does|did) [\w’' -]{1,40}? (earn|get paid)\b"
    # "How much is the monthly benefit": the amount of a sum of money.
    r"|\bhow much (is|was|are|were) (the |a |an |its |their )?([\w-]+ ){0,4}"
    r"(benefits?|allowances?|grants?|budgets?|funds?|fees?|prices?|costs?|salar(y|ies)|wages?|pensions?|subsid(y|ies))\b"
    # "And what does it cost?"; not "what does the report say about cost-saving aims" (a topic, not a sum).
    r"|\bwhat (does|did|do|would|will) (?:(?!\b(?:say|says|said|tell|mention|write|about)\b)[\w’' -]){1,40}? cost(?![\w-])",
    re.I,
)
# A question in several parts ("What did X require, and how much did it save?"): each part is checked on its own.
_PARTS = re.compile(
    r"(?:[,;]\s*|\s+)(?:and|but)\s+(?=(?:how|what|which|who|when|where|why|did|does|do|is|are|was|were|has|have)\b)"
    r"|(?<=\?)\s+(?=\S)",
    re.I,
)
# One question asked of two things by a repeated preposition: "outcomes for users and for organisations". (A part led
# by a preposition after "and", "… and at what share?", leans on the part before it: it is not split off; measured.)
_PARALLEL = re.compile(
    r"^(?P<stem>.*?\b(?P<prep>for|to|in|on|of|about|with|from|between|among)\b)\s+(?P<a>.+?)\s+and\s+(?P=prep)\s+(?P<b>[^,;?]+?)\s*\??$",
    re.I,
)
_ASKS = re.compile(r"(?:how|what|which|who|when|where|why|did|does|do|is|are|was|were|has|have|can|could|should)\b", re.I)
_ASKS_AFTER_LEAD_IN = re.compile(r"\b(?:how|what|which|who|when|where|why)\b", re.I)
_YEAR = re.compile(r"(?<![\w.])(?:(before|until|by|prior to|up to)\s+)?((?:19|20)\d\d)(?![\w.])", re.I)
# Times relative to the asker's present, which sources published years ago cannot speak for.
_NOW = re.compile(r"\b(last|this|past) (year|month|week)\b", re.I)
_OPINION = re.compile(r"\byou\b[\w\s]{0,20}\bpersonally\b|\byour (own )?(personal )?(opinion|view|favourite|preference)\b", re.I)
_RECOMMEND = re.compile(r"\b(recommend\w*|advi[sc]e\w*|guidance|suggest\w*)\b", re.I)
_POINTS_BACK = re.compile(
    r"^\W*(and|but|also|so|ok|okay|what about|how about|same for|in )\b"
    r"|\b(they|them|their|those|these|it|its|this|that|there|ones?|which of|the same|him|her)\b",
    re.I,
)
# What a longer follow-up points back with: words for things already spoken of ("it", "this", "there" are as common in
# a new question that tells its own situation).
_PLURAL_BACK = re.compile(r"\b(they|them|their|those|these)\b", re.I)
# (Not "of them": after a question about the practices at large, "how many of them said …" counts all of them, not
# the few the answer named in passing.)
_PRACTICE_NOUNS = re.compile(r"\b(practices?|examples?|programmes?|programs?|projects?|initiatives?|schemes?)\b", re.I)
# "and multidisciplinary teams?", "what about older people?": the previous question asked again of something else.
_ELLIPSIS = re.compile(r"^\W*(and|or|what about|how about|same for)\b(?P<rest>.*)$", re.I | re.S)
_ASKS_ANEW = re.compile(
    r"\b(what|how|who|whom|which|where|when|why|is|are|was|were|do|does|did|can|could|should|would|will|has|have|had)\b", re.I
)


def is_elliptical(question: str) -> bool:
    """Whether a follow-up only names another thing to ask the previous question about ("and for children?")."""
    m = _ELLIPSIS.match(question)
    if m is None:
        return False
    rest = m.group("rest")
    return not _ASKS_ANEW.search(rest) and len(rest.split()) <= 6


_REFERS_TO_PRACTICES = re.compile(r"\b(they|them|their|those|these|it|its|which of|ones?)\b", re.I)
# "it", "its", "this one": one practice, the one the previous answer led with; "they", "those", "which of them": all.
_REFERS_TO_ONE = re.compile(r"\b(it|its|this one|that one)\b", re.I)
_REFERS_TO_MANY = re.compile(r"\b(they|them|their|those|these|which of|ones)\b", re.I)
_WORD = re.compile(r"[^\W\d_][\w’'-]*")

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


def measure_of(question: str, answer_type: str) -> str:
    """What a figure question measures: ``money``, ``share``, ``count``, ``change``, ``frequency``, ``schedule``,
    ``duration``, ``year``, ``other``; "" if no figure is asked."""
    if _MONEY_QUESTION.search(question):
        return "money"
    if answer_type != "figure":
        return ""
    if _PART_OF_WHOLE.search(question):
        return "share"  # "how many of the 60 articles …" gives the whole: "13 out of 60", "less than 25%" answer it
    measure = next((name for name, pattern in _MEASURES if pattern.search(question)), "other")
    # "how big … in budget and areas" asks several things; only "how much did it cost" asks money alone.
    asks_sum = re.search(
        r"\bhow (much|many (euros?|pounds?|dollars?|kron\w+))\b"
        r"|\bhow (big|large) (is|was|are|were) (the |its |their )?([\w-]+ ){0,2}budgets?\b",  # "how big is its budget"
        question,
        re.I,
    )
    if measure == "money" and not asks_sum:
        # "How many young people found paid jobs": a money word describes what is counted.
        return "count" if re.search(r"\bhow many\b", question, re.I) else "other"
    return measure


_COUNTED = re.compile(
    r"\b(?:how many|number of)\s+(?:of\s+(?:the|its|their|these|those)\s+)?(?:\d+\s+)?"
    r"(?P<thing>[A-Za-z][\w'’-]*(?:\s+[A-Za-z][\w'’-]*){0,3})",
    re.I,
)
_PART_OF_WHOLE = re.compile(r"\bhow many of (?:the |these |those |its |their )?\d+\b", re.I)
# A share of something: "what share of practices …", "% of the articles …", "the employment rate of …".
_SHARE_OF = re.compile(
    r"\b(?:share|proportion|percentage|fraction|per ?cent|%|how many)\s+of\s+(?:the\s+|all\s+|its\s+|their\s+)?(?:\d+\s+)?"
    r"(?P<thing>[A-Za-z][\w'’-]*(?:\s+[A-Za-z][\w'’-]*){0,3})"
    r"|\bthe\s+(?P<before>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)\s+(?:rate|ratio)\b",
    re.I,
)
# Where the name of the measured thing ends: a verb, an auxiliary or a preposition follows it.
_COUNT_ENDS = frozenset({
    "did", "do", "does", "done", "were", "was", "are", "is", "be", "been", "being", "have", "has", "had", "can",
    "could", "will", "would", "should", "may", "might", "in", "of", "at", "on", "for", "from", "across", "under",
    "after", "before", "per", "with", "to", "by", "among", "into", "within", "than", "actually", "still", "there",
    "that", "which", "who", "whom", "whose", "when", "where"
})  # fmt: skip


# The past tense of common irregular verbs: after "how many" such a word is what the counted did, not what is counted.
_IRREGULAR_PAST = frozenset({
    "said", "got", "gave", "took", "made", "went", "came", "saw", "told", "found", "kept", "felt", "became", "began",
    "brought", "ran", "held", "left", "thought", "knew", "paid", "sent", "spent", "won", "lost", "met", "chose", "wrote",
    "grew", "led", "built", "set", "put", "stood", "drew", "fell", "rose", "sought", "taught", "bought", "meant",
})  # fmt: skip


# A name is asked when the question asks which organisation of a kind whose members are named (a company, a
# foundation, a university), or who held a named role: the answer is a proper name, not "the municipality".
_ASKS_NAME = re.compile(
    r"\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?P<kind>compan(?:y|ies)|firms?|suppliers?|vendors?|foundations?|universit(?:y|ies)"
    r"|institutes?|consultanc(?:y|ies)|employers?|charit(?:y|ies)|contractors?|banks?|insurers?"
    r"|municipality|city|town)\b"  # one place, named ("the municipality of Győr"); "which municipalities" may ask kinds
    r"|\bwho\s+(?:was|is|were|are)\s+the\s+(?:[\w-]+\s+){0,2}?(?P<role>manager|evaluator|director|chair|head|minister|lead"
    r"|researcher|author)s?\b"
    # Who did a piece of work is named beside the work ("an external evaluation by …", "audited by KPMG").
    r"|\bwho\s+(?:carried\s+out|conducted|performed|did|ran|undertook|led)\s+(?:the|its|their)\s+(?:[\w-]+\s+){0,2}?"
    r"(?P<work>evaluation|audit|assessment|study)\b"
    r"|\bwho\s+(?P<done>evaluated|audited)\b",
    re.I,
)


_DOER = {
    "evaluation": "evaluator", "evaluated": "evaluator", "audit": "auditor", "audited": "auditor",
    "assessment": "assessor", "study": "researcher",
}  # fmt: skip


def name_asked(question: str) -> str:
    """The kind of proper name a question asks for, singular ("Which IT supplier built …" -> "supplier"); "" if none."""
    m = _ASKS_NAME.search(question)
    if not m:
        return ""
    if m["work"] or m["done"]:
        return _DOER[(m["work"] or m["done"]).lower()]
    return singular((m["kind"] or m["role"]).lower())


def measured_of(question: str, measure: str) -> str:
    """The words (singular) of what an asked count or share is of ("How many case managers does …" -> "manager").

    At most two words, the thing counted last; the phrase ends at its first plural ("case managers"). Without a
    part-of-speech tagger a verb may follow an uncountable thing ("how many staff work …"). "" for other figures,
    or when the question does not say.
    """
    m = _COUNTED.search(question) if measure == "count" else _SHARE_OF.search(question) if measure == "share" else None
    if not m:
        return ""
    if m.groupdict().get("before"):  # "the employment rate": what the rate is of comes before it
        return " ".join(singular_terms(m["before"])[-2:])
    words = []
    for word in m["thing"].split():
        if word.lower() in _COUNT_ENDS:
            break
        words.append(word)
    if words and (words[0].lower().endswith("ed") or words[0].lower() in _IRREGULAR_PAST):
        return ""  # "how many looked at …", "how many said …": a verb, the counted thing is unsaid
    # The counted thing ends at its first plural ("case managers", "practice examples", "municipalities joined").
    plural = next((i for i, w in enumerate(words) if singular(w.lower()) != w.lower()), None)
    return " ".join(singular_terms(" ".join(words[: plural + 1] if plural is not None else words))[:2])


# A word that introduces what is asked ("Check which practices …", "… how do they check whether it works?", "Find out
# if …"): a verb of asking, not what the question is about, whether the corpus writes it or not.
_INTRODUCES_QUESTION = re.compile(
    r"(?:^|[.?!:;]\s+)\W*([A-Za-z]+)\s+(?:which|what|whether|if|how|who|where|when|why)\b|\b([A-Za-z]+)\s+(?:whether|if)\b"
)


def verbs_of_asking(question: str) -> set[str]:
    """The words of a question that introduce what it asks (lower case): "check" in "Check which practices …"."""
    return {w.lower() for m in _INTRODUCES_QUESTION.finditer(question) for w in m.groups() if w}


def asking_sentences(question: str) -> str:
    """The sentences of a question that ask ("… never talk to each other. What could we set up first?" -> the last);
    the whole question when it is one sentence or none of its sentences ends with a question mark."""
    sentences = split_sentences(question)
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    return " ".join(asking) if asking and len(sentences) > 1 else question


def in_asking_sentences(analysis: Analysis, words: list[str]) -> list[str]:
    """Those of ``words`` (the question's unknown names or words) that the sentences that ask use: a situation told first
    ("Our mayor visited a clubhouse abroad … Is there anything that should make us cautious?") is not what is asked."""
    asked = asking_sentences(analysis.question)
    return [w for w in words if has_word(asked, w, ignore_case=True)]


def question_parts(question: str) -> list[str]:
    """The parts of a question that asks several things; one part for a simple question."""
    parts = [p.strip(" ,;") for p in _PARTS.split(question) if p and p.strip(" ,;")]
    # "Where and when was it held": two question words asking one thing are one part.
    for i in range(len(parts) - 1, 0, -1):
        if _ASKS.fullmatch(parts[i - 1]):
            parts[i - 1 : i + 1] = [f"{parts[i - 1]} and {parts[i]}"]
    # A sentence that asks nothing ("I've seen one count in the report.") is context for the question, not a part; a
    # part may ask after a lead-in ("In the practice review, which sector …", "MAIA in France: what …").
    parts = [p for p in parts if p.endswith("?") or _ASKS.match(p) or _ASKS_AFTER_LEAD_IN.search(p)]
    if len(parts) > 1:
        return parts
    # "What were its outcomes for users and for organisations?" asks the same of two things: one part each.
    m = _PARALLEL.match(question.strip())
    if m and _ASKS.match(question.strip()):
        return [f"{m['stem']} {m['a']}?", f"{m['stem']} {m['b']}?"]
    return [question]


def later_years(question: str, latest: int) -> list[str]:
    """Times the question asks about that come after the latest source: "in 2023", "last year", "five years after the
    2015 reform" (not "before 2020")."""
    years = [m.group(2) for m in _YEAR.finditer(question) if not m.group(1) and int(m.group(2)) > latest]
    counted = [int(m.group(2)) + _amount(m.group(1)) for m in _YEARS_AFTER.finditer(question)]
    years += [str(y) for y in counted if y > latest]
    return years + [m.group(0).lower() for m in _NOW.finditer(question)]


# "five years after the Dutch 2015 decentralisation", "3 years on from 2016": a time counted on from a year.
_AMOUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_YEARS_AFTER = re.compile(
    r"\b(\d{1,2}|a|one|two|three|four|five|six|seven|eight|nine|ten) years? (?:after|on from|since) (?:[\w'’-]+ ){0,6}?"
    r"((?:19|20)\d\d)\b",
    re.I,
)


def _amount(word: str) -> int:
    """A small number written in digits or words ("5", "five")."""
    return int(word) if word.isdigit() else _AMOUNTS[word.lower()]


# A year in running text: "in 2019." counts (a sentence may end on it), "2019.5" and "12019" do not.
_YEAR_IN_TEXT = re.compile(r"(?<![\w.,])((?:19|20)\d\d)(?!\w|[.,]\d)")


def latest_year(published_up_to: int, user_texts: Iterable[str]) -> int:
    """The latest year the indexed documents speak for: the curated sources' last year, or a later one a user's document names.

    A user who adds a document on 2019 can ask about 2019; whether the passages found answer it is then the evidence's
    to say (a year no retrieved passage mentions is still refused by name).
    """
    years = (int(m.group(1)) for text in user_texts for m in _YEAR_IN_TEXT.finditer(text))
    return max(published_up_to, max(years, default=published_up_to))


# What came of something: a result or an outcome after the fact ("what did the 2016 evaluation find", "did it actually
# start as planned", "which option did Finland end up choosing", "what have the pilots produced so far").
_OUTCOME = re.compile(
    r"\b(eventually|ended up|end up|in the end|turned out|so far|since then|afterwards|subsequently|as planned)\b"
    r"|\bwhat did (?:the |its |their |that |this |those |these )?(?:[\w'’-]+ ){0,5}?"
    r"(?:evaluation|review|audit|study|assessment|survey|pilot|monitoring)s? "
    r"(?:[\w'’-]+ ){0,6}?(?:find|show|conclude|reveal|produce)\b",
    re.I,
)


def asks_outcome(question: str) -> bool:
    """Whether the sentences that ask ask what came of something (its result, whether it happened)."""
    return bool(_OUTCOME.search(asking_sentences(question)))


def asks_opinion(question: str) -> bool:
    """Whether the question asks the assistant's own opinion, which it does not have."""
    return bool(_OPINION.search(question))


# Languages told apart from English (lingua, offline): the sources' own languages and their neighbours.
_OTHER_LANGUAGES = (
    "GERMAN", "FRENCH", "SPANISH", "ITALIAN", "DUTCH", "PORTUGUESE", "POLISH", "SWEDISH", "DANISH", "FINNISH", "HUNGARIAN",
)  # fmt: skip
MIN_WORDS_FOR_LANGUAGE = 4  # shorter questions ("Kotitori Tampere funding") are names as often as another language
MIN_LANGUAGE_CONFIDENCE = 0.6


@lru_cache(maxsize=1)
def _language_detector() -> Any:
    """lingua's detector in low-accuracy mode (trigram models: loads in about a second, needs no network)."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [Language.ENGLISH, *(getattr(Language, name) for name in _OTHER_LANGUAGES)]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect_language(text: str) -> str:
    """ "English", or the name of the other language a question is clearly written in.

    Only a question with almost no English function words is given to the detector: names of
    practices and places ("Kotitori", "Tampere") must not make an English question foreign.
    """
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < MIN_WORDS_FOR_LANGUAGE or sum(w in _ENGLISH for w in words) / len(words) >= 0.15:
        return "English"
    detector = _language_detector()
    found = detector.detect_language_of(text)
    if found is None or found.name == "ENGLISH" or detector.compute_language_confidence(text, found) < MIN_LANGUAGE_CONFIDENCE:
        return "English"
    return found.name.capitalize()


_SALIENT = re.compile(r"\b(?:[A-Z][\w’'-]+|[A-Z]{2}\d+|(?:19|20)\d\d)\b")


def scan_names(question: str) -> list[tuple[str, bool]]:
    """Capitalised words, codes and years of a question (possessive dropped), and whether each starts a sentence."""
    out = []
    for m in _SALIENT.finditer(question):
        word = re.sub(r"[’']s$", "", m.group(0))
        if re.search(r"[’']", word) or word.lower() in STOPWORDS:
            continue  # contractions ("I'm") and question words ("What") are not names
        before = question[: m.start()].rstrip()
        out.append((word, not before or before[-1] in ".?!:"))
    return out


def is_corpus_name(word: str, profile: CorpusProfile) -> bool:
    """The corpus's own names, countries with their demonyms and aliases: known, whatever the passages say."""
    low = word.lower()
    return low in profile.own_name_set or any(low == n.lower() for c in profile.countries for n in c.names())


def country_name_words(question: str, profile: CorpusProfile) -> set[str]:
    """The words of the countries' names of several words the question uses ("Northern Irish" -> northern, irish)."""
    low = question.lower()
    return {w for c in profile.countries for n in c.names() if " " in n and n.lower() in low for w in n.lower().split()}


def names_not_in(
    question: str, passages: list[Passage], profile: CorpusProfile, common: frozenset[str] | set[str] = frozenset()
) -> list[str]:
    """Names in the question that none of the retrieved passages mention.

    "What does the report say about Canada?" retrieves passages on integrated services, none of
    which discusses Canada: answering from them would put words in the sources' mouth. ``common``: words the
    corpus writes in lower case (a capital on one of them is no name: "'Funding, leadership and innovation'").
    """
    text = " ".join(normalise(p.chunk.context_text() + " " + " ".join(p.chunk.extra.values())) for p in passages)
    low_text = text.lower()
    of_country = country_name_words(question, profile)
    spoken_of: set[tuple[str, str]] | None = None  # the concepts the passages speak of, found when first needed
    missing = []
    for name, starts_sentence in scan_names(question):
        low = name.lower()
        # A capital at a sentence start is no evidence of a name; the corpus's own names are not topics.
        if starts_sentence or is_corpus_name(name, profile) or low in of_country or low in common:
            continue
        # A word the card vocabularies give as a synonym names a concept ("GPs": the health sector): the passages
        # mention it when they speak of that concept in any of its words.
        if concepts := profile.concepts(name):
            spoken_of = profile.concepts(text) if spoken_of is None else spoken_of
            if concepts <= spoken_of:
                continue
        # A compound ("P-number") is mentioned when each of its words is, and no name when each is a word the corpus
        # writes in lower case (a number, not the name of something).
        parts = compound_parts(low)
        if parts and all(w in common for w in parts):
            continue
        if not all(w in low_text or w.rstrip("s") in low_text for w in parts or [low]):
            missing.append(name)
    return missing


# English comparison grammar: the two things a question compares ("compare X with Y", "between X and Y", "how do
# X and Y differ", "X versus Y", "how did X and Y organise … differently").
_COMPARED = (
    re.compile(r"\b(?:in|from)\s+(.+?)\s+(?:and|with|versus|vs\.?)\s+(?:in|from)\s+(.+?)(?=[?.!;:]|$)", re.I),
    re.compile(r"^\W*how\s+(?:do|does|did)\s+(.+?)\s+compare\s+(?:with|to|against)\s+(.+?)(?=[?.!;:]|$)", re.I),
    re.compile(r"\bcompar(?:e[sd]?|ing)\s+(.+?)\s+(?:with|to|against|and|versus|vs\.?)\s+(.+?)(?=[?.!;]|$)", re.I),
    re.compile(r"\bbetween\s+(.+?)\s+and\s+(.+?)(?=[?.!;,]|$)", re.I),
    re.compile(r"^\W*(?:how|in what ways?)\s+(?:do|does|did)\s+(.+?)\s+and\s+(.+?)\s+(?:differ|compare|contrast)\b", re.I),
    re.compile(r"^\W*how\s+(?:do|does|did)\s+(.+?)\s+and\s+(.+?)\s+\w+\b.*\bdifferently\b", re.I),
    re.compile(r"(?:^|[,:]\s*)([^,:?]+?)\s+(?:versus|vs\.?)\s+([^,:?]+?)(?=[?.!;,:]|$)", re.I),
)
# A compared side ends before what it is compared on ("… differ in how they see users", "… on leadership").
_COMPARED_ON = re.compile(r"\s+(?:in|on|regarding|concerning|about|when it comes to|in terms of)\s+.*$", re.I)


def compared_sides(question: str) -> tuple[str, str] | None:
    """The two things a question compares, as written ("New Public Management", "co-production"), or None."""
    for pattern in _COMPARED:
        if m := pattern.search(question):
            sides = tuple(re.sub(r"^(?:the|a|an)\s+", "", _COMPARED_ON.sub("", g).strip(), flags=re.I) for g in m.groups())
            if all(sides) and sides[0].lower() != sides[1].lower():
                return sides[0], sides[1]
    return None


_GENERIC_NAME_ENDINGS = re.compile(r"\s+(project|programme|program|model|practice|pilot|initiative|services?)$", re.I)


class PracticeNames:
    """Finds practices a question names: by code, or by a name the cards give them."""

    def __init__(self, cards: list[PracticeCard], codes: PracticeCodes) -> None:
        self.codes = codes
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        for card in cards:
            names = {card.title, card.original_title, *card.other_names}
            for given in (card.title, *card.other_names):
                names |= set(re.findall(r"\(([A-Z][A-Za-z]{2,})\)", given))  # "(LAFOS)"
                names |= set(re.findall(r"\b[A-Z]{3,}\b", given))  # "MASS", "MAIA"
                names |= {re.sub(r"\s*\(.*?\)", "", given).strip()}
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


def _part(text: str) -> QuestionPart:
    """One part of a question in several parts, with the figure it asks for (read as a whole question's is: "how big
    is the budget reserved for it?" asks a figure as "how many" does)."""
    measure = measure_of(text, "figure" if _ASKS_FIGURE.search(text) else "")
    return QuestionPart(text=text, measure=measure, measured=measured_of(text, measure), asked_name=name_asked(text))


class QuestionAnalyser:
    """Analyses questions against one corpus profile and card set."""

    def __init__(self, profile: CorpusProfile, cards: list[PracticeCard], follow_up_max_words: int) -> None:
        self.profile = profile
        self.names = PracticeNames(cards, PracticeCodes.from_profile(profile))
        self.max_words = follow_up_max_words

    def countries(self, text: str) -> list[str]:
        """Countries named (by name, alias or demonym: "Finnish" -> Finland)."""
        return self.profile.countries_in(text)

    def analyse(self, question: str) -> Analysis:
        """The analysis of a question on its own."""
        # A question in several parts takes its kind from the first; the others are checked when composing.
        split = question_parts(question)
        main = split[0]
        # A figure is asked by the sentences that ask: "We count how many children come through the door. Did any
        # practice rethink its indicators?" asks no count. The other kinds are read from the whole: a plan the asker
        # tells of makes a design question, different figures they have seen a comparison.
        asked = asking_sentences(main)
        answer_type = next((name for name, pattern in _TYPES if pattern.search(asked if name == "figure" else main)), "general")
        # A comparison may ask its figure ("by how much did absence fall compared with the control group?").
        measure = measure_of(asked, "figure" if answer_type == "compare" and _ASKS_FIGURE.search(asked) else answer_type)
        if measure == "money" and answer_type == "general":
            answer_type = "figure"
        named = [a.name for a in self.profile.named_audiences(question)]
        return Analysis(
            question=question,
            language=detect_language(question),
            answer_type=answer_type,
            measure=measure,
            measured=measured_of(asked, measure),
            asked_name=name_asked(asked),
            asks_recommendation=bool(_RECOMMEND.search(question)),
            aspects=self.profile.detect_aspects(question),
            practices=self.names.find(question),
            countries=self.countries(question),
            target_groups=self.profile.detect("target_groups", question),
            sectors=self.profile.detect("sectors", question),
            audiences=named,
            parts=[_part(p) for p in split] if len(split) > 1 else [],
        )

    def is_follow_up(self, analysis: Analysis) -> bool:
        """A short question that points back, or says nothing of its own topic, continues the conversation; a longer one
        only when it names no topic of its own and speaks of earlier things as "they", "them" or "those"."""
        q = analysis.question
        own_topic = analysis.practices or analysis.countries or analysis.target_groups or analysis.sectors
        if len(q.split()) > self.max_words:
            # A longer question continues only when it speaks of earlier things by pronoun and names no topic of its
            # own ("Where did they start, and what had to change when they spread to other areas?").
            return not own_topic and bool(_PLURAL_BACK.search(q))
        return bool(_POINTS_BACK.search(q)) or not (own_topic or analysis.aspects)

    def resolve(self, question: str | Analysis, previous: Analysis | None, answered: list[str] | None = None) -> Analysis:
        """The analysis of a question in a conversation: what it leaves unsaid comes from the previous one.

        ``question``: the question, or its own analysis when already made (a question is analysed once).
        ``answered``: the practices the previous answer named; "they", "those", "which of them" refer to them.
        A new aspect, group, sector, country or audience replaces the previous one.
        """
        now = question if isinstance(question, Analysis) else self.analyse(question)
        question = now.question
        if previous is None or not self.is_follow_up(now):
            return now
        practices = now.practices or previous.practices
        # "those practices", "which of them": the practices the previous answer named. A bare "which ones" after a
        # question about something else (its effects, its barriers) points back to that, not to the practices.
        about_practices = previous.route == "practices" or bool(_PRACTICE_NOUNS.search(question))
        if not practices and about_practices and _REFERS_TO_PRACTICES.search(question):
            practices = list(answered or [])
            if _REFERS_TO_ONE.search(question) and not _REFERS_TO_MANY.search(question):
                practices = practices[:1]
        # A follow-up with an aspect of its own asks about it, not for the previous kind of answer; unless it is the
        # previous question about another thing ("What share of the practices use case management?" — "and
        # multidisciplinary teams?": a share again).
        same_kind = now.answer_type == "general" and (not now.aspects or is_elliptical(question))
        return now.model_copy(
            update={
                "follow_up": True,
                "topic": previous.topic or previous.question,
                "answer_type": previous.answer_type if same_kind else now.answer_type,
                "measure": now.measure or (previous.measure if same_kind else ""),
                "asks_recommendation": now.asks_recommendation or (previous.asks_recommendation and not now.aspects),
                "aspects": now.aspects or previous.aspects,
                "practices": practices,
                "countries": now.countries or previous.countries,
                "target_groups": now.target_groups or previous.target_groups,
                "sectors": now.sectors or previous.sectors,
                "audiences": now.audiences or previous.audiences,
            }
        )
