"""The statement rankers on hand-made feature rows (no model loaded), and the ranker's training labels."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from app.core.config import ROOT, load_settings
from app.core.models import Analysis
from app.query.learned import LearnedRanker, evidence_kept, fit_ranker
from app.query.relevance import (
    STATEMENT_FEATURES,
    HandTunedRanker,
    StatementInputs,
    feature_row,
    gives_figure,
    load_ranker,
)
from evals.train.rank import holds_evidence

SETTINGS = load_settings()


def inputs(similarity: float = 0.5, overlap: float = 0.5, rank: int = 0, **flags: object) -> StatementInputs:
    base: dict[str, object] = {
        "about_aspect": False, "evidence_kind_asked": False, "asked_practice": False, "other_practice": False,
        "answer_type_fits": False, "country_fit": 0, "group_fit": 0, "kind": "sentence", "source_type": "report",
        "words": 20, "has_number": False,
    }  # fmt: skip
    return StatementInputs(similarity=similarity, word_overlap=overlap, rank=rank, **{**base, **flags})  # type: ignore[arg-type]


def test_the_hand_tuned_ranker_is_the_settings_formula():
    cfg = SETTINGS.answer
    analysis = Analysis(question="How are services funded?")
    row = feature_row(inputs(0.6, 0.4, rank=1, about_aspect=True, other_practice=True, country_fit=-1), analysis)
    expected = (
        cfg.semantic_weight * 0.6 + (1 - cfg.semantic_weight) * 0.4 + cfg.rank_prior / 2
        + cfg.aspect_bonus - cfg.named_practice_bonus - cfg.answer_type_bonus
    )  # fmt: skip
    assert HandTunedRanker(cfg).run(np.asarray([row]))[0] == pytest.approx(expected)
    assert len(row) == len(STATEMENT_FEATURES)


def toy_questions(n: int = 30) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each question has one relevant statement: the one about the asked aspect, whatever its similarity."""
    rng = np.random.default_rng(0)
    analysis = Analysis(question="toy")
    rows, labels, groups = [], [], []
    for q in range(n):
        for i in range(6):
            relevant = i == q % 6
            s = inputs(float(rng.uniform(0.3, 0.7)), float(rng.uniform(0, 1)), rank=i, about_aspect=relevant)
            rows.append(feature_row(s, analysis))
            labels.append(relevant)
            groups.append(q)
    return np.asarray(rows), np.asarray(labels), np.asarray(groups)


def test_the_learned_ranker_puts_what_it_was_taught_first_and_scores_as_probabilities():
    x, y, g = toy_questions()
    ranker = fit_ranker(x, y, g, seed=1, keep_recall=0.9)
    for q in range(5):
        scores = ranker.run(x[g == q])
        assert int(np.argmax(scores)) == int(np.flatnonzero(y[g == q])[0])
        assert ((scores > 0) & (scores < 1)).all()
    assert ranker.run(np.zeros((0, len(STATEMENT_FEATURES)))).shape == (0,)
    # Its floor keeps the taught statement in (at least) the share of questions it promises, and is a share.
    assert 0.0 < ranker.keep_ratio <= 1.0
    kept = [y[g == q][ranker.run(x[g == q]) >= ranker.run(x[g == q]).max() * ranker.keep_ratio].any() for q in range(30)]
    assert np.mean(kept) >= 0.9 and evidence_kept(ranker, x, y, g) == np.mean(kept)


def test_the_learned_ranker_round_trips_and_a_file_for_other_features_is_refused(tmp_path):
    x, y, g = toy_questions()
    ranker = fit_ranker(x, y, g, seed=1)
    path = tmp_path / "ranker.json"
    ranker.save(path, STATEMENT_FEATURES, trained_on=["toy"])
    again = LearnedRanker.load(path, STATEMENT_FEATURES)
    assert np.allclose(again.run(x[:6]), ranker.run(x[:6]))
    data = json.loads(path.read_text())
    data["features"] = data["features"][:-1]
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="joinedup train"):
        LearnedRanker.load(path, STATEMENT_FEATURES)


def test_the_settings_choose_the_ranker(tmp_path):
    assert isinstance(load_ranker(SETTINGS.with_({"answer.statement_ranker": "hand"}).answer), HandTunedRanker)
    missing = SETTINGS.with_({"answer.statement_ranker": str(tmp_path / "none.json")}).answer
    assert isinstance(load_ranker(missing), HandTunedRanker)  # an install without the model still answers
    shipped = ROOT / "models" / "statement_ranker.json"
    assert isinstance(load_ranker(SETTINGS.with_({"answer.statement_ranker": str(shipped)}).answer), LearnedRanker)


def test_a_statement_is_relevant_when_it_holds_the_evidence_or_is_a_sentence_of_it():
    sentence = "municipalities became responsible for patients ready to leave hospital and pay fees if they stay."
    evidence = [sentence.capitalize()]

    def said(quote: str) -> SimpleNamespace:
        return SimpleNamespace(quote=quote)

    holds = said("In Sweden, " + sentence)
    part = said("Municipalities became responsible for patients ready to leave hospital")
    card = said("Something else entirely here … " + sentence)  # a card fact's quotes, one of them the evidence
    short, other = said("pay fees"), said("Hospitals pay fees to nobody in this sentence at all.")
    assert holds_evidence(holds, evidence) and holds_evidence(part, evidence) and holds_evidence(card, evidence)  # type: ignore[arg-type]
    assert not holds_evidence(short, evidence) and not holds_evidence(other, evidence)  # type: ignore[arg-type]


