"""The workshop pack: quiz and discussion items cite verbatim quotes; the three formats carry quotes and codes.

Fast tests build the pack's parts from the real tables, documents and profile (no model, no index);
the slow ones run ``joinedup pack`` in-process against the session's real index.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from app.cli import main
from app.core.cards import load_cards
from app.core.config import ROOT
from app.core.corpus_profile import load_profile
from app.core.models import Answer, Citation, Claim, Unit
from app.core.normalise import normalise
from app.core.tables import Table, load_tables
from app.core.text import numbers_in
from app.pack import Pack, chosen_codes, render_docx, render_markdown, render_pdf
from app.pack.answers import cited_answer
from app.pack.discussion import barrier_questions, barriers_table, recommendation_questions
from app.pack.model import AnswerBlock, CitedAnswer, Comparison, DiscussionItem, Fact, PracticePage, QuizItem, Source
from app.pack.practice_pages import practice_pages
from app.pack.quiz import build_quiz
from app.pack.sources import EXCERPT_JOIN, SourceTexts, document_id

CORPUS = ROOT / "corpus"
REPORT = "esn-integrated-social-services-in-europe-2016.txt"
QUOTED = re.compile(r"“([^”]+)”")


@pytest.fixture(scope="module")
def texts() -> SourceTexts:
    """The real source documents, titled by their file names (no index needed)."""
    paths = sorted((CORPUS / "documents").glob("*.txt"))
    return SourceTexts({p.name: p.read_text(encoding="utf-8") for p in paths})


@pytest.fixture(scope="module")
def tables() -> list[Table]:
    return list(load_tables(CORPUS).values())


@pytest.fixture(scope="module")
def profile():
    return load_profile(CORPUS)


def verbatim(quote: str, corpus_quotes) -> bool:
    """Every excerpt of the quote occurs in the corpus documents (the check ``cards check`` uses)."""
    return all(corpus_quotes.contains(part) for part in quote.split(EXCERPT_JOIN))


def test_every_quiz_item_cites_a_verbatim_quote_holding_its_answer(texts, tables, corpus_quotes):
    quiz = build_quiz(tables, texts, "How are integrated services funded? joint / pooled funding", {"DE1": "Jobcentres"}, 8)
    assert 5 <= len(quiz) <= 8
    for item in quiz:
        assert item.sources, item.question
        for source in item.sources:
            assert verbatim(source.quote, corpus_quotes), source.quote
            assert source.where.startswith(("Table ", "Figure ")), source.where  # the answer key says which table
        cited = " ".join(f"{s.where} {s.quote}" for s in item.sources)
        assert set(numbers_in(item.answer)) <= set(numbers_in(cited)), (item.answer, cited)  # the figures are the table's
        if item.options:
            assert item.answer.split(" (")[0] in item.options


def test_a_funding_topic_asks_for_the_share_of_practices_with_pooled_funding(texts, tables):
    quiz = build_quiz(tables, texts, "How are integrated services funded?", {}, 6)
    pooled = [q for q in quiz if "Joint/pooled funding" in q.answer]
    assert pooled, [q.question for q in quiz]
    assert "45%" in pooled[0].answer and "20" in pooled[0].answer
    assert pooled[0].sources[0].quote == "Joint/pooled funding 20 45%"
    assert "Table 7" in pooled[0].sources[0].where


def test_a_chosen_practice_is_asked_for_by_a_row_that_names_it_among_practices_it_does_not(texts, tables):
    names = {"DE1": "Integrated employment and social support for jobseekers", "FI6": "LAFOS", "BE2": "Children First",
             "FI5": "Finnish Clubhouses model"}  # fmt: skip
    quiz = build_quiz(tables, texts, "jobcentres", {"DE1": names["DE1"]}, 8, names)
    item = next(q for q in quiz if q.answer.startswith("DE1"))
    (table,) = [t for t in tables if t.number == 6 and t.document == REPORT]
    (row,) = [r for r in table.rows if r[0] in item.question]
    assert "DE1" in row[2] and item.answer in item.options and len(item.options) >= 3
    assert not any(option.split(" — ")[0] in row[2] for option in item.options if option != item.answer)  # wrong ones


def test_a_one_pager_cites_each_field_verbatim_and_the_effects_to_their_table_rows(texts, tables, profile, corpus_quotes):
    cards = [card for _, card in load_cards(CORPUS / "practices")]
    (page,) = practice_pages(["DE1"], cards, profile, texts, tables, 2)
    assert [f.label for f in page.facts] == [
        "Title", "Country", "Sectors", "Target groups", "Delivery models", "Funding", "Governance level", "Reported effects",
        "Evaluation",
    ]  # fmt: skip
    for fact in page.facts:
        assert fact.sources, fact.label
        assert all(verbatim(s.quote, corpus_quotes) for s in fact.sources), fact.label
    effects = page.fact("Reported effects")
    assert effects is not None and "access to services" in effects.value and "_" not in effects.value  # labels, not ids
    assert all("Table 6" in s.where for s in effects.sources) and len(effects.sources) == 5  # one row per reported effect


def test_a_table_row_the_document_does_not_print_is_never_quoted(texts):
    made_up = Table(
        id="made-up", document=REPORT, number=99, caption="Table 99: Invented figures (n=44)",
        header=["Thing", "# of practices", "% of total"],
        rows=[["Invented category", "30", "68%"], ["Another invention", "10", "23%"], ["Third", "4", "9%"]],
    )  # fmt: skip
    assert build_quiz([made_up], texts, "invented", {}, 8) == []


def test_barrier_questions_quote_the_table_rows_the_topic_is_about(texts, tables, profile, corpus_quotes):
    table = barriers_table(tables, profile)
    assert table is not None and table.number == 8
    items = barrier_questions(table, texts, ["funding"], profile, "How are integrated services funded?", 3)
    assert len(items) == 3
    assert items[0].question.startswith("Funding:") and "Pooled budgets" in items[0].question
    for item in items:
        assert item.sources and all(verbatim(s.quote, corpus_quotes) for s in item.sources)
        for quoted in QUOTED.findall(item.question):  # what the question quotes is what it cites
            assert any(normalise(quoted) in normalise(s.quote) for s in item.sources), quoted


def test_recommendation_questions_cite_the_recommendation_and_skip_text_not_in_the_corpus(texts, profile, corpus_quotes):
    real = (
        "Create funding frameworks that allow shared financing of integrated services. Example: This could be carried "
        "out through pooled budgets or shared project financing."
    )
    invented = "Abolish all social services. Example: This could be done tomorrow."
    units = [
        Unit(kind="recommendation", text=t, lead=t.split(". ")[0] + ".", doc_id="esn", section="Recommendations > POLICY-MAKERS",
             audience="POLICY-MAKERS")
        for t in (invented, real)
    ]  # fmt: skip
    items = recommendation_questions(units, texts, [], profile, "funding of integrated services", 3)
    assert len(items) == 1
    (item,) = items
    assert "policy-makers" in item.question and "Create funding frameworks" in item.question
    assert verbatim(item.sources[0].quote, corpus_quotes) and item.sources[0].where.startswith("Recommendations")


def test_pack_codes_are_checked_with_a_sentence():
    known = ["DE1", "FI6", "FR1"]
    assert chosen_codes(["de1", " FI6", "DE1"], known, 2, 6) == ["DE1", "FI6"]
    with pytest.raises(ValueError, match=r"unknown practice code.*ZZ9"):
        chosen_codes(["DE1", "ZZ9"], known, 2, 6)
    with pytest.raises(ValueError, match="2 to 6 practices; 1 given"):
        chosen_codes(["DE1"], known, 2, 6)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--practices", "DE1"], "2 to 6 practices; 1 given"),
        (["--practices", "DE1,ZZ9"], "unknown practice code(s): ZZ9"),
        (["--practices", "DE1,FI6,FR1,FR2,GB1,GB2,GB3"], "2 to 6 practices; 7 given"),
        (["--practices", "DE1,FI6", "--out", "/no/such/folder/pack.pdf"], "cannot write /no/such/folder/pack.pdf"),
        (["--practices", "DE1,FI6", "--format", "pdf"], "needs --out FILE"),
        (["--practices", "DE1,FI6", "--out", "pack.txt"], "cannot tell the format"),
    ],
)
def test_pack_command_line_errors_are_one_sentence(args, message, capsys):
    assert main(["pack", "--topic", "How are services funded?", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_blank_topic_is_refused_before_anything_loads(capsys):
    assert main(["pack", "--topic", "   ", "--practices", "DE1,FI6"]) == 2
    assert "the topic is empty" in capsys.readouterr().err


def test_an_answer_keeps_its_headings_claims_and_tables_with_their_sources():
    answer = Answer(
        question="How are integrated services funded?",
        answer_markdown=(
            "**Bottom line**\n- Twenty practices pool budgets. [1]\n\nTable 7: Ways to fund [2]\n\n"
            "| Way | # |\n|---|---|\n| Joint/pooled funding | 20 |\n\n_Figures are self-reported._"
        ),
        claims=[Claim(text="Twenty practices pool budgets.", citations=[1])],
        citations=[
            Citation(n=1, chunk_id="a", doc_title="Report", section="Funding", quote="20 practices are financed"),
            Citation(n=2, chunk_id="b", doc_title="Report", section="Table 7", quote="Joint/pooled funding 20 45%"),
        ],
    )
    blocks = cited_answer(answer).blocks
    assert [b.kind for b in blocks] == ["heading", "claim", "claim", "table", "note"]
    assert blocks[1].sources[0].quote == "20 practices are financed" and blocks[2].sources[0].where == "Table 7"
    assert blocks[3].rows == [["Way", "#"], ["Joint/pooled funding", "20"]]


def test_an_answer_block_holds_the_words_a_reader_sees_not_the_answers_markdown():
    """The pack's formats mark up the words themselves: a block carries no escape and no italic kind label."""
    answer = Answer(
        question="How is monitoring done?",
        answer_markdown=(
            "**Evaluation and monitoring**\n"
            "- Articles refer to the time needed for records \\[23, 42\\]. *(case study)* [1]\n\n"
            "| Method | Note |\n|---|---|\n| Survey \\| audit | 3 |"
        ),
        claims=[Claim(text="Articles refer to the time needed for records [23, 42].", citations=[1])],
        citations=[Citation(n=1, chunk_id="a", doc_title="Report", section="Monitoring", quote="time needed for records")],
    )
    blocks = cited_answer(answer).blocks
    assert [b.kind for b in blocks] == ["heading", "claim", "table"]
    assert blocks[0].text == "Evaluation and monitoring"
    assert blocks[1].text == "Articles refer to the time needed for records [23, 42]. (case study)"
    assert blocks[1].sources[0].quote == "time needed for records"
    assert blocks[2].rows == [["Method", "Note"], ["Survey | audit", "3"]]


