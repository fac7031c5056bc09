"""LLM backend through the real LangChain OpenAI client against a scripted local server, and the guard."""

from __future__ import annotations

import pytest

from app.query.ask import Assistant
from tests.fake_llm import scripted_llm
from tests.servers import free_port

QUESTION = "Which share of practices use pooled funding?"


@pytest.fixture()
def llm(corpus_settings):
    with scripted_llm() as (script, url):
        settings = corpus_settings.with_(
            {"answer.backend": "openai", "llm.base_url": url, "llm.model": "scripted", "llm.api_key": "test"}
        )
        yield script, Assistant(settings, retriever=None)


def passage_numbers(assistant: Assistant) -> tuple[int, int]:
    """1-based numbers (as the prompt shows them) of the pooled-funding table and of an unrelated passage."""
    passages = assistant.retriever.search(QUESTION, assistant.settings.retrieval.k)
    table = next(i for i, p in enumerate(passages, 1) if "Joint/pooled funding 20 45%" in p.chunk.text)
    other = next(i for i, p in enumerate(passages, 1) if "45%" not in p.chunk.text and "pool" not in p.chunk.text.lower())
    return table, other


def test_correct_reply_is_kept_and_cited(llm):
    script, assistant = llm
    table, _ = passage_numbers(assistant)
    script.replies.append(f"Joint or pooled funding is used by 20 practices, 45% of the 44 reviewed [{table}].")
    answer = assistant.ask(QUESTION)
    assert answer.backend == "openai" and answer.supported
    assert answer.guard.removed_claims == 0
    assert answer.claims[0].citations == [1]
    assert "Joint/pooled funding 20 45%" in answer.citations[0].quote
    assert "Passages:" in script.prompts[-1] and "[1]" in script.prompts[-1]  # the prompt file was used


def ask_with_bad_second_claim(llm, second: str):
    """Script a reply of one grounded claim (citing the funding table) plus ``second``; return the answer.

    ``second`` may use {table} and {other}: the numbers of the table passage and of an unrelated one.
    """
    script, assistant = llm
    table, other = passage_numbers(assistant)
    good = f"Joint or pooled funding is used by 20 practices [{table}]. "
    script.replies.append(good + second.format(table=table, other=other))
    return assistant.ask(QUESTION)


def test_invented_number_is_removed(llm):
    answer = ask_with_bad_second_claim(llm, "Pooled funding cut costs by 37% in these practices [{table}].")
    assert answer.guard.removed_claims == 1
    assert "37%" not in answer.answer_markdown and "20 practices" in answer.answer_markdown
    assert any("37%" in p for p in answer.guard.problems)


def test_citation_to_a_passage_that_does_not_exist_is_removed(llm):
    answer = ask_with_bad_second_claim(llm, "Most practices are pooled [12].")
    assert answer.guard.removed_claims == 1
    assert any("[12]" in p and "not retrieved" in p for p in answer.guard.problems)


def test_citation_to_the_wrong_passage_is_removed(llm):
    answer = ask_with_bad_second_claim(llm, "Budgets were pooled by two or more agencies in 20 practices [{other}].")
    assert answer.guard.removed_claims == 1
    assert len(answer.claims) == 1


def test_every_claim_removed_means_unsupported(llm):
    script, assistant = llm
    _, other = passage_numbers(assistant)
    script.replies.append(f"Exactly 73% of practices pool their funding [{other}].")
    answer = assistant.ask(QUESTION)
    assert not answer.supported and not answer.citations


def test_model_says_not_in_sources(llm):
    script, assistant = llm
    script.replies.append("NOT_IN_SOURCES")
    assert not assistant.ask("How were integrated services funded in Canada's provinces?").supported


def test_unreachable_backend_falls_back_to_extractive_with_reason(corpus_settings):
    port = free_port()  # nothing listens there
    settings = corpus_settings.with_(
        {"answer.backend": "openai", "llm.base_url": f"http://127.0.0.1:{port}/v1", "llm.model": "m", "llm.timeout": 5}
    )
    answer = Assistant(settings).ask(QUESTION)
    assert answer.backend == "extractive" and answer.supported
    assert "openai backend" in answer.notice and "127.0.0.1" in answer.notice


def test_misconfigured_backend_says_what_is_missing(corpus_settings):
    answer = Assistant(corpus_settings.with_({"answer.backend": "ollama", "llm.model": ""})).ask(QUESTION)
    assert answer.backend == "extractive" and "JOINEDUP_LLM_MODEL" in answer.notice
    answer = Assistant(corpus_settings.with_({"answer.backend": "llamacpp", "llm.gguf_path": ""})).ask(QUESTION)
    assert "JOINEDUP_GGUF_PATH" in answer.notice


def test_follow_up_is_condensed_by_the_llm(llm):
    from app.query.conversation import Turn

    script, assistant = llm
    script.replies += ["How are the Finnish Clubhouses funded?", "NOT_IN_SOURCES"]
    answer = assistant.ask("and how are they funded?", history=[Turn("What are the Finnish Clubhouses?", ["FI5"])])
    assert answer.rewritten_query == "How are the Finnish Clubhouses funded?"
    assert "Follow-up question: and how are they funded?" in script.prompts[0]