def test_a_count_of_a_named_thing_needs_a_number_beside_that_thing():
    from app.core.corpus_profile import load_profile

    profile = load_profile(ROOT / "corpus")
    centres = "The service runs 15 centres across Finland, where staff from three agencies work together."
    assert gives_figure(centres, "count", profile)  # some count
    assert not gives_figure(centres, "count", profile, measured="client")  # but not of clients
    assert gives_figure("It served 120 clients in its first year.", "count", profile, measured="client")
    assert gives_figure("Table 7: Joint/pooled funding; # of practices 20; % 45%", "count", profile, measured="practice")
    assert not gives_figure("In 2014 the clients were asked about the service.", "count", profile, measured="client")  # a year
    # practices that run case management are not case managers
    assert not gives_figure("Case management: 7 practices", "count", profile, measured="case manager")
    assert gives_figure("The service employs 12 case managers.", "count", profile, measured="case manager")
    # another word of the thing counts in the plural: a table counting practices counts practice examples
    assert gives_figure("Joint/pooled funding 20 45%", "share", profile, "practice example", "Table 7 # of practices % of total")
    # a share of the named thing, not any share
    assert gives_figure("45% of the practices pooled their budgets.", "share", profile, measured="practice")
    halved = "The centre cut waiting times by half; clients were satisfied."
    assert not gives_figure(halved, "share", profile, measured="employment")


def test_a_change_is_a_figure_beside_a_word_of_change():
    """Asked by how much something changed, a figure of the thing is no answer; a figure of its change is."""
    from app.core.corpus_profile import load_profile

    profile = load_profile(ROOT / "corpus")
    assert gives_figure("GP visits were reduced by 33,3%, heating bills lowered by £30 a month.", "change", profile)
    assert gives_figure("The population of Kent is predicted to grow by 8.4% over the next seven years.", "change", profile)
    assert gives_figure("Admissions showed a 20% reduction in the first year.", "change", profile)
    assert gives_figure("Instead of the previous 271 municipalities, 98 larger municipalities were created.", "change", profile)
    assert not gives_figure("The MASS study followed 1,200 pupils in 40 schools over two years.", "change", profile)
    assert not gives_figure("20 practices reported reduced costs.", "change", profile)  # it counts practices


def test_a_frequency_needs_a_when_and_a_practice_code_is_no_figure():
    from app.core.corpus_profile import load_profile

    profile = load_profile(ROOT / "corpus")
    committee = "The Danish practice Recovery (DK2) is led by a steering committee of several municipalities."
    assert not gives_figure(committee, "frequency", profile)
    assert gives_figure("The steering committee meets four times a year.", "frequency", profile)
    assert not gives_figure(committee, "other", profile)  # "DK2" holds a digit but gives no figure
    assert gives_figure("The centre has 12 staff.", "other", profile)
    # How often the texts of a review say something: a share of them
    clusters = "The clusters were referred to in most articles, except result-focused learning (29%)."
    assert gives_figure(clusters, "frequency", profile)
    assert gives_figure("Only 13 of the 60 articles mentioned evaluation.", "frequency", profile)
    assert gives_figure("21 of 44 practices use various forms of case-management.", "share", profile, measured="practice")
    # When something is open: a weekday, a time of day, "24 hours"; not any number.
    assert gives_figure("The helpdesk is open on weekdays from 9 am to 5 pm.", "schedule", profile)
    assert gives_figure("Staff answer calls 24 hours a day.", "schedule", profile)
    assert not gives_figure("The helpdesk answered 1,200 calls in 2014.", "schedule", profile)


def test_each_question_weighs_the_same_in_the_ranker_fit():
    """Three questions with ten relevant statements each (a card's many facts) against twelve with one each: fitted
    pair by pair the three set the weights (300 pairs to 120) and the twelve rank their one statement last; each
    question weighing the same, the twelve win, as they outnumber the three."""
    width = len(STATEMENT_FEATURES)

    def rows(first: float, second: float, n: int) -> list[np.ndarray]:
        row = np.zeros(width)
        row[0], row[1] = first, second
        return [row.copy() for _ in range(n)]

    features, relevant, groups = [], [], []
    for g in range(15):
        many = g < 3  # the first three: many relevant statements, told apart by the first feature
        good = rows(1.0, 0.0, 10) if many else rows(0.0, 1.0, 1)
        bad = rows(0.0, 1.0, 10) if many else rows(1.0, 0.0, 10)
        features += good + bad
        relevant += [True] * len(good) + [False] * len(bad)
        groups += [g] * (len(good) + len(bad))
    model = fit_ranker(np.asarray(features), np.asarray(relevant), np.asarray(groups), seed=0)
    scores = model.run(np.asarray(rows(0.0, 1.0, 1) + rows(1.0, 0.0, 1)))
    assert scores[0] > scores[1]  # a question with one relevant statement (the many) puts it first
