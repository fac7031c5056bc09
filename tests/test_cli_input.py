"""Command-line input a user can get wrong, and what it must never leak (no index needed)."""

import os
import signal
import subprocess
import sys
import time

import pytest

from app.core.config import ROOT
from app.query.backends.llm import redact
from tests.servers import free_port, port_open


def run_cli(*args: str | bytes) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, env=env, cwd=ROOT, timeout=120)


def test_a_negative_or_zero_k_is_refused_with_a_sentence():
    out = run_cli("ask", "How are services funded?", "--k", "-5")
    assert out.returncode == 2 and b"must be at least 1" in out.stderr and b"Traceback" not in out.stderr


def test_credentials_in_a_backend_url_are_never_shown():
    assert redact("openai backend at http://user:pw@host:8080/v1 failed") == "openai backend at http://***@host:8080/v1 failed"
    assert redact("http://127.0.0.1:8080/v1") == "http://127.0.0.1:8080/v1"


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        ("http://bob:pa@ss-WORD2@127.0.0.1:{port}/v1", ["pa@ss", "ss-WORD2", "WORD2", "bob:"]),
        ("http://127.0.0.1:{port}/v1?api_key=SEKRET-123&model=m", ["SEKRET", "123"]),
        ("http://127.0.0.1:{port}/v1?x=1&access_token=TOK9;password=PW7", ["TOK9", "PW7"]),
    ],
)
def test_no_part_of_a_key_or_password_in_a_backend_url_reaches_the_user(url, secrets, tmp_path):
    """The backend's name for its server and its failure message, as a user would see them, hold no secret."""
    from app.query.backends.base import BackendError
    from app.query.backends.llm import make_llm_backend
    from tests.conftest import make_settings

    url = url.format(port=free_port())  # nothing listens there: the request fails and says where
    settings = make_settings(tmp_path, changes={"llm.base_url": url, "llm.model": "m", "llm.timeout": 5})
    backend = make_llm_backend("openai", settings)
    with pytest.raises(BackendError) as failure:
        backend.complete("hello")
    for shown in (backend.where, str(failure.value), redact(url)):
        assert "127.0.0.1" in shown
        assert not [s for s in secrets if s in shown], shown


def test_a_yml_card_is_told_to_be_yaml(tmp_path):
    from ingest.documents import LoadError, load_document

    card = tmp_path / "FI9.yml"
    card.write_text("code: FI9\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"\.yaml"):
        load_document(card)


@pytest.mark.slow
def test_stopping_serve_stops_the_server(tmp_path):
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "JOINEDUP_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.time() + 90
        while not port_open(port) and time.time() < deadline:
            time.sleep(0.3)
        assert port_open(port), "the app did not start"
        proc.send_signal(signal.SIGTERM)  # what stopping `joinedup serve` sends
        proc.wait(timeout=30)
        deadline = time.time() + 10
        while port_open(port) and time.time() < deadline:
            time.sleep(0.3)
        assert not port_open(port), "Streamlit kept serving after joinedup serve was stopped"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_pdf_with_no_pages_is_told_so_not_sent_to_ocr(tmp_path):
    from pypdf import PdfWriter

    from ingest.documents import LoadError, load_pdf

    empty = tmp_path / "empty.pdf"
    with empty.open("wb") as f:
        PdfWriter().write(f)
    with pytest.raises(LoadError, match="no pages"):
        load_pdf(empty)


def test_a_question_with_bytes_that_are_not_utf8_is_answered_not_a_traceback(corpus_settings):
    env = {**os.environ, "JOINEDUP_DATA_DIR": str(corpus_settings.data_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "ask", b"How are integrated services funded\xff?"],
        capture_output=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in out.stderr and b"[1]" in out.stdout
