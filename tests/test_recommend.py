"""Recommendation answers for design questions: sectioned by theme, cited, with comparable practices."""

from app.config import ROOT
from app.corpus_profile import load_profile
from app.recommend import is_design_question, question_profile

PROFILE = load_profile(ROOT / "corpus")
CASE_STUDY, PRACTICE, RECOMMENDATION = "case study", "practice review (44 self-reported practices)", "recommendation"

QUESTION = "How should a municipality integrate social and employment services for long-term unemployed people?"


def test_design_questions_are_recognised():
    assert is_design_question(QUESTION)
    assert is_design_question("What should we do to fund an integrated service for older people?")
    assert not is_design_question("Which share of practices use pooled funding?")


def test_profile_detects_group_sectors_and_role():
    p = question_profile(QUESTION, PROFILE)
    assert p.target_groups == ["unemployed_people"] and "employment" in p.sectors and p.audiences == ["POLICY-MAKERS"]
    asked = question_profile("As a team manager, how do we support older people at home?", PROFILE)
    assert asked.audiences == ["PRACTITIONERS"]


def test_recommendation_is_sectioned_cited_and_names_practices(assistant):
    answer = assistant.ask(QUESTION)
    assert answer.supported
    md = answer.answer_markdown
    for heading in ("**Delivery system**", "**Recommendations for policy-makers**", "**Comparable practices**"):
        assert heading in md
    assert "Recommendations for practitioners" not in md  # the asker's role only
    assert {"DE1", "FI6"} & set(answer.practices)
    labels = {c.evidence_label for c in answer.citations}
    assert RECOMMENDATION in labels and PRACTICE in labels
    assert all(c.evidence_label for c in answer.citations)
    assert all(cl.citations for cl in answer.claims)


def test_facets_without_evidence_are_left_out(assistant):
    answer = assistant.ask("How should we design integrated services for people with disabilities?")
    lines = [line for line in answer.answer_markdown.splitlines() if line.strip()]
    headings = [i for i, line in enumerate(lines) if line.startswith("**")]
    assert headings and len({lines[i] for i in headings}) == len(headings)  # no repeated section
    for i in headings:  # every section shown has at least one cited statement under it
        assert i + 1 < len(lines) and lines[i + 1].startswith("- ") and "[" in lines[i + 1]


def test_case_studies_are_labelled(assistant):
    answer = assistant.ask("What did the LAFOS case study in Finland achieve for long-term unemployed people?")
    assert any(c.evidence_label == CASE_STUDY for c in answer.citations)


def test_excluding_cards_by_setting_keeps_the_themed_recommendation(corpus_settings):
    from app.ask import Assistant

    no_cards = Assistant(corpus_settings.with_({"retrieval.source_types": ("report", "paper", "user_document")}))
    answer = no_cards.ask(QUESTION)
    assert answer.supported and "**Delivery system**" in answer.answer_markdown
    assert "Comparable practices" not in answer.answer_markdown
    assert not any(c.source_type == "practice_card" for c in answer.citations)
