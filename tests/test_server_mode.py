"""The same code against a Chroma server (`chroma run`), selected by CHROMA_HOST/CHROMA_PORT."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from app.index.store import Store, StoreError
from app.query.ask import Assistant
from ingest.pipeline import ingest
from tests.conftest import make_settings
from tests.servers import free_port, server_process

CHROMA = Path(sys.executable).parent / "chroma"
pytestmark = pytest.mark.slow  # a real Chroma server and the real model


@pytest.fixture()
def chroma_server(tmp_path):
    if not CHROMA.exists():
        pytest.fail("the chroma CLI ships with chromadb and should be in the venv")
    port = free_port()
    cmd = [str(CHROMA), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)]
    with server_process(cmd, port, "chroma server", timeout=60):
        yield port


def test_ingest_and_ask_through_a_chroma_server(chroma_server, tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "documents").mkdir(parents=True)
    (corpus / "practices").mkdir()
    shutil.copy(Path(__file__).parent.parent / "corpus" / "practices" / "FI5.yaml", corpus / "practices")
    (corpus / "documents" / "notes.md").write_text(
        "# Local notes\n\nThe Lumiere network pairs every family with one key worker who coordinates health visitors.\n",
        encoding="utf-8",
    )
    settings = make_settings(tmp_path / "data", corpus).with_(
        {"index.chroma_host": "127.0.0.1", "index.chroma_port": chroma_server}
    )
    report = ingest(settings)
    assert not report.failed and report.added == 2
    assert not (tmp_path / "data" / "chroma").exists()  # nothing stored locally: the server holds it
    assert Store(settings).count() == 2
    assert ingest(settings).added == 0  # idempotent against the server too
    answer = Assistant(settings).ask("How does the Lumiere network coordinate support for families?")
    assert answer.supported and "key worker" in answer.citations[0].quote


def test_unreachable_server_gives_a_clear_error(tmp_path):
    settings = make_settings(tmp_path / "data").with_({"index.chroma_host": "127.0.0.1", "index.chroma_port": free_port()})
    with pytest.raises(StoreError, match=r"The Chroma server at 127\.0\.0\.1:\d+ is not answering"):
        Store(settings)
