"""``joinedup chat``: a conversation on the command line, follow-ups answered with what came before."""

from __future__ import annotations

import io

from app.cli import CHAT_BLANK, main
from app.core.models import Answer

FIRST = "How should a municipality integrate social and employment services for long-term unemployed people?"
FOLLOW_UP = "And how were those practices funded?"


class _CtrlC(io.StringIO):
    """A terminal whose user presses Ctrl-C at the prompt."""

    def readline(self, *args: object) -> str:
        raise KeyboardInterrupt


def test_blank_lines_get_a_sentence_and_exit_leaves_before_any_question_is_asked(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path / "data"))  # empty: a question would have to build an index
    monkeypatch.setattr("sys.stdin", io.StringIO("\n   \nexit\nHow are services funded?\n"))
    assert main(["chat"]) == 0
    out = capsys.readouterr()
    assert out.out.count(CHAT_BLANK) == 2 and "Traceback" not in out.err
    assert not (tmp_path / "data").exists()  # the question after "exit" was never asked


def test_end_of_input_and_ctrl_c_leave_quietly(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path / "data"))
    for stdin in (io.StringIO(""), _CtrlC()):
        monkeypatch.setattr("sys.stdin", stdin)
        assert main(["chat", "--json"]) == 0
    out = capsys.readouterr()
    assert out.out == "" and "Traceback" not in out.err


def test_a_follow_up_is_answered_about_the_practices_of_the_first_answer(corpus_settings, monkeypatch, capsys):
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(corpus_settings.data_dir))
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{FIRST}\n\n{FOLLOW_UP}\n"))
    assert main(["chat", "--json"]) == 0
    out = capsys.readouterr()
    first, second = (Answer.model_validate_json(line) for line in out.out.splitlines())  # one JSON Answer per question
    assert CHAT_BLANK in out.err  # the blank line between the questions, kept off the JSON stream
    assert first.question == FIRST and first.supported and first.practices
    assert second.question == FOLLOW_UP and second.supported
    assert second.analysis is not None and second.analysis.follow_up and "funding" in second.analysis.aspects
    funding_claims = [c.text for c in second.claims if "funding" in c.text.lower()]
    named = {code for text in funding_claims for code in first.practices if code in text}
    assert named, (first.practices, second.answer_markdown)  # funding of practices the first answer named