def _hand_made_pack() -> Pack:
    link = Source("Report", "Section 2", "See [the site](http://tracker.example/x.png) for more – “quoted”", 3)
    funding = Source("Report", "Table 7: Ways to fund integrated services (n=44)", "Joint/pooled funding 20 45%")
    page = PracticePage(
        "DE1", "Jobcentres", "Germany", [Fact("Country", "Germany", [link]), Fact("Funding", "pooled", [funding])]
    )
    other = PracticePage("FI6", "Ohjaamo", "Finland", [Fact("Country", "Finland", []), Fact("Funding", "single agency", [])])
    answer = CitedAnswer("How are services funded?", [AnswerBlock("claim", "They pool budgets.", [funding])])
    return Pack(
        title="Workshop pack: funding", topic="How are services funded?", answers=[answer], practices=[page, other],
        comparison=Comparison(["Country", "Funding"], [page, other]),
        discussion=[DiscussionItem("barriers and facilitators", "Funding: “Pooled budgets”. Which?", [link])],
        quiz=[QuizItem("Which is highest?", "Joint/pooled funding (20)", [funding], ["Joint/pooled funding", "Other"])],
    )  # fmt: skip


def test_markdown_escapes_document_text_and_numbers_each_source_once():
    md = render_markdown(_hand_made_pack())
    assert "tracker.example" in md and not re.search(r"(?<!\\)\]\(", md)  # the quote's link is inert text
    refs = md.split("## References", 1)[1]
    assert refs.count("Joint/pooled funding 20 45%") == 1 and refs.count("tracker") == 1
    assert "[1]" in md.split("## References")[0] and "\\[2\\] Report — Section 2, p" in refs


