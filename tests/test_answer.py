"""Extractive answers on the real corpus: cited, verbatim, and honest when the corpus is silent."""

import json
import os
import re
import subprocess
import sys

from app.core.config import ROOT
from app.core.normalise import normalise


def test_pooled_funding_answer_cites_the_table(assistant):
    answer = assistant.ask("Which share of practices use pooled funding?")
    assert answer.supported
    assert any("45%" in c.quote for c in answer.citations)
    assert "45%" in answer.answer_markdown


def test_every_claim_is_cited_and_every_quote_is_verbatim(assistant, corpus_quotes):
    answer = assistant.ask("How are integrated services funded?")
    assert answer.supported and answer.claims
    numbers = {c.n for c in answer.citations}
    for claim in answer.claims:
        assert claim.citations and set(claim.citations) <= numbers
        assert all(f"[{n}]" in answer.answer_markdown for n in claim.citations)
    retrieved = {r.chunk_id: r.text for r in answer.retrieved}
    for c in answer.citations:
        assert c.chunk_id in retrieved
        for part in c.quote.split(" … "):
            assert normalise(part) in normalise(retrieved[c.chunk_id])
            assert corpus_quotes.contains(part) or c.source_type == "practice_card"


def test_out_of_scope_questions_are_refused(assistant):
    for q in ("What do integrated social services look like in Japan?", "How did practice XX9 perform in 2021?"):
        answer = assistant.ask(q)
        assert not answer.supported, q
        assert not answer.citations
        assert "do not" in answer.answer_markdown or "cannot" in answer.answer_markdown


def test_questions_about_times_after_the_sources_or_the_assistants_opinion_are_declined(assistant):
    later = assistant.ask("How many young people found jobs through the Youth Guarantee last year?")
    assert not later.supported and "last year" in later.answer_markdown and "2018" in later.answer_markdown
    opinion = assistant.ask("Which of the report's recommendations do you personally think matters most?")
    assert not opinion.supported and "no opinion" in opinion.answer_markdown


def test_unrelated_question_is_refused_naming_what_the_documents_lack(assistant):
    answer = assistant.ask("What is a good recipe for chocolate cake?")
    assert not answer.supported and not answer.claims and not answer.citations
    assert "do not mention" in answer.answer_markdown and "chocolate" in answer.answer_markdown


def test_the_asked_figure_leads_even_when_it_is_not_on_the_asked_aspect(assistant):
    # "local government reform" asks about governance; the sentence with the counts does not speak of it.
    answer = assistant.ask("How many Danish municipalities were there before and after the 2007 local government reform?")
    assert answer.supported and "271" in answer.answer_markdown and "98" in answer.answer_markdown


def test_each_part_asking_what_a_named_practices_card_records_leads_with_that_fact(assistant):
    answer = assistant.ask("Which code does the Youth employment agencies practice have in the report and in the paper?")
    # The parts' answers: up to the first heading that is no part of the question (the supporting evidence).
    parts = re.split(r"\n\*\*[^\n]*[^?]\*\*\n", answer.answer_markdown)[0]
    assert "in the report?**" in parts and "in the paper?**" in parts
    assert "DE2 (Youth employment agencies, Germany) — its number in the IJIC paper: P29." in parts


def test_a_word_of_a_concept_the_documents_write_otherwise_is_no_unknown_word(assistant):
    # The documents speak of practices being transferred, never copied: "copy" is transferability's word in the profile.
    question = "Could another city copy the Kotitori one-stop shop?"
    assert assistant.unknown_words(question) == ([], [])
    answer = assistant.ask(question)
    assert answer.supported and "FI3" in answer.answer_markdown


def test_short_words_the_corpus_never_uses_count_as_unknown(assistant):
    # "brew" and "beer" have four letters: they carry the question as much as "craft" does.
    names, words = assistant.unknown_words("What do the sources say about how to brew craft beer at home?")
    assert not names and {"brew", "craft", "beer"} <= set(words)
    answer = assistant.ask("What do the sources say about how to brew craft beer at home?")
    assert not answer.supported and not answer.citations


