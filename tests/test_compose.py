"""Composition pieces and citation numbering on hand-made data (no model, no index)."""

from app.core.config import Settings
from app.core.corpus_profile import load_profile
from app.core.draft import Draft, DraftClaim
from app.core.models import Chunk, Passage, Unit
from app.core.readability import bullets, defects
from app.core.text import content_terms
from app.query.ask import build_answer
from app.query.candidates import Candidate, _display
from app.query.selection import pick

SETTINGS = Settings()
PROFILE = load_profile(SETTINGS.corpus_dir)


def chunk(cid: str, text: str = "text", source_type: str = "report", section: str = "Case studies > LAFOS", codes=()) -> Chunk:
    return Chunk(
        id=cid, text=text, doc_id="d", doc_title="Doc", source_type=source_type, section=section, practice_codes=list(codes)
    )


def candidate(text: str, score: float) -> Candidate:
    c = Candidate(text=text, quote=text, chunk=chunk("c"), kind="sentence", lead=text, evidence="literature", score=score)
    c.terms = set(content_terms(text))
    return c


def test_pick_drops_repeats_and_weak_statements_and_stops_at_n():
    scored = [
        candidate("Pooled budgets fund integrated services for older people.", 0.9),
        candidate("Pooled budgets fund integrated services for older people in Finland.", 0.85),  # a repeat
        candidate("Case managers coordinate support across services.", 0.6),
        candidate("Hospitals discharge early.", 0.55),
        candidate("The weather was mild that year.", 0.3),
    ]
    overlap = SETTINGS.answer.duplicate_overlap
    assert [c.text for c in pick(scored, 5, [], floor=0.45, overlap=overlap)] == [scored[0].text, scored[2].text, scored[3].text]
    assert len(pick(scored, 1, [], overlap=overlap)) == 1
    assert pick(scored, 5, [scored[2]], floor=0.45, overlap=overlap)[1].text == scored[3].text  # already taken elsewhere


def test_a_list_reads_as_one_sentence_with_numbered_items():
    unit = Unit(
        kind="list",
        doc_id="d",
        lead="We identified two types:",
        text="We identified two types: - Pooled funding: agencies pool budgets. - Single agency funding: one agency pays.",
    )
    shown = _display(unit)
    assert (
        shown == "We identified two types: (1) Pooled funding: agencies pool budgets. (2) Single agency funding: one agency pays."
    )
    assert defects(shown) == []
    text = "Nine elements are defined: 1. Delivery 2. Commitment"
    names = Unit(kind="list", doc_id="d", lead="Nine elements are defined:", text=text)
    assert _display(names).endswith("2. Commitment.") and defects(_display(names)) == []  # a list of names ends there


def test_readability_defects_are_the_ones_a_reader_trips_over():
    assert defects("Based on the practices, we identified four main types of funding:") == ["list intro without its list"]
    assert defects("These centres carry out integrated services. [3]") == ["points back to unseen text"]
    assert "table debris" in defects("Joint/pooled funding 20 45% Single agency funding 15 34%.")
    # A list counting in brackets is a sentence, not a table's rows.
    assert defects("Practices came from 6 countries: Belgium (3), Denmark (3), Finland (6), France (4) and Spain (5).") == []
    assert "about the document, not the subject" in defects("This will be presented in the practice review.")
    # The authors' plan for the text is no finding; what they found or did is.
    assert "about the document, not the subject" in defects("First, we will address ways of organising teamwork.")
    assert "about the document, not the subject" in defects("Therefore, we explored how leadership is addressed.")
    assert defects("We found that less than 25% of the reviewed articles mentioned evaluation.") == []
    assert defects("We focused on studies written in English that had appeared in peer-review journals.") == []
    assert defects("The framework is delivered through approximately 400 local jobcentres with a one- stop") == [
        "stops mid-sentence"
    ]
    assert bullets("**In short**\n- One. [1]\n\n| a | b |\n- Two. [2]") == ["One. [1]", "Two. [2]"]