def test_word_and_pdf_list_the_quotes_as_numbered_references():
    pack = _hand_made_pack()
    word = Document(io.BytesIO(render_docx(pack)))
    paragraphs = [p.text for p in word.paragraphs]
    assert any(t.startswith("[1] ") and "Joint/pooled funding 20 45%" in t for t in paragraphs)
    assert any(t.startswith("[2] Report — Section 2, p. 3") and "“quoted”" in t for t in paragraphs)
    assert "DE1 — Jobcentres" in {c.text for t in word.tables for row in t.rows for c in row.cells}
    pdf = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(render_pdf(pack))).pages)
    assert "[1] Report — Table 7: Ways to fund integrated services (n=44): “Joint/pooled funding 20 45%”" in pdf
    assert "DE1" in pdf and "FI6" in pdf and "“quoted”" in pdf  # typographic quotes survive (a Unicode font)


def test_without_the_unicode_font_the_pdf_falls_back_to_latin_1(monkeypatch):
    monkeypatch.setattr("app.pack.to_pdf.font_dir", lambda: None)
    pdf = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(render_pdf(_hand_made_pack()))).pages)
    assert "Joint/pooled funding 20 45%" in pdf and '"quoted"' in pdf and "DE1 - Jobcentres" in pdf


def test_document_ids_match_the_ingested_file_slugs():
    assert document_id(Path(REPORT)) == "esn-integrated-social-services-in-europe-2016"


