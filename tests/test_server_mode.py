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


def _small_corpus(tmp_path: Path) -> Path:
    """One card and one short note: enough to ingest and ask through a server."""
    corpus = tmp_path / "corpus"
    (corpus / "documents").mkdir(parents=True)
    (corpus / "practices").mkdir()
    shutil.copy(Path(__file__).parent.parent / "corpus" / "practices" / "FI5.yaml", corpus / "practices")
    (corpus / "documents" / "notes.md").write_text(
        "# Local notes\n\nThe Lumiere network pairs every family with one key worker who coordinates health visitors.\n",
        encoding="utf-8",
    )
    return corpus


def test_ingest_and_ask_through_a_chroma_server(chroma_server, tmp_path):
    corpus = _small_corpus(tmp_path)
    settings = make_settings(tmp_path / "data", corpus).with_(
        {"index.chroma_host": "127.0.0.1", "index.chroma_port": chroma_server}
    )
    report = ingest(settings)
    assert not report.failed and report.added == 2
    assert not (tmp_path / "data" / "chroma").exists()  # nothing stored locally: the server holds it
    assert Store(settings).count() == 2
    assert ingest(settings).added == 0  # idempotent against the server too
    answer = Assistant(settings).ask("How does the Lumiere network coordinate support for families?")
    assert answer.supported and any("key worker" in c.quote for c in answer.citations)  # the server's passage is cited


def test_unreachable_server_gives_a_clear_error(tmp_path):
    settings = make_settings(tmp_path / "data").with_({"index.chroma_host": "127.0.0.1", "index.chroma_port": free_port()})
    with pytest.raises(StoreError, match=r"The Chroma server at 127\.0\.0\.1:\d+ is not answering"):
        Store(settings)


def _instance(data: Path, corpus: Path, port: int):
    """Settings of one app instance: its own data folder, the shared Chroma server."""
    return make_settings(data, corpus).with_({"index.chroma_host": "127.0.0.1", "index.chroma_port": port})


def test_two_instances_share_one_server_without_restart(chroma_server, tmp_path):
    from app.index.index import Index
    from ingest.maintenance import check_index, remove_document

    corpus = _small_corpus(tmp_path)
    mine = tmp_path / "uploads" / "vellmar.md"
    mine.parent.mkdir()
    mine.write_text(
        "# Vellmar\n\nThe Vellmar Bridge service gives each refugee family a single caseworker who books school places "
        "and doctor appointments.\n",
        encoding="utf-8",
    )
    one = _instance(tmp_path / "one", corpus, chroma_server)
    two = _instance(tmp_path / "two", corpus, chroma_server)
    assert not ingest(one).failed
    second = Assistant(two)  # its data folder is empty: everything comes from the server
    assert any(
        "key worker" in c.quote for c in second.ask("How does the Lumiere network coordinate support for families?").citations
    )

    added = ingest(one, [mine])  # a user document, through the first instance
    assert [f.status for f in added.files] == ["added"]
    doc_id = added.files[0].doc_id
    question = "How does the Vellmar Bridge service support refugee families?"
    answer = second.ask(question)  # the same object: no restart
    assert any("single caseworker" in c.quote for c in answer.citations), answer.answer_markdown
    assert doc_id in Index(two).all_units()  # the evidence units are in the server, not in a local file
    assert not (tmp_path / "two" / "units").exists()

    # The second instance's own doctor and ingest take the first one's document for what it is: not an orphan.
    assert check_index(two).consistent, check_index(two).problems
    assert not ingest(two).failed
    assert any("single caseworker" in c.quote for c in second.ask(question).citations)

    # A rebuild through the first instance switches the generation in the server; the second follows it.
    assert not ingest(one, rebuild=True).failed
    assert any("single caseworker" in c.quote for c in second.ask(question).citations)
    assert second.retriever.store.generation.number == 1
    names = {c.name for c in Store(two).client.list_collections()}
    assert not names & {"joinedup", "joinedup_sentences", "joinedup_units"}  # generation 0 is gone from the server

    remove_document(one, doc_id)
    gone = second.ask(question)
    assert not any("Vellmar" in c.quote for c in gone.citations), gone.answer_markdown
    assert not any("Vellmar" in r.text for r in gone.retrieved)
    assert doc_id not in Index(two).all_units()


def test_units_and_stamp_are_shared_through_the_server(chroma_server, tmp_path):
    from app.core.models import Unit
    from app.index.generations import Stamp, generation, read_stamp, write_stamp
    from app.index.shared import ServerUnits
    from app.index.store import open_client

    one = _instance(tmp_path / "one", tmp_path / "corpus", chroma_server)
    two = _instance(tmp_path / "two", tmp_path / "corpus", chroma_server)
    assert read_stamp(two) == Stamp()
    write_stamp(one, Stamp(3, 7))
    assert read_stamp(two) == Stamp(3, 7)  # no file of the first instance involved
    assert not (tmp_path / "one" / "generation.json").exists()

    doc_id = "a-very-long-file-name-" * 11  # 242 characters: fine as a record id
    units = [Unit(kind="sentence", text=f"Sentence {i}.", lead=f"Sentence {i}.", doc_id=doc_id, start=i) for i in range(1234)]
    ServerUnits(open_client(one), generation(one, 3)).put(doc_id, units)
    ServerUnits(open_client(one), generation(one, 3)).put("card", [])  # a document without units is still complete
    theirs = ServerUnits(open_client(two), generation(two, 3))
    assert theirs.all()[doc_id] == units and theirs.all()["card"] == []  # three parts, back in order
    assert theirs.doc_ids() == {doc_id, "card"} and theirs.has("card")
    ServerUnits(open_client(one), generation(one, 3)).put(doc_id, units[:10])  # replacing leaves no stale part
    assert theirs.all()[doc_id] == units[:10]
    theirs.drop(doc_id)
    assert not theirs.has(doc_id) and set(theirs.all()) == {"card"}
