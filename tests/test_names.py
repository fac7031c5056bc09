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