# ---- the command line, against the real index (slow) --------------------------------------------------------------

TOPIC = "How should a municipality integrate social and employment services for long-term unemployed people?"
CODES = ["DE1", "FI6"]
REFERENCE = re.compile(r"\[(\d+)\] (.+?): “(.*)”$")


@pytest.fixture(scope="module")
def packs(corpus_settings, tmp_path_factory) -> dict[str, Path]:
    """``joinedup pack`` run once per format, in-process, on the session's index."""
    folder = tmp_path_factory.mktemp("packs")
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JOINEDUP_DATA_DIR", str(corpus_settings.data_dir))
        for fmt in ("md", "docx", "pdf"):
            out[fmt] = folder / f"pack.{fmt}"
            assert main(["pack", "--topic", TOPIC, "--practices", ",".join(CODES), "--format", fmt, "--out", str(out[fmt])]) == 0
    return out


def references(lines: list[str]) -> list[tuple[int, str]]:
    """(number, quote) of each "[n] where: “quote”" line after the References heading."""
    after = lines[next(i for i, line in enumerate(lines) if line.strip().endswith("References")) + 1 :]
    found = [REFERENCE.match(line.strip()) for line in after]
    return [(int(m.group(1)), m.group(3)) for m in found if m]


def check_pack_text(body: str, refs: list[tuple[int, str]], corpus_quotes) -> None:
    """The pack names the practices, has discussion and quiz, cites every reference, and every quote is verbatim."""
    assert all(code in body for code in CODES)
    assert "Discussion questions" in body and "Answer key" in body
    assert [n for n, _ in refs] == list(range(1, len(refs) + 1)) and len(refs) > 20
    for n, quote in refs:
        assert verbatim(quote, corpus_quotes), (n, quote)
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    assert cited == set(range(1, len(refs) + 1))  # every reference is cited in the pack, and only those


