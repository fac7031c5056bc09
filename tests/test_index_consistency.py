"""The index stays consistent or says so (issue 11, findings 1, 5 and 9): crashes, rebuilds under a reader, a dead server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.core.config import ROOT
from app.index.generations import read_stamp
from app.index.index import Index
from app.index.store import Store, StoreError
from app.query.ask import Assistant
from app.query.retrieve import Retriever
from ingest.maintenance import check_index
from ingest.pipeline import ingest
from tests.conftest import make_settings, use_in_cli
from tests.servers import free_port, server_process

NEW_TEXT = "# Youth services\n\nSchool meals and sports clubs are planned with the families. " * 4


def test_crash_between_manifest_and_keyword_index_is_named_then_repaired(small_corpus, monkeypatch, capsys):
    """Finding 1: killed after the manifest was saved and before the BM25 index was."""
    ingest(small_corpus)
    (small_corpus.documents_dir / "youth.md").write_text(NEW_TEXT, encoding="utf-8")
    real_sync = Index.sync_keywords

    def crash(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(Index, "sync_keywords", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest(small_corpus)
    monkeypatch.setattr(Index, "sync_keywords", real_sync)
    use_in_cli(monkeypatch, small_corpus)

    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "problem: the BM25 index" in out and "inconsistent" in out
    # A reader started now names the problem and searches a keyword index rebuilt from the store.
    reader = Retriever(small_corpus)
    assert reader.problems and "keyword index" in reader.problems[0]
    hits = reader.bm25("school meals sports clubs", 3)
    assert hits and hits[0].chunk.doc_id == "youth"

    report = ingest(small_corpus)
    assert not report.failed and report.added == 0
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "problem" not in out and "consistent" in out
    assert "BM25 documents" in out and "chunks in Chroma" in out and "manifest files" in out
    repaired = Retriever(small_corpus)
    assert not repaired.problems and repaired.bm25("school meals sports clubs", 3)[0].chunk.doc_id == "youth"


def test_what_an_interrupted_run_left_is_named_and_repaired(small_corpus):
    """Finding 1: a chunk gone without its sentence vectors, evidence units of no document."""
    ingest(small_corpus)
    index = Index(small_corpus)
    victim = sorted(index.ids_for_doc("elders"))[0]
    index.store.collection.delete(ids=[victim])  # the chunk went, its sentence vectors stayed
    index.put_units("ghost", [])
    problems = " | ".join(check_index(small_corpus).problems)
    assert "sentence vectors belong to no stored chunk" in problems
    assert "ghost" in problems and "elders: the manifest lists" in problems and "BM25" in problems

    report = ingest(small_corpus)
    assert report.repaired and not report.failed
    assert {Path(f.path).name: f.status for f in report.files}["elders.txt"] in {"added", "replaced"}  # re-added
    health = check_index(small_corpus)
    assert health.consistent, health.problems
    assert health.chunks == health.bm25_docs == sum(len(e) for e in [index.ids_for_doc("elders"), index.ids_for_doc("youth")])


def test_a_running_assistant_survives_a_rebuild_and_sees_a_re_ingest(small_corpus):
    """Finding 5: `ingest --rebuild`, then a re-ingest by another process, under a live Assistant."""
    ingest(small_corpus)
    assistant = Assistant(small_corpus)
    question = "How do nurses and home helpers care for older people in Aarhus?"
    assert assistant.ask(question).supported

    report = ingest(small_corpus, rebuild=True)
    assert not report.failed
    assert read_stamp(small_corpus).generation == 1
    names = {c.name for c in Store(small_corpus).client.list_collections()}
    assert "joinedup-g1" in names and "joinedup" not in names  # built beside, switched, the old one dropped
    answer = assistant.ask(question)
    assert answer.supported and any("Aarhus" in c.quote for c in answer.citations)

    (small_corpus.documents_dir / "elders.txt").write_text(
        "Home care for older people\n\nIn Aarhus, a night nurse visits every older person who lives alone. " * 5,
        encoding="utf-8",
    )
    env = {**os.environ, "JOINEDUP_DATA_DIR": str(small_corpus.data_dir), "JOINEDUP_CORPUS_DIR": str(small_corpus.corpus_dir)}
    env.pop("CHROMA_HOST", None)
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "ingest", "--quiet"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    answer = assistant.ask("Who visits older people who live alone in Aarhus?")
    assert answer.supported and any("night nurse" in c.quote for c in answer.citations)
    assert check_index(small_corpus).consistent


def test_a_question_in_flight_during_a_rebuild_is_answered_from_the_new_index(small_corpus, monkeypatch):
    """Finding 5: the collections vanish between the start of a question and its search (no NotFoundError shown)."""
    import app.query.ask

    ingest(small_corpus)
    assistant = Assistant(small_corpus)
    question = "How do nurses and home helpers care for older people in Aarhus?"
    assert assistant.ask(question).supported
    stale = read_stamp(small_corpus)
    monkeypatch.setattr(app.query.ask, "read_stamp", lambda settings: stale)  # the check at the start saw nothing yet
    assert not ingest(small_corpus, rebuild=True).failed  # drops the collections the assistant holds
    answer = assistant.ask(question)
    assert answer.supported and any("Aarhus" in c.quote for c in answer.citations)
    assert assistant.retriever.store.generation.number == 1


@pytest.mark.slow  # a real Chroma server and the real model
def test_a_chroma_server_that_goes_away_is_one_sentence(tmp_path, monkeypatch, capsys):
    """Finding 9: the server killed mid-session; no traceback, no misleading "No index yet"."""
    corpus = tmp_path / "corpus"
    (corpus / "documents").mkdir(parents=True)
    (corpus / "practices").mkdir()
    (corpus / "documents" / "notes.md").write_text(
        "# Local notes\n\nThe Lumiere network pairs every family with one key worker who coordinates health visitors.\n",
        encoding="utf-8",
    )
    chroma = Path(sys.executable).parent / "chroma"
    port = free_port()
    cmd = [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)]
    question = "How does the Lumiere network coordinate support for families?"
    with server_process(cmd, port, "chroma server", timeout=60) as server:
        settings = make_settings(tmp_path / "data", corpus).with_({"index.chroma_host": "127.0.0.1", "index.chroma_port": port})
        assert not ingest(settings).failed
        assistant = Assistant(settings)
        assert assistant.ask(question).supported
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=20)

        with pytest.raises(StoreError, match=rf"^The Chroma server at 127\.0\.0\.1:{port} is not answering"):
            assistant.ask(question)
        monkeypatch.setenv("JOINEDUP_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("JOINEDUP_CORPUS_DIR", str(corpus))
        monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
        monkeypatch.setenv("CHROMA_PORT", str(port))
        assert main(["ask", question]) == 2
        err = capsys.readouterr().err
        said = [line for line in err.splitlines() if "joinedup:" in line]
        assert len(said) == 1 and f"joinedup: The Chroma server at 127.0.0.1:{port} is not answering" in said[0]
        assert "No index yet" not in err and "Traceback" not in err and str(tmp_path) not in err
    shutil.rmtree(tmp_path / "server", ignore_errors=True)
