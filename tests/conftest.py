"""Shared fixtures: one real index over the real corpus (real model, real Chroma on disk) per test session."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from app.core.config import ROOT, Settings, load_settings

SMALL_CORPUS_PARAGRAPH = (
    "Integrated youth services in Tampere bring social workers, teachers and job coaches together. "
    "The team meets weekly to plan support for each young person. "
)


def make_settings(data_dir: Path, corpus_dir: Path = ROOT / "corpus", changes: dict[str, object] | None = None) -> Settings:
    """Settings for a test: an isolated data dir, never the user's data/; ``changes`` are dotted overrides."""
    base = load_settings().with_(
        {"index.chroma_host": "", "answer.backend": "extractive"}, data_dir=data_dir, corpus_dir=corpus_dir
    )
    return base.with_(changes) if changes else base


def use_in_cli(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Point `joinedup` (which reads the environment) at a test's index."""
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("JOINEDUP_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.delenv("CHROMA_HOST", raising=False)


F = TypeVar("F", bound=Callable[..., object])


def loads_model(fixture_function: F) -> F:
    """Mark a fixture that loads the real model or builds a real index (put it under ``@pytest.fixture``).

    Every test that uses such a fixture, directly or through other fixtures, is marked ``slow``: the
    mark follows the fixture, so a new test needs no hand mark to stay out of the fast tier.
    """
    fixture_function._loads_model = True  # type: ignore[attr-defined]
    return fixture_function


def _uses_a_model_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    # The closure: every fixture the test needs, however indirectly; the last definition of a name is the one used.
    return any(getattr(defs[-1].func, "_loads_model", False) for defs in info.name2fixturedefs.values() if defs)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the model or an index as ``slow`` (``-m "not slow"`` is the fast unit tier)."""
    for item in items:
        if _uses_a_model_fixture(item):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
@loads_model
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


@pytest.fixture()
@loads_model  # its tests ingest it with the real model
def small_corpus(tmp_path: Path) -> Settings:
    """Two documents (Markdown and text) in a temporary corpus, not yet ingested."""
    docs = tmp_path / "corpus" / "documents"
    docs.mkdir(parents=True)
    (tmp_path / "corpus" / "practices").mkdir()
    (docs / "youth.md").write_text("# Youth services\n\n" + SMALL_CORPUS_PARAGRAPH * 6, encoding="utf-8")
    (docs / "elders.txt").write_text(
        "Home care for older people\n\nIn Aarhus, nurses and home helpers share one care plan for every older person. " * 5,
        encoding="utf-8",
    )
    return make_settings(tmp_path / "data", tmp_path / "corpus")


@pytest.fixture(scope="session")
def corpus_quotes():
    from ingest.card_check import corpus_quote_index

    return corpus_quote_index(ROOT / "corpus" / "documents")


@pytest.fixture()
def toy_settings(tmp_path: Path) -> Settings:
    """Settings for a hand-made index (tests/toy_index.py) in a temporary data dir, over the real corpus profile and cards.

    Statements are ranked by the hand-set weights: the learned ranker was fitted on the real model's similarities,
    which toy vectors do not resemble (it has its own tests, tests/test_relevance.py).
    """
    return make_settings(tmp_path / "data", changes={"answer.statement_ranker": "hand"})