def test_markdown_pack_quotes_the_corpus_verbatim(packs, corpus_quotes):
    text = re.sub(r"\\(.)", r"\1", packs["md"].read_text(encoding="utf-8"))  # undo the Markdown escaping
    body = text.split("## References")[0]
    check_pack_text(body, references(text.splitlines()), corpus_quotes)


def test_word_pack_quotes_the_corpus_verbatim(packs, corpus_quotes):
    doc = Document(str(packs["docx"]))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    body = paragraphs[: paragraphs.index("References")]
    check_pack_text("\n".join(body + cells), references(paragraphs), corpus_quotes)
    assert {f"{code} —" for code in CODES} <= {c[:5] for c in cells}  # the comparison's column headings


def test_pdf_pack_quotes_the_corpus_verbatim(packs, corpus_quotes):
    pages = [page.extract_text() for page in PdfReader(packs["pdf"]).pages]
    flat = " ".join(" ".join(pages).split())
    body, refs_text = flat.rsplit(" References [1] ", 1)
    refs = [(int(n), q) for n, q in re.findall(r"\[(\d+)\] .+?: “(.*?)”(?= \[\d+\] |$)", "[1] " + refs_text)]
    check_pack_text(body, refs, corpus_quotes)


# ---- a pack worth handing out: one-pagers, quiz, discussion, glossary, A4 ------------------------------------------


@pytest.fixture(scope="module")
def cards():
    return [card for _, card in load_cards(CORPUS / "practices")]


def test_no_two_quiz_items_ask_about_the_same_fact_and_options_come_from_the_same_table(texts, tables, profile, cards):
    from app.pack.discussion import barriers_table
    from app.query.practice_table import display_names

    names = {c: n for c, n in display_names(cards, profile).items() if next(x for x in cards if x.code == c).title}
    topic = "How are integrated services funded? joint / pooled funding"
    quiz = build_quiz(tables, texts, topic, {"DE1": names["DE1"], "FI6": names["FI6"]}, 8, names, barriers_table(tables, profile))
    assert len(quiz) >= 5
    facts = [q.fact for q in quiz]
    assert all(facts) and len(set(facts)) == len(facts), facts
    assert len({q.question for q in quiz}) == len(quiz)
    for q in quiz:
        assert len(q.options) >= 3 and q.answer.split(" (")[0] in q.options, q.question  # multiple choice, every item
    funding = next(q for q in quiz if q.answer.startswith("Joint/pooled funding"))
    assert "most common" in funding.question
    assert set(funding.options) <= {"Joint/pooled funding", "Single agency funding", "Within existing resources",
                                     "Partly public, partly non-public"}  # fmt: skip
    assert any(q.answer.startswith(("DE1", "FI6")) for q in quiz), "which practice did it"
    barrier = next(q for q in quiz if "barriers to" in q.question)
    assert barrier.answer in barrier.sources[0].quote and all(o == barrier.answer or o not in barrier.sources[0].quote
                                                              for o in barrier.options)  # fmt: skip


def test_the_same_figure_in_two_tables_is_asked_once(texts, tables):
    quiz = build_quiz(tables, texts, "health sector cooperation articles practices", {}, 10)
    health = [q for q in quiz if q.answer.split(" (")[0] == "Health"]
    assert len(health) <= 1, [q.question for q in health]  # the report's Table 1 and the paper's Table 2 both count it


