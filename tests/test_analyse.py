"""Question analysis from the corpus profile and the cards (no model)."""

import pytest

from app.core.cards import load_cards
from app.core.config import ROOT
from app.core.corpus_profile import load_profile
from app.query.analyse import QuestionAnalyser, detect_language, verbs_of_asking

ANALYSER = QuestionAnalyser(load_profile(ROOT / "corpus"), [c for _, c in load_cards(ROOT / "corpus" / "practices")], 14)


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Quels sont les obstacles à l'intégration ?", "French"),
        ("Comment financer les services intégrés ?", "French"),
        ("Wie werden integrierte Dienste finanziert und wer ist dafür zuständig?", "German"),
        ("How are integrated services funded?", "English"),
        ("Do Dutch schools work with social services?", "English"),
        ("Wie finanzieren Kommunen integrierte Dienste?", "German"),
        ("Come vengono finanziati i servizi integrati per gli anziani?", "Italian"),
        # Names of practices and places are not another language, nor is an unusual English word.
        ("Kotitori Tampere funding", "English"),
        ("How can GPs and social services work together for frail older people?", "English"),
        ("Check which practices joined up housing and social services.", "English"),
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
    # Another name the documents give a practice (the card's other_names): the case study's "RLDS" is GB5.
    assert ANALYSER.analyse("How is RLDS funded?").practices == ["GB5"]
    assert ANALYSER.analyse("Was the Clubhouse model transferred?").practices == ["FI5"]


def test_routing_to_recommendations_is_the_analysis_decision():
    a = ANALYSER.analyse("What does the report recommend practitioners do about training?")
    assert a.route == "recommend" and a.audiences == ["PRACTITIONERS"] and a.aspects == ["training"]
    design = ANALYSER.analyse(
        "How should a municipality integrate social and employment services for long-term unemployed people?"
    )
    assert design.route == "recommend" and design.target_groups == ["unemployed_people"] and "employment" in design.sectors
    assert ANALYSER.analyse("Which share of practices use pooled funding?").route == "evidence"


@pytest.mark.parametrize(
    ("question", "answer_type"),
    [
        # "How do the …" asks how things are, not what to do: only we, I, you … asking "how do" ask for design.
        ("How do the literature and the practices compare on leadership?", "compare"),
        ("How do the two documents differ on co-location?", "compare"),
        ("How do we get staff from two agencies to share one care plan?", "design"),
        ("How could the municipality fund a one-stop shop?", "design"),
    ],
)
def test_how_do_the_asks_how_things_are_and_how_do_we_asks_what_to_do(question, answer_type):
    assert ANALYSER.analyse(question).answer_type == answer_type


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


def test_it_points_back_to_the_practice_the_answer_led_with_they_to_all_it_named():
    first = ANALYSER.analyse("Which UK practice lets a GP prescribe home improvements for patients?")
    answered = ["GB1", "GB3", "GB2"]  # the answer led with GB1 and named the others as comparable practices
    assert ANALYSER.resolve("did it actually work?", first, answered).practices == ["GB1"]
    assert ANALYSER.resolve("how were they funded?", first, answered).practices == answered


def test_of_them_after_a_question_about_the_practices_at_large_means_all_of_them_not_those_the_answer_named():
    first = ANALYSER.analyse("What reasons did the practices give for starting to integrate services?")
    answered = ["DE2"]  # named in passing by one statement of the answer
    follow = ANALYSER.resolve("And how many of them said it was because of new legislation or policy?", first, answered)
    assert follow.follow_up and follow.practices == []
    # After a question asking for practices, "of them" is those the answer gave.
    listed = ANALYSER.analyse("Which practices pool their budgets?")
    assert ANALYSER.resolve("how many of them are in Finland?", listed, ["FI1", "FI3"]).practices == ["FI1", "FI3"]


