"""Design questions: the report's recommendations for the asker's audience first, then the evidence, then practices."""

from app.query.ask import Assistant

QUESTION = "How should a municipality integrate social and employment services for long-term unemployed people?"


def test_recommendation_leads_with_the_audiences_actions_and_names_practices(assistant):
    answer = assistant.ask(QUESTION)
    assert answer.supported and answer.route == "recommend"
    md = answer.answer_markdown
    assert md.startswith("**What the report recommends (policy-makers)**")
    assert "Recommends (practitioners)" not in md  # the asker's audience only
    assert "**Comparable practices**" in md and {"DE1", "FI6"} & set(answer.practices)
    labels = {c.evidence_label for c in answer.citations}
    # the practices are cited to what the report says of them: its practice review or their case studies
    assert "recommendation" in labels and labels & {"practice review (44 self-reported practices)", "case study"}
    assert all(cl.citations for cl in answer.claims)


def test_asking_what_the_report_recommends_to_an_audience_lists_exactly_those_recommendations(assistant):
    answer = assistant.ask("Summarise what the report recommends to policy-makers.")
    lines = [line for line in answer.answer_markdown.splitlines() if line.startswith("- ")]
    assert len(lines) == 4 and all("Example:" in line for line in lines)
    assert any("pooled budgets" in line for line in lines)


def test_a_recommendation_on_an_aspect_shows_its_barriers_and_facilitators_row(assistant):
    answer = assistant.ask("What does the report recommend practitioners do about training?")
    md = answer.answer_markdown
    assert md.splitlines()[1].startswith("- Equip your workforce with relevant skills")
    assert "| Learning |" in md and "Joint-training" in md


def test_excluding_cards_by_setting_keeps_the_recommendation(corpus_settings):
    no_cards = Assistant(corpus_settings.with_({"retrieval.source_types": ("report", "paper", "user_document")}))
    answer = no_cards.ask(QUESTION)
    assert answer.supported and "What the report recommends" in answer.answer_markdown
    assert "Comparable practices" not in answer.answer_markdown
    assert not any(c.source_type == "practice_card" for c in answer.citations)


def test_case_studies_are_labelled(assistant):
    answer = assistant.ask("What did the LAFOS case study in Finland achieve for long-term unemployed people?")
    assert any(c.evidence_label == "case study" for c in answer.citations)
