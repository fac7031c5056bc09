"""The Streamlit app driven by AppTest: a question in the chat input gives a cited answer."""

from streamlit.testing.v1 import AppTest

from app.config import ROOT

APP = str(ROOT / "app" / "streamlit_app.py")


def test_chat_answer_shows_numbered_citations(corpus_settings, monkeypatch):
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(corpus_settings.data_dir))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception
    at.chat_input[0].set_value("How are integrated services funded?").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "[1]" in text
    chat = at.tabs[0]
    assert len(chat.expander) >= 1 and chat.expander[0].label.startswith("[1] ")
    quotes = [m.value for m in chat.markdown if m.value.startswith("> ")]
    assert quotes, "each citation expands to its quote"


def test_out_of_scope_question_shows_a_plain_refusal(corpus_settings, monkeypatch):
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(corpus_settings.data_dir))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.chat_input[0].set_value("What do integrated services look like in Japan?").run()
    assert any("do not mention Japan" in i.value for i in at.info)
    assert not at.tabs[0].expander


def test_follow_up_uses_the_conversation(corpus_settings, monkeypatch):
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(corpus_settings.data_dir))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.toggle[0].set_value(True).run()
    at.chat_input[0].set_value("Which practice runs a one-stop shop for young jobseekers in Germany?").run()
    at.chat_input[0].set_value("and how was it transferred to other cities?").run()
    captions = " ".join(c.value for c in at.caption)
    assert "Searched for: and how was it transferred to other cities?" in captions and "DE2" in captions


def test_practice_finder_tab_filters_cards(corpus_settings, monkeypatch):
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(corpus_settings.data_dir))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    boxes = {b.label: b for b in at.selectbox}
    boxes["Target group"].set_value("older_people").run()
    boxes = {b.label: b for b in at.selectbox}
    boxes["Sector"].set_value("health").run()
    labels = [e.label for e in at.tabs[1].expander if e.label[:3] in {"FI3", "FR1", "FR2", "GB4", "IS1", "IT2", "HU1"}]
    assert {label[:3] for label in labels} >= {"FI3", "FR1", "FR2", "GB4", "IS1", "IT2"}