def test_a_one_pager_says_what_the_practice_is_who_it_serves_how_it_works_funding_effects_each_cited(
    texts, tables, profile, cards, corpus_quotes
):
    (page,) = practice_pages(["DE1"], cards, profile, texts, tables, 2)
    assert [s.heading for s in page.sections] == [
        "What it is", "Who it serves", "How it works", "Funding", "Effects and evaluation"
    ]  # fmt: skip
    for section in page.sections:
        for fact in section.facts:
            assert fact.sources and all(verbatim(s.quote, corpus_quotes) for s in fact.sources), (section.heading, fact.label)
    assert "jobcentres" in page.sections[0].facts[0].value
    unfunded = next(c.code for c in cards if not c.funding and c.summary)
    (other,) = practice_pages([unfunded], cards, profile, texts, tables, 2)
    assert "funding" in other.not_stated and "Funding" not in [s.heading for s in other.sections]
    md = render_markdown(_hand_made_pack_with([page, other]))
    assert md.count("Not stated in the sources") == 1  # one line, not a row per field


def _hand_made_pack_with(pages: list[PracticePage]) -> Pack:
    return Pack(title="t", topic="t", answers=[], practices=pages, comparison=Comparison(["Funding"], pages), discussion=[],
                quiz=[])  # fmt: skip


def test_a_barrier_is_paired_with_a_chosen_practice_that_met_it(texts, tables, profile, cards, corpus_quotes):
    from app.pack.discussion import barrier_met_questions

    pages = practice_pages(["DE1", "FI6"], cards, profile, texts, tables, 2)
    table = barriers_table(tables, profile)
    assert table is not None
    items = barrier_met_questions(table, texts, pages, ["funding"], profile, "How are integrated services funded?", 3)
    assert items and items[0].question.startswith("Funding:")
    assert {i.question.split(": the report")[0] for i in items} <= {r[0] for r in table.rows}
    codes = {c for i in items for c in ("DE1", "FI6") if f"{c} — " in i.question}
    assert codes == {"DE1", "FI6"}  # the pairs spread over the chosen practices
    for item in items:
        assert len(item.sources) == 2 and all(verbatim(s.quote, corpus_quotes) for s in item.sources)
        for quoted in QUOTED.findall(item.question):
            assert any(normalise(quoted) in normalise(s.quote) for s in item.sources), quoted


def test_every_glossary_entry_is_spelled_out_in_the_sources_words(texts, profile):
    from app.pack.glossary import glossary, used_terms

    assert {"PES", "DMIC"} <= {e.term for e in profile.glossary}
    for entry in profile.glossary:
        assert texts.source(entry.quote) is not None, entry.quote
    pack = _hand_made_pack_with([PracticePage("FI6", "LAFOS", "Finland", [Fact("Sectors", "PES and social services")])])
    assert [e.term for e in used_terms("PES and DMIC, not pes", profile.glossary)] == ["DMIC", "PES"]
    (pes,) = glossary(pack, profile.glossary, texts)
    assert pes.term == "PES" and pes.sources and "(PES)" in pes.sources[0].quote


def test_the_word_pack_is_a4_its_headings_keep_with_what_follows_and_the_answer_key_has_its_own_page():
    from docx.shared import Mm

    word = Document(io.BytesIO(render_docx(_hand_made_pack())))
    for section in word.sections:
        short, long = sorted((section.page_width, section.page_height))
        assert abs(short - Mm(210)) < Mm(1) and abs(long - Mm(297)) < Mm(1)
    headings = [p for p in word.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings and all(p.paragraph_format.keep_with_next for p in headings)
    texts = [p.text for p in word.paragraphs]
    key = next(i for i, t in enumerate(texts) if t.startswith("Answer key"))
    breaks = [i for i, p in enumerate(word.paragraphs[:key]) if 'w:br w:type="page"' in p._p.xml]
    assert breaks and breaks[-1] == key - 1  # a page break right before the answer key
    assert key > next(i for i, t in enumerate(texts) if t.startswith("Quiz"))
