"""Sentence selection and citation numbering on hand-made data (no model, no index)."""

import pytest

from app.answer.base import Draft, DraftClaim
from app.answer.extractive import ExtractiveBackend, ScoredSentence
from app.ask import build_answer
from app.config import Settings
from app.corpus_profile import load_profile
from app.models import Chunk, Passage
from app.text import content_terms

SETTINGS = Settings()
PROFILE = load_profile(SETTINGS.corpus_dir)


def sentence(text: str, score: float, passage: int = 0) -> ScoredSentence:
    return ScoredSentence(text, passage, 0, score, set(content_terms(text)))


def passage(cid: str, text: str, source_type: str = "report", section: str = "Case studies > LAFOS", codes=()) -> Passage:
    chunk = Chunk(
        id=cid, text=text, doc_id="d", doc_title="Doc", source_type=source_type, section=section, practice_codes=list(codes)
    )
    return Passage(chunk=chunk, score=1.0)


@pytest.fixture()
def backend() -> ExtractiveBackend:
    return ExtractiveBackend(SETTINGS)  # loads the profile only; selection never embeds


def test_selection_drops_near_duplicates_and_weak_sentences(backend):
    scored = [
        sentence("Pooled budgets fund integrated services for older people.", 0.9),
        sentence("Pooled budgets fund integrated services for older people in Finland.", 0.85),  # a repeat
        sentence("Case managers coordinate support across services.", 0.6),
        sentence("The weather was mild that year.", 0.3),  # under half the best score
    ]
    chosen = backend.select(scored, "How are services for older people funded?")
    assert [s.text for s in chosen] == [scored[0].text, scored[2].text]


def test_selection_prefers_a_sentence_covering_unanswered_question_words(backend):
    scored = [
        sentence("Pooled funding is common.", 0.80),
        sentence("Joint budgets are widespread in Finland.", 0.79),
        sentence("Evaluation of outcomes is rare.", 0.77),  # lower, but answers the part not yet covered
    ]
    chosen = backend.select(scored, "How common are pooled funding and evaluation?")
    assert [s.text for s in chosen][:2] == ["Pooled funding is common.", "Evaluation of outcomes is rare."]


def test_selection_stops_at_the_configured_number_of_claims():
    backend = ExtractiveBackend(SETTINGS.with_({"answer.max_claims": 2}))
    texts = ("Housing matters.", "Schools cooperate.", "Hospitals discharge early.", "Budgets shrink.", "Training helps.")
    scored = [sentence(t, 0.9 - i / 100) for i, t in enumerate(texts)]
    assert len(backend.select(scored, "services")) == 2


def test_support_threshold_decides_whether_the_corpus_answers(backend):
    assert backend.supports([sentence("Pooled budgets fund services.", 0.5)])
    assert not backend.supports([sentence("Pooled budgets fund services.", 0.2)])
    assert not backend.supports([])


def test_citations_are_numbered_by_first_use_and_quote_their_sentences():
    passages = [
        passage("p0", "Unrelated passage about housing."),
        passage("p1", "Pooled budgets fund the centre. Staff are trained jointly."),
        passage("p2", "Practice FI6, LAFOS (Finland), uses one stop shop.", "practice_card", "Practice cards > FI6", ["FI6"]),
    ]
    draft = Draft(
        claims=[
            DraftClaim("Staff are trained jointly.", [1], quote="Staff are trained jointly."),
            DraftClaim("Practice FI6, LAFOS (Finland), uses one stop shop.", [2], quote=passages[2].chunk.text),
            DraftClaim("Pooled budgets fund the centre.", [1], quote="Pooled budgets fund the centre."),
        ],
        preface="What the sources say:",
    )
    answer = build_answer("q", draft, passages, "extractive", PROFILE, 0.5)
    assert [c.chunk_id for c in answer.citations] == ["p1", "p2"]  # p0 was never cited
    assert [cl.citations for cl in answer.claims] == [[1], [2], [1]]
    assert answer.citations[0].quote == "Staff are trained jointly. … Pooled budgets fund the centre."
    assert answer.citations[0].evidence_label == "case study"
    assert answer.citations[1].evidence_label.startswith("practice review")
    assert answer.practices == ["FI6"]
    assert answer.answer_markdown.splitlines()[1] == "- Staff are trained jointly. [1]"
    assert [r.chunk_id for r in answer.retrieved] == ["p0", "p1", "p2"]  # the whole ranked list is recorded


def test_an_answer_whose_every_claim_fails_the_guard_is_a_refusal():
    passages = [passage("p0", "20 practices use pooled funding.")]
    draft = Draft(claims=[DraftClaim("90 practices use pooled funding.", [0])])
    answer = build_answer("q", draft, passages, "openai", PROFILE, 0.5)
    assert not answer.supported and answer.guard and answer.guard.removed_claims == 1
