"""Readable statements: the paper's practice numbers named, line-break hyphens repaired, after the guard (no model)."""

from __future__ import annotations

from app.core.config import Settings
from app.core.corpus_profile import load_profile
from app.core.draft import Draft, DraftClaim
from app.core.models import Chunk, Passage
from app.query.ask import build_answer
from app.query.display import ReadableStatements

PROFILE = load_profile(Settings().corpus_dir)
VOCABULARY = frozenset(
    {"planning", "plan-ning", "service", "inter-professional", "interprofessional", "professional", "stop", "connection"}
    | {"co-ordination", "coordination"}
)
READABLE = ReadableStatements({"P43": "GB4, Single assessment tool for older people’s needs", "P12": "DK3, Recovery"}, VOCABULARY)


def test_the_papers_practice_numbers_become_code_and_name():
    assert READABLE("An example of this comes from Northern Ireland [P43], where a key worker is assigned.") == (
        "An example of this comes from Northern Ireland (GB4, Single assessment tool for older people’s needs), "
        "where a key worker is assigned."
    )
    assert READABLE("as in [P12, P43].") == "as in (DK3, Recovery; GB4, Single assessment tool for older people’s needs)."
    # A number no card records stays as printed; the paper's reference numbers [14, 15] are not practices.
    assert READABLE("difficulties [P7, P11, P33] and [P12, P99] and users [14, 15]") == (
        "difficulties [P7, P11, P33] and [P12, P99] and users [14, 15]"
    )


def test_words_broken_at_a_line_end_are_repaired():
    assert READABLE("work together in plan- ning home care") == "work together in planning home care"
    assert READABLE("work together in plan-ning home care") == "work together in planning home care"
    assert READABLE("a ser- vice") == "a service"
    assert READABLE("a one- stop shop") == "a one-stop shop"  # "onestop" is no word of the corpus
    assert READABLE("creating connec-tions") == "creating connections"  # a word of the corpus in another form
    assert READABLE("better co-ordination") == "better co-ordination"  # a prefix the documents hyphenate
    # Hyphens the documents write stay, and so does a hyphen shared by two compounds.
    assert READABLE("inter-professional teamwork and inter- professional work") == (
        "inter-professional teamwork and inter-professional work"
    )
    assert READABLE("drug- and socio-psychological counselling") == "drug- and socio-psychological counselling"
    assert READABLE("2008-2012, Pas-de-Calais") == "2008-2012, Pas-de-Calais"


def test_a_footnote_mark_on_a_word_is_dropped_and_codes_and_figures_stay():
    readable = ReadableStatements({}, VOCABULARY | {"countries", "services"})
    assert readable("templates from 17 European countries2.") == "templates from 17 European countries."
    assert readable("examples of integrated services5 presented") == "examples of integrated services presented"
    assert readable("FI5 and P43 in 2016, with 44 practices") == "FI5 and P43 in 2016, with 44 practices"
    assert readable("a covid19 test") == "a covid19 test"  # not a word of the corpus: left as printed


def test_quotations_inside_a_statement_stay_as_the_source_has_them():
    assert READABLE("FI5 — what it is: plan- ning. “work in plan- ning [P12]” [P12]") == (
        "FI5 — what it is: planning. “work in plan- ning [P12]” (DK3, Recovery)"
    )


def test_from_cards_names_every_card_with_a_paper_number():
    from app.core.cards import load_cards

    cards = [card for _, card in load_cards(Settings().practices_dir)]
    readable = ReadableStatements.from_cards(cards, VOCABULARY)
    assert readable.practice_names["P43"] == "GB4, Single assessment tool for older people's needs; the paper's P43"
    assert readable.practice_names["P12"] == "DK3, Recovery; the paper's P12"
    assert len(readable.practice_names) == sum(1 for c in cards if c.paper_ref)


PASSAGE = Chunk(
    id="p",
    text="An example of this comes from Northern Ireland [P43], where a health or social care professional completes "
    "the assessment of frail older people and assigns a ‘key worker’. Health and social care professionals work "
    "together in plan-ning home care for the elderly.",
    doc_id="paper",
    doc_title="Paper",
    source_type="paper",
)
CLAIMS = [
    DraftClaim(
        "An example of this comes from Northern Ireland [P43], where a health or social care professional completes the "
        "assessment of frail older people and assigns a ‘key worker’.",
        ["p"],
        quote="An example of this comes from Northern Ireland [P43], where a health or social care professional completes "
        "the assessment of frail older people and assigns a ‘key worker’.",
    ),
    DraftClaim("Health and social care professionals work together in plan-ning home care for the elderly.", ["p"]),
]


def test_the_answer_shows_readable_statements_and_keeps_claims_and_quotes_verbatim():
    answer = build_answer(
        "q", Draft(claims=list(CLAIMS)), [Passage(chunk=PASSAGE, score=1.0)], "extractive", PROFILE, 0.5, READABLE
    )
    # The guard kept both: it checked the statements as the source has them (this passage records no code GB4).
    assert answer.supported and len(answer.claims) == 2
    assert answer.answer_markdown.splitlines() == [
        "- An example of this comes from Northern Ireland (GB4, Single assessment tool for older people’s needs), where a "
        "health or social care professional completes the assessment of frail older people and assigns a ‘key worker’. [1]",
        "- Health and social care professionals work together in planning home care for the elderly. [1]",
    ]
    assert answer.claims[0].text == CLAIMS[0].text  # the statement as the source has it
    assert "[P43]" in answer.citations[0].quote


def test_a_case_studys_field_label_does_not_begin_the_statement():
    """ "Summary:", "Resources:" begin a line of every case study: shown, the statement begins with its sentence. A
    label before a list, a label the documents do not repeat, and a country before a statement stay."""
    from app.query.display import field_labels

    case = "Summary:\nThe centre helps.\nResources: The funding is local.\nOutcomes: (1) For users: access.\n"
    labels = field_labels([case, case, case, "Finland: once only."])
    assert labels == {"Summary", "Resources", "Outcomes"}
    readable = ReadableStatements({}, VOCABULARY, labels)
    assert readable("Resources: The funding is linked with the funding for public services.") == (
        "The funding is linked with the funding for public services."
    )
    assert readable("Outcomes: (1) For service users: more access.") == "Outcomes: (1) For service users: more access."
    assert readable("Finland: The staff comes from various backgrounds.") == "Finland: The staff comes from various backgrounds."
