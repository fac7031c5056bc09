"""Sources differ: the curated entries, their check, and the notes an answer gets (hand-made data, no model)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from app.core.codes import PracticeCodes
from app.core.config import ROOT, Settings
from app.core.corpus_profile import load_profile
from app.core.differences import DIFFERENCES_FILE, Difference, load_differences
from app.core.draft import Draft
from app.core.models import Chunk, Passage
from app.query.ask import build_answer
from app.query.differences import DifferenceNotes, asks_agreement, note_text, notes_for
from app.query.guard import apply_guard
from ingest.card_check import check_card_set, check_differences

CORPUS = ROOT / "corpus"
PROFILE = load_profile(Settings().corpus_dir)


# ---- the curated file and its check -------------------------------------------------------------


def test_the_curated_differences_pass_the_check_and_cover_what_the_issue_names():
    assert check_differences(CORPUS) == []
    entries = {d.id: d for d in load_differences(CORPUS)}
    assert len(entries) >= 8  # curated: each a real difference, none a duplicate (ids unique)
    size = entries["literature-review-size"]
    assert [(s.document, s.value) for s in size.sides] == [("report", "60 articles"), ("paper", "34 peer-reviewed articles")]
    assert {s.value for s in entries["maia-code"].sides} == {"FR1", "FR2"}
    assert {s.value for s in entries["recovery-code"].sides} == {"DK3", "DK2"}
    assert [s.value for s in entries["wellbeing-effect-count"].sides] == ["13 practices", "12 practices"]  # Table 6 vs its text


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A corpus whose cards, profile, tables and documents are the real ones and whose differences.yaml can be edited."""
    for name in ("documents", "practices"):
        (tmp_path / name).symlink_to(CORPUS / name)
    for name in ("profile.yaml", "tables.yaml", DIFFERENCES_FILE):
        shutil.copy(CORPUS / name, tmp_path / name)
    return tmp_path


def edit_entries(corpus: Path, change) -> None:
    path = corpus / DIFFERENCES_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_note_reads_without_the_line_break_hyphens_of_the_pdf():
    """A quote is shown as the note's text: "organiza- tions" (a PDF line break) would be a reading defect; the check
    still finds the repaired quote in its document, where letters and digits alone are compared."""
    import re

    for difference in load_differences(CORPUS):
        assert not re.search(r"[a-z]- [a-z]", note_text(difference)), note_text(difference)


def test_cards_check_fails_a_quote_that_is_not_in_its_document(corpus_copy):
    def wrong_quote(data):
        data[0]["sides"][1]["quote"] = "the 43 articles and the 44 practice responses studied did provide sufficient data"

    edit_entries(corpus_copy, wrong_quote)
    problems = [str(p) for p in check_card_set(corpus_copy)[1]]
    assert len(problems) == 1
    assert problems[0].startswith("differences.yaml: literature-review-size: quote not found in the paper")


def test_cards_check_fails_a_quote_from_the_other_document(corpus_copy):
    def swapped(data):  # the report's sentence put on the paper's side
        data[0]["sides"][1]["quote"] = data[0]["sides"][0]["quote"]

    edit_entries(corpus_copy, swapped)
    problems = [str(p) for p in check_card_set(corpus_copy)[1]]
    assert any("quote not found in the paper" in p for p in problems)
    assert any("both sides quote the same passage" in p for p in problems)


def test_cards_check_fails_an_entry_with_one_side_or_no_value(corpus_copy):
    edit_entries(corpus_copy, lambda data: data[0].update(sides=data[0]["sides"][:1]))
    problems = [str(p) for p in check_card_set(corpus_copy)[1]]
    assert len(problems) == 1 and "literature-review-size" in problems[0] and "sides" in problems[0]

    shutil.copy(CORPUS / DIFFERENCES_FILE, corpus_copy / DIFFERENCES_FILE)
    edit_entries(corpus_copy, lambda data: data[1]["sides"][0].pop("value"))
    problems = [str(p) for p in check_card_set(corpus_copy)[1]]
    assert len(problems) == 1 and "literature-review-kind" in problems[0] and "value" in problems[0]


def test_a_corpus_without_differences_has_none(tmp_path):
    assert load_differences(tmp_path) == []


# ---- which notes an answer gets, on toy entries ---------------------------------------------------

