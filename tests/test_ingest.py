"""Ingest: idempotence, replacement of changed documents, bad files, PDFs with page numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from app.index.bm25 import BM25Index
from app.index.generations import live_generation
from app.index.store import Store
from app.query.retrieve import Retriever
from ingest.pipeline import ingest


def write_pdf(path: Path, pages: list[str]) -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))


def test_reingesting_the_real_corpus_adds_nothing(corpus_settings):
    before = Store(corpus_settings).count()
    report = ingest(corpus_settings)
    assert report.added == 0
    assert {f.status for f in report.files} == {"unchanged"}
    assert Store(corpus_settings).count() == before


def test_changed_document_replaces_its_chunks(small_corpus):
    first = ingest(small_corpus)
    assert not first.failed
    store = Store(small_corpus)
    youth_before = store.ids_for_doc("youth")
    total_before = store.count()
    path = small_corpus.documents_dir / "youth.md"
    path.write_text("# Youth services\n\nA completely different text about school meals and sports clubs. " * 3, encoding="utf-8")
    second = ingest(small_corpus)
    youth_after = store.ids_for_doc("youth")
    status = {Path(f.path).name: f.status for f in second.files}
    assert status == {"youth.md": "replaced", "elders.txt": "unchanged"}
    assert youth_after and not (youth_after & youth_before)
    assert store.count() == total_before - len(youth_before) + len(youth_after)
    bm25_hits = Retriever(small_corpus).bm25("school meals sports clubs", 3)
    assert bm25_hits and bm25_hits[0].chunk.doc_id == "youth"
    assert not Retriever(small_corpus).bm25("job coaches teachers", 3)  # old text gone from BM25 too


def test_corrupt_pdf_is_reported_and_the_rest_ingests(small_corpus):
    bad = small_corpus.documents_dir / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\n this is not really a pdf \x00\x01")
    report = ingest(small_corpus)
    failed = {Path(f.path).name: f.reason for f in report.failed}
    assert list(failed) == ["broken.pdf"]
    assert "PDF" in failed["broken.pdf"]
    assert Store(small_corpus).ids_for_doc("elders")  # the good files are in


def test_removed_file_loses_its_chunks(small_corpus):
    ingest(small_corpus)
    (small_corpus.documents_dir / "elders.txt").unlink()
    report = ingest(small_corpus)
    assert any(f.status == "removed" and f.doc_id == "elders" for f in report.files)
    assert not Store(small_corpus).ids_for_doc("elders")


def test_pdf_pages_are_parsed_and_cited(small_corpus, tmp_path):
    from app.query.ask import Assistant

    pages = [
        "Chapter one. General remarks about local government budgets and procurement rules. " * 4,
        "Chapter two. Notes on the history of the municipal archive and its buildings. " * 4,
        "Chapter three. The Lumiere network pairs every family with one key worker who coordinates "
        "health visitors, teachers and benefit advisers. Families said one key worker made support easier. " * 2,
    ]
    write_pdf(small_corpus.documents_dir / "lumiere.pdf", pages)
    report = ingest(small_corpus)
    assert not report.failed
    answer = Assistant(small_corpus).ask("How does the Lumiere network coordinate support for families?")
    assert answer.supported
    pdf_citations = [c for c in answer.citations if "key worker" in c.quote]
    assert pdf_citations and all(c.page == 3 for c in pdf_citations)


def test_ingest_interrupted_mid_file_recovers_without_duplicates(small_corpus, monkeypatch):
    real_add = Store.add

    def crash(self, chunks, vectors):
        raise KeyboardInterrupt  # the user pressed Ctrl-C while the chunks were being written

    monkeypatch.setattr(Store, "add", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest(small_corpus)
    monkeypatch.setattr(Store, "add", real_add)
    report = ingest(small_corpus)
    assert not report.failed
    store = Store(small_corpus)
    sentences = store.sentences.get(include=["metadatas"])
    chunk_ids = set(store.collection.get(include=[])["ids"])
    # every chunk has its sentences, no sentence is orphaned, and nothing was written twice
    assert {m["chunk_id"] for m in sentences["metadatas"]} == chunk_ids
    assert len(sentences["ids"]) == len(set(sentences["ids"]))
    assert ingest(small_corpus).added == 0


def sentence_rows(store: Store) -> tuple[list[str], set[str]]:
    """(the chunk id of every stored sentence vector, the ids of the stored chunks)."""
    owners = [m["chunk_id"] for m in store.sentences.get(include=["metadatas"])["metadatas"]]
    return owners, set(store.all_ids())


def test_rebuild_leaves_no_sentence_vector_of_a_removed_chunk(small_corpus):
    ingest(small_corpus)
    owners, chunks = sentence_rows(Store(small_corpus))
    assert owners and set(owners) == chunks
    path = small_corpus.documents_dir / "youth.md"
    path.write_text("# Youth services\n\nSchool meals and sports clubs are planned with the families. " * 4, encoding="utf-8")
    report = ingest(small_corpus, rebuild=True)
    assert not report.failed
    owners, chunks = sentence_rows(Store(small_corpus))
    assert set(owners) == chunks  # not one vector of a chunk that no longer exists
    texts = Store(small_corpus).sentences.get(include=["documents"])["documents"]
    assert not any("job coaches" in t for t in texts)


def test_keyword_index_missing_a_chunk_is_repaired_by_the_next_ingest(small_corpus):
    ingest(small_corpus)
    keywords = live_generation(small_corpus).bm25_dir
    full = BM25Index.load(keywords)
    BM25Index(full.catalogue[1:]).save(keywords)  # as if a crash left the keyword index behind the store
    report = ingest(small_corpus)
    assert report.added == 0 and report.total_chunks == len(full.catalogue)
    assert {c.id for c in BM25Index.load(keywords).catalogue} == {c.id for c in full.catalogue}


def test_damaged_pdfs_are_each_a_report_line_and_never_stop_the_ingest(small_corpus, tmp_path):
    """Seeded fuzzing: PDFs with a few random bytes changed are reported as failed (or ingest), never raise."""
    import random

    source = tmp_path / "source.pdf"
    write_pdf(source, ["Integrated services for families are coordinated by one key worker. " * 6, "Second page text. " * 10])
    original = source.read_bytes()
    rng = random.Random(20261123)
    folder = small_corpus.documents_dir
    for i in range(150):
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        (folder / f"fuzz-{i:03}.pdf").write_bytes(bytes(data))
    report = ingest(small_corpus)  # must not raise
    names = {Path(f.path).name: f for f in report.files}
    assert names["elders.txt"].status == "added" and names["youth.md"].status == "added"  # the good files are in
    assert all(f.reason for f in report.failed)  # every failure says why
    assert len(names) == 152


def test_a_case_study_carries_its_practice_code_once_its_card_records_it(small_corpus):
    """A case study's sentences rarely name its code: the quote its card records from it ties the section to the
    practice, and re-ingesting after the card arrives rewrites the unchanged chunks with the code, never twice."""
    cases = small_corpus.documents_dir / "cases.md"
    body = "Network meetings bring the family and the professionals together in one room every week. " * 4
    cases.write_text(f"{body}\n\n# Open Dialogue\n\nProgramme’s name: Open Dialogue\n\n{body}", encoding="utf-8")
    assert not ingest(small_corpus).failed
    store = Store(small_corpus)
    before = store.count()
    assert not any(c.practice_codes for c in store.all_chunks() if c.doc_id == "cases")

    (small_corpus.practices_dir / "DK2.yaml").write_text(
        "code: DK2\ntitle: Open Dialogue\ncountry: Denmark\ncase_study: true\n"
        'sources:\n  case_study:\n    - "Programme’s name: Open Dialogue"\n',
        encoding="utf-8",
    )
    report = ingest(small_corpus)
    assert not report.failed
    chunks = {c.section: c.practice_codes for c in store.all_chunks() if c.doc_id == "cases"}
    assert chunks["Open Dialogue"] == ["DK2"]
    assert chunks[""] == []  # the same sentences outside the case study are not about it
    assert store.count() == before + 1  # the card's own chunk; the document's chunks were rewritten in place
