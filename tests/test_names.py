"""Name scanning for refusals: which words of a question are taken as names (no model)."""

from app.query.analyse import scan_names


def names(question: str) -> list[str]:
    return [n for n, _ in scan_names(question)]


def test_capitalised_words_codes_and_years_are_names():
    assert names("What did Finland's FI5 practice achieve in 2016?") == ["Finland", "FI5", "2016"]


def test_question_words_and_contractions_are_not_names():
    assert names("What does it say? I'm asking about Japan.") == ["Japan"]


def test_a_capital_at_a_sentence_start_is_flagged_as_such():
    scanned = dict(scan_names("Funding in Sweden. Integrated teams: who leads them?"))
    assert scanned["Funding"] is True and scanned["Integrated"] is True
    assert scanned["Sweden"] is False


def _passages(*texts: str):
    from app.core.models import Chunk, Passage

    chunks = [Chunk(id=f"c{i}", text=t, doc_id="doc", doc_title="The paper", source_type="paper") for i, t in enumerate(texts)]
    return [Passage(chunk=c, score=1.0) for c in chunks]


def test_a_compound_and_a_countrys_name_of_two_words_are_not_names_the_passages_miss():
    from app.core.config import ROOT
    from app.core.corpus_profile import load_profile
    from app.query.analyse import names_not_in

    profile = load_profile(ROOT / "corpus")
    found = _passages("Single assessment tool (GB4), Northern Ireland. Paper number P43 in Table 2.")
    question = "Which Northern Irish practice has which P-number in the paper?"
    assert names_not_in(question, found, profile) == []  # "P-number": each word is there; "Irish": the UK's
    assert names_not_in("What does the paper say about Canada?", found, profile) == ["Canada"]
