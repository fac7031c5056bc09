"""Answerability from evidence: the logistic judge and its threshold, on hand-made evidence (no model loaded)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.core.config import ROOT
from app.core.refusals import refusal
from app.query.answerability import FEATURES, AnswerabilityModel, Evidence, fit


def evidence(relevance: float, coverage: float, unknown: int = 0, missing: int = 0) -> Evidence:
    return Evidence(
        best_relevance=relevance, top3_relevance=relevance - 0.05, best_similarity=relevance + 0.1, coverage=coverage,
        passage_coverage=min(1.0, coverage + 0.2), unknown_word_share=0.0, uncovered_specificity=1.0 - coverage,
        names_unknown=unknown, names_missing=missing, figure_missing=False, words=10, follow_up=False,
    )  # fmt: skip


def toy_set() -> tuple[list[Evidence], list[bool]]:
    """Answerable questions have close, covering evidence; unanswerable ones weak evidence or unknown names."""
    rows, labels = [], []
    for i in range(40):
        rows.append(evidence(0.45 + 0.01 * (i % 20), 0.5 + 0.01 * i))
        labels.append(True)
    for i in range(20):
        rows.append(evidence(0.25 + 0.005 * i, 0.1 + 0.01 * i, unknown=i % 2, missing=1))
        labels.append(False)
    return rows, labels


def test_fitted_model_answers_strong_evidence_and_refuses_weak_evidence():
    rows, labels = toy_set()
    model = fit(rows, labels, max_false_refusals=0.0)
    assert model.answers(evidence(0.6, 0.8))
    assert not model.answers(evidence(0.25, 0.1, unknown=1, missing=1))


def test_threshold_refuses_at_most_the_allowed_share_of_answerable_questions():
    rows, labels = toy_set()
    for allowed in (0.0, 0.05, 0.1):
        model = fit(rows, labels, max_false_refusals=allowed)
        refused = sum(not model.answers(r) for r, a in zip(rows, labels, strict=True) if a)
        assert refused <= allowed * sum(labels)


def test_each_kind_of_answerable_question_weighs_the_same_in_the_refused_share():
    rows, labels = toy_set()
    # Ten harder answerable questions of another kind, their evidence weaker than the easy kind's.
    hard = [evidence(0.36 + 0.005 * i, 0.35 + 0.01 * i) for i in range(10)]
    rows, labels = rows + hard, labels + [True] * 10
    kinds = ["easy"] * 40 + ["oos"] * 20 + ["hard"] * 10
    plain = fit(rows, labels, max_false_refusals=0.1)
    balanced = fit(rows, labels, max_false_refusals=0.1, kinds=kinds)
    refused = [sum(not m.answers(r) for r in hard) for m in (plain, balanced)]
    assert refused[0] == 5  # the plain share: 5 of 50 answerable, every one of them of the hard kind (half of it)
    assert refused[1] == 2  # by kind: 2 of 10 hard ones (20% of that kind, 0% of the other: 10% on average)

    rows, labels = toy_set()
    model = fit(rows, labels, max_false_refusals=0.0)
    same = evidence(0.4, 0.4)
    with_name = evidence(0.4, 0.4, unknown=2, missing=2)
    assert model.probability(with_name) < model.probability(same)


def test_model_round_trips_through_json_and_refuses_a_file_for_other_features(tmp_path):
    rows, labels = toy_set()
    model = fit(rows, labels, max_false_refusals=0.02)
    path = tmp_path / "m.json"
    model.save(path, trained_on=["toy"])
    again = AnswerabilityModel.load(path)
    assert again.probability(rows[0]) == pytest.approx(model.probability(rows[0]))
    data = json.loads(path.read_text())
    data["features"] = ["something_else"]
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="joinedup train"):
        AnswerabilityModel.load(path)


def test_evidence_survives_the_answer_contract_as_a_dict():
    e = evidence(0.5, 0.6, unknown=1, missing=2)
    assert Evidence.from_dict(e.as_dict()) == e


def test_the_shipped_model_reads_the_current_features():
    model = AnswerabilityModel.load(ROOT / "models" / "answerability.json")
    assert len(model.weights) == len(FEATURES) and 0.0 < model.threshold < 1.0


def test_unknown_words_are_as_specific_as_they_move_the_question():
    from app.query.answerability import FULL_INFLUENCE, unknown_specificity

    assert unknown_specificity(0.0) == 0.0
    assert unknown_specificity(FULL_INFLUENCE / 2) == pytest.approx(0.5)
    assert unknown_specificity(3 * FULL_INFLUENCE) == 1.0  # a topic word: as specific as a word can be


def test_influence_is_how_far_dropping_words_moves_the_question():
    """Each word's influence and all words' together, from one batch of embeddings (a toy embedding: bag of words)."""
    from app.query.answerability import influence

    vocab = ["which", "practices", "canada", "use", "case", "management", "barely"]

    def embed(texts: list[str]) -> np.ndarray:
        rows = np.asarray([[t.lower().split().count(w) for w in vocab] for t in texts], dtype=float)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    calls: list[int] = []

    def counted(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return embed(texts)

    each, together = influence("Which practices Canada use case management", ["Canada"], counted)
    assert calls == [3] and 0.0 < each["Canada"] == together
    assert influence("anything", [], embed) == ({}, 0.0)  # nothing unknown: no embedding at all
    many, both = influence("Which practices Canada use case management barely", ["Canada", "barely"], embed)
    assert both > max(many.values())  # dropping both moves the question further than either alone


def test_only_the_names_of_the_sentences_that_ask_count():
    """A situation told before the question names local bodies the documents cannot know ("our Jugendamt"); the names
    of the sentence that asks are what the evidence must know."""
    from app.core.models import Analysis
    from app.query.judge import asked_names

    told = Analysis(
        question="Our Jugendamt and the Jobcenter never talk. What do the documents say about sharing case files?",
        unknown_names=["Jugendamt", "Jobcenter"],
    )
    assert asked_names(told) == []
    asked = Analysis(question="What does the Jugendamt in Hamburg do?", unknown_names=["Jugendamt"])
    assert asked_names(asked) == ["Jugendamt"]


def test_a_question_whose_every_part_asks_a_figure_the_documents_lack_is_declined(assistant):
    """Each part of "How many staff …, and how much does … pay?" asks a figure no statement gives: nothing of it is
    answered, so the whole is declined; a question whose parts' figures are given is answered part by part."""
    lacking = assistant.ask("How many staff work at Kotitori, and how much does the City of Tampere pay for it?")
    given = assistant.ask("How many practices were reviewed, and how many articles were analysed?")
    assert not lacking.supported and lacking.evidence is not None and lacking.evidence["figure_missing"]
    assert given.supported


