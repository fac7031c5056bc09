"""The practice finder: facet filters, similarity ranking, reasons; cards cited in chat."""

import json
import os
import subprocess
import sys

from app.cards import load_cards
from app.config import ROOT, FinderSettings
from app.practices import PracticeFinder, PracticeQuery

CARDS = [card for _, card in load_cards(ROOT / "corpus" / "practices")]


def make_finder(retriever=None) -> PracticeFinder:
    return PracticeFinder(CARDS, FinderSettings(), retriever)


def codes(matches):
    return {m.code for m in matches}


def test_older_people_and_health():
    got = make_finder().find(PracticeQuery(target_group="older_people", sector="health"))
    assert {"FR1", "FR2", "FI3", "GB4", "IS1", "IT2"} <= codes(got)
    assert all("older people" in m.reason and "health" in m.reason for m in got)
    assert all(m.quotes for m in got)


def test_country_filter_is_exact():
    got = make_finder().find(PracticeQuery(country="finland"))
    assert codes(got) == {"FI1", "FI2", "FI3", "FI4", "FI5", "FI6"}


def test_no_match_is_empty_not_padded():
    assert make_finder().find(PracticeQuery(country="Iceland", sector="education")) == []


def test_one_stop_shops_for_young_jobseekers_include_de2(assistant):
    finder = make_finder(assistant.retriever)
    got = finder.find(PracticeQuery(delivery_model="one_stop_shop", like="one-stop shop for young jobseekers", limit=5))
    assert "DE2" in codes(got)
    de2 = next(m for m in got if m.code == "DE2")
    assert "one stop shop" in de2.reason and de2.similar_passage


def test_chat_answer_about_case_management_for_older_people_cites_cards(assistant):
    answer = assistant.ask("Which practices use case-management for older people?")
    assert answer.supported
    assert any(c.source_type == "practice_card" for c in answer.citations)
    assert set(answer.practices) & {"FR1", "FR2", "GB4"}


def test_cli_practices_json(corpus_settings):
    env = {**os.environ, "JOINEDUP_DATA_DIR": str(corpus_settings.data_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "practices", "--target-group", "older_people", "--sector", "health", "--json"],
        capture_output=True, text=True, env=env, cwd=ROOT, check=True, timeout=120,
    )  # fmt: skip
    data = json.loads(out.stdout)
    assert {"FI3", "IS1"} <= {d["code"] for d in data}
    assert all(d["quotes"] for d in data)  # the card quotes behind each matched filter
