"""A citation's quote with the sentence before and after it, taken verbatim from the texts around it."""

from app.core.answer_markdown import answer_to_markdown
from app.core.models import Answer, Citation
from app.core.quote_context import quote_context

TEXT = (
    "Integration takes time. Pooled budgets helped the teams to plan together. "
    "Staff were trained jointly in the first year. Evaluation followed later."
)


def test_context_is_the_neighbouring_sentences_verbatim():
    ctx = quote_context("Pooled budgets helped the teams to plan together.", [TEXT])
    assert ctx.before == "Integration takes time."
    assert ctx.after == "Staff were trained jointly in the first year."


def test_context_comes_from_the_text_that_has_it_and_whitespace_may_differ():
    cut = "Pooled budgets helped the\nteams to plan together."  # the cited passage starts and ends with the quote
    ctx = quote_context("Pooled budgets helped the teams to plan together.", [cut, "unrelated text.", TEXT])
    assert (ctx.before, ctx.after) == ("Integration takes time.", "Staff were trained jointly in the first year.")


def test_a_quote_in_pieces_spans_from_its_first_to_its_last_piece():
    quote = "Staff were trained jointly in the first year. … Pooled budgets helped the teams to plan together."
    ctx = quote_context(quote, [TEXT])
    assert (ctx.before, ctx.after) == ("Integration takes time.", "Evaluation followed later.")


def test_no_context_when_no_text_has_the_quote():
    ctx = quote_context("A sentence nobody wrote.", [TEXT])
    assert (ctx.before, ctx.after) == ("", "")


def test_answer_markdown_has_the_question_the_answer_and_each_quote_with_its_source():
    answer = Answer(
        question="How are services funded?",
        answer_markdown="- Pooled budgets helped. [1]",
        citations=[Citation(n=1, chunk_id="c1", doc_title="The report", section="Funding", page=4,
                            quote="Pooled budgets helped the teams to plan together.", evidence_label="case study")],
    )  # fmt: skip
    md = answer_to_markdown(answer)
    assert md.startswith("# How are services funded?")
    assert "- Pooled budgets helped. [1]" in md
    assert "[1] The report — Funding — page 4 — case study" in md and "\\" not in md  # reads clean as plain text
    assert "> Pooled budgets helped the teams to plan together." in md


def test_a_documents_link_stays_text_in_the_downloaded_answer():
    answer = Answer(
        question="q",
        answer_markdown="- x [1]",
        citations=[Citation(n=1, chunk_id="c1", doc_title="notes", quote="See ![img](http://evil.example/p.png) now.")],
    )
    md = answer_to_markdown(answer)
    assert "![img](" not in md and "`http://evil.example/p.png" in md  # the address shown as code, never fetched
