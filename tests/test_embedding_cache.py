"""The on-disk embedding cache: keyed by model and exact text, survives `--rebuild`, shrugs off damage."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

import app.index.embedding_cache as embedding_cache
import app.index.embeddings as embeddings
from app.index.embedding_cache import CACHE_FILE, EmbeddingCache, cache_for, embed_reusing, model_key
from tests.conftest import make_settings


def vectors(n: int, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, embeddings.DIMENSION)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_a_vector_is_found_only_for_the_same_model_and_the_exact_text(tmp_path):
    path = tmp_path / CACHE_FILE
    texts = ["Social workers and nurses share one plan.", "A one-stop shop for young jobseekers."]
    EmbeddingCache(path, "model-a", 100).put(texts, vectors(2))
    same = EmbeddingCache(path, "model-a", 100).get([*texts, texts[0] + " ", texts[1].lower()])
    assert set(same) == set(texts)  # a trailing space or another case is another text
    np.testing.assert_array_equal(same[texts[1]], vectors(2)[1])
    assert EmbeddingCache(path, "model-b", 100).get(texts) == {}  # another model never meets these vectors


def test_the_model_key_changes_with_any_file_of_the_model(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"hidden_size": 384}')
    (model / "model.safetensors").write_bytes(b"\x00" * 64)
    before = model_key(str(model))
    model_key.cache_clear()
    (model / "model.safetensors").write_bytes(b"\x00" * 63 + b"\x01")  # same size, one weight changed
    assert model_key(str(model)) != before


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"this is not a database at all" * 100),
        lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
        lambda p: p.write_bytes(p.read_bytes()[:100] + b"\xff" * 200 + p.read_bytes()[300:]),
        lambda p: p.write_bytes(b""),
    ],
    ids=["garbage", "truncated", "header-overwritten", "empty"],
)
def test_a_damaged_cache_is_ignored_and_started_afresh(tmp_path, damage, caplog):
    path = tmp_path / CACHE_FILE
    texts = [f"Sentence number {i} about integrated care." for i in range(300)]
    EmbeddingCache(path, "m", 10_000).put(texts, vectors(300))
    damage(path)
    cache = EmbeddingCache(path, "m", 10_000)
    with caplog.at_level(logging.WARNING):
        found = cache.get(texts)  # no exception, whatever it could still read is right
    for text, vec in found.items():
        np.testing.assert_array_equal(vec, vectors(300)[texts.index(text)])
    fresh = EmbeddingCache(path, "m", 10_000)
    fresh.put(texts[:2], vectors(2, seed=1))
    got = EmbeddingCache(path, "m", 10_000).get(texts[:2])
    np.testing.assert_array_equal(got[texts[0]], vectors(2, seed=1)[0])


def test_a_flipped_byte_inside_a_vector_is_a_miss_not_a_wrong_vector(tmp_path):
    path = tmp_path / CACHE_FILE
    vec = vectors(1)
    EmbeddingCache(path, "m", 100).put(["one sentence"], vec)
    raw = bytearray(path.read_bytes())
    at = raw.find(vec[0].tobytes())
    assert at > 0
    raw[at + 10] ^= 0x40
    path.write_bytes(bytes(raw))
    assert EmbeddingCache(path, "m", 100).get(["one sentence"]) == {}


def test_an_unwritable_data_folder_only_switches_the_cache_off(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / CACHE_FILE).mkdir()  # a folder where the file should be: SQLite cannot open it
    cache = EmbeddingCache(data / CACHE_FILE, "m", 100)
    cache.put(["a sentence"], vectors(1))
    assert cache.get(["a sentence"]) == {} and cache.disabled


def test_the_oldest_vectors_go_when_the_cache_is_full(tmp_path):
    path = tmp_path / CACHE_FILE
    cache = EmbeddingCache(path, "m", 3)
    for i in range(5):
        cache.put([f"text {i}"], vectors(1, seed=i))
    assert set(cache.get([f"text {i}" for i in range(5)])) == {"text 2", "text 3", "text 4"}


def test_cached_texts_are_not_embedded_again(tmp_path, monkeypatch):
    settings = make_settings(tmp_path / "data")
    monkeypatch.setattr(embedding_cache, "model_key", lambda path: "test-model")
    computed: list[str] = []

    def encoder(texts, settings=None):
        computed.extend(texts)
        return vectors(len(texts), seed=len(computed))

    monkeypatch.setattr(embedding_cache, "embed", encoder)
    first = embed_reusing(["a", "b", "a"], settings)
    assert computed == ["a", "b"] and (settings.data_dir / CACHE_FILE).exists()
    again = embed_reusing(["b", "c", "a"], settings)
    assert computed == ["a", "b", "c"]  # only the new text
    np.testing.assert_array_equal(again[0], first[1])
    np.testing.assert_array_equal(again[2], first[0])
    off = settings.with_({"index.embedding_cache_rows": 0})
    embed_reusing(["a"], off)
    assert computed[-1] == "a" and cache_for(off).disabled


@pytest.mark.slow
def test_a_rebuild_of_an_unchanged_corpus_embeds_nothing(tmp_path, monkeypatch):
    from app.index.store import Store
    from ingest.pipeline import ingest

    docs = tmp_path / "corpus" / "documents"
    docs.mkdir(parents=True)
    (tmp_path / "corpus" / "practices").mkdir()
    (docs / "care.md").write_text(
        "# Home care\n\n" + "In Aarhus, nurses and home helpers share one care plan for every older person. " * 12,
        encoding="utf-8",
    )
    settings = make_settings(tmp_path / "data", tmp_path / "corpus")
    assert not ingest(settings).failed
    before = Store(settings).collection.get(include=["embeddings"])
    real = embeddings._encode_by_length
    computed: list[str] = []

    def counting(texts: list[str], s: object) -> np.ndarray:
        computed.extend(texts)
        return real(texts, s)  # type: ignore[arg-type]

    monkeypatch.setattr(embeddings, "_encode_by_length", counting)
    report = ingest(settings, rebuild=True)
    assert not report.failed and report.total_chunks == len(before["ids"])
    assert computed == []  # every chunk and sentence vector came from the cache
    after = Store(settings).collection.get(ids=list(before["ids"]), include=["embeddings"])
    np.testing.assert_allclose(np.asarray(after["embeddings"]), np.asarray(before["embeddings"]), atol=1e-6)
    (settings.data_dir / CACHE_FILE).write_bytes(b"\x00garbage" * 1000)  # a damaged cache: recomputed, no traceback
    (docs / "care.md").write_text((docs / "care.md").read_text(encoding="utf-8") + "\nA new sentence about pooled budgets.\n")
    assert not ingest(settings, rebuild=True).failed
    assert computed  # the vectors were computed afresh
    assert Path(settings.data_dir / CACHE_FILE).stat().st_size > 8000  # and the cache was rebuilt