def test_a_follow_up_naming_only_another_thing_asks_the_previous_question_of_it():
    first = ANALYSER.analyse("What share of the practices were run by a single organisation?")
    other = ANALYSER.resolve("and one-stop shops?", first, [])
    assert first.measure == "share" and other.answer_type == "figure" and other.measure == "share"
    # A follow-up asking something of its own about the new thing asks that, not the previous kind of answer.
    assert ANALYSER.resolve("and how are one-stop shops funded?", first, []).measure == ""


def test_a_standalone_question_is_not_a_follow_up():
    first = ANALYSER.analyse("How are integrated services funded?")
    again = ANALYSER.resolve("Which Icelandic practices provide home care for older people?", first, ["FI6"])
    assert not again.follow_up and again.practices == [] and again.countries == ["Iceland"]


def test_a_longer_question_continues_the_conversation_only_when_it_speaks_of_earlier_things_by_pronoun():
    first = ANALYSER.analyse("Tell me about the Youth employment agencies in Germany.")
    long_follow = "Where did they start, and what had to change when they spread to other areas of the country?"
    assert len(long_follow.split()) > 14
    follow = ANALYSER.resolve(long_follow, first, ["DE2"])
    assert follow.follow_up and follow.practices == ["DE2"]
    # A long question with a topic of its own stands alone, whatever pronouns it uses.
    own = "Which practices support older people at home when they leave hospital and need both health and social care?"
    assert not ANALYSER.resolve(own, first, ["DE2"]).follow_up


def test_a_figure_question_says_what_it_measures():
    assert ANALYSER.analyse("How much did the reform cost?").measure == "money"
    assert ANALYSER.analyse("What was the budget of the pilot?").answer_type == "figure"
    assert ANALYSER.analyse("What share of practices used pooled funding?").measure == "share"
    assert ANALYSER.analyse("How many practices were reviewed?").measure == "count"
    # What people are paid is an amount of money, however it is asked.
    assert ANALYSER.analyse("What salary do the case managers earn?").answer_type == "figure"
    assert ANALYSER.analyse("How much do social workers in the team earn?").measure == "money"
    assert ANALYSER.analyse("What does the report say about pay?").measure == ""
    # A length of time and a year are figures of their own kinds.
    assert ANALYSER.analyse("How long do families usually wait for a first appointment?").measure == "duration"
    assert ANALYSER.analyse("In which year did the pilot start?").measure == "year"
    assert ANALYSER.analyse("What's the annual budget of the steering committee?").measure == "money"
    # "cost-effectiveness" is a topic, not a sum of money
    assert ANALYSER.analyse("How much evidence is there on cost-effectiveness?").measure == "other"
    assert ANALYSER.analyse("How are integrated services funded?").measure == ""
    # What a user pays is money; an amount "in euros" is asked whatever the question's form; how often, a frequency.
    assert ANALYSER.analyse("How much does a user pay per hour of home care?").measure == "money"
    assert ANALYSER.analyse("What is the size of the allowance per child in euros?").measure == "money"
    assert ANALYSER.analyse("How often does the steering committee meet?").measure == "frequency"
    assert ANALYSER.analyse("And what does the MAIA programme cost?").measure == "money"
    assert ANALYSER.analyse("What is the practice's annual budget?").measure == "money"
    assert ANALYSER.analyse("What is its budget?").measure == "money"
    # A price however described, and how much a sum of money is.
    assert ANALYSER.analyse("What hourly price do older people pay for home care?").measure == "money"
    assert ANALYSER.analyse("How much is the monthly UB II benefit for a single jobseeker?").measure == "money"
    assert ANALYSER.analyse("Which price categories did the report compare?").answer_type != "design"
    # When something is open or staffed: its days and hours.
    assert ANALYSER.analyse("What are the opening hours of the helpdesk?").measure == "schedule"
    # By how much something changed: a change, whatever unit it is asked in.
    assert ANALYSER.analyse("By what percentage did hospital admissions fall?").measure == "change"
    assert ANALYSER.analyse("By how many days did absence drop among the pupils?").measure == "change"
    assert ANALYSER.analyse("Did the pilot reduce GP visits, and by how much?").measure == "change"
    assert ANALYSER.analyse("On which days and at what times is the help centre staffed?").measure == "schedule"
    assert ANALYSER.analyse("Which day-care services were offered?").measure == ""
    # After "how many" a verb says what the counted did ("how many said …", "how many got by …"): nothing counted is named.
    from app.query.analyse import measured_of

    assert measured_of("And how many said new legislation triggered it?", "count") == ""
    assert measured_of("and how many got by with their existing resources?", "count") == ""
    assert measured_of("How many case managers work in MAIA?", "count") == "case manager"
    # A money word may describe what is counted ("paid jobs"); a comparison may ask its figure; "what rate" asks one.
    paid = ANALYSER.analyse("How many young people have found paid jobs through Project Search?")
    assert (paid.measure, paid.measured) == ("count", "young people")
    fell = ANALYSER.analyse("By how much did absence fall in the intervention group compared with the control group?")
    assert (fell.answer_type, fell.measure) == ("compare", "change")  # the figure a comparison asks: a change
    assert ANALYSER.analyse("How does Finland compare with Sweden?").measure == ""
    assert ANALYSER.analyse("What transition rate into employment have the jobcentres achieved?").answer_type == "figure"
    # what a document says about costs is a topic: no sum is asked, so no "no figure" refusal can follow
    said = ANALYSER.analyse("I must explain why impact is hard to attribute. What does the report say about cost-saving aims?")
    assert (said.answer_type, said.measure) == ("general", "")