def test_citations_are_numbered_by_first_use_cite_ids_and_name_a_card_as_the_route():
    passages = [
        Passage(chunk=chunk("p0", "Unrelated passage about housing."), score=1),
        Passage(chunk=chunk("p1", "Pooled budgets fund the centre. Staff are trained jointly."), score=1),
        Passage(
            chunk=chunk(
                "card", "Practice FI6, LAFOS (Finland). Funding: pooled.", "practice_card", "Practice cards > FI6", ["FI6"]
            ),
            score=1,
        ),
    ]
    draft = Draft(
        claims=[
            DraftClaim("Staff are trained jointly.", ["p1"], quote="Staff are trained jointly.", heading="In short"),
            DraftClaim(
                "FI6 (LAFOS, Finland) — funding: joint / pooled funding.",
                ["card"],
                quote="Half of the costs are funded by the PES",
                heading="Comparable practices",
                cite_as=("Integrated social services in Europe (ESN, 2016)", "via practice card FI6"),
            ),
            DraftClaim("Pooled budgets fund the centre.", ["p1"], quote="Pooled budgets fund the centre.", heading="In short"),
        ],
        notes=["Practice examples are self-reported."],
    )
    answer = build_answer("q", draft, passages, "extractive", PROFILE, 0.5)
    assert [c.chunk_id for c in answer.citations] == ["p1", "card"]  # p0 was never cited
    assert [cl.citations for cl in answer.claims] == [[1], [2], [1]]
    assert answer.citations[0].quote == "Staff are trained jointly. … Pooled budgets fund the centre."
    assert answer.citations[0].evidence_label == "case study"
    card = answer.citations[1]
    assert card.doc_title.startswith("Integrated social services") and card.section == "via practice card FI6"
    assert card.quote == "Half of the costs are funded by the PES"  # the source's words, not the card's
    assert answer.practices == ["FI6"]
    assert answer.answer_markdown.splitlines()[:2] == ["**In short**", "- Staff are trained jointly. [1]"]
    assert answer.answer_markdown.endswith("_Practice examples are self-reported._")
    assert [r.chunk_id for r in answer.retrieved] == ["p0", "p1", "card"]  # the whole ranked list is recorded


def test_a_table_claim_is_shown_as_a_markdown_table_with_its_citation():
    passages = [Passage(chunk=chunk("t", "Table 7: Ways to fund\nJoint/pooled funding | 20 | 45%"), score=1)]
    table = "| Ways | # | % |\n|---|---|---|\n| Joint/pooled funding | 20 | 45% |"
    draft = Draft(
        claims=[
            DraftClaim(
                "Table 7: Joint/pooled funding … 20 … 45%",
                ["t"],
                quote="Joint/pooled funding … 20 … 45%",
                table_md=table,
                caption="Table 7: Ways to fund",
            )
        ]
    )
    answer = build_answer("q", draft, passages, "extractive", PROFILE, 0.5)
    assert "Table 7: Ways to fund [1]" in answer.answer_markdown and table in answer.answer_markdown
    assert bullets(answer.answer_markdown) == []


def test_an_answer_whose_every_claim_fails_the_guard_is_a_refusal():
    passages = [Passage(chunk=chunk("p0", "20 practices use pooled funding."), score=1)]
    draft = Draft(claims=[DraftClaim("90 practices use pooled funding.", ["p0"])])
    answer = build_answer("q", draft, passages, "openai", PROFILE, 0.5)
    assert not answer.supported and answer.guard and answer.guard.removed_claims == 1