TOY = [
    Difference.model_validate(
        {
            "id": "review-size",
            "measure": "number of articles in the literature review",
            "terms": ["articles", "literature review", "reviewed", "how many"],
            "sides": [
                {"document": "report", "value": "60", "quote": "A total of 60 articles were analysed in the end."},
                {
                    "document": "paper",
                    "value": "34",
                    "quote": "The 34 articles were coded in MaxQDA. They were analysed by cluster.",
                    "also": ["Articles N = 34"],
                },
            ],
        }
    ),
    Difference.model_validate(
        {
            "id": "otter-code",
            "measure": "the code of the Otter practice",
            "terms": ["Otter", "code"],
            "sides": [
                {"document": "report", "value": "XY1", "quote": "The Otter practice (XY1) uses a phone line."},
                {"document": "report", "value": "XY2", "quote": "Another example, the Otter practice (XY2), is led by a board."},
            ],
        }
    ),
]


def test_an_answer_citing_one_side_gets_the_note():
    cited = ["Using the question as guidance, a systematic review was done. A total of 60 articles were analysed in the end."]
    assert notes_for(TOY, cited, "How big was the literature review?") == [TOY[0]]
    # most of a two-sentence quote, with another line break and typography, counts as citing it
    assert notes_for(TOY, ["the 34 arti- cles were coded in MaxQDA. They were analysed"], "q") == [TOY[0]]
    assert notes_for(TOY, ["Table 2 | Articles N = 34 | Practices N = 44"], "q") == [TOY[0]]  # a passage in `also`
    assert notes_for(TOY, ["Another example, the Otter practice (XY2), is led by a board."], "q") == [TOY[1]]


def test_an_answer_citing_neither_side_gets_no_note():
    assert notes_for(TOY, ["Pooled budgets fund the centre.", "articles"], "How are services funded?") == []
    assert notes_for(TOY, ["34"], "q") == []  # a fragment is not the quote


def test_a_do_the_sources_agree_question_gets_the_entry_on_its_measure():
    question = "Do the report and the paper agree on how many articles they reviewed?"
    assert asks_agreement(question)
    assert notes_for(TOY, [], question) == [TOY[0]]
    assert notes_for(TOY, [], "Does the report contradict itself on the code of the Otter practice?") == [TOY[1]]
    assert notes_for(TOY, [], "Where do the report and the paper differ?") == TOY  # no measure named: all of them
    # Asking for agreement about something no entry measures, or not asking about agreement at all: nothing.
    assert notes_for(TOY, [], "Do the sources agree on how practices were funded?") == []
    assert not asks_agreement("How many articles did the literature review analyse?")
    assert not asks_agreement("How do services differ between countries?")  # not about the sources
    assert notes_for(TOY, [], "How many articles were reviewed in different countries?") == []


def test_the_note_has_one_wording_with_both_quotes():
    assert note_text(TOY[0]) == (
        "The sources differ: the report says “A total of 60 articles were analysed in the end”; "
        "the paper says “The 34 articles were coded in MaxQDA. They were analysed by cluster”."
    )
    assert note_text(TOY[1]).startswith(
        "The sources differ: the report says “The Otter practice (XY1) uses a phone line”; elsewhere the report says “Another"
    )


def test_the_note_shows_a_share_a_side_gives_only_in_another_of_its_passages():
    """ "teamwork was mentioned in all of the articles": the paper's 97% is in its table, and the note shows it."""
    teamwork = {d.id: d for d in load_differences(CORPUS)}["literature-teamwork"]
    text = note_text(teamwork)
    assert "88% of the studies" in text and "all of the articles” and “Inter-professional teamwork 97% 33”" in text
    size = {d.id: d for d in load_differences(CORPUS)}["literature-review-size"]
    assert note_text(size).count("“") == 2  # its other passages give no share: one quote a side


def chunk(cid: str, text: str, source_type: str) -> Chunk:
    return Chunk(id=cid, text=text, doc_id=source_type, doc_title=source_type.title(), source_type=source_type)


CHUNKS = [
    chunk("r1", "Methodology. We used PubMed. A total of 60 articles were analysed in the end.", "report"),
    chunk("p1", "The 34 arti-cles were coded in MaxQDA. They were analysed by cluster of the DMIC.", "paper"),
    chunk("u1", "A total of 60 articles were analysed in the end.", "user_document"),  # never a source's side
]


def test_the_note_cites_each_side_where_its_quote_is_and_passes_the_guard():
    notes = DifferenceNotes(TOY, CHUNKS)
    claims = notes.claims(["A total of 60 articles were analysed in the end."], "How big was the review?")
    assert len(claims) == 1
    claim = claims[0]
    assert claim.sources == ["r1", "p1"] and claim.heading == "Where the sources differ"
    assert claim.quotes == {"r1": TOY[0].sides[0].quote, "p1": TOY[0].sides[1].quote}
    passages = [Passage(chunk=c, score=1.0) for c in CHUNKS]
    kept, report = apply_guard(claims, passages, PracticeCodes.from_profile(PROFILE), 0.5)
    assert kept == claims, report.problems
    # each citation shows its own side's quote
    answer = build_answer("q", Draft(claims=claims), passages, "extractive", PROFILE, 0.5)
    assert [(c.chunk_id, c.quote) for c in answer.citations] == [("r1", TOY[0].sides[0].quote), ("p1", TOY[0].sides[1].quote)]
    assert answer.answer_markdown.splitlines()[1].startswith("- The sources differ: the report says “A total of 60 articles")
    assert answer.answer_markdown.endswith("[1][2]")


