"""The composition components on their own, on toy data (a hand-made index, toy vectors: no model loaded)."""

from __future__ import annotations

from app.core.config import ROOT
from app.core.corpus_profile import load_profile
from app.core.tables import Table
from app.query.barriers import BarriersTable
from app.query.candidates import Candidate
from tests.test_compose_steps import CASE, HOUSING, LITERATURE, analysed, composer_for, passages
from tests.toy_index import chunk

PROFILE = load_profile(ROOT / "corpus")
BARRIERS = Table(
    id="barriers", document="report", number=8, caption="Table 8: Barriers and facilitators",
    header=["Element", "Barriers", "Facilitators"],
    rows=[["Leadership", "no champion", "a champion"], ["Funding", "short grants", "pooled budgets"],
          ["Sustainability", "pilot ends", "political support"]],
)  # fmt: skip
COUNTS = Table(
    id="counts", document="report", number=7, caption="Table 7: Ways to fund", header=["Way", "#", "%"],
    rows=[["Joint/pooled funding", "20", "45%"], ["Single agency funding", "15", "34%"]],
)  # fmt: skip


def _row(table: Table, row: list[str]) -> Candidate:
    text = " | ".join(row)
    return Candidate(text=text, quote=text, chunk=CASE, kind="table_row", lead=text, evidence="conclusion", table=table, row=row)


def test_the_barriers_table_is_the_one_whose_rows_the_aspects_name_and_gives_the_asked_rows_in_its_order(toy_settings):
    barriers = BarriersTable(PROFILE, {"counts": COUNTS, "barriers": BARRIERS})
    assert barriers.id == "barriers"
    funding = analysed("How can the funding of integrated services be kept going?", toy_settings)
    scored = [_row(BARRIERS, r) for r in reversed(BARRIERS.rows)] + [_row(COUNTS, COUNTS.rows[0])]
    assert [c.row[0] for c in barriers.rows(funding, scored)] == ["Funding", "Sustainability"]  # table order, no other table
    assert not barriers.asked(funding)  # funding concerns two rows; only barriers or facilitators as such ask the table
    as_such = analysed("What are the main barriers to integration?", toy_settings)
    assert barriers.asked(as_such) and len(barriers.rows(as_such, scored)) == 3


def test_a_part_whose_figure_the_documents_do_not_give_is_named_and_the_rest_answered(toy_settings):
    composer = composer_for(toy_settings)
    question = "How are integrated services funded, and how many homeless shelter places were added?"
    analysis = analysed(question, toy_settings)
    found = passages(LITERATURE, HOUSING, CASE)
    scored = composer.score(composer.candidates(found, analysis), analysis, question)
    parts = composer.scorer.score_parts(analysis, scored)
    verdict = composer.judge.run(analysis, question, scored, found, parts)
    assert not verdict.refusal and [p.part.measure for p in verdict.lacking] == ["count"]  # "added in the winter": no count
    draft = composer.compose(analysis, question, found)
    assert draft.supported and any("no figure for “how many homeless shelter places were added”" in n for n in draft.notes)


def test_a_question_asking_only_a_figure_the_documents_do_not_give_is_declined_as_such(toy_settings):
    composer = composer_for(toy_settings)
    question = "How many homeless shelter places were added?"
    analysis = analysed(question, toy_settings)
    found = passages(HOUSING, LITERATURE)
    scored = composer.score(composer.candidates(found, analysis), analysis, question)
    verdict = composer.judge.run(analysis, question, scored, found, [])
    assert verdict.refusal == "The documents give no figure for this." and verdict.evidence is not None


def test_a_design_question_no_recommendation_speaks_to_is_laid_out_as_any_other(toy_settings):
    composer = composer_for(toy_settings)
    question = "How should we fund integrated services?"
    analysis = analysed(question, toy_settings)
    assert analysis.route == "recommend"
    draft = composer.recommend_layout.run(
        analysis, composer.score(composer.candidates(passages(LITERATURE, CASE), analysis), analysis, question)
    )
    assert draft.supported and draft.claims[0].heading == "In short"
    assert not any(c.heading.startswith("What the report recommends") for c in draft.claims)


def test_names_of_a_situation_told_first_are_no_evidence_against_answering(toy_settings):
    """ "In our Landkreis the Jugendamt …": the local bodies a situation names are unknown to the documents and to every
    passage, but only the names of the sentence that asks count against the evidence (and are named in a refusal)."""
    composer = composer_for(toy_settings)
    found = passages(LITERATURE, HOUSING, CASE)

    def names(question: str, unknown: list[str]) -> tuple[int, int]:
        analysis = analysed(question, toy_settings).model_copy(update={"unknown_names": unknown})
        scored = composer.score(composer.candidates(found, analysis), analysis, question)
        evidence = composer.judge.evidence(analysis, question, scored, found)
        return evidence.names_unknown, evidence.names_missing

    told = "In our Landkreis the Jugendamt and the Jobcenter never talk. How are integrated services funded?"
    assert names(told, ["Landkreis", "Jugendamt", "Jobcenter"]) == (0, 0)
    asked = "How does the Jugendamt in Bremerhaven fund integrated services?"
    assert names(asked, ["Jugendamt", "Bremerhaven"]) == (2, 2)


def test_a_word_the_vocabularies_give_for_a_concept_is_mentioned_where_the_concept_is():
    """ "GPs" is no name missing from passages on hospitals and health care: the card vocabularies give it as a word for
    the health sector, which they speak of. A name of no concept ("Tampere") is still missing."""
    from app.query.analyse import names_not_in

    health = chunk("health", "Hospital staff and social workers plan the discharge of older people together.", doc="health")
    question = "How can GPs and social workers in Tampere plan discharge together?"
    assert names_not_in(question, passages(health, CASE), PROFILE) == ["Tampere"]
    assert names_not_in(question, passages(HOUSING, LITERATURE), PROFILE) == ["GPs", "Tampere"]