def test_a_figure_is_the_kind_of_number_asked_for():
    from app.query.relevance import gives_figure

    audit = "An audit on cost-effectiveness was carried out by KPMG in 2014."
    assert not gives_figure(audit, "money", PROFILE) and not gives_figure(audit, "count", PROFILE)  # a year is neither
    assert gives_figure("The scheme saved EUR 1.2 million a year.", "money", PROFILE)
    assert gives_figure("Joint/pooled funding 20 45%", "share", PROFILE) and not gives_figure("20 practices", "share", PROFILE)
    assert gives_figure("We reviewed 44 practices.", "count", PROFILE) and gives_figure("in 2014, 44 practices", "other", PROFILE)
    # An age or a length of time counts nothing: "how many children …" is not answered by "children under 18".
    ages = "It serves children under the age of 18; children aged 0 to 3 and 3 to 6 are seen for up to 2 years."
    assert not gives_figure(ages, "count", PROFILE, measured="children")
    assert gives_figure("In one year, 4,500 children aged 0 to 6 were reported.", "count", PROFILE, measured="children")
    # A count counts the thing right after it: "three sectors, notably teachers" does not count teachers.
    sectors = "Professionals from all three sectors, notably teachers, social workers and nurses, engage with the children."
    assert not gives_figure(sectors, "count", PROFILE, measured="teacher")
    assert gives_figure("The centre employs 12 teachers and 3 social workers.", "count", PROFILE, measured="teacher")
    assert gives_figure("Children stay for two years on average.", "duration", PROFILE)
    assert gives_figure("It has run since 2008.", "duration", PROFILE)
    assert not gives_figure("Staff meet the families regularly.", "duration", PROFILE)
    assert gives_figure("The pilot started in Hamburg in 2007.", "year", PROFILE)
    assert not gives_figure("An audit on cost-effectiveness was carried out.", "year", PROFILE)


def test_the_sources_own_sentence_takes_the_place_of_the_card_summary_it_says_more_than():
    """A card's "what it is" paraphrases the report's sentence about the practice; the sentence, which goes on to the
    practice's results, replaces it instead of being dropped as its repeat."""
    summary = candidate("A pilot in which a doctor prescribes home improvements to patients with cold, damp homes.", 0.9)
    summary.kind, summary.card_field, summary.codes = "card_fact", "summary", ["GB1"]
    sentence = candidate(
        "In the pilot (GB1) a doctor prescribes home improvements to patients with cold, damp homes; "
        "doctor visits were reduced by a third.",
        0.8,
    )
    sentence.codes = ["GB1"]
    other = candidate("Case managers coordinate support across services.", 0.7)
    overlap = SETTINGS.answer.duplicate_overlap
    assert [c.text for c in pick([summary, sentence, other], 2, [], overlap=overlap)] == [sentence.text, other.text]
    shorter = candidate("A doctor prescribes home improvements to patients with cold, damp homes (GB1).", 0.8)
    shorter.codes = ["GB1"]  # says no more than the summary: a repeat, left out
    assert [c.text for c in pick([summary, shorter, other], 2, [], overlap=overlap)] == [summary.text, other.text]


def test_a_name_is_a_capitalised_name_near_the_kind_asked_that_the_question_does_not_give():
    from app.query.relevance import gives_name

    question = "Which Dutch institute worked with ESN on the report?"
    assert gives_name(
        "ESN worked closely with the Dutch knowledge institute Vilans on this report.", "institute", question, PROFILE
    )
    # The question's own names, a country, a code and a sentence's first word name nothing new.
    assert not gives_name("ESN worked with a Dutch institute in the Netherlands (NL1).", "institute", question, PROFILE)
    assert not gives_name("The institute. Vilans is far away from it in another sentence.", "foundation", question, PROFILE)
    assert not gives_name("Foundation funds are combined with public budgets.", "foundation", "Which foundation pays?", PROFILE)
    # A doer is named beside the work or its verb ("an audit … by KPMG", "evaluated by"), not beside anything else.
    asked = "Who audited Kotitori?"
    assert gives_name("In 2014 an audit was conducted by KPMG on cost-effectiveness.", "auditor", asked, PROFILE)
    assert not gives_name("In 2014 Kotitori was praised in Tampere for its cost-effectiveness.", "auditor", asked, PROFILE)
