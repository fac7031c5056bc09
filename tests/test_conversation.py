"""Follow-ups: the search query carries the earlier topic (no model), and the conversation answers (real index)."""

from app.core.config import ConversationSettings
from app.core.models import Analysis
from app.query.conversation import FOCUS_SEPARATOR, Turn, search_query


def test_search_query_carries_topic_and_practices_of_a_follow_up():
    follow = Analysis(
        question="and how were they funded?",
        follow_up=True,
        topic="Which practices use case-management for older people?",
        practices=["FR1", "GB4"],
    )
    q = search_query(follow, ConversationSettings())
    assert q.startswith("and how were they funded?" + FOCUS_SEPARATOR)
    assert "older" in q and "FR1" in q and "GB4" in q
    assert search_query(Analysis(question="How are services funded?"), ConversationSettings()) == "How are services funded?"


def test_two_turn_conversation_retrieves_the_right_passages(assistant):
    first = assistant.ask("Which practice runs a one-stop shop for young jobseekers in Germany?")
    assert "DE2" in first.practices
    follow = assistant.ask("and how was it transferred to other cities?", history=[Turn.of(first)])
    assert follow.rewritten_query and "DE2" in follow.rewritten_query
    retrieved = " ".join(r.text for r in follow.retrieved)
    assert "transferred afterwards to other cities" in retrieved
    assert any(
        "DE2" in c.quote or "Youth Employment Agencies" in c.quote or "Youth employment agencies" in c.quote
        for c in follow.citations
    )


def test_follow_up_about_named_practices_answers_from_their_cards(assistant):
    first = assistant.ask("How should a municipality integrate social and employment services for long-term unemployed people?")
    follow = assistant.ask("And how were those practices funded?", history=[Turn.of(first)])
    assert follow.supported and follow.analysis and follow.analysis.aspects == ["funding"]
    named = set(follow.analysis.practices)
    assert named and named <= set(first.practices)
    funding_lines = [c for c in follow.claims if "funding" in c.text and any(code in c.text for code in named)]
    assert funding_lines, follow.answer_markdown
    chunks = assistant.retriever.chunks_by_id
    for line in funding_lines:
        # Each cites a passage of its own practice: the source passage alone when it carries the fact and records the
        # practice (a case study records its practice), else with the practice card as the route to it.
        code = next(code for code in named if code in line.text)
        cited = [follow.citations[n - 1] for n in line.citations]
        assert any(c.section.startswith("via practice card") or code in chunks[c.chunk_id].practice_codes for c in cited), [
            (c.section, chunks[c.chunk_id].practice_codes) for c in cited
        ]


def test_a_follow_up_with_a_subject_of_its_own_is_also_searched_by_its_own_words(assistant):
    """The carried topic (Nyborg) must not drown a follow-up's own subject: its own words are searched too."""
    first = assistant.ask("What is Nyborg in Sweden?")
    question = "And what does the paper say about the DMIC model?"
    state = assistant.prepare(question, [Turn.of(first)])
    assert state.analysis.follow_up and state.query != question  # the topic is carried into the search
    alone = {p.chunk.id for p in assistant.retriever.search(question, state.k)}
    fused = {p.chunk.id for p in state.passages}
    assert alone & fused and any("DMIC" in p.chunk.text for p in state.passages)
    assert any(p.ranks.get("own_words") for p in state.passages)


def test_a_follow_ups_unknown_word_is_weighed_in_its_conversation(assistant):
    """Alone, each word of a short follow-up carries much of it; asked after "Tell me about the Kotitori practice.", the
    word the corpus never uses ("check") carries less: what it takes from the question is measured with the topic."""
    first = assistant.ask("Tell me about the Kotitori practice.")
    question = "and how do they check it is working?"
    follow = assistant.ask(question, history=[Turn.of(first)])
    alone, _ = assistant.influence(question, ["check"])
    assert follow.analysis is not None and "check" in follow.analysis.unknown_words
    assert follow.analysis.unknown_influence["check"] < alone["check"]


def test_a_time_after_the_sources_in_the_situation_told_is_no_reason_to_refuse(assistant):
    """Only a later time the question asks about is declined; "this year" in the situation told before it is not."""
    told = assistant.ask(
        "We lost half of our integrated team to other jobs this year. What do the documents say about keeping staff?"
    )
    asked = assistant.ask("What happened to integrated social services this year?")
    assert "published up to" not in told.answer_markdown
    assert "published up to" in asked.answer_markdown