def test_a_question_in_two_parts_takes_its_kind_from_the_first():
    from app.query.analyse import question_parts

    q = "What did the Act require, and how much did it save?"
    assert question_parts(q) == ["What did the Act require", "how much did it save?"]
    assert ANALYSER.analyse(q).answer_type != "figure"
    assert question_parts("How are services funded in Finland and Sweden?") == ["How are services funded in Finland and Sweden?"]
    # A sentence that asks nothing is the asker's context, not a second part.
    told = "How many studies looked at health? I have seen one count in the report and another in the paper."
    assert question_parts(told) == [told]
    assert question_parts("Who pays? What does it cost?") == ["Who pays?", "What does it cost?"]
    # Each part reads its figure with the grammar a whole question's is read with.
    parts = ANALYSER.analyse("How many children does Nyborg support, and how big is the budget reserved for it?").parts
    assert [p.measure for p in parts] == ["count", "money"]
    parts = ANALYSER.analyse("Who runs MAIA, and what's the maximum number of cases each case manager holds?").parts
    assert [p.measure for p in parts] == ["", "count"]


def test_years_after_the_latest_source_are_found_but_not_years_before():
    from app.query.analyse import later_years

    assert later_years("What was the unemployment rate in 2023?", 2018) == ["2023"]
    assert later_years("Which practices started before 2020?", 2018) == []
    assert later_years("What did the 2016 report find?", 2018) == []
    # A time counted on from a year: 2015 and five years is after the sources, 2016 and two years is not.
    assert later_years("Five years after the Dutch 2015 decentralisation, did waiting lists go down?", 2018) == ["2020"]
    assert later_years("Two years after the 2016 reform, what had changed?", 2018) == []
    assert later_years("What was the employment rate one year after referral?", 2018) == []


def test_a_cost_follow_up_asks_for_money_about_the_same_practice():
    first = ANALYSER.analyse("What does the report say about Kotitori in Tampere?")
    follow = ANALYSER.resolve("how much did it cost?", first, ["FI3"])
    assert follow.answer_type == "figure" and follow.measure == "money" and follow.practices == ["FI3"]


def test_the_present_and_the_assistants_own_opinion_are_outside_the_sources():
    from app.query.analyse import asks_opinion, later_years

    assert later_years("How many children were flagged last year?", 2018) == ["last year"]
    assert asks_opinion("Which of these do you personally think matters most?")
    assert asks_opinion("In your opinion, which model works?")
    assert not asks_opinion("What do you recommend for funding?")


