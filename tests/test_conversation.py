"""Follow-up questions are rewritten with the history before retrieval (extractive mode, no model)."""

from app.config import ConversationSettings
from app.conversation import Turn
from app.conversation import is_follow_up as detect
from app.conversation import rewrite_follow_up as rewrite

CONFIG = ConversationSettings()


def is_follow_up(question: str) -> bool:
    return detect(question, CONFIG)


def rewrite_follow_up(question: str, history: list[Turn]) -> str:
    return rewrite(question, history, CONFIG)


def test_follow_ups_are_detected():
    assert is_follow_up("and how were they funded?")
    assert is_follow_up("What about in Finland?")
    assert not is_follow_up("Which share of practices use pooled funding?")


def test_rewrite_carries_topic_and_practices():
    history = [Turn("Which practices use case-management for older people?", ["FR1", "GB4"])]
    q = rewrite_follow_up("and how were they funded?", history)
    assert q.startswith("and how were they funded?")
    assert "older" in q and "FR1" in q and "GB4" in q
    assert rewrite_follow_up("and how were they funded?", []) == "and how were they funded?"


def test_two_turn_conversation_retrieves_the_right_passages(assistant):
    first = assistant.ask("Which practice runs a one-stop shop for young jobseekers in Germany?")
    assert "DE2" in first.practices
    follow = assistant.ask("and how was it transferred to other cities?", history=[Turn(first.question, first.practices)])
    assert follow.rewritten_query and "DE2" in follow.rewritten_query
    retrieved = " ".join(r.text for r in follow.retrieved)
    assert "transferred afterwards to other cities" in retrieved
    assert any("DE2" in c.quote or "Youth Employment Agencies" in c.quote for c in follow.citations)
    # without the history the same words retrieve nothing about DE2
    alone = assistant.ask("and how was it transferred to other cities?")
    assert "transferred afterwards to other cities" not in " ".join(r.text for r in alone.retrieved[:3])
