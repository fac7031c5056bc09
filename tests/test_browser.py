"""The served app in headless Chromium: type a question, see a cited answer, open a citation."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.config import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def served_app(corpus_settings):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: scripts/test should have installed it")
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    port = _free_port()
    env = {**os.environ, "JOINEDUP_DATA_DIR": str(corpus_settings.data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start within 120 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_question_in_browser_gives_cited_answer(served_app, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(served_app, timeout=120_000)
        box = page.get_by_test_id("stChatInputTextArea")
        box.wait_for(timeout=180_000)
        box.fill("How are integrated services funded?")
        box.press("Enter")
        answer = page.get_by_test_id("stChatMessage").nth(1)
        first = answer.get_by_test_id("stExpander").first
        first.wait_for(timeout=180_000)
        assert "[1] " in first.inner_text()  # the label; Streamlit prefixes an icon name
        assert "[1]" in answer.inner_text()
        first.locator("summary").click()
        first.locator("blockquote").wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "answer.png"))
        browser.close()
