"""The welcome a new user sees: the sources from SOURCES.md, each evidence label explained, example questions per role."""

from app.core.config import ROOT
from app.core.corpus_profile import load_profile
from app.core.welcome import Source, load_welcome
from app.ui.onboarding import evidence_labels
from ingest.documents import read_sources


def test_welcome_names_roles_with_questions_and_explains_every_evidence_label():
    welcome = load_welcome(ROOT / "corpus")
    assert {r.label for r in welcome.roles} == {"Policy-maker", "Practitioner", "Trainer"}
    assert all(r.questions for r in welcome.roles)
    profile = load_profile(ROOT / "corpus")
    labels = dict(evidence_labels(profile, welcome))
    every = {r.label for r in [*profile.evidence_labels.rules, profile.evidence_labels.default]}
    assert set(labels) == every, "each label the answers use is explained"


def test_sources_come_with_year_authors_and_a_doi_link_when_there_is_one():
    rows = read_sources(ROOT / "corpus" / "documents").values()
    sources = [Source(s.title, s.authors, s.year, s.doi) for s in rows]
    assert all(s.year and s.authors for s in sources)
    links = {s.link for s in sources}
    assert "https://doi.org/10.5334/ijic.3107" in links and "" in links  # the report has no DOI: no made-up link
