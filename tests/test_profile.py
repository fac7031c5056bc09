"""The corpus profile: validation, synonyms, evidence labels, codes, source mentions (no model)."""

from pathlib import Path

import pytest
import yaml

from app.core.codes import PracticeCodes
from app.core.config import ROOT, SOURCE_TYPES
from app.core.corpus_profile import is_curated_document, load_profile, phrase_pattern, read_profile
from app.query.retrieve import without_source_mentions
from ingest.pipeline import CHUNKING_CODE, chunker_version

PROFILE = load_profile(ROOT / "corpus")


def edited_profile(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((ROOT / "corpus" / "profile.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_the_shipped_profile_loads_and_covers_the_practice_countries():
    assert len(PROFILE.countries) == 17 and "Finland" in PROFILE.country_names
    assert PROFILE.vocabulary("funding") == ("pooled", "single_agency", "existing_resources", "mixed_public_private")
    assert PROFILE.label("target_groups", "older_people") == "older people"


def test_a_broken_profile_is_refused_with_the_reason(tmp_path):
    with pytest.raises(ValueError, match="vocabularies: missing funding"):
        read_profile(edited_profile(tmp_path, lambda d: d["vocabularies"].pop("funding")))
    with pytest.raises(ValueError, match="a code is used twice"):
        read_profile(edited_profile(tmp_path, lambda d: d["countries"].append(dict(d["countries"][0]))))
    with pytest.raises(ValueError, match="card_fields: not fields of a practice card: fundng"):
        read_profile(edited_profile(tmp_path, lambda d: d["card_fields"].update(fundng={"heading": "Funding"})))
    with pytest.raises(ValueError, match="evidence_order: not evidence-label kinds: anecdote"):
        read_profile(edited_profile(tmp_path, lambda d: d["answer_text"]["evidence_order"].append("anecdote")))


def test_synonyms_match_whole_words_and_starred_endings():
    pattern = phrase_pattern(["child", "unemploy*", "older people"])
    assert pattern and pattern.search("unemployed parents") and pattern.search("Older   people")
    assert not pattern.search("childcare")  # "child" is a whole word
    assert PROFILE.detect("sectors", "long-term unemployed people") == ["employment"]
    assert PROFILE.detect("target_groups", "frail elderly residents") == ["older_people"]


def test_audiences_default_when_the_question_names_none():
    assert [a.name for a in PROFILE.detect_audiences("As a social worker, what helps?")] == ["PRACTITIONERS"]
    assert [a.name for a in PROFILE.detect_audiences("What helps?")] == ["POLICY-MAKERS", "PRACTITIONERS"]


def test_evidence_labels_follow_the_first_matching_rule():
    assert PROFILE.evidence_label("paper", "Case studies").kind == "paper"  # the source type rule comes first
    assert PROFILE.evidence_label("report", "Case studies > LAFOS").label == "case study"
    assert PROFILE.evidence_label("report", "Executive summary").label == "report summary"


def test_practice_codes_are_the_profiles_countries_only():
    codes = PracticeCodes.from_profile(PROFILE)
    assert codes.find("FI5 and DE2 but not EU2 or XX9; see [P5] and P44", {"P5": "FI5", "P44": "GB3"}) == ["FI5", "DE2", "GB3"]


def test_mentions_of_the_documents_are_dropped_from_the_search_query():
    question = "What does the ESN report say about pooled funding?"
    assert without_source_mentions(question, PROFILE) == "What does say about pooled funding?"
    assert without_source_mentions("the report", PROFILE) == "the report"  # nothing left: keep the question


def test_only_what_decides_chunks_changes_the_chunker_version():
    assert "app/core/text.py" not in CHUNKING_CODE  # stopwords are query-time only
    base = chunker_version(PROFILE)
    audiences = PROFILE.model_copy(update={"own_names": ["ESN"]})
    assert chunker_version(audiences) == base
    cues = PROFILE.headings.model_copy(update={"case_study_label": "Project name:"})
    assert chunker_version(PROFILE.model_copy(update={"headings": cues})) != base


def test_only_the_report_and_the_paper_are_curated_documents():
    assert [t for t in SOURCE_TYPES if is_curated_document(t)] == ["report", "paper"]
    assert not is_curated_document("user_document") and not is_curated_document("practice_card")


def test_what_answers_say_about_the_corpus_comes_from_the_profile():
    assert PROFILE.card_label("effects") == "reported effects (Table 6)" and PROFILE.card_label("summary") == "what it is"
    assert "self-reported" in PROFILE.answer_text.practice_evidence_note
    money = PROFILE.money_pattern
    assert money.search("EUR 1.2 million") and money.search("€40") and money.search("500 kroner")
    assert not money.search("Europe") and not money.search("the eurozone")  # currency words are whole words


def test_a_practice_finder_without_a_profile_reads_the_configured_corpus(tmp_path, monkeypatch):
    from app.core.config import FinderSettings
    from app.query.practices import PracticeFinder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    edited_profile(corpus, lambda d: d.update(latest_source_year=2099))
    monkeypatch.setenv("JOINEDUP_CORPUS_DIR", str(corpus))
    assert PracticeFinder([], FinderSettings()).profile.latest_source_year == 2099  # not the project's corpus/


def test_a_group_of_people_the_question_names_asks_no_aspect():
    """ "People with mental health problems" names who is served; only the problems a question asks about are barriers."""
    profile = PROFILE
    assert profile.detect_aspects("Which practices support people with mental health problems?") == []
    assert profile.detect_aspects("What problems do teams serving people with mental health problems face?") == ["barriers"]
    assert profile.detect_aspects("How are services for older people funded, and what helps?") == ["funding", "facilitators"]
    # At one position the longest phrase matches, whatever order the profile lists them in.
    match = phrase_pattern(["mental health*", "mental health problems"]).search("people with mental health problems")
    assert match is not None and match.group(0) == "mental health problems"


def test_who_a_practice_is_for_is_asked_by_words_or_by_grammar():
    """ "Who is ALBORADA for?" asks about target groups as much as "What are FI6's target groups?"; "who is responsible
    for the budget" does not."""
    assert PROFILE.detect_aspects("Who is ALBORADA for and how is it funded?") == ["target_groups", "funding"]
    assert PROFILE.detect_aspects("Who is Project Search aimed at?") == ["target_groups"]
    assert PROFILE.detect_aspects("What are the target groups of FI6?") == ["target_groups"]
    assert "target_groups" not in PROFILE.detect_aspects("Who is responsible for the budget?")
    assert PROFILE.aspects["target_groups"].card_field == "target_groups"


def test_a_word_the_vocabularies_give_for_a_concept_names_it_though_the_documents_never_write_it():
    """ "copy" is a word of transferability and "GPs" one of the health sector: neither is an unknown word of a question
    (the documents write "transferred" and "general practitioners"); a word of no vocabulary is not a concept."""
    assert PROFILE.names_concept("copy") and PROFILE.names_concept("copying") and PROFILE.names_concept("GPs")
    assert PROFILE.aspect_mentions("transferability", "Could we copy it, or adapt it?") == 2
    assert not PROFILE.names_concept("merger") and not PROFILE.names_concept("salary")
