"""Cleaning of PDF-extraction artefacts and section detection."""

from app.core.codes import PracticeCodes
from app.core.config import ROOT, IndexSettings
from app.core.corpus_profile import load_profile
from ingest.clean import Line, drop_running_headers, join_hyphenated, mark_dashes, replace_bullets
from ingest.documents import load_document, read_sources
from ingest.sections import build_blocks
from ingest.split import clean_document, split_document

PROFILE = load_profile(ROOT / "corpus")
CUES = PROFILE.headings


def split(doc):
    return split_document(clean_document(doc, CUES), doc, IndexSettings(), PracticeCodes.from_profile(PROFILE))


def lines(*texts: str) -> list[Line]:
    return [Line(t, None) for t in texts]


def test_running_header_with_page_numbers_is_removed():
    got = drop_running_headers(
        lines("Some text here.", "39 Integrated social services in Europe38 Integrated social services in Europe", "More text.")
    )
    assert [x.text for x in got] == ["Some text here.", "More text."]


def test_single_header_phrase_needs_repetition():
    # A numbered line that occurs once is content, not a header.
    got = drop_running_headers(lines("In 2014 the Care Act passed in England"))
    assert len(got) == 1


def test_hyphenation_joins_syllables_but_keeps_real_compounds():
    got = join_hyphenated(lines("services are start-", "ing to work as a case-", "manager; starting now a case-manager role"))
    text = " ".join(x.text for x in got)
    assert "starting to work" in text
    assert "case-manager;" in text


def test_bullets_become_list_markers():
    assert replace_bullets("\uf0b7 Joint/pooled funding") == "- Joint/pooled funding"


def test_a_spaced_hyphen_within_a_sentence_is_a_dash_and_after_its_end_a_list_marker():
    dash = "In four rural districts in Central Germany - Kyffhäuserkreis, Rhein-Lahn-Kreis - a ticket was added."
    assert (
        mark_dashes(dash)
        == "In four rural districts in Central Germany – Kyffhäuserkreis, Rhein-Lahn-Kreis – a ticket was added."
    )
    items = "two types: - Joint funding pools budgets. - Single agency funding.\n- Funding within existing resources"
    assert mark_dashes(items) == items
    broken = "Combining funds - also referred to as pooled budgets \n- may help overcome this issue."
    assert mark_dashes(broken) == "Combining funds – also referred to as pooled budgets \n– may help overcome this issue."


def test_broken_table_cells_merge_into_one_paragraph():
    doc = build_blocks(
        lines("Intro paragraph long enough to be running text for the test here.", "", "BE3", "", "DE2", "", "FI4", "", "13", ""),
        CUES,
    )
    assert any(b.text == "BE3 DE2 FI4 13" for b in doc.blocks)


def test_report_sections_and_codes_on_chunks():
    path = ROOT / "corpus" / "documents" / "esn-integrated-social-services-in-europe-2016.txt"
    doc = load_document(path, read_sources(path.parent))
    chunks = split(doc)
    table7 = next(c for c in chunks if "Joint/pooled funding 20 45%" in c.text)
    assert table7.section == "International practice review on integrated services > How may integrated services be funded?"
    byst = next(c for c in chunks if "Byström youth services" in c.text and "FI1" in c.text)
    assert "FI1" in byst.practice_codes
    assert any(c.section.startswith("Case studies > ") for c in chunks)
    assert any(c.section.startswith("Recommendations > POLICY-MAKERS") for c in chunks)
    # the running header never reaches a chunk
    assert not any("Integrated social services in Europe38" in c.text for c in chunks)
    assert all(c.page is None for c in chunks)  # a .txt has no pages; none are invented


def test_cleaned_text_keeps_offsets():
    path = ROOT / "corpus" / "documents" / "ijic-service-integration-across-sectors-2018.txt"
    doc = load_document(path, read_sources(path.parent))
    clean = clean_document(doc, CUES)
    for c in split(doc)[:20]:
        assert clean.text[c.char_start : c.char_end] == c.text
