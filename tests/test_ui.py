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
    assert len(at.expander) >= 1 and at.expander[0].label.startswith("[1] ")
    quotes = [m.value for m in at.markdown if m.value.startswith("> ")]
    assert quotes, "each citation expands to its quote"


def test_out_of_scope_question_shows_a_plain_refusal(corpus_settings, monkeypatch):
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(corpus_settings.data_dir))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.chat_input[0].set_value("What do integrated services look like in Japan?").run()
    assert any("do not mention Japan" in i.value for i in at.info)
    assert not at.expander
