"""A read-only data folder (the shipped index on a read-only medium, a shared deployment): reading still works, and
writing says plainly why it cannot. The folder is made read-only for the CLI alone: a read-only bind mount in a
private mount namespace when the tests run as root (root writes through permissions), else the permissions."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.core.config import ROOT
from app.core.models import Chunk
from tests.conftest import make_settings


def run_read_only(folder: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """``joinedup ARGS`` with ``folder`` read-only for that process alone."""
    cli = [sys.executable, "-m", "app.cli", *args]
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **env}
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in (folder, *folder.rglob("*"))}
        for p in modes:
            p.chmod(modes[p] & ~0o222)
        try:
            return subprocess.run(cli, capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=600)
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
    if not shutil.which("unshare"):
        pytest.skip("needs unshare (util-linux) to mount the folder read-only as root")
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    out = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, str(folder), *cli],
        capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=600,
    )  # fmt: skip
    if "mount:" in out.stderr or "unshare:" in out.stderr:
        pytest.skip(f"cannot mount read-only here: {out.stderr.strip()[:200]}")
    return out


def _tiny_store(data_dir: Path) -> None:
    """A real Chroma store of one chunk and its sentence (vectors made up: no model needed to read counts)."""
    from app.index.bm25 import BM25Index
    from app.index.store import Store

    settings = make_settings(data_dir)
    store = Store(settings)
    chunk = Chunk(id="c1", text="Budgets are pooled.", doc_id="memo", doc_title="memo.txt", source_type="user_document")
    vector = np.ones((1, 384), dtype=np.float32) / np.sqrt(384)
    store.add_sentences([("c1", "user_document", chunk.text)], vector)
    store.add([chunk], vector)
    BM25Index([chunk]).save(store.generation.bm25_dir)


def test_doctor_reads_and_ingest_refuses_a_read_only_data_folder(tmp_path):
    data = tmp_path / "data"
    _tiny_store(data)
    env = {"JOINEDUP_DATA_DIR": str(data)}
    doctor = run_read_only(data, env, "doctor")
    assert "Traceback" not in doctor.stderr and "readonly database" not in doctor.stderr + doctor.stdout, doctor.stderr
    assert "chunks in Chroma   1" in doctor.stdout and "sentence vectors   1" in doctor.stdout
    note = tmp_path / "note.txt"
    note.write_text("Integrated services are funded by pooled budgets.\n", encoding="utf-8")
    for args in (("ingest", str(note)), ("ingest",), ("remove", "memo")):
        out = run_read_only(data, env, *args)
        assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
        assert "is read-only" in out.stderr and str(data) in out.stderr
    assert sorted(p.name for p in data.iterdir()) == ["bm25", "chroma"]  # nothing was written, not even a lock file


def test_ask_answers_from_a_read_only_index(corpus_settings):
    env = {"JOINEDUP_DATA_DIR": str(corpus_settings.data_dir), "JOINEDUP_CORPUS_DIR": str(corpus_settings.corpus_dir)}
    out = run_read_only(corpus_settings.data_dir, env, "ask", "How are integrated services funded?")
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr[-2000:]
    assert "Sources:" in out.stdout and "[1]" in out.stdout