def test_a_part_asking_a_figure_in_other_words_is_checked_for_it_and_the_whole_declined_when_none_is_given(assistant):
    """ "how big is the budget …" and "the maximum number of …" ask figures as "how many" does: a question whose
    every part asks a figure the documents do not give is declined, not answered with the practice's other facts."""
    answer = assistant.ask(
        "How many case managers work in the MAIA areas in France and what's the maximum number of complex cases each can hold?"
    )
    assert not answer.supported and answer.answer_markdown == refusal("no_figure")
    # A part the documents give a figure for is answered; the other part is named in a note.
    mixed = assistant.ask(
        "How many practices were reviewed, and what's the maximum number of complex cases a case manager holds?"
    )
    assert mixed.supported and "44" in mixed.answer_markdown
    assert "give no figure for “what's the maximum number of complex cases a case manager holds”" in mixed.answer_markdown


def test_a_question_no_part_of_which_is_answered_is_declined_though_one_part_asks_no_figure(assistant):
    """ "How many patients …, and which energy company installed the boilers?": the documents give no count of patients,
    and the part naming a company is judged, as a question of its own, unanswered by its evidence: the whole is declined.
    A question whose parts are answered keeps both parts."""
    answer = assistant.ask(
        "How many patients took part in the Boiler on prescription pilot, and which energy company installed the boilers?"
    )
    assert not answer.supported
    both = assistant.ask("Who is Kotitori for, and how is it funded?")
    assert (
        both.supported and "**Who is Kotitori for?**" in both.answer_markdown and "**How is it funded?**" in both.answer_markdown
    )


def test_a_question_asking_a_name_the_documents_do_not_give_is_declined_and_one_they_give_is_answered(assistant):
    """ "Which foundation co-funds …": the card says the centre combines foundation funds with public budgets but names
    no foundation, so the question is declined saying so; the report does name the Dutch institute it worked with."""
    unnamed = assistant.ask("Which foundation co-funds the Curcubeu centre in Arad, Romania?")
    assert not unnamed.supported and unnamed.answer_markdown == refusal("no_name", kind="foundation")
    named = assistant.ask("Which Dutch institute worked with ESN on the report?")
    assert named.supported and "Vilans" in named.answer_markdown
    # In a question of two parts, the part asking a name the documents lack gets its own note.
    mixed = assistant.ask("Which practices does the Curcubeu centre resemble, and which foundation co-funds it?")
    assert (
        mixed.supported
        and refusal("no_name_for", kind="foundation", part="which foundation co-funds it") in mixed.answer_markdown
    )


def test_what_came_of_something_the_documents_only_plan_is_not_answered_from_the_plan():
    """Asked what came of something ("did it start as planned?", "what did the evaluation find?"), a statement that
    speaks of it only as planned or under way does not answer; one that also reports a result does."""
    from app.query.analyse import asks_outcome
    from app.query.coverage import is_prospective

    assert asks_outcome("Did the duty come into force as planned?")
    assert asks_outcome("Our board asked me. What did the 2016 evaluation of the programme actually find?")
    assert asks_outcome("Which option did the government end up choosing?")
    assert not asks_outcome("Did it actually work?")  # "actually" alone is emphasis: the evidence decides
    assert not asks_outcome("What did the review say about leadership?")
    assert is_prospective("The duties are expected to commence in August 2016.")
    assert is_prospective("25 pilots are currently being implemented to gather evidence of what works.")
    assert not is_prospective("The evaluation is in preparation, and the one done in 2008 showed no effect.")
    assert not is_prospective("The reform was rejected by the constitutional committee in March 2015.")
    # … but one that leaves the choice open cannot say which was chosen.
    assert is_prospective("The reform was rejected in March 2015, and two options are now possible: regions or one body.")
    assert is_prospective("A shared record for both services is still under discussion.")


def test_asked_what_came_of_a_plan_the_answer_quotes_the_plan_and_says_the_outcome_is_not_reported(assistant):
    planned = assistant.ask("Did the named person duty in Scotland come into force as planned?")
    assert not planned.supported and "only as planned, under way or undecided" in planned.answer_markdown
    assert "expected to commence in August 2016" in planned.answer_markdown
    reported = assistant.ask("What did the evaluation of LAFOS show?")
    assert reported.supported and "2008" in reported.answer_markdown
