"""Practice cards: the real set validates; each seeded defect is caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from app.core.config import ROOT
from app.core.corpus_profile import load_profile
from ingest.card_check import check_card_set, report_country_spread, report_table6

CORPUS = ROOT / "corpus"
PRACTICES = CORPUS / "practices"
DOCUMENTS = CORPUS / "documents"
PROFILE = load_profile(CORPUS)


def test_the_44_cards_pass_every_check():
    cards, problems = check_card_set(CORPUS)
    assert [str(p) for p in problems] == []
    assert len(cards) == 44


def test_tables_are_parsed_from_the_report_itself():
    text = (DOCUMENTS / "esn-integrated-social-services-in-europe-2016.txt").read_text(encoding="utf-8")
    spread = report_country_spread(text, PROFILE)
    assert sum(spread.values()) == 44 and spread["Finland"] == 6 and spread["United Kingdom"] == 5
    table = report_table6(text, PROFILE)
    assert len(table) == 10
    assert table["single point of contact"] == ["BE3", "DE1"]
    assert len(table["improved co-ordination"]) == 17


@pytest.fixture()
def card_copy(tmp_path: Path) -> Path:
    """A corpus folder with copies of the cards and the profile; the documents are linked, not copied."""
    (tmp_path / "documents").symlink_to(DOCUMENTS)
    shutil.copy(CORPUS / "profile.yaml", tmp_path / "profile.yaml")
    folder = tmp_path / "practices"
    shutil.copytree(PRACTICES, folder)
    return folder


def edit(folder: Path, name: str, **changes: object) -> None:
    path = folder / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems_in(folder: Path) -> list[str]:
    return [str(p) for p in check_card_set(folder.parent)[1]]


def test_a_quote_not_in_the_corpus_is_caught(card_copy):
    data = yaml.safe_load((card_copy / "FI5.yaml").read_text(encoding="utf-8"))
    edit(card_copy, "FI5", sources={**data["sources"], "title": ["The Finnish Clubhouses won a national prize in 2015"]})
    assert any("FI5.yaml: sources.title: quote not found" in p for p in problems_in(card_copy))


def test_a_filled_field_without_a_quote_is_caught(card_copy):
    data = yaml.safe_load((card_copy / "DE2.yaml").read_text(encoding="utf-8"))
    sources = {k: v for k, v in data["sources"].items() if k != "delivery_models"}
    edit(card_copy, "DE2", sources=sources)
    assert any("DE2.yaml: field 'delivery_models' is filled but has no quote" in p for p in problems_in(card_copy))


def test_another_name_must_be_the_documents_own(card_copy):
    """A name the documents do not give the practice would let a question about another practice find this one."""
    edit(card_copy, "GB5", other_names=["RLDS", "Renfrewshire Day Centres"])
    found = [p for p in problems_in(card_copy) if "GB5.yaml" in p]
    assert len(found) == 1 and "'Renfrewshire Day Centres' is in none of its quotes" in found[0]


def test_an_unknown_vocabulary_value_is_caught(card_copy):
    edit(card_copy, "IS1", target_groups=["older_people", "pensioners"])
    assert any("IS1.yaml: target_groups: unknown value 'pensioners'" in p for p in problems_in(card_copy))


def test_a_wrong_table6_list_is_caught(card_copy):
    data = yaml.safe_load((card_copy / "GB1.yaml").read_text(encoding="utf-8"))
    edit(card_copy, "GB1", effects=[e for e in data["effects"] if e != "less resources"])
    assert any("Table 6 'less resources': missing ['GB1']" in p for p in problems_in(card_copy))


def test_a_wrong_country_count_and_duplicate_code_are_caught(card_copy):
    shutil.copy(card_copy / "SE1.yaml", card_copy / "SE4.yaml")
    edit(card_copy, "SE4", code="SE4")
    found = problems_in(card_copy)
    assert any("the report counts 3 practices from Sweden, the cards 4" in p for p in found)
    shutil.copy(card_copy / "SE1.yaml", card_copy / "SE4.yaml")  # same code in two files
    assert any("code SE1 is used by 2 cards" in p for p in problems_in(card_copy))


def test_contradiction_is_recorded_not_hidden():
    recovery = yaml.safe_load((PRACTICES / "DK3.yaml").read_text(encoding="utf-8"))
    assert "DK2" in recovery["alt_codes"] and "DK2" in recovery["notes"]
