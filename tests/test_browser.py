"""The served app in headless Chromium: type a question, see a cited answer, open a citation."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app.config import ROOT
from tests.servers import free_port, server_process

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture()
def served_app(corpus_settings):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: scripts/test should have installed it")
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    port = free_port()
    env = {**os.environ, "JOINEDUP_DATA_DIR": str(corpus_settings.data_dir)}
    cmd = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    with server_process(cmd, port, "streamlit", cwd=ROOT, env=env):
        yield f"http://127.0.0.1:{port}"


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
