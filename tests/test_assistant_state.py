"""The assistant's own state on a hand-made index (no model): one analysis per question, one loaded-state object, warming."""

from __future__ import annotations

from app.index.embeddings import VectorCache
from app.query.ask import Assistant
from tests.toy_index import build, chunk, sentence_units, toy_vectors

CHUNKS = [
    chunk("lit", "Pooled budgets fund integrated services in many countries.", section="Literature review > Funding", doc="a"),
    chunk("case", "The centre pooled budgets from two agencies.", section="Case studies > Centre", doc="b"),
]


def test_a_question_is_analysed_once_and_carries_its_unknown_words(toy_settings, monkeypatch):
    assistant = Assistant(toy_settings, retriever=build(toy_settings, CHUNKS))
    calls: list[str] = []
    analyse = assistant.analyser.analyse
    monkeypatch.setattr(assistant.analyser, "analyse", lambda q: calls.append(q) or analyse(q))
    answer = assistant.ask("How are integrated services funded through salaries?")
    assert calls == ["How are integrated services funded through salaries?"]
    assert answer.analysis is not None and answer.analysis.unknown_words == ["salaries"]


def test_an_unknown_word_counts_as_much_as_it_carries_of_the_question(toy_settings):
    """An everyday word the corpus never uses ("salaries" here: no meaning in the toy vectors) carries little of the
    question; a topic word it never uses ("shelter") carries much. A refusal names only the latter."""
    assistant = Assistant(toy_settings, retriever=build(toy_settings, CHUNKS))
    answer = assistant.ask("How is shelter funded through salaries?")
    analysis = answer.analysis
    assert analysis is not None and set(analysis.unknown_words) == {"shelter", "salaries"}
    assert analysis.unknown_influence["salaries"] < 0.01 < 0.1 < analysis.unknown_influence["shelter"]
    assert analysis.unknown_meaning >= analysis.unknown_influence["shelter"]
    named = assistant.composer.judge.refusal(analysis, [])
    assert "shelter" in named and "salaries" not in named


def test_words_of_a_told_situation_count_by_what_they_take_from_the_sentence_that_asks(toy_settings):
    """A situation told before the question ("Our shelter …") may use words the corpus never uses; what they take from
    the question is measured on the sentence that asks, which here has none of them."""
    assistant = Assistant(toy_settings, retriever=build(toy_settings, CHUNKS))
    told = assistant.ask("Our shelter staff are tired. How are integrated services funded?").analysis
    asked = assistant.ask("How is shelter funded through salaries?").analysis
    assert told is not None and asked is not None and "shelter" in told.unknown_words and "shelter" in asked.unknown_words
    assert told.unknown_influence["shelter"] > 0.1  # it carries much of the whole text …
    assert told.unknown_meaning == 0.0 < 0.1 < asked.unknown_meaning  # … and nothing of what is asked


def test_a_countrys_demonym_is_no_unknown_word_in_lower_case_either(toy_settings):
    """The corpus says "Germany", never "German"; a question asked in lower case still names a country it covers."""
    assistant = Assistant(toy_settings, retriever=build(toy_settings, CHUNKS))
    names, words = assistant.unknown_words("how do german services pool budgets through salaries?")
    assert names == [] and words == ["salaries"]
    # A contraction is no word of its own ("wouldn't" is not "wouldn"); general English ("ever") is no topic the
    # corpus lacks, whether it uses the word or not.
    assert assistant.unknown_words("Why wouldn't services pool budgets?") == ([], [])
    assert assistant.unknown_words("Do services ever pool budgets?") == ([], [])


def test_reload_replaces_everything_loaded_from_the_index_at_once(toy_settings):
    retriever = build(toy_settings, CHUNKS)
    assistant = Assistant(toy_settings, retriever=retriever)
    composer, finder, extractive = assistant.composer, assistant.finder, assistant.backend("extractive")
    assert assistant.composer is composer and assistant.backend("extractive") is extractive  # loaded once
    assistant.reload()
    assert assistant.composer is not composer and assistant.finder is not finder
    assert assistant.backend("extractive") is not extractive
    assert assistant.retriever is retriever  # a retriever given by the caller is kept
    assert not assistant.refresh()  # … and never swapped for the live generation


def test_warming_embeds_the_statements_ahead_and_the_answer_stays_the_same(toy_settings):
    retriever = build(toy_settings, CHUNKS)
    embedded: list[str] = []
    retriever.vectors = VectorCache(toy_settings, encode=lambda texts: embedded.extend(texts) or toy_vectors(texts))
    assistant = Assistant(toy_settings, retriever=retriever)
    question = "How are integrated services funded?"
    cold = assistant.ask(question)
    retriever.vectors.clear()
    assert assistant.warm() == 2  # the two statements of the index, each once
    assert assistant.warm() == 0
    embedded.clear()
    warm = assistant.ask(question)
    statements = {u.lead for c in CHUNKS for u in sentence_units(c)}
    assert embedded and not statements & set(embedded)  # a warmed assistant embeds the question, no statement
    assert cold.citations and warm.answer_markdown == cold.answer_markdown and warm.citations == cold.citations


def test_a_statement_that_does_not_name_its_country_is_shown_with_the_country_its_heading_names(toy_settings):
    """ "The municipalities now look after …" under "Policy frameworks > Sweden" reads "Sweden: The municipalities …";
    the claim itself stays the source's words (the guard checked those)."""
    sweden = chunk(
        "swe", "The municipalities now look after older people with complex needs in their homes.",
        section="Policy frameworks > Sweden", doc="c",
    )  # fmt: skip
    assistant = Assistant(toy_settings, retriever=build(toy_settings, [*CHUNKS, sweden]))
    answer = assistant.ask("Who looks after older people with complex needs in their homes?")
    assert "- Sweden: The municipalities now look after" in answer.answer_markdown
    assert any(c.text.startswith("The municipalities now look after") for c in answer.claims)
