"""The grounding guard on hand-made drafts (no retrieval needed)."""

from app.core.codes import PracticeCodes
from app.core.draft import DraftClaim
from app.core.models import Chunk, Passage
from app.query.guard import apply_guard
from app.query.guard import check_claim as check

CODES = PracticeCodes(("GB", "FI"))


def check_claim(claim: DraftClaim, passages: list[Passage]) -> str | None:
    return check(claim, passages, CODES, 0.5)


def passage(cid: str, text: str, codes: list[str] | None = None) -> Passage:
    chunk = Chunk(id=cid, text=text, doc_id="d", doc_title="D", source_type="report", practice_codes=codes or [])
    return Passage(chunk=chunk, score=1.0)


PASSAGES = [
    passage(
        "boiler",
        "GP visits were reduced by 33,3% and heating bills lowered by £30 a month in the Boiler on prescription pilot (GB1).",
        ["GB1"],
    ),
    passage("pooled", "Twenty practices are financed by joint or pooled funding."),
]


def test_grounded_claim_passes():
    assert (
        check_claim(DraftClaim("The Boiler on prescription pilot (GB1) reduced GP visits by 33,3%.", ["boiler"]), PASSAGES)
        is None
    )


def test_decimal_comma_and_point_are_the_same_number():
    assert check_claim(DraftClaim("GP visits fell by 33.3% in the Boiler on prescription pilot.", ["boiler"]), PASSAGES) is None


def test_number_absent_from_cited_passage():
    assert "states 40%" in check_claim(DraftClaim("GP visits were reduced by 40% in the pilot.", ["boiler"]), PASSAGES)


def test_practice_code_absent_from_cited_passage():
    assert "FI5" in check_claim(DraftClaim("Pooled funding finances practices such as FI5.", ["pooled"]), PASSAGES)


def test_uncited_and_out_of_range():
    assert check_claim(DraftClaim("Twenty practices pool funding.", []), PASSAGES) == "no citation"
    assert "not retrieved" in check_claim(DraftClaim("Twenty practices pool funding.", ["missing:5"]), PASSAGES)


def test_report_counts_removals():
    kept, report = apply_guard(
        [
            DraftClaim("Twenty practices are financed by pooled funding.", ["pooled"]),
            DraftClaim("Heating bills fell by £90.", ["boiler"]),
        ],
        PASSAGES,
        CODES,
        0.5,
    )
    assert len(kept) == 1 and report.checked_claims == 2 and report.removed_claims == 1


def test_a_lists_enumerators_are_no_figures_but_its_figures_are():
    """The answer shows a list's items as "(1) … (2) …": those numbers are the answer's, not the source's."""
    types = passage("types", "We identified two types of funding: - Pooled funding: budgets are pooled. - Single agency funding.")
    shown = "We identified two types of funding: (1) Pooled funding: budgets are pooled. (2) Single agency funding."
    assert check_claim(DraftClaim(shown, ["types"]), [types]) is None
    wrong = "We identified two types of funding: (1) Pooled funding in 12 practices. (2) Single agency funding."
    assert check_claim(DraftClaim(wrong, ["types"]), [types]) == "states 12, which its cited passage does not contain"


def test_a_practices_name_is_its_codes_but_the_code_and_the_finding_are_checked():
    """How an answer names a practice, "GB1 (Boiler on prescription for people with lung disease, United Kingdom)",
    is the code's name, not words the passage must repeat; the code itself and what is said of it still are checked."""
    label = "GB1 (Boiler on prescription for people with chronic lung disease (COPD) living in cold damp homes, United Kingdom) —"
    assert check_claim(DraftClaim(f"{label} heating bills lowered by £30 a month.", ["boiler"]), PASSAGES) is None
    named = label.removeprefix("GB1 ").replace(" —", ":") + " heating bills lowered by £30 a month."
    assert "shares only" in check_claim(DraftClaim(named, ["boiler"]), PASSAGES)  # no code: the words count
    other = "FI1 (Boiler on prescription, Finland) — heating bills lowered by £30 a month."
    assert "names practice FI1" in check_claim(DraftClaim(other, ["boiler"]), PASSAGES)
    unsaid = f"{label} hospital admissions fell and carers were trained in every region."
    assert "shares only" in check_claim(DraftClaim(unsaid, ["boiler"]), PASSAGES)


def test_a_card_facts_field_label_is_the_cards_heading_not_words_the_passage_must_hold():
    """ "GB1 (…) — its number in the IJIC paper: P7." states P7; "its number in the IJIC paper" names the card field."""
    card = [passage("card", "Practice GB1, Boiler on prescription (United Kingdom). Paper reference: P7.", ["GB1"])]
    label = "GB1 (Boiler on prescription, United Kingdom)"
    assert check_claim(DraftClaim(f"{label} — its number in the IJIC paper: P7.", ["card"]), card) is None
    assert "states 8" in check_claim(DraftClaim(f"{label} — its number in the IJIC paper: 8.", ["card"]), card)
    unsaid = f"{label} — reported effects: hospital admissions fell and carers were trained in every region."
    assert "shares only" in check_claim(DraftClaim(unsaid, ["card"]), card)
