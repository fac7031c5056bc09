"""Follow-up questions: what the conversation carries into the next question.

A follow-up ("and how were those practices funded?") is analysed with the previous
question's analysis (:meth:`app.query.analyse.QuestionAnalyser.resolve`): it keeps the practices,
group, sector and country it does not replace, and its own aspect replaces the old one.
Retrieval searches the follow-up together with the earlier question's topic words and the
practices carried over. With an LLM backend the ``condense`` prompt can write the search
query instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.config import ConversationSettings
from app.core.models import Analysis, Answer
from app.core.prompts import load_prompt
from app.core.text import STOPWORDS

_QUESTION_WORDS = {"which", "what", "who", "how", "why", "when", "where", "does", "do", "is", "are", "can"}
FOCUS_SEPARATOR = " — "  # search query: "<the follow-up itself> — <topic carried over>"


@dataclass
class Turn:
    """One exchange of the conversation: the question, and what its answer named and meant."""

    question: str
    practices: list[str] = field(default_factory=list)
    rewritten: str | None = None
    analysis: Analysis | None = None

    @classmethod
    def of(cls, answer: Answer) -> Turn:
        """The turn an answer closes (what the next question may refer back to)."""
        return cls(answer.question, answer.practices, answer.rewritten_query, answer.analysis)


def topic_words(question: str) -> list[str]:
    """The content words of a question, in order (its topic, without the question form)."""
    words = re.findall(r"[A-Za-z][\w’'-]*|\d+%?", question)
    return [w for w in words if w.lower() not in STOPWORDS and w.lower() not in _QUESTION_WORDS]


def search_query(analysis: Analysis, config: ConversationSettings) -> str:
    """The query to retrieve with: the question itself, or a follow-up plus the topic and practices carried over."""
    if not analysis.follow_up:
        return analysis.question
    carried = topic_words(analysis.topic)[: config.topic_words]
    codes = [c for c in analysis.practices[: config.carried_practices] if c not in analysis.question]
    return analysis.question.strip() + FOCUS_SEPARATOR + " ".join([*carried, *codes])


def condense_with_llm(
    question: str, history: list[Turn], complete: Callable[[str], str], config: ConversationSettings, prompts_dir: Path
) -> str:
    """LLM mode: the ``condense`` prompt turns the follow-up into a standalone question."""
    lines = "\n".join(f"User: {t.question}" for t in history[-config.llm_history_turns :])
    rewritten = complete(load_prompt("condense", prompts_dir).format(history=lines, question=question)).strip()
    return rewritten.splitlines()[0] if rewritten else question
