"""Shared fixtures: one real index over the real corpus (real model, real Chroma on disk) per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from app.core.config import ROOT, Settings, load_settings


def make_settings(data_dir: Path, corpus_dir: Path = ROOT / "corpus", changes: dict[str, object] | None = None) -> Settings:
    """Settings for a test: an isolated data dir, never the user's data/; ``changes`` are dotted overrides."""
    base = load_settings().with_(
        {"index.chroma_host": "", "answer.backend": "extractive"}, data_dir=data_dir, corpus_dir=corpus_dir
    )
    return base.with_(changes) if changes else base


# Fixtures that load the real model or build a real index: a test using one is in the slow tier.
SLOW_FIXTURES = {"corpus_settings", "assistant", "small_corpus"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the model or an index as ``slow`` (``-m "not slow"`` is the fast unit tier)."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The real corpus ingested once into a temporary store."""
    from ingest.pipeline import ingest

    settings = make_settings(tmp_path_factory.mktemp("index") / "data")
    report = ingest(settings)
    assert not report.failed, [f.reason for f in report.failed]
    return settings


@pytest.fixture(scope="session")
def assistant(corpus_settings: Settings):
    from app.query.ask import Assistant

    return Assistant(corpus_settings)


@pytest.fixture(scope="session")
def corpus_quotes():
    from ingest.card_check import corpus_quote_index

    return corpus_quote_index(ROOT / "corpus" / "documents")


@pytest.fixture()
def toy_settings(tmp_path: Path) -> Settings:
    """Settings for a hand-made index (tests/toy_index.py) in a temporary data dir, over the real corpus profile and cards."""
    return make_settings(tmp_path / "data")
