"""Question analysis from the corpus profile and the cards (no model)."""

import pytest

from app.analyse import QuestionAnalyser, detect_language
from app.cards import load_cards
from app.config import ROOT
from app.corpus_profile import load_profile

ANALYSER = QuestionAnalyser(load_profile(ROOT / "corpus"), [c for _, c in load_cards(ROOT / "corpus" / "practices")], 14)


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Quels sont les obstacles à l'intégration ?", "French"),
        ("Comment financer les services intégrés ?", "French"),
        ("Wie werden integrierte Dienste finanziert und wer ist dafür zuständig?", "German"),
        ("How are integrated services funded?", "English"),
        ("Do Dutch schools work with social services?", "English"),
    ],
)
def test_language(question, language):
    assert detect_language(question) == language


def test_aspect_answer_type_and_names_come_from_the_profile():
    a = ANALYSER.analyse("Which Finnish practices serve older people?")
    assert (a.answer_type, a.route, a.countries, a.target_groups) == ("practices", "practices", ["Finland"], ["older_people"])
    a = ANALYSER.analyse("What share of practices used pooled funding?")
    assert (a.answer_type, a.aspects, a.route) == ("figure", ["funding"], "evidence")
    a = ANALYSER.analyse("Tell me about Casa Elena")
    assert a.practices == ["IT1"] and a.route == "practices"
    assert ANALYSER.analyse("How did LAFOS and Kotitori differ?").practices == ["FI6", "FI3"]
    assert ANALYSER.analyse("How are families supported at home?").practices == []  # "home" is not a practice name


def test_routing_to_recommendations_is_the_analysis_decision():
    a = ANALYSER.analyse("What does the report recommend practitioners do about training?")
    assert a.route == "recommend" and a.audiences == ["PRACTITIONERS"] and a.aspects == ["training"]
    design = ANALYSER.analyse(
        "How should a municipality integrate social and employment services for long-term unemployed people?"
    )
    assert design.route == "recommend" and design.target_groups == ["unemployed_people"] and "employment" in design.sectors
    assert ANALYSER.analyse("Which share of practices use pooled funding?").route == "evidence"


def test_a_follow_up_keeps_the_practices_and_replaces_the_aspect():
    first = ANALYSER.analyse(
        "How should a municipality integrate social and employment services for long-term unemployed people?"
    )
    follow = ANALYSER.resolve("And how were those practices funded?", first, ["FI6", "DE1"])
    assert follow.follow_up and follow.practices == ["FI6", "DE1"] and follow.aspects == ["funding"]
    assert follow.target_groups == ["unemployed_people"] and follow.route == "evidence"
    older = ANALYSER.resolve("what about older people?", first, ["FI6"])
    assert older.target_groups == ["older_people"] and older.practices == [] and older.route == "recommend"
    researchers = ANALYSER.resolve(
        "and to researchers?", ANALYSER.analyse("What does the report recommend to policy-makers?"), []
    )
    assert researchers.audiences == ["RESEARCHERS"] and researchers.route == "recommend"


def test_a_standalone_question_is_not_a_follow_up():
    first = ANALYSER.analyse("How are integrated services funded?")
    again = ANALYSER.resolve("Which Icelandic practices provide home care for older people?", first, ["FI6"])
    assert not again.follow_up and again.practices == [] and again.countries == ["Iceland"]
