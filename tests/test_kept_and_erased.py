"""Issue 18, findings 1, 2 and 5 with the real model: what a user added is kept, what they remove is gone from disk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.config import ROOT
from app.index.generations import live_generation
from app.index.store import Store
from ingest.maintenance import check_index
from ingest.pipeline import _Chunker, ingest
from ingest.registry import Registry


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_an_interrupted_multi_file_ingest_keeps_the_files_it_finished(small_corpus, tmp_path, monkeypatch):
    """Finding 1: Ctrl-C during the third file; the next plain ingest said "removed u1.md … no longer in corpus"."""
    u1 = write(tmp_path / "mine" / "u1.md", "# One\n\nIn Lahti, social workers sit in the job centre twice a week. " * 3)
    u2 = write(tmp_path / "mine" / "u2.md", "# Two\n\nIn Espoo, school nurses refer pupils to family counsellors. " * 3)
    big = write(tmp_path / "mine" / "big.md", "# Big\n\nIn Vantaa, a housing officer joins every case review. " * 3)
    real_chunks = _Chunker.chunks

    def interrupted(self: _Chunker, path: Path, doc_id: str):  # the user presses Ctrl-C while big.md is read
        if path.name == "big.md":
            raise KeyboardInterrupt
        return real_chunks(self, path, doc_id)

    monkeypatch.setattr(_Chunker, "chunks", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest(small_corpus, [u1, u2, big])
    monkeypatch.undo()

    assert set(Registry.load(small_corpus.user_documents_path).held()) == {u1, u2}
    plain = ingest(small_corpus)
    status = {Path(f.path).name: f.status for f in plain.files}
    assert status["u1.md"] == status["u2.md"] == "unchanged" and "removed" not in status.values()
    assert Store(small_corpus).ids_for_doc("u1") and check_index(small_corpus).consistent


def test_a_251_character_file_name_ingests_and_is_removed(small_corpus, tmp_path, monkeypatch, capsys):
    """Finding 2 end to end: the name wedged the index (Errno 36 in put_units, then every ingest crashed)."""
    from app.cli import main
    from tests.test_index_consistency import use_in_cli

    name = ("integrated-care-notes-" * 12)[:251] + ".md"  # its id + ".json" is 256 characters: one too many
    assert len(name) == 254
    mine = write(tmp_path / name, "# Notes\n\nIn Oulu, one social worker follows each family across services. " * 3)
    report = ingest(small_corpus, [mine])
    row = report.files[-1]
    assert row.status == "added" and len(row.doc_id) <= 80, (row.status, row.reason)
    assert (live_generation(small_corpus).units_dir / f"{row.doc_id}.json").exists()
    assert Registry.load(small_corpus.user_documents_path).held() == {mine: row.doc_id}
    use_in_cli(monkeypatch, small_corpus)
    assert main(["doctor"]) == 0
    assert main(["remove", str(mine)]) == 0 and row.doc_id in capsys.readouterr().out
    assert not Store(small_corpus).ids_for_doc(row.doc_id) and check_index(small_corpus).consistent


MARKER = "Quorvendal-7731"


def files_holding(folder: Path, text: str) -> list[str]:
    """Every file under ``folder`` whose bytes contain ``text`` (as UTF-8)."""
    needle = text.encode()
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes())


def test_removing_a_document_leaves_none_of_its_text_on_disk(small_corpus, tmp_path):
    """Finding 5: after `remove`, chroma.sqlite3 still held the text (its log and free pages), even after ingests.

    Each step is its own command, as a user runs them: a process that read the text may leave fragments of it in
    memory that Chroma's vector index writes out unzeroed, but `remove` and every later command never held it.
    """
    env = {**os.environ, "JOINEDUP_DATA_DIR": str(small_corpus.data_dir), "JOINEDUP_CORPUS_DIR": str(small_corpus.corpus_dir)}
    env.pop("CHROMA_HOST", None)

    def joinedup(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )

    ingest(small_corpus)
    notes = write(
        tmp_path / "notes.md",
        f"# Notes\n\nThe {MARKER} pilot seats a social worker in every health centre of the district. " * 4,
    )
    added = joinedup("ingest", str(notes))
    assert added.returncode == 0 and files_holding(small_corpus.data_dir, MARKER), added.stdout + added.stderr  # it was there

    removed = joinedup("remove", str(notes))
    assert removed.returncode == 0 and "removed" in removed.stdout, removed.stdout + removed.stderr
    assert files_holding(small_corpus.data_dir, MARKER) == []
    again = joinedup("ingest")  # later ingests neither bring it back nor break on the compacted store
    assert again.returncode == 0 and "0 chunks added" in again.stdout and "notes" not in again.stdout, again.stdout
    assert files_holding(small_corpus.data_dir, MARKER) == []
    doctor = joinedup("doctor")  # a fresh process replays Chroma's log: the vectors it needs are still there
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert Store(small_corpus).ids_for_doc("youth")


def test_the_vector_index_files_unused_capacity_is_zeroed_and_the_used_part_kept(tmp_path):
    """hnswlib writes its buffers for the index's whole capacity; past the elements held they are raw memory."""
    import struct

    from app.index.store_file import scrub_unused_vector_space

    segment = tmp_path / "segment"
    segment.mkdir()
    # version 1, offsetLevel0 0, capacity 4 elements, 2 held, 8 bytes per element (then fields not read)
    (segment / "header.bin").write_bytes(struct.pack("<iQQQQ", 1, 0, 4, 2, 8) + bytes(20))
    used, text = b"\x01" * 16, MARKER.encode()  # what the writing process's memory happened to hold
    (segment / "data_level0.bin").write_bytes(used + text)
    (segment / "length.bin").write_bytes(b"\x02" * 8 + text)
    assert scrub_unused_vector_space(tmp_path) == 2 * len(text)
    assert (segment / "data_level0.bin").read_bytes() == used + bytes(len(text))
    assert (segment / "length.bin").read_bytes() == b"\x02" * 8 + bytes(len(text))
    assert files_holding(tmp_path, MARKER) == []
    (segment / "header.bin").write_bytes(struct.pack("<iQQQQ", 2, 0, 4, 2, 8))  # another layout: left alone
    (segment / "length.bin").write_bytes(b"\x02" * 8 + text)
    assert scrub_unused_vector_space(tmp_path) == 0
