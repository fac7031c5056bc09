"""The Streamlit app driven by AppTest: welcome, example questions, the chat, the practice table and comparison."""

import re

import pytest
from streamlit.testing.v1 import AppTest

from app.core.cards import load_cards
from app.core.config import ROOT
from app.core.text import escape_markdown
from app.ui.chat import BLANK_MESSAGE

APP = str(ROOT / "app" / "streamlit_app.py")


@pytest.fixture()
def app(corpus_settings, monkeypatch) -> AppTest:
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(corpus_settings.data_dir))
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    assert not at.exception
    return at


def open_tab(at: AppTest, label: str) -> AppTest:
    """Open a tab: only the open tab is drawn, so its elements appear after the rerun that opens it."""
    at.session_state["section"] = label
    at.run()
    assert not at.exception
    return at


def practice_count(at: AppTest) -> tuple[int, int]:
    text = " ".join(m.value for m in at.tabs[1].markdown)
    found = re.search(r"(\d+) of (\d+) practices", text)
    assert found, text[:300]
    return int(found.group(1)), int(found.group(2))


def test_welcome_names_the_sources_and_offers_example_questions(app):
    text = " ".join(m.value for m in app.tabs[0].markdown)
    assert "2016" in text and "2018" in text and "https://doi.org/10.5334/ijic.3107" in text
    assert "Alfonso Lara Montero" in text
    assert {b.key for b in app.button} >= {"example-policy_maker-0", "example-practitioner-0", "example-trainer-0"}
    assert "JOINEDUP" not in " ".join(m.value for m in app.markdown)  # no environment-variable names for a user


def test_example_question_click_answers_with_linked_citations(app):
    question = app.button(key="example-policy_maker-1").label
    app.button(key="example-policy_maker-1").click().run()
    assert not app.exception
    chat = app.tabs[0]
    assert question in [m.value for m in chat.markdown]
    answer = next(m.value for m in chat.markdown if "(#cite-0-1)" in m.value)
    assert r"[\[1\]](#cite-0-1)" in answer, "each [n] links to its citation"
    first = next(e for e in chat.expander if e.label.startswith("[1] "))
    assert any(m.value.startswith("> ") for m in first.markdown), "the citation shows its quote"
    assert app.get("download_button"), "the answer can be downloaded"


def test_chat_answer_shows_numbered_citations(app):
    app.chat_input[0].set_value("How are integrated services funded?").run()
    assert not app.exception
    chat = app.tabs[0]
    assert any(e.label.startswith("[1] ") for e in chat.expander)
    assert [m.value for m in chat.markdown if m.value.startswith("> ")], "each citation expands to its quote"


def test_blank_question_gets_a_friendly_message(app):
    app.chat_input[0].set_value("   ").run()
    assert not app.exception
    assert BLANK_MESSAGE in [i.value for i in app.info]
    assert not app.chat_message, "no empty answer bubble"


def test_out_of_scope_question_shows_a_plain_refusal(app):
    app.chat_input[0].set_value("What do integrated services look like in Japan?").run()
    assert any("do not mention Japan" in i.value for i in app.info)
    assert not [e for e in app.tabs[0].expander if e.label.startswith("[")]


def test_follow_up_uses_the_conversation(app):
    app.toggle(key="show-query").set_value(True).run()
    app.chat_input[0].set_value("Which practice runs a one-stop shop for young jobseekers in Germany?").run()
    app.chat_input[0].set_value("and how was it transferred to other cities?").run()
    captions = " ".join(c.value for c in app.caption)
    assert "Searched for: and how was it transferred to other cities?" in captions and "DE2" in captions


def test_link_with_a_question_asks_it(corpus_settings, monkeypatch):
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(corpus_settings.data_dir))
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["q"] = "How are integrated services funded?"
    at.run()
    assert not at.exception
    assert "How are integrated services funded?" in [m.value for m in at.tabs[0].markdown]
    assert any(e.label.startswith("[1] ") for e in at.tabs[0].expander)


def test_practice_table_shows_all_practices_and_filters_with_plain_labels(app):
    open_tab(app, "Practices")
    total = len(load_cards(ROOT / "corpus" / "practices"))
    assert practice_count(app) == (total, total)
    table = app.tabs[1].dataframe[0].value
    assert len(table) == total and {"Code", "Name", "Country", "Funding", "Reported effects", "Evaluation"} <= set(table.columns)
    assert not table.astype(str).apply(lambda col: col.str.contains("older_people|mixed_public_private")).any().any()
    group = app.selectbox(key="filter-group")
    assert "older people" in group.options and "older_people" not in group.options  # labels, not internal names
    group.set_value("older_people").run()
    app.selectbox(key="filter-sector").set_value("health").run()
    shown, of = practice_count(app)
    assert 0 < shown < total and of == total
    codes = set(app.tabs[1].dataframe[0].value["Code"])
    assert len(codes) == shown and {"FI3", "FR1", "FR2", "GB4", "IS1", "IT2"} <= codes