def test_cli_ask_json_returns_the_answer_contract(corpus_settings, corpus_quotes):
    env = {**os.environ, "JOINEDUP_DATA_DIR": str(corpus_settings.data_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "ask", "--json", "How are integrated services funded?"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=True,
    )  # fmt: skip
    data = json.loads(out.stdout)
    assert set(data) >= {
        "question",
        "answer_markdown",
        "claims",
        "citations",
        "practices",
        "supported",
        "backend",
        "retrieved",
        "timings_ms",
    }
    assert data["backend"] == "extractive" and data["supported"]
    for c in data["citations"]:
        assert {"n", "chunk_id", "doc_title", "section", "page", "quote"} <= set(c)
        assert all(corpus_quotes.contains(part) for part in c["quote"].split(" … ") if c["source_type"] != "practice_card")


def test_design_question_outside_the_corpus_is_refused_not_themed(assistant):
    answer = assistant.ask("How do I fix my car's brakes?")
    assert not answer.supported and "**" not in answer.answer_markdown and not answer.citations
    assert "do not mention brakes" in answer.answer_markdown  # says what is missing, not a themed non-answer


def test_name_the_retrieved_evidence_never_mentions_is_found(assistant):
    # "Tampere" is in the corpus, but a question pairing it with an unrelated topic retrieves passages without it.
    from app.query.analyse import names_not_in

    passages = assistant.retriever.search("school meals nutrition standards for pupils", 8)
    assert names_not_in("What are the school meal standards in Tampere?", passages, assistant.profile) == ["Tampere"]
    found = assistant.retriever.search("Kotitori Tampere funded", 8)
    assert names_not_in("How is Kotitori in Tampere funded?", found, assistant.profile) == []
    # A word the corpus writes in lower case is no name when a quoted title capitalises it; a real name still is.
    common = assistant.retriever.common_words
    assert "leadership" in common and "tampere" not in common
    quoted = "Is 'Leadership' in Tampere the same element in the paper?"
    assert names_not_in(quoted, passages, assistant.profile, common) == ["Tampere"]
    assert names_not_in(quoted, passages, assistant.profile) == ["Leadership", "Tampere"]


def test_questions_with_a_word_the_corpus_never_uses_are_answered_from_the_evidence(assistant):
    """A word the documents do not use ("GPs", "Check") or another language no longer refuses the question."""
    gps = assistant.ask("How can GPs and social services work together for frail older people?")
    housing = assistant.ask("Check which practices joined up housing and social services.")
    german = assistant.ask("Wie finanzieren Kommunen integrierte Dienste?")
    assert gps.supported and "older people" in gps.answer_markdown
    assert housing.supported and all(code in housing.answer_markdown for code in ("FI5", "GB1", "HU2"))
    assert german.supported and german.answer_markdown.startswith("Die Quellen sind auf Englisch")


def test_a_share_of_practices_is_answered_with_the_whole_counting_table(assistant):
    answer = assistant.ask("What percentage of the practice examples were funded through pooled budgets?")
    assert answer.supported and "| 45%" in answer.answer_markdown.replace("**", "")
    assert "Single agency" in answer.answer_markdown  # the other rows of the table, not only the asked one


def test_which_practices_lists_every_card_recording_the_value_under_the_reports_own_count(assistant, corpus_settings):
    """Asked "which practices pool their budgets?": every described card recording pooled funding, after Table 7 (the report
    counts 20 but names only some), and a card fact whose source passage names its practice cites that passage alone."""
    from app.core.cards import load_cards

    cards = [card for _, card in load_cards(corpus_settings.corpus_dir / "practices")]
    pooled = sorted(c.code for c in cards if "pooled" in c.funding and c.title and c.summary)
    answer = assistant.ask("Which practices pool their budgets?")
    text = answer.answer_markdown
    assert answer.supported and len(pooled) >= 5
    assert all(code in text for code in pooled)
    assert text.index("Table 7") < text.index(pooled[0])
    assert "| **20** |" in text and "names only some" in text
    by_n = {c.n: c for c in answer.citations}
    for claim in answer.claims:
        cited = [by_n[n] for n in claim.citations]
        if claim.text.startswith(tuple(pooled)) and any(claim.text.split()[0] in c.quote for c in cited):
            assert len(cited) == 1, claim.text  # the source names the practice: no second citation of the card


def test_a_long_list_shows_the_practices_closest_to_the_question_and_names_the_rest(assistant, corpus_settings):
    """21 cards record "health"; asked for the one where GPs prescribe home improvements, the answer shows the few close
    to that (the boiler on prescription first) with their quotes and names every other health practice in a note."""
    from app.core.cards import load_cards

    cards = [card for _, card in load_cards(corpus_settings.corpus_dir / "practices")]
    health = sorted(c.code for c in cards if "health" in c.sectors and c.title and c.summary)
    answer = assistant.ask("Which practice let GPs prescribe home improvements for patients whose homes are cold and damp?")
    listed = re.findall(r"^- ([A-Z]{2}\d) \(", answer.answer_markdown, re.M)
    assert len(health) > corpus_settings.finder.max_shown
    assert answer.supported and listed[0] == "GB1" and len(listed) <= corpus_settings.finder.max_shown
    assert all(code in answer.answer_markdown for code in health)  # the rest are named, not dropped
    assert len(answer.citations) < len(health)


def test_the_papers_number_for_a_report_practice_comes_from_its_card(assistant):
    answer = assistant.ask("The Kotitori practice is FI3 in the report. What number does the IJIC paper give it?")
    assert answer.supported and "P13" in answer.answer_markdown


def test_asked_for_a_practices_p_number_by_its_name_the_answer_gives_it(assistant):
    answer = assistant.ask("Which Northern Irish practice has which P-number in the IJIC paper?")
    assert answer.supported and "GB4" in answer.answer_markdown and "P43" in answer.answer_markdown


def test_comparing_two_rows_of_a_counting_table_shows_the_table_whole(assistant):
    answer = assistant.ask("Compare joint funding with single-agency funding across the practices.")
    md = answer.answer_markdown
    assert answer.supported and "Table 7" in md
    assert "| 20 |" in md.replace("**", "") and "| 15 |" in md.replace("**", "")  # both rows compared, with their counts
    assert "| **Joint/pooled funding** |" in md and "| **Single agency funding** |" in md  # the compared rows marked
    assert "| Within existing resources |" in md  # … and no other


def test_asked_for_every_row_of_a_counting_table_the_answer_marks_none(assistant):
    # "Show me all the funding types" asks no one of them: a row in bold would read as the answer.
    answer = assistant.ask("How were the practices funded? Show me all the funding types with their counts.")
    md = answer.answer_markdown
    assert answer.supported and "Table 7" in md and "| Partly public, partly non-public | 3 |" in md
    assert not re.search(r"^\| \*\*", md, re.M)


def test_a_case_study_sentence_that_does_not_name_its_practice_is_shown_with_it(assistant):
    """ "Resources: The set-up of the initiative was funded by … (Tekes)" sits under the Kotitori case study's heading:
    shown with the practice it is about, and without the case study's field label ("Resources:")."""
    answer = assistant.ask("Who funded the set-up of the Kotitori initiative?")
    assert "- FI3 (Kotitori – Service integration, Finland): The set-up of the initiative" in answer.answer_markdown
    assert any(c.text.startswith("Resources: The set-up of the initiative") for c in answer.claims)  # the source's words


def test_a_word_the_corpus_hyphenates_is_known_written_as_one(assistant):
    """The paper writes "turn-over": "staff turnover" is a word the corpus uses, not a foreign topic."""
    assert "turn-over" in assistant.retriever.vocabulary and "turnover" not in assistant.retriever.vocabulary
    assert assistant.retriever.knows("turnover") and not assistant.retriever.knows("turnstile")
    assert assistant.unknown_words("How does staff turnover affect commitment, per the paper?") == ([], [])


def test_recommendations_are_shown_only_when_they_speak_to_the_question(assistant):
    """ "Suggest" asks what to do, but the report's recommendations are not about every topic: far below the best
    evidence they are not shown (they used to lead every such answer); a design question still gets them."""
    evidence = assistant.ask("What does the literature suggest about basing practices on evidence?")
    assert evidence.supported and "What the report recommends" not in evidence.answer_markdown
    assert evidence.answer_markdown.startswith("**In short**")
    design = assistant.ask("How should a municipality integrate social and employment services for long-term unemployed people?")
    assert "What the report recommends" in design.answer_markdown


def test_each_part_shows_the_statement_closest_to_it(assistant):
    """ "… and who bears the cost of implementation?": the case study's sentence saying the ministry covers all expenses
    is the closest statement to that part, and is shown under it, beside the card's funding fact."""
    answer = assistant.ask(
        "How many Danish municipalities are involved in Open Dialogue, and who bears the cost of implementation?"
    )
    text = answer.answer_markdown
    assert "five Danish municipalities" in text
    assert text.index("**Who bears the cost of implementation?**") < text.index("The ministry covers all expenses")


def test_a_comparison_of_two_countries_opens_with_a_statement_for_each(assistant):
    """A statement speaks for the country its section is about ("France: Coordination policies …") or its practice's
    country, not only for a country it names; and a side none of the statements on the asked aspect speaks for finds
    its best among the others: comparing Northern Ireland with France opens with both sides."""
    answer = assistant.ask("How does Northern Ireland's record on joining up health and social care compare with France's?")
    opening = answer.answer_markdown.split("\n\n")[0]
    assert "France" in opening and ("Northern Ireland" in opening or "United Kingdom" in opening)
