"""Document ids unique by path, cards checked at ingest, and the user-documents registry (issue 11, findings 3 and 4)."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.core.config import ROOT
from app.index.bm25 import BM25Index
from app.index.generations import live_generation
from app.index.store import Store
from ingest.maintenance import check_index
from ingest.pipeline import ingest
from ingest.registry import Registry
from tests.conftest import make_settings, use_in_cli

FI5 = ROOT / "corpus" / "practices" / "FI5.yaml"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_same_named_files_get_their_own_ids_and_nothing_takes_a_corpus_id(small_corpus, tmp_path):
    """Finding 3: report.txt + report.md, My Notes.md + my_notes.txt, a/notes.txt + b/notes.txt, a user youth.md."""
    docs, practices = small_corpus.documents_dir, small_corpus.practices_dir
    write(docs / "report.txt", "The Ghent team shares one case file between social workers and doctors. " * 3)
    write(docs / "report.md", "# Report\n\nThe Lyon team meets every Monday to plan home visits with nurses. " * 3)
    write(docs / "My Notes.md", "# Notes\n\nIn Porto, a mobile team brings benefits advice to rural villages. " * 3)
    write(docs / "my_notes.txt", "In Turku, school nurses refer pupils to family counsellors within a week. " * 3)
    shutil.copy(FI5, practices / "FI5.yaml")
    shutil.copy(FI5, practices / "FI5-copy.yaml")  # a second card with the code FI5
    unknown_level = FI5.read_text(encoding="utf-8").replace("code: FI5", "code: FI6").replace("[local]", "[galactic]")
    write(practices / "FI6.yaml", unknown_level)

    first = ingest(small_corpus)
    ids = {Path(f.path).name: f.doc_id for f in first.files if f.status == "added"}
    assert ids["youth.md"] == "youth" and ids["elders.txt"] == "elders" and ids["FI5.yaml"] == "practice-fi5"
    documents = ["report.txt", "report.md", "My Notes.md", "my_notes.txt", "youth.md", "elders.txt"]
    assert len({ids[name] for name in documents}) == len(documents)  # six files, six ids
    failed = {Path(f.path).name: f.reason for f in first.failed}
    assert set(failed) == {"FI5-copy.yaml", "FI6.yaml"}
    assert "duplicate practice code FI5" in failed["FI5-copy.yaml"] and "FI5.yaml" in failed["FI5-copy.yaml"]
    assert "governance_level: unknown value 'galactic'" in failed["FI6.yaml"]
    again = ingest(small_corpus)  # no file takes another's id back: nothing alternates
    assert {f.status for f in again.files} == {"unchanged", "failed"} and again.added == 0

    youth_chunks = Store(small_corpus).ids_for_doc("youth")
    a = write(tmp_path / "a" / "notes.txt", "In Bergen, housing officers join the weekly care meeting. " * 3)
    b = write(tmp_path / "b" / "notes.txt", "In Graz, the job centre has a social worker on every team. " * 3)
    mine = write(tmp_path / "mine" / "youth.md", "# My youth notes\n\nSomething else entirely about football. " * 3)
    users = ingest(small_corpus, [a, b, mine])
    rows = {f.path: f for f in users.files}
    assert rows[str(a)].status == rows[str(b)].status == "added" and rows[str(a)].doc_id != rows[str(b)].doc_id
    refusal = rows[str(mine)]
    assert refusal.status == "failed" and str(mine) not in refusal.reason  # the line names the file; the reason, the other
    assert "refused" in refusal.reason and "'youth'" in refusal.reason and str(docs / "youth.md") in refusal.reason
    assert Store(small_corpus).ids_for_doc("youth") == youth_chunks  # the corpus document is untouched
    assert check_index(small_corpus).consistent


def test_user_documents_stay_until_removed(small_corpus, tmp_path, monkeypatch, capsys):
    """Finding 4: a plain ingest keeps a user's documents; `joinedup remove` takes one out with all it left."""
    from app.cli import main

    ingest(small_corpus)
    text = "# Lumiere\n\nThe Lumiere network pairs every family with one key worker. " * 3
    mine = write(tmp_path / "mine" / "lumiere.md", text)
    added = ingest(small_corpus, [mine])
    doc_id = added.files[-1].doc_id
    assert added.files[-1].status == "added"
    assert Registry.load(small_corpus.user_documents_path).held() == {mine: doc_id}

    plain = ingest(small_corpus)
    assert not [f for f in plain.files if f.status == "removed"]
    assert {f.doc_id: f.status for f in plain.files}[doc_id] == "unchanged"
    assert Store(small_corpus).ids_for_doc(doc_id)

    use_in_cli(monkeypatch, small_corpus)
    assert main(["remove", "youth"]) == 2  # a corpus document is not removed this way
    assert "is a corpus document" in capsys.readouterr().err and Store(small_corpus).ids_for_doc("youth")
    assert main(["remove", str(mine)]) == 0
    assert doc_id in capsys.readouterr().out
    gen = live_generation(small_corpus)
    assert not Store(small_corpus).ids_for_doc(doc_id)
    assert not [c for c in BM25Index.load(gen.bm25_dir).catalogue if c.doc_id == doc_id]
    assert not (gen.units_dir / f"{doc_id}.json").exists()
    assert Registry.load(small_corpus.user_documents_path).documents == []
    assert check_index(small_corpus).consistent
    assert not [f for f in ingest(small_corpus).files if f.doc_id == doc_id]  # and it does not come back


def test_ids_by_path_in_the_fast_tier(tmp_path):
    """Finding 3 without the model: the id rules on their own."""
    from ingest.doc_ids import assign_ids

    docs = tmp_path / "corpus" / "documents"
    corpus = [docs / "report.pdf", docs / "report.txt", docs / "My Notes.md", docs / "my_notes.txt"]
    users = [tmp_path / "a" / "notes.txt", tmp_path / "b" / "notes.txt", tmp_path / "c" / "report.txt"]
    held = {docs / "report.txt": "report"}  # already indexed under the plain id: it keeps it
    plan = assign_ids(corpus, users, held, {})
    ids = {str(p.relative_to(tmp_path)): pl.doc_id for p, pl in plan.items() if not pl.refusal}
    assert ids["corpus/documents/report.txt"] == "report" and ids["corpus/documents/report.pdf"] == "report-pdf"
    assert ids["corpus/documents/My Notes.md"] == "my-notes" and ids["corpus/documents/my_notes.txt"] == "my-notes-txt"
    assert ids["a/notes.txt"] == "notes" and ids["b/notes.txt"] == "b-notes-txt"
    refused = plan[tmp_path / "c" / "report.txt"]
    assert refused.refusal and str(docs / "report.txt") in refused.refusal


def test_an_older_index_adopts_only_the_users_own_files(tmp_path):
    """Finding 4: the first run with a registry keeps the user documents an older index holds."""
    from ingest.manifest import Manifest, ManifestEntry
    from ingest.pipeline import _load_registry

    settings = make_settings(tmp_path / "data", tmp_path / "corpus")
    write(settings.documents_dir / "report.txt", "text")
    other_checkout = write(tmp_path / "old-clone" / "corpus" / "documents" / "report.txt", "text")
    mine = write(tmp_path / "mine" / "notes.md", "text")
    entries = {"report": other_checkout, "notes": mine, "gone": tmp_path / "deleted.txt"}
    manifest = Manifest(documents={d: ManifestEntry(path=str(p), sha256="", chunk_ids=[]) for d, p in entries.items()})
    assert _load_registry(settings, manifest).held() == {mine: "notes"}
