"""The cross-encoder experiment's pure helpers and the pairs cache, on toy data (no model loaded)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from app.query.relevance import STATEMENT_FEATURES
from evals.train.cross_encoder import (
    first_relevant,
    fold_split,
    group_loss,
    paired_bootstrap,
    rank_metrics,
    reciprocal_ranks,
    rerank_top,
    split_questions,
    training_group,
    with_column,
)
from evals.train.pairs import QuestionPairs, load, save, to_ranking


def test_split_is_by_question_fixed_and_complete():
    train, test = split_questions(10, 0.2, seed=3)
    assert len(test) == 2 and len(train) == 8
    assert sorted([*train, *test]) == list(range(10))
    again = split_questions(10, 0.2, seed=3)
    assert (again[0] == train).all() and (again[1] == test).all()


def test_folds_partition_the_questions():
    parts = fold_split(np.asarray([2, 4, 6, 8, 10]), 2, seed=1)
    assert sorted(np.concatenate(parts).tolist()) == [2, 4, 6, 8, 10]
    assert {len(p) for p in parts} == {2, 3}


def test_training_group_keeps_positives_and_the_hardest_negatives():
    labels = [False, True, False, False, True, False]
    prior = [0.1, 0.0, 0.9, 0.5, 0.2, 0.5]
    assert training_group(labels, prior, negatives=2) == [1, 4, 2, 3]  # tie 3/5 kept in candidate order
    assert training_group(labels, prior, negatives=10) == [1, 4, 2, 3, 5, 0]


def test_first_relevant_gives_no_credit_for_a_tie():
    assert first_relevant([0.5, 0.5, 0.1], [False, True, False]) == 2
    assert first_relevant([0.1, 0.9, 0.1], [False, True, False]) == 1


def test_rank_metrics():
    s = rank_metrics([([3.0, 2.0, 1.0], [True, False, False]), ([3.0, 2.0, 1.0, 0.0], [False, False, False, True])])
    assert s.questions == 2
    assert s.mrr == pytest.approx((1 + 1 / 4) / 2)
    assert (s.hit1, s.hit3) == (0.5, 0.5)


def test_with_column_appends_one_feature():
    out = with_column(np.zeros((3, 2)), np.asarray([1.0, 2.0, 3.0]))
    assert out.shape == (3, 3) and out[:, 2].tolist() == [1.0, 2.0, 3.0]


def test_group_loss_prefers_positives_above_their_own_negatives():
    torch = pytest.importorskip("torch")
    labels = torch.tensor([True, False, True, False])
    groups = torch.tensor([0, 0, 1, 1])
    good = group_loss(torch.tensor([5.0, -5.0, 5.0, -5.0]), labels, groups)
    bad = group_loss(torch.tensor([-5.0, 5.0, -5.0, 5.0]), labels, groups)
    assert float(good) < 0.01 < 9 < float(bad)
    # A negative of another question does not count against a positive.
    alone = group_loss(torch.tensor([0.0, 0.0, 0.0, 100.0]), torch.tensor([True, False, False, False]), groups)
    assert float(alone) == pytest.approx(np.log(2), abs=1e-5)


def test_pairs_round_trip_and_agree_with_the_ranking_rows(tmp_path: Path):
    width = len(STATEMENT_FEATURES)
    pairs = [
        QuestionPairs("a", "Q1?", "Q1?", ["s1", "s2"], [True, False], np.arange(2 * width, dtype=float).reshape(2, width)),
        QuestionPairs("b", "And it?", "And it? — topic", ["s3"], [True], np.ones((1, width))),
    ]
    save(pairs, tmp_path / "pairs")
    back = load(tmp_path / "pairs")
    assert [(q.id, q.query, q.texts, q.labels) for q in back] == [(q.id, q.query, q.texts, q.labels) for q in pairs]
    assert all(np.allclose(a.features, b.features) for a, b in zip(back, pairs, strict=True))
    data = to_ranking(pairs)
    assert data.groups.tolist() == [0, 0, 1] and data.relevant.tolist() == [True, False, True] and data.ids == ["a", "b"]


def test_reciprocal_ranks_and_paired_bootstrap():
    rr = reciprocal_ranks([([1.0, 2.0], [True, False]), ([2.0, 1.0], [True, False])])
    assert rr.tolist() == [0.5, 1.0]
    mean, lo, hi = paired_bootstrap(np.asarray([1.0, 1.0, 0.5, 1.0]), np.asarray([0.5, 1.0, 0.5, 0.5]), samples=2000, seed=0)
    assert mean == pytest.approx(0.25)
    assert 0.0 <= lo <= mean <= hi <= 0.5
    same = paired_bootstrap(np.ones(5), np.ones(5), samples=100)
    assert same == (0.0, 0.0, 0.0)


def test_rerank_top_reorders_only_the_priors_top_k():
    prior = [0.9, 0.1, 0.8, 0.5]
    ce = [0.0, 9.0, 1.0, 5.0]
    order = np.argsort(-rerank_top(prior, ce, 2), kind="stable").tolist()
    assert order == [2, 0, 3, 1]  # top 2 by prior (0, 2) reordered by CE; then 3, 1 in the prior's order


def test_training_group_can_add_random_easy_negatives():
    labels = [False, True, False, False, False, False]
    prior = [0.1, 0.0, 0.9, 0.5, 0.4, 0.3]
    got = training_group(labels, prior, negatives=1, easy=2, rng=random.Random(0))
    assert got[:2] == [1, 2] and len(got) == 4 and set(got[2:]) <= {0, 3, 4, 5} and len(set(got)) == 4
    assert training_group(labels, prior, negatives=1, easy=9, rng=random.Random(0))[2:] != []  # capped at what is left