def test_a_sum_of_money_can_be_asked_in_euros():
    assert ANALYSER.analyse("how many euros a year did it save the city?").measure == "money"
    assert ANALYSER.analyse("How big is the model, in areas covered and budget?").measure == "other"


def test_each_part_of_a_question_carries_the_figure_it_asks_for():
    a = ANALYSER.analyse("What did the Act require, and how much did it save?")
    assert [(p.text, p.measure) for p in a.parts] == [("What did the Act require", ""), ("how much did it save?", "money")]
    assert ANALYSER.analyse("How are services funded in Finland and Sweden?").parts == []  # one part: nothing to check apart


def test_a_question_analysed_once_is_resolved_without_analysing_it_again(monkeypatch):
    first = ANALYSER.analyse("Which Finnish practices serve older people?")
    own = ANALYSER.analyse("And how were those practices funded?")
    monkeypatch.setattr(ANALYSER, "analyse", lambda q: pytest.fail(f"analysed again: {q}"))
    follow = ANALYSER.resolve(own, first, ["FI6"])
    assert follow.follow_up and follow.aspects == ["funding"] and follow.practices == ["FI6"]


def _scope(tmp_path, user_text: str | None, question: str) -> str:
    """The scope step's refusal ("" when it lets the question through) over an index of the curated corpus's chunks
    of one small document plus, when given, a user's document (real Chroma, keyword index; no model needed)."""
    from app.index.bm25 import BM25Index
    from app.query.ask import AskState, Assistant
    from app.query.retrieve import NO_FILTERS, Retriever
    from ingest.pipeline import _Chunker
    from tests.conftest import make_settings

    tmp_path.mkdir(parents=True)
    settings = make_settings(tmp_path / "data")
    chunker = _Chunker(settings, load_profile(settings.corpus_dir), {})
    curated = sorted((ROOT / "corpus" / "documents").glob("*.txt"))[0]
    chunks, _ = chunker.chunks(curated, "c")
    if user_text is not None:
        mine = tmp_path / "helpdesk.txt"
        mine.write_text(user_text, encoding="utf-8")
        chunks += chunker.chunks(mine, "helpdesk")[0]
    assistant = Assistant(settings, retriever=Retriever(settings, bm25=BM25Index(chunks)))
    state = AskState(question, [], "extractive", 5, NO_FILTERS)
    assistant.scope(state)
    return state.draft.refusal if state.draft else ""


HELPDESK = "Testland municipalities ran a joint helpdesk for migrants and social services in 2019.\n"
IN_2019 = "Which municipalities ran a joint helpdesk for migrants in 2019?"


def test_a_year_a_users_document_covers_is_not_refused_as_after_the_sources(tmp_path):
    assert "up to 2018" in _scope(tmp_path / "a", None, IN_2019)  # the curated corpus alone cannot speak for 2019
    assert _scope(tmp_path / "b", HELPDESK, IN_2019) == ""  # the user's document can
    assert "2021" in _scope(tmp_path / "c", HELPDESK, "Which municipalities ran a joint helpdesk in 2021?")


def test_a_question_asked_of_two_things_by_a_repeated_preposition_has_a_part_for_each():
    from app.query.analyse import question_parts

    assert question_parts("What were Kotitori's outcomes for users and for organisations?") == [
        "What were Kotitori's outcomes for users?",
        "What were Kotitori's outcomes for organisations?",
    ]
    assert question_parts("What does the report say about funding and about leadership?") == [
        "What does the report say about funding?",
        "What does the report say about leadership?",
    ]
    # One preposition, two objects: one question, not two.
    assert question_parts("How do social services work with health and employment?") == [
        "How do social services work with health and employment?"
    ]


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("How many case managers does the service employ?", "case manager"),
        ("How many of the 89 DMIC elements were found per practice?", "dmic element"),
        ("How many hours of training did that include?", "hour"),
        ("How many municipalities joined after the pilot?", "municipality"),  # the thing ends at its plural
        ("How many staff work in the centres?", "staff work"),  # no plural: no tagger, so a verb may follow
        ("How are integrated services funded?", ""),
    ],
)
def test_a_count_question_knows_what_it_counts(question, counted):
    assert ANALYSER.analyse(question).measured == counted


