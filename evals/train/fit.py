"""``joinedup train``: fit the passage ranker, the statement ranker and the answerability model on the training set
(never on an evaluation set), in that order: the statements' features read the passage ranker's score
(``evals/train/passages.py``), and the answerability features read the best statements, so each is measured with
the models before it (``evals/train/rank.py``).

1. Every training question (``evals/train/*.jsonl``; follow-ups asked after their history) goes
   through the real pipeline with answerability off, so unanswerable questions yield their
   evidence features too. Features are cached in the data folder (``--reuse`` skips this step).
2. A logistic model is fitted on answerable vs out-of-scope; its threshold is the highest that
   refuses at most ``MAX_FALSE_REFUSALS`` of the answerable training questions.
3. The models and their cards are written to ``models/`` (``passage_ranker.json``, ``statement_ranker.json``,
   ``answerability.json`` and their ``.md`` cards), with five-fold figures measured on the training set itself,
   out of fold.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.core.config import ROOT, Settings
from app.query.answerability import FEATURES, FULL_INFLUENCE, AnswerabilityModel, Evidence, fit
from app.query.ask import Assistant
from app.query.learned import evidence_kept, fit_ranker
from app.query.passage_rank import PASSAGE_FEATURES
from app.query.relevance import STATEMENT_FEATURES, HandTunedRanker
from evals.dataset import EvalItem, expects_refusal, load_items
from evals.runner import conversation_for
from evals.train.passages import collect as collect_passages
from evals.train.passages import cross_validate as cross_validate_passages
from evals.train.passages import passage_card
from evals.train.rank import RankingData, by_source, ranker_card
from evals.train.rank import collect as collect_statements
from evals.train.rank import cross_validate as cross_validate_ranker

TRAIN_DIR = ROOT / "evals" / "train"
MODEL_DIR = ROOT / "models"
MAX_FALSE_REFUSALS = 0.02  # the bound on false refusals, applied to the training questions
SEED = 20261206
# Other-language questions are answered by a rule (the language note first); they say nothing about evidence.
SKIPPED_KINDS = {"other_language"}


@dataclass(frozen=True)
class Row:
    """One training question's evidence features and whether it is answerable."""

    id: str
    kind: str
    answerable: bool
    evidence: Evidence


def training_items(train_dir: Path = TRAIN_DIR) -> list[EvalItem]:
    """Every training item, file by file in name order."""
    return [item for path in sorted(train_dir.glob("*.jsonl")) for item in load_items(path)]


def collect(settings: Settings, items: list[EvalItem], progress: Callable[[int, int], None] | None = None) -> list[Row]:
    """Ask every item with answerability off and keep the evidence the composer measured."""
    assistant = Assistant(settings.with_({"answer.answerability_model": "off"}))
    rows = []
    for n, item in enumerate(items, 1):
        if item.kind in SKIPPED_KINDS:
            continue
        answer = assistant.ask(item.question, history=conversation_for(assistant, item))
        if answer.evidence is not None:  # refused by a rule before composing (opinion, later years …): no evidence
            rows.append(Row(item.id, item.kind, not expects_refusal(item.kind), Evidence.from_dict(answer.evidence)))
        if progress:
            progress(n, len(items))
    return rows


def save_rows(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"id": r.id, "kind": r.kind, "answerable": r.answerable, "evidence": r.evidence.as_dict()}) for r in rows]
    path.write_text("\n".join(lines) + "\n")


