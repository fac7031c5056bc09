"""Large files: ingested in committed batches, with progress inside the file, resumed after an interruption."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.index.bm25 import BM25Index
from app.index.index import Index
from app.index.store import Store
from ingest.pipeline import ingest
from tests.conftest import loads_model, make_settings

pytestmark = pytest.mark.slow  # the real model embeds every batch

TOPICS = ["home care", "youth guarantee", "debt advice", "housing first", "school social work", "carers' leave"]
CITIES = ["Tampere", "Aarhus", "Ghent", "Lyon", "Graz", "Porto", "Utrecht"]


def long_document(paragraphs: int) -> str:
    """Distinct paragraphs (every chunk differs), long enough to make many chunks."""
    out = []
    for i in range(paragraphs):
        topic, city = TOPICS[i % len(TOPICS)], CITIES[i % len(CITIES)]
        out.append(
            f"In {city}, the {topic} team number {i} brings social workers and nurses together in one office. "
            f"Each family in project {i} has one plan that every service reads and keeps up to date. "
            f"The {topic} pilot {i} was evaluated after two years by the municipality of {city}."
        )
    return "Integrated services at scale\n\n" + "\n\n".join(out) + "\n"


@pytest.fixture()
@loads_model
def big_corpus(tmp_path: Path):
    docs = tmp_path / "corpus" / "documents"
    docs.mkdir(parents=True)
    (tmp_path / "corpus" / "practices").mkdir()
    (docs / "big.txt").write_text(long_document(24), encoding="utf-8")
    changes = {"index.commit_batch": 4, "index.chunk_size": 300, "index.chunk_overlap": 50}
    return make_settings(tmp_path / "data", tmp_path / "corpus", changes)


def big_file(report):
    return next(f for f in report.files if f.path.endswith("big.txt"))


def stored_ids(settings) -> list[str]:
    return Store(settings).all_ids()


def count_adds(monkeypatch: pytest.MonkeyPatch, fail_on: int | None = None) -> list[int]:
    """Record the size of each batch written through ``Index.add``; raise on batch ``fail_on`` (a crash)."""
    sizes: list[int] = []
    real_add = Index.add

    def add(self: Index, chunks: list) -> None:
        if fail_on is not None and len(sizes) + 1 == fail_on:
            raise KeyboardInterrupt("stopped by the user")
        real_add(self, chunks)
        sizes.append(len(chunks))

    monkeypatch.setattr(Index, "add", add)
    return sizes


def test_a_file_larger_than_the_batch_is_written_in_several_batches_with_progress(big_corpus, monkeypatch):
    sizes = count_adds(monkeypatch)
    seen: list[str] = []
    report = ingest(big_corpus, progress=lambda done, total, name: seen.append(name))
    chunks = big_file(report).added
    assert not report.failed and chunks > 3 * 4
    assert sizes == [4] * (chunks // 4) + ([chunks % 4] if chunks % 4 else [])
    inside = [name for name in seen if name.startswith("big.txt ")]
    assert inside[0] == f"big.txt 4/{chunks} chunks" and inside[-1] == f"big.txt {chunks}/{chunks} chunks"
    assert len(set(stored_ids(big_corpus))) == chunks == report.total_chunks
    assert Index(big_corpus).health().consistent


def test_an_interrupted_file_keeps_its_batches_and_the_next_run_adds_only_the_rest(big_corpus, monkeypatch):
    count_adds(monkeypatch, fail_on=3)
    with pytest.raises(KeyboardInterrupt):
        ingest(big_corpus)
    kept = set(stored_ids(big_corpus))
    assert len(kept) == 8  # two committed batches of 4
    health = Index(big_corpus).health()
    assert health.sentence_vectors > 0 and not any("no sentence vectors" in p for p in health.problems)
    monkeypatch.undo()

    sizes = count_adds(monkeypatch)
    report = ingest(big_corpus)
    total = report.total_chunks
    assert not report.failed and big_file(report).status in {"added", "replaced"}
    assert sum(sizes) == total - len(kept)  # resumed: the stored batches were not embedded again
    ids = stored_ids(big_corpus)
    assert len(ids) == len(set(ids)) == total and kept <= set(ids)
    assert {c.id for c in BM25Index.load(Index(big_corpus).generation.bm25_dir).catalogue} == set(ids)
    assert Index(big_corpus).health().consistent
    assert big_file(ingest(big_corpus)).status == "unchanged"
