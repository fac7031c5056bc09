"""Typed evidence units built from a hand-made cleaned document (no model)."""

from app.core.codes import PracticeCodes
from app.core.config import ROOT
from app.core.corpus_profile import load_profile
from ingest.clean import Line
from ingest.sections import build_blocks
from ingest.units import UnitBuilder

PROFILE = load_profile(ROOT / "corpus")
BUILDER = UnitBuilder(PROFILE, PracticeCodes.from_profile(PROFILE), 30)


def units_of(*paragraphs: str, heading: str = "How may integrated services be funded?"):
    lines = [Line("Practice review of integrated services in Europe", 1, True), Line("", 1)]
    lines += [Line(heading, 1), Line("", 1)]
    for p in paragraphs:
        lines += [Line(p, 1), Line("", 1)]
    return BUILDER.build(build_blocks(lines, PROFILE.headings), "doc", "report", {})


def test_a_sentence_that_points_back_carries_the_sentence_before_it():
    units = units_of(
        "The Labour Force Service Centres were opened in 2004 across Finland. These centres carry out integrated services "
        "targeted at the long-term unemployed and clients with complex needs."
    )
    texts = [u.text for u in units]
    assert texts[1].startswith("The Labour Force Service Centres were opened") and "These centres carry out" in texts[1]
    assert not any(t.startswith("These") for t in texts)


def test_a_list_keeps_its_intro_and_items_and_a_page_break_is_joined():
    units = units_of(
        "Based on the practices we identified two main types of funding integrated services:",
        "- Joint/pooled funding: two or more agencies pool budgets to fund services. - Single agency funding: the practice is",
        "financed by one agency.",
    )
    lists = [u for u in units if u.kind == "list"]
    assert len(lists) == 1
    assert lists[0].text.startswith("Based on the practices") and lists[0].text.endswith("financed by one agency.")
    assert not any(u.text.endswith(":") or u.text.endswith("is") for u in units)


def test_a_numbered_list_keeps_its_items_and_its_intro_says_what_it_points_back_to():
    units = units_of(
        "Minkman et al. (2011) developed this conceptual model called the Development Model for Integrated Care (DMIC). "
        "It offers a distinction of four developmental phases:",
        "1. Initiative and design phase. 2. Experimental and execution phase.",
        "3. Expansion and monitoring phase. 4. Consolidation and transformation phase.",
        "Furthermore, nine key elements of integrated services are defined:",
        "1. User-centredness 2. Delivery system 3. Performance management",
        "4. Quality care 5. Commitment",
        "In phase 2. The teams met weekly to agree the plan.",
        "These are two examples of the integrated approach in Renfrewshire:",
        "1. Day services for adults with learning disabilities are run jointly by Social Work and Leisure.",
        "2. The Search model is designed for young people with mild learning disabilities up to 25 years.",
    )
    lists = [u.text for u in units if u.kind == "list"]
    assert len(lists) == 3
    assert lists[0].startswith("Minkman et al. (2011) developed") and lists[0].endswith("Consolidation and transformation phase.")
    assert lists[1].startswith("Furthermore, nine key elements") and lists[1].endswith("5. Commitment")
    # No item stands alone as a statement, and a number inside a sentence does not start a list.
    assert not any(u.text.startswith(("1.", "3.", "4.")) for u in units)
    assert not any("The teams met weekly" in t for t in lists)
    # An item that is a sentence of its own is also a statement of its own.
    assert "The Search model is designed for young people with mild learning disabilities up to 25 years." in {
        u.text for u in units if u.kind == "sentence"
    }


def test_recommendations_keep_their_example_and_audience():
    units = units_of(
        "Create funding frameworks that allow shared financing of integrated services. Example: This could be carried out "
        "through pooled budgets or shared project financing.",
        heading="POLICY-MAKERS",
    )
    # The heading alone is not the profile's recommendations section: these are ordinary sentences.
    assert all(u.kind != "recommendation" for u in units)


def test_debris_captions_and_fragments_are_not_units():
    units = units_of(
        "Ways to fund integrated services: # of practices % of total (n= 44) Joint/pooled funding 20 45% Single agency 15 34%",
        "Table 7: Ways to fund integrated services (n=44)",
        "20 practices are financed by joint or pooled funding, for instance the Curcubeu centre (RO1).",
    )
    assert [u.text for u in units] == [
        "20 practices are financed by joint or pooled funding, for instance the Curcubeu centre (RO1)."
    ]
    assert units[0].practice_codes == ["RO1"]


def test_a_footnote_is_stated_without_its_number_and_a_sentence_starting_with_a_figure_keeps_it():
    units = units_of(
        "We searched the literature databases of the field for articles on integrated social services1.",
        "ESN launched a call amongst its members and we received 44 complete templates from 17 European countries2.",
        "1 For an overview of the database searches, please refer to appendix I. 2 All practices have been uploaded in the "
        "practice library of the network.",
        "20 practices are financed by joint or pooled funding, for instance the Curcubeu centre (RO1).",
    )
    texts = [u.text for u in units]
    # two notes of one page run together: each its own statement, without its number
    assert "All practices have been uploaded in the practice library of the network." in texts
    assert "For an overview of the database searches, please refer to appendix I." in texts
    assert not any(t[:2] in ("1 ", "2 ") or " 2 All" in t for t in texts)
    assert any(t.startswith("20 practices are financed") for t in texts)


def test_a_sentence_with_a_dash_is_one_statement_not_a_list():
    """ "… in Central Germany - Kyffhäuserkreis, …" read as a list lost the sentence from the dash on (its "mobility
    ticket" never reached an answer); the cleaned text's dash keeps it whole."""
    from ingest.clean import mark_dashes

    sentence = (
        "In four rural districts in Central Germany - Kyffhäuserkreis and Landkreis Westerwald, additional approaches were "
        "implemented, including joint consultation hours and the development of a mobility ticket."
    )
    units = units_of(mark_dashes(sentence))
    assert [u.kind for u in units] == ["sentence"] and "mobility ticket" in units[0].text


def test_a_sentence_whose_it_stands_for_what_follows_is_a_statement_at_a_sections_start():
    """ "It is striking that only 13 out of the 60 …" opens its section: "It" points back to nothing, so the sentence is
    kept (it was dropped as pointing back); a section opening "It offers …" still points back and is not."""
    units = units_of(
        "It is striking that only 13 out of the 60 reviewed articles mentioned monitoring and evaluation.",
        heading="Monitoring and evaluating practice",
    )
    assert [u.text for u in units] == [
        "It is striking that only 13 out of the 60 reviewed articles mentioned monitoring and evaluation."
    ]
    assert units_of("It offers integrated support to young people and their families in the region.") == []