def load_rows(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text().splitlines():
        d = json.loads(line)
        rows.append(Row(d["id"], d["kind"], d["answerable"], Evidence.from_dict(d["evidence"])))
    return rows


@dataclass(frozen=True)
class Scores:
    refused_out_of_scope: float
    false_refusals: float
    n_answerable: int
    n_out_of_scope: int


def score(model: AnswerabilityModel, rows: list[Row]) -> Scores:
    """The model's refusal figures on these rows."""
    return scores_of(rows, [model.answers(r.evidence) for r in rows])


def out_of_fold(rows: list[Row], folds: int = 5) -> list[bool]:
    """Whether each row's question is answered by a model fitted on the other folds (in the rows' order)."""
    order = list(range(len(rows)))
    random.Random(SEED).shuffle(order)
    answered = [False] * len(rows)
    for f in range(folds):
        test = order[f::folds]
        train = [rows[i] for j, i in enumerate(order) if j % folds != f]
        model = fit([r.evidence for r in train], [r.answerable for r in train], MAX_FALSE_REFUSALS, SEED, [r.kind for r in train])
        for i in test:
            answered[i] = model.answers(rows[i].evidence)
    return answered


def scores_of(rows: list[Row], answered: list[bool]) -> Scores:
    """Refusal figures of given answers: the share of out-of-scope questions refused, of answerable ones refused."""
    oos = [a for r, a in zip(rows, answered, strict=True) if not r.answerable]
    ans = [a for r, a in zip(rows, answered, strict=True) if r.answerable]
    return Scores(sum(not a for a in oos) / max(1, len(oos)), sum(not a for a in ans) / max(1, len(ans)), len(ans), len(oos))


def source_scores(rows: list[Row], answered: list[bool]) -> dict[str, Scores]:
    """The refusal figures of the readers' questions and of the generated ones, apart."""
    return {
        source: scores_of([rows[i] for i in mine], [answered[i] for i in mine])
        for source, mine in by_source([r.id for r in rows]).items()
    }


def model_card(
    model: AnswerabilityModel, rows: list[Row], oof: Scores, on_train: Scores, files: list[str], sources: dict[str, Scores]
) -> str:
    weights = "\n".join(f"| {name} | {w:+.3f} |" for name, w in zip(FEATURES, model.weights, strict=True))
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    make_up = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
    source_rows = "\n".join(
        f"| {name} | {sc.refused_out_of_scope:.3f} | {sc.n_out_of_scope} | {sc.false_refusals:.3f} | {sc.n_answerable} |"
        for name, sc in sources.items()
    )
    return f"""# Model card: answerability

- **What it decides**: whether the best evidence the pipeline found answers the question (below the
  threshold the assistant says the documents do not answer it, naming what the corpus never mentions).
- **Model**: logistic regression (scikit-learn, balanced classes, seed {SEED}) over {len(FEATURES)} features of the
  evidence (`app/query/answerability.py`); read at run time with numpy from `models/answerability.json`.
- **A word the corpus never uses** counts by how much of the question it carries: `uncovered_specificity` is
  then 1 - cosine(question, question without its unknown words) over {FULL_INFLUENCE} (at most 1), so "Canada" in
  "Which practices from Canada …" weighs fully and "barely" in a long situational question hardly at all. (Before
  2026-12-06 every unknown word counted 1.0: out of fold, AUC 0.956 against 0.974 now.)
- **Training data**: {len(rows)} questions from {", ".join(files)} ({make_up}); other-language questions
  are left out (a rule answers them). Readers who saw only the two documents wrote `reader_*.jsonl`;
  `structure.jsonl` is generated from the cards (`python -m evals.train.structure`). No evaluation set
  (`evals/questions*.jsonl`) was used.
- **Threshold**: {model.threshold:.3f}, the highest that refuses at most {MAX_FALSE_REFUSALS:.0%} of the answerable
  training questions, each kind of question weighing the same (else the 255 generated practice questions, the
  easiest, set it: out of fold on 2026-12-06 that refused 3.0% of each kind on average, 3 of the 20 "sources
  differ" questions).
- **Measured on the training set**: out of fold (5 folds) out-of-scope refused {oof.refused_out_of_scope:.3f},
  false refusals {oof.false_refusals:.3f}; fitted on all of it:
  {on_train.refused_out_of_scope:.3f} / {on_train.false_refusals:.3f}
  ({on_train.n_answerable} answerable, {on_train.n_out_of_scope} out of scope). By who wrote the questions, out of
  fold: the generated out-of-scope questions are easy to refuse, the readers' are not, and they are the ones like a
  user's (a kind-weighted or source-weighted fit refused fewer of them, measured 2026-12-07):

| questions | out-of-scope refused | out of scope | false refusals | answerable |
|---|---|---|---|---|
{source_rows}

- **Rebuild**: `joinedup train` (about four minutes on 2 cores: every question is answered twice, once per
  model); `joinedup train --reuse` refits from the cached features in seconds. Same data, same seed, same model.
- **Date**: {date.today().isoformat()}

| feature (standardised) | weight |
|---|---|
{weights}
"""


def _cached(path: Path, reuse: bool, collect: Callable[[], RankingData], features: tuple[str, ...]) -> RankingData:
    """The rows cached at ``path`` when reusing them, else collected now and cached there."""
    if reuse and path.is_file():
        return RankingData.load(path, features)
    data = collect()
    data.save(path)
    return data


def train(settings: Settings, reuse: bool = False, progress: Callable[[int, int], None] | None = None) -> str:
    """Fit the statement ranker, then the answerability model (its features depend on the statements' order),
    write both with their cards; returns a summary. ``reuse`` refits from the features cached by the last run."""
    items = training_items()
    files = [p.name for p in sorted(TRAIN_DIR.glob("*.jsonl"))]
    stamp = {"trained_on": files, "seed": SEED, "date": date.today().isoformat()}
    passages_cache = settings.data_dir / "train_passages.npz"
    pooled = _cached(passages_cache, reuse, lambda: collect_passages(settings, items, progress), PASSAGE_FEATURES)
    k = settings.retrieval.k
    passage_ranker = fit_ranker(pooled.features, pooled.relevant, pooled.groups, SEED)
    passage_oof = cross_validate_passages(pooled, SEED, k)
    # Saved before the statements are collected: their features (a passage's rank) come from this order.
    passage_ranker.save(MODEL_DIR / "passage_ranker.json", PASSAGE_FEATURES, **stamp)
    (MODEL_DIR / "PASSAGE_RANKER.md").write_text(passage_card(passage_ranker, pooled, passage_oof, SEED, k))

    statements_cache = settings.data_dir / "train_statements.npz"
    ranking = _cached(statements_cache, reuse, lambda: collect_statements(settings, items, progress), STATEMENT_FEATURES)
    hand = HandTunedRanker(settings.answer)
    keep_recall = evidence_kept(hand, ranking.features, ranking.relevant, ranking.groups)
    ranker = fit_ranker(ranking.features, ranking.relevant, ranking.groups, SEED, keep_recall=keep_recall)
    ranked = cross_validate_ranker(ranking, hand, SEED)
    ranker.save(MODEL_DIR / "statement_ranker.json", STATEMENT_FEATURES, **stamp)
    (MODEL_DIR / "STATEMENT_RANKER.md").write_text(ranker_card(ranker, ranking, ranked, SEED, keep_recall))

    cache = settings.data_dir / "train_features.jsonl"
    if reuse and cache.is_file():
        rows = load_rows(cache)
    else:
        rows = collect(settings, items, progress)
        save_rows(rows, cache)
    model = fit([r.evidence for r in rows], [r.answerable for r in rows], MAX_FALSE_REFUSALS, SEED, [r.kind for r in rows])
    answered = out_of_fold(rows)
    oof, on_train = scores_of(rows, answered), score(model, rows)
    model.save(MODEL_DIR / "answerability.json", **stamp)
    (MODEL_DIR / "MODEL_CARD.md").write_text(model_card(model, rows, oof, on_train, files, source_scores(rows, answered)))
    learned, fused = passage_oof["all"]
    return (
        f"passage ranker: {len(pooled.ids)} questions, out-of-fold MRR {learned.mrr:.3f} (fused order {fused.mrr:.3f}), "
        f"hit@{k} {learned.hitk:.3f} ({fused.hitk:.3f}) -> {MODEL_DIR / 'passage_ranker.json'}\n"
        f"statement ranker: {len(ranking.ids)} questions, out-of-fold MRR {ranked[0].mrr:.3f} "
        f"(hand-tuned {ranked[1].mrr:.3f}) -> {MODEL_DIR / 'statement_ranker.json'}\n"
        f"answerability: {len(rows)} training questions; threshold {model.threshold:.3f}; out of fold: out-of-scope refused "
        f"{oof.refused_out_of_scope:.3f}, false refusals {oof.false_refusals:.3f} -> {MODEL_DIR / 'answerability.json'}"
    )
