"""Follow-up questions: rewritten with the chat history before retrieval.

"and how were they funded?" after "Which practices use case management for
older people?" is searched as the follow-up plus the earlier question's topic
words and the practices the earlier answer named. Without a model this is a
rule, not understanding; with an LLM backend the ``condense`` prompt does it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.config import ConversationSettings
from app.prompts import load_prompt
from app.text import STOPWORDS

_FOLLOW_UP = re.compile(
    r"^\s*(and|but|also|what about|how about|and what|same for|in )\b|\b(they|them|their|those|these|it|its|this|that|there)\b",
    re.I,
)
_QUESTION_WORDS = {"which", "what", "who", "how", "why", "when", "where", "does", "do", "is", "are", "can"}
FOCUS_SEPARATOR = " — "  # rewritten query: "<the follow-up itself> — <topic carried over>"


@dataclass
class Turn:
    """One exchange of the conversation."""

    question: str
    practices: list[str] = field(default_factory=list)
    rewritten: str | None = None


def is_follow_up(question: str, config: ConversationSettings) -> bool:
    """Short questions that point back ("they", "what about …") depend on the conversation."""
    return len(question.split()) <= config.follow_up_max_words and bool(_FOLLOW_UP.search(question))


def topic_words(question: str) -> list[str]:
    """The content words of a question, in order (its topic, without the question form)."""
    words = re.findall(r"[A-Za-z][\w’'-]*|\d+%?", question)
    return [w for w in words if w.lower() not in STOPWORDS and w.lower() not in _QUESTION_WORDS]


def rewrite_follow_up(question: str, history: list[Turn], config: ConversationSettings) -> str:
    """The query to retrieve with: the question itself, or the question plus the earlier topic."""
    if not history or not is_follow_up(question, config):
        return question
    last = history[-1]
    topic = topic_words(last.rewritten or last.question)[: config.topic_words]
    return question.strip() + FOCUS_SEPARATOR + " ".join([*topic, *last.practices[: config.carried_practices]])


def condense_with_llm(
    question: str, history: list[Turn], complete: Callable[[str], str], config: ConversationSettings, prompts_dir: Path
) -> str:
    """LLM mode: the ``condense`` prompt turns the follow-up into a standalone question."""
    if not history or not is_follow_up(question, config):
        return question
    lines = "\n".join(f"User: {t.question}" for t in history[-config.llm_history_turns :])
    rewritten = complete(load_prompt("condense", prompts_dir).format(history=lines, question=question)).strip()
    return rewritten.splitlines()[0] if rewritten else question
