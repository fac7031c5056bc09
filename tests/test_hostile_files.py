"""Issue 18, findings 2, 3, 4, 6, 7 and 14 without the model: no file, name or damaged store wedges ingest.

Every case here fails or repairs before anything is embedded, so it runs in the fast tier with a real Chroma
store on disk. The findings that need embedding (1, 5, and 2 end to end) are in test_kept_and_erased.py.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from app.core.cards import load_card
from app.core.config import Settings
from app.core.models import Chunk
from app.index.generations import POINTER_FILE, generation, read_stamp
from app.index.index import Index
from app.index.store import IndexChanged, Store, store_failure
from ingest.doc_ids import assign_ids
from ingest.maintenance import check_index
from ingest.pipeline import ingest
from ingest.registry import Registry
from tests.conftest import make_settings
from tests.test_index_consistency import use_in_cli

BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True)),
        "code: *i",
    ]
)


@pytest.fixture()
def empty_corpus(tmp_path: Path) -> Settings:
    """A corpus with no documents: ingest opens the real store but never needs the model."""
    (tmp_path / "corpus" / "documents").mkdir(parents=True)
    (tmp_path / "corpus" / "practices").mkdir()
    return make_settings(tmp_path / "data", tmp_path / "corpus")


def finishes(work: Callable[[], object], seconds: float) -> object:
    """The result of ``work`` run in a thread; fails the test when it has not returned within ``seconds``."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # handed to the test, whatever it is
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s (a hang)"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]


def test_a_billion_laughs_card_is_refused_at_once(empty_corpus, tmp_path):
    """Finding 6: 9 levels of nested aliases (about 400 bytes) took 168 s and 5.6 GB; now a refusal in well under 2 s."""
    card = empty_corpus.practices_dir / "FI9.yaml"
    card.write_text(BOMB, encoding="utf-8")
    assert len(BOMB) < 500
    started = time.monotonic()
    with pytest.raises(ValueError, match="aliases expand to more than"):
        load_card(card)
    report = finishes(lambda: ingest(empty_corpus), 30)
    assert time.monotonic() - started < 10
    failed = {Path(f.path).name: f.reason for f in report.failed}  # type: ignore[attr-defined]
    assert "aliases expand to more than" in failed["FI9.yaml"] and len(failed["FI9.yaml"]) < 300
    deep = tmp_path / "deep.yaml"
    deep.write_text("code: " + "[" * 50_000 + "]" * 50_000, encoding="utf-8")  # within the size cap
    with pytest.raises(ValueError, match="nested too deeply"):
        load_card(deep)
    big = tmp_path / "big.yaml"
    big.write_text("code: FI5\nnotes: " + "x" * 300_000 + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="larger than the limit"):
        load_card(big)


def test_only_regular_files_are_read_and_none_beyond_the_size_limit(tmp_path, monkeypatch, capsys):
    """Finding 7: /dev/zero behind a .txt name ran out of memory, a FIFO hung ingest; both refused at once."""
    from app.cli import main

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "z.txt").symlink_to("/dev/zero")
    os.mkfifo(folder / "p.txt")
    (folder / "big.txt").write_text("Social workers and nurses share one plan. " * 40_000, encoding="utf-8")  # 1.7 MB
    (tmp_path / "corpus" / "documents").mkdir(parents=True)
    (tmp_path / "corpus" / "practices").mkdir()
    settings = make_settings(tmp_path / "data", tmp_path / "corpus", {"index.max_file_mb": 1})
    (folder / "loop.md").symlink_to("loop.md")  # a link to itself
    given = [folder / "z.txt", folder / "p.txt", folder / "big.txt", folder / "loop.md"]
    report = finishes(lambda: ingest(settings, given), 60)
    failed = {Path(f.path).name: f.reason for f in report.failed}  # type: ignore[attr-defined]
    assert "a device, not a regular file" in failed["zero"]  # paths are resolved: the link names /dev/zero
    assert "a named pipe (FIFO), not a regular file" in failed["p.txt"]
    assert "larger than the limit of 1.0 MB" in failed["big.txt"] and "JOINEDUP_MAX_FILE_MB" in failed["big.txt"]
    assert "symbolic links" in failed["loop.md"]
    assert not Registry.load(settings.user_documents_path).documents

    use_in_cli(monkeypatch, settings)
    monkeypatch.setenv("JOINEDUP_MAX_FILE_MB", "1")
    assert finishes(lambda: main(["ingest", "--quiet", str(folder)]), 60) == 1  # the folder: the same four
    lines = {line.split()[1]: line for line in capsys.readouterr().out.splitlines() if line.split()[:1] != ["4"]}
    assert "a device" in lines["z.txt"] and "named pipe" in lines["p.txt"] and "larger than" in lines["big.txt"]
    assert "symbolic links" in lines["loop.md"]


def test_a_long_file_name_gets_a_bounded_id(tmp_path):
    """Finding 2: ids (and so the evidence-unit file names) no longer grow with the file name."""
    long_a = tmp_path / ("a" * 120 + "-report-" + "b" * 123 + ".md")
    long_b = tmp_path / ("a" * 120 + "-report-" + "c" * 123 + ".md")  # same start, another file
    card = tmp_path / ("x" * 246 + ".yaml")  # a card that does not load is named by its file
    plan = assign_ids([], [long_a, long_b, card], {}, {})
    ids = [plan[p].doc_id for p in (long_a, long_b, card)]
    assert len(set(ids)) == 3 and all(len(i) <= 80 for i in ids), ids
    assert ids[0].startswith("aaaa") and assign_ids([], [long_a], {}, {})[long_a].doc_id == ids[0]  # stable