def test_a_rate_is_a_share_of_what_comes_before_it():
    analysis = ANALYSER.analyse("What was the employment rate of the centre's clients one year after referral?")
    assert (analysis.answer_type, analysis.measure, analysis.measured) == ("figure", "share", "employment")


@pytest.mark.parametrize(
    ("question", "sides"),
    [
        (
            "How do New Public Management and co-production differ in how they see service users?",
            ("New Public Management", "co-production"),
        ),
        ("Compare the older Danish system with the post-reform jobcentres.", ("older Danish system", "post-reform jobcentres")),
        ("What is the difference between pooled funding and single-agency funding?", ("pooled funding", "single-agency funding")),
        ("Compare the transferability evidence in the literature and in the practices.", ("literature", "practices")),
        ("How did Favskov and Horsens organise their services differently?", ("Favskov", "Horsens")),
        ("How do LAFOS staff backgrounds compare with the old setup?", ("LAFOS staff backgrounds", "old setup")),
        ("How are integrated services funded?", None),
    ],
)
def test_a_comparison_question_names_its_two_sides(question, sides):
    from app.query.analyse import compared_sides

    assert compared_sides(question) == sides


def test_a_question_in_parts_keeps_parts_led_in_by_context_and_one_asked_with_two_question_words():
    from app.query.analyse import question_parts

    assert question_parts("In the practice review, which sector led most, and what was the most common funding?") == [
        "In the practice review, which sector led most",
        "what was the most common funding?",
    ]
    assert question_parts("MAIA in France: who is it for, and what's its budget?") == [
        "MAIA in France: who is it for",
        "what's its budget?",
    ]
    # "Where and when": one part, not a part "Where".
    assert question_parts("Where and when was the seminar held, and which institute co-wrote the report?") == [
        "Where and when was the seminar held",
        "which institute co-wrote the report?",
    ]
    context = "I have seen one count in the report. Which is right?"
    assert question_parts(context) == [context]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which software vendor built the single assessment tool?", "vendor"),
        ("Who was the external evaluator of the programme?", "evaluator"),
        # Who did a piece of work is named as its doer; one place is named ("the municipality of Győr").
        ("Who carried out the evaluation of Karriereplaner, and what did it find?", "evaluator"),
        ("Who audited Kotitori?", "auditor"),
        ("Which municipality runs the help centre?", "municipality"),
        ("Which municipalities took part in the project?", ""),
        ("Which international foundations co-fund the centre?", "foundation"),
        # Organisations in general are answered with kinds of bodies ("the municipalities"), not names.
        ("Which organisations fund integrated services?", ""),
        ("Who funds the practice?", ""),
    ],
)
def test_a_question_asking_for_a_name_says_the_kind_of_name(question: str, kind: str):
    assert ANALYSER.analyse(question).asked_name == kind


def test_each_part_says_the_kind_of_name_it_asks():
    parts = ANALYSER.analyse("How is the Curcubeu centre funded, and which foundation co-funds it?").parts
    assert [p.asked_name for p in parts] == ["", "foundation"]


def test_a_word_that_introduces_what_is_asked_is_a_verb_of_asking():
    """ "Check which …", "… check whether it works?": the word asks, it is not asked about (the documents need not write
    it); a noun before a relative "which" is no such word."""
    assert "check" in verbs_of_asking("Check which practices joined up housing and social services.")
    assert "check" in verbs_of_asking("and how do they check whether it works?")
    assert not verbs_of_asking("Is there a practice which helps?") & {"practice"}
    assert not verbs_of_asking("What did the merger achieve?")
