"""Shared fixtures: one real index over the real corpus (real model, real Chroma on disk) per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from app.config import ROOT, Settings, load_settings


def make_settings(data_dir: Path, corpus_dir: Path = ROOT / "corpus", **changes: object) -> Settings:
    """Settings for a test: an isolated data dir, never the user's data/."""
    base = load_settings().with_(data_dir=data_dir, corpus_dir=corpus_dir, chroma_host="", backend="extractive")
    return base.with_(**changes) if changes else base


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
    from app.ask import Assistant

    return Assistant(corpus_settings)


@pytest.fixture(scope="session")
def corpus_quotes():
    from ingest.cards import corpus_quote_index

    return corpus_quote_index(ROOT / "corpus" / "documents")