def test_no_note_when_a_side_has_no_passage():
    notes = DifferenceNotes(TOY, CHUNKS)
    assert notes.claims(["The Otter practice (XY1) uses a phone line."], "q") == []  # the Otter passages are not indexed


# ---- through the real assistant (slow: the real model and index) -----------------------------------


def test_every_side_of_every_entry_is_held_whole_by_one_indexed_passage_of_its_document(assistant):
    notes = assistant.composer.differences
    assert len(notes.differences) == len(load_differences(CORPUS))
    for d in notes.differences:
        for side in d.sides:
            chunk = notes.passage_of(side)
            assert chunk is not None and chunk.source_type == side.document, (d.id, side.quote)


def test_a_do_the_sources_agree_question_is_answered_with_both_sides_each_cited(assistant):
    answer = assistant.ask("Do the report and the paper agree on how many articles they reviewed?")
    assert answer.supported
    lines = answer.answer_markdown.splitlines()
    assert lines[0] == "**Where the sources differ**"  # the answer opens with both sides
    note = next(c for c in answer.claims if c.text.startswith("The sources differ: the report says “A total of 60 articles"))
    assert "the paper says “the 34 articles and the 44 practice responses" in note.text
    cited = {answer.citations[n - 1].source_type: answer.citations[n - 1].quote for n in note.citations}
    assert set(cited) == {"report", "paper"}  # each side cited to a passage of its own document
    assert "A total of 60 articles were analysed in the end." in cited["report"]
    assert "the 34 articles and the 44 practice responses studied" in cited["paper"]
    problems = answer.guard.problems if answer.guard else []
    assert not any("The sources differ" in p for p in problems)  # the guard checked and kept it


def test_asked_whether_the_sources_agree_on_a_measure_they_give_alike_the_answer_says_they_agree(assistant):
    answer = assistant.ask("Does the paper give the same share of pooled-funding practices as the report?")
    assert answer.supported and answer.answer_markdown.startswith("**Where the sources agree**")
    note = next(c for c in answer.claims if c.text.startswith("The sources agree:"))
    assert "20 practices are financed by joint or pooled funding" in note.text and "Forty-five percent" in note.text
    assert {answer.citations[n - 1].source_type for n in note.citations} == {"report", "paper"}


def test_agreement_is_asked_in_the_words_readers_use():
    for question in (
        "How many members does ESN have? The report and the paper give different figures.",
        "Is Stay on Track coded the same in both documents?",
        "Do the two sources say the same about how many templates were received?",
    ):
        assert asks_agreement(question), question
    assert not asks_agreement("Which different sectors work with social services?")  # the sources are not compared


SAME = Difference.model_validate(
    {
        "id": "single-lead",
        "measure": "how many practices are led by a single organisation",
        "terms": ["single organisation", "led by", "leadership"],
        "agree": True,
        "sides": [
            {"document": "report", "value": "33 of 44", "quote": "Most practices (33 of 44) are led by a single organisation."},
            {"document": "paper", "value": "75%", "quote": "Most practices (75%) are led by a single organization."},
        ],
    }
)


def test_an_entry_where_the_sources_agree_answers_only_the_question_asking_whether_they_agree():
    entries = [*TOY, SAME]
    question = "Do the report and the paper give the same number of practices led by a single organisation?"
    assert notes_for(entries, [], question) == [SAME]
    assert note_text(SAME).startswith("The sources agree: the report says “Most practices (33 of 44)")
    # Citing one side needs no note, and "where do they differ?" does not list what they agree on.
    assert notes_for(entries, ["Most practices (33 of 44) are led by a single organisation."], "Who leads the practices?") == []
    assert notes_for(entries, [], "Where do the report and the paper differ?") == TOY


def test_asked_whether_the_sources_agree_on_one_measure_the_answer_gives_that_entry_not_others_sharing_its_words():
    from app.query.differences import asked_about

    differences = load_differences(ROOT / "corpus")
    # "how many reviewed articles concern health alone" holds the words of this question as fully as the count does
    asked = asked_about(differences, "Do the report and the paper agree on how many articles were reviewed?")
    assert [d.measure for d in asked] == ["number of articles in the literature review"]
    health = asked_about(differences, "Do the sources agree on how many reviewed articles concern health alone?")
    assert [d.measure for d in health] == ["how many reviewed articles concern social services with health alone"]