def test_comparison_shows_each_value_with_its_verbatim_quote(app):
    cards = {c.code: c for _, c in load_cards(ROOT / "corpus" / "practices")}
    open_tab(app, "Practices")
    app.multiselect(key="compare").set_value(["DE1", "FI6"]).run()
    assert not app.exception
    quotes = [m.value for e in app.tabs[1].expander if e.label == "Source quote" for m in e.markdown]
    assert quotes
    shown = " ".join(quotes)
    for code in ("DE1", "FI6"):
        card_quotes = [q for qs in cards[code].sources.values() for q in qs]
        assert any(f"> {escape_markdown(q)}" in shown for q in card_quotes), f"{code}'s source quotes, verbatim"


def test_description_search_ranks_a_few_practices_and_says_why(app):
    open_tab(app, "Practices")
    app.text_input(key="describe").set_value("one-stop shop for young jobseekers in a rural area").run()
    assert not app.exception
    shown, total = practice_count(app)
    assert 0 < shown < total
    table = app.tabs[1].dataframe[0].value
    assert "DE2" in list(table["Code"])[:3]
    assert all(reason.endswith(".") and "_" not in reason for reason in table["Why it matched"])


def test_an_unavailable_answer_backend_is_explained_in_plain_words(app, monkeypatch):
    for name in ("JOINEDUP_LLM_BASE_URL", "JOINEDUP_LLM_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    app.selectbox(key="backend").set_value("openai").run()
    app.chat_input[0].set_value("How are integrated services funded?").run()
    assert not app.exception
    shown = [e.value for kind in ("info", "warning", "caption", "markdown") for e in app.get(kind)]
    assert any("could not be used for this question" in s for s in shown)
    assert not any(re.search(r"JOINEDUP_|OPENAI_API_KEY", s) for s in shown), "no environment-variable names"
    assert any(e.label.startswith("[1] ") for e in app.tabs[0].expander), "the answer quoting the sources is shown"


# ---- sharing and copying an answer (no model needed) ----------------------------------------------------------------


def _answer_with_untrusted_quote():
    from app.core.models import Answer, Citation
    from app.query.display import claim_line

    quote = "Pooled budgets [P43] helped; see ![x](http://evil.example/p.png) and <img src=x> &amp; *more*."
    return Answer(
        question="How are [services] funded?",
        answer_markdown="\n".join(
            ["**Bottom line**", claim_line("Pooled budgets [P43] helped.", "[1]", ""),
             "**Funding**", claim_line("Joint_budget rules_ vary.", "[1]", "case study"), "_Figures are self-reported._"]
        ),
        citations=[Citation(n=1, chunk_id="c", doc_title="The report", section="Funding", page=4, quote=quote,
                            evidence_label="case study")],
    )  # fmt: skip


def test_the_downloaded_answer_reads_clean_as_plain_text_and_renders_nothing_from_a_document():
    from app.core.answer_markdown import answer_to_markdown
    from tests.markdown_check import render

    md = answer_to_markdown(_answer_with_untrusted_quote())
    assert "\\[" not in md and "[P43]" in md and "# How are [services] funded?" in md  # no backslash before brackets
    assert "[1] The report — Funding — page 4 — case study" in md
    shown = render(md)
    assert shown.links == [], shown.links
    assert not [e for e in shown.elements if e.startswith(("link", "image", "html"))], shown.elements
    assert "evil.example/p.png" in shown.text and "<img src=x>" in shown.text  # shown as the words the document wrote


def test_the_copied_answer_is_plain_text_with_numbered_references():
    from app.core.answer_markdown import answer_to_text

    text = answer_to_text(_answer_with_untrusted_quote())
    assert "**" not in text and "\\" not in text and "_Figures" not in text
    assert text.startswith("How are [services] funded?\n") and "Bottom line" in text
    assert "- Pooled budgets [P43] helped. [1]" in text
    assert "- Joint_budget rules_ vary. (case study) [1]\n" in text  # the kind of evidence, without its asterisks
    assert "Sources\n[1] The report — Funding — page 4 — case study\n“Pooled budgets [P43] helped;" in text


def test_a_follow_ups_link_carries_the_questions_before_it():
    from urllib.parse import parse_qs

    from app.ui.chat import question_link

    link = question_link(["How are integrated services funded?", "and in Finland?"])
    assert parse_qs(link.lstrip("?"))["q"] == ["How are integrated services funded?", "and in Finland?"]


def test_only_the_open_tab_is_drawn_and_a_closed_tabs_choices_are_kept(app):
    assert not app.get("arrow_vega_lite_chart") and not app.dataframe, "the Ask tab alone: no chart or table drawn"
    open_tab(app, "Workshop pack")
    app.text_input(key="pack-topic").set_value("How are integrated services funded?").run()
    app.multiselect(key="pack-practices").set_value(["DE1", "FI6"]).run()
    open_tab(app, "Practices")
    assert app.dataframe, "the practice table is drawn once its tab is open"
    app.selectbox(key="filter-sector").set_value("health").run()
    open_tab(app, "Ask")
    assert not app.dataframe
    open_tab(app, "Workshop pack")
    assert app.text_input(key="pack-topic").value == "How are integrated services funded?"
    assert app.multiselect(key="pack-practices").value == ["DE1", "FI6"]
    open_tab(app, "Practices")
    assert app.selectbox(key="filter-sector").value == "health"