def _seed(settings: Settings, doc_id: str, gen: int | None = None) -> None:
    """One chunk with a sentence vector in the store, as an older version left it (vectors stand in for the model)."""
    store = Store(settings, generation=generation(settings, gen) if gen is not None else None)
    text = "In Ghent, social workers and doctors share one case file for every family they see."
    chunk = Chunk(id=f"{doc_id[:20]}-1", text=text, doc_id=doc_id, doc_title="notes", source_type="user_document")
    vector = np.ones((1, 384), dtype=np.float32) / np.sqrt(384)
    store.add_sentences([(chunk.id, chunk.source_type, text)], vector)
    store.add([chunk], vector)


def test_repair_never_crashes_on_a_document_whose_units_file_cannot_exist(empty_corpus, monkeypatch, capsys):
    """Finding 2: chunks of a 251-character id (what an older version left) made every ingest crash in drop_doc."""
    from app.cli import main

    ingest(empty_corpus)
    _seed(empty_corpus, "n" * 251)
    Index(empty_corpus).put_units("other", [])  # the folder of units exists (other documents have theirs)
    use_in_cli(monkeypatch, empty_corpus)
    assert main(["doctor"]) == 1
    assert "`joinedup ingest` repairs it" in capsys.readouterr().out
    report = ingest(empty_corpus)  # was: OSError [Errno 36] File name too long
    assert any("dropped the chunks of nnnn" in r for r in report.repaired)
    assert not Store(empty_corpus).count() and check_index(empty_corpus).consistent
    assert main(["doctor"]) == 0  # what doctor promised, ingest did


def test_the_live_generation_is_known_without_its_pointer_file(empty_corpus, monkeypatch, capsys):
    """Finding 3: with data/generation.json gone, a rebuilt index was taken for an interrupted rebuild and dropped."""
    from app.cli import main

    ingest(empty_corpus, rebuild=True)
    ingest(empty_corpus, rebuild=True)
    assert read_stamp(empty_corpus).generation == 2
    _seed(empty_corpus, "kept", gen=2)  # what the live generation holds (its manifest lists it)
    from ingest.manifest import Manifest, ManifestEntry

    live = generation(empty_corpus, 2)
    manifest = Manifest.load(live.manifest_path)
    manifest.documents["kept"] = ManifestEntry(path="/nowhere/kept.md", sha256="", chunk_ids=["kept-1"])
    manifest.save(live.manifest_path)
    Index(empty_corpus).sync_keywords()
    Index(empty_corpus, generation=generation(empty_corpus, 3)).put_units("half", [])  # an interrupted rebuild
    (empty_corpus.data_dir / POINTER_FILE).unlink()

    assert read_stamp(empty_corpus).generation == 2
    use_in_cli(monkeypatch, empty_corpus)
    main(["doctor"])
    out = capsys.readouterr().out
    assert "generation         2" in out and "joinedup-g2" not in out
    ingest(empty_corpus, [])  # ingest of no files: repairs, keeps the live generation, writes the pointer anew
    assert (empty_corpus.data_dir / POINTER_FILE).exists() and read_stamp(empty_corpus).generation == 2
    assert Store(empty_corpus).ids_for_doc("kept") == {"kept-1"}
    assert not generation(empty_corpus, 3).root.exists()


def test_a_damaged_store_is_named_and_rebuilt_beside_it_keeping_the_users_documents(empty_corpus, monkeypatch, capsys):
    """Finding 4: `truncate` half of chroma.sqlite3: tracebacks everywhere, even from `ingest --rebuild`."""
    from app.cli import main

    ingest(empty_corpus)
    gone = empty_corpus.data_dir.parent / "gone.md"  # a registered file, missing now: the registry keeps it
    registry = Registry()
    registry.add(gone, "gone")
    registry.save(empty_corpus.user_documents_path)
    db = empty_corpus.chroma_dir / "chroma.sqlite3"
    os.truncate(db, db.stat().st_size // 2)
    use_in_cli(monkeypatch, empty_corpus)

    assert main(["doctor"]) == 1
    out = capsys.readouterr()
    assert "damaged" in out.out and "joinedup ingest --rebuild" in out.out and "Traceback" not in out.err
    assert main(["ingest", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is damaged" in err and "--rebuild" in err and "Traceback" not in err
    assert main(["ingest", "--quiet", "--rebuild"]) == 1  # the missing registered file is the one failure
    out = capsys.readouterr().out
    assert "damaged index database was set aside" in out and "registered file is missing" in out
    assert main(["doctor"]) == 0
    assert Registry.load(empty_corpus.user_documents_path).held() == {gone: "gone"}
    assert not list(empty_corpus.data_dir.glob("chroma.damaged*"))  # replaced once the new index is live


def test_a_full_disk_is_called_a_full_disk(empty_corpus, monkeypatch, capsys):
    """Finding 14: a full disk was reported as "the index was rebuilt while it was being read"."""
    from chromadb.errors import InternalError

    from app.cli import main
    from app.index.store import DiskFull

    chroma_full = InternalError("error returned from database: (code: 13) database or disk is full")
    assert isinstance(store_failure(empty_corpus, chroma_full), DiskFull)
    assert isinstance(store_failure(empty_corpus, InternalError("Collection [x] does not exist")), IndexChanged)

    ingest(empty_corpus)
    # A real ENOSPC from the kernel: the registry's temporary file is /dev/full, which refuses every write.
    (empty_corpus.data_dir / "user_documents.tmp").symlink_to("/dev/full")
    use_in_cli(monkeypatch, empty_corpus)
    assert main(["ingest", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "The disk is full" in err and "rebuilt while" not in err and "Traceback" not in err
