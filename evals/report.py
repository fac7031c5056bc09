"""The Markdown report (per-kind table, ablations, error analysis) and its charts."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

from evals.dataset import expects_refusal
from evals.finder import SituationResult, finder_section
from evals.runner import ItemResult, summarise
from evals.scoring import defects_by_kind

METRICS = (
    "hit@1",
    "hit@5",
    "hit@10",
    "mrr",
    "accuracy",
    "citation_precision",
    "refusal_accuracy",
    "false_refusals",
    "sources_differ",
    "opening_hit",
    "citations_mean",
    "defect_rate",
    "latency_p50_ms",
)


def fmt(v: float | int | None) -> str:
    if v is None:
        return "–"
    return str(v) if isinstance(v, int) else f"{v:.3f}"


def composite(overall: dict) -> float:
    """The single figure configurations are ranked by: mean of answer accuracy and MRR."""
    return ((overall["accuracy"] or 0.0) + (overall["mrr"] or 0.0)) / 2


def summary_table(summary: dict[str, dict]) -> str:
    """Markdown table: one row per kind and one for all items."""
    lines = ["| kind | n | " + " | ".join(METRICS) + " |", "|---" * (len(METRICS) + 2) + "|"]
    for kind, s in summary.items():
        lines.append(f"| {kind} | {s['n']} | " + " | ".join(fmt(s[m]) for m in METRICS) + " |")
    return "\n".join(lines)


def write_results(results: list[ItemResult], config: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(r.as_record(config), ensure_ascii=False) + "\n")


def _chart(summary: dict[str, dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = [k for k in summary if k != "all"]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    width = 0.38
    xs = range(len(kinds))
    acc = [summary[k]["accuracy"] or 0 for k in kinds]
    hit = [summary[k]["hit@5"] or 0 for k in kinds]
    ax.bar([x - width / 2 for x in xs], acc, width, label="answer accuracy")
    ax.bar([x + width / 2 for x in xs], hit, width, label="retrieval hit@5")
    ax.set_xticks(list(xs), kinds)
    ax.set_ylim(0, 1.05)
    ax.set_title("Default configuration, per question kind (out_of_scope: accuracy = correct refusal)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _error_analysis(results: list[ItemResult]) -> list[str]:
    lines = []
    failed = [r for r in results if not r.scores.accurate or r.scores.hit5 == 0.0]
    for r in failed:
        it = r.item
        why = []
        if not r.scores.accurate:
            why.append("wrongly refused" if r.scores.refused and not expects_refusal(it.kind) else
                       "answered, should refuse" if expects_refusal(it.kind) else "answer misses expected facts")  # fmt: skip
        if r.scores.hit5 == 0.0:
            why.append(f"evidence not in the answer's top 5 (rank {round(1 / r.scores.rr) if r.scores.rr else 'none'})")
        lines.append(f"### {it.id} ({it.kind}): {it.question}\n")
        lines.append(f"- problem: {'; '.join(why)}")
        if it.must_include or it.any_of:
            lines.append(f"- expected: all of {it.must_include}" + (f", one of {it.any_of}" if it.any_of else ""))
        if it.evidence:
            lines.append(f"- evidence: “{it.evidence[0][:160]}”")
        lines.append(f"- answer: {r.answer.answer_markdown[:300].replace(chr(10), ' ')}")
        for n, ref in enumerate(r.answer.retrieved[:3], 1):
            lines.append(f"- retrieved {n}: {ref.text[:140].replace(chr(10), ' ')}…")
        lines.append("")
    return lines


def _sets_section(sets: dict[str, list[ItemResult]]) -> list[str]:
    """Each question set's table, the sets side by side with the gap, defects by kind, and the routing table."""
    lines: list[str] = []
    overall = {name: summarise(results)["all"] for name, results in sets.items()}
    names = list(sets)
    lines += [
        "## The question sets side by side",
        "",
        "| set | n | " + " | ".join(METRICS) + " |",
        "|---" * (len(METRICS) + 2) + "|",
    ]
    for name in names:
        lines.append(f"| {name} | {overall[name]['n']} | " + " | ".join(fmt(overall[name][m]) for m in METRICS) + " |")
    if len(names) >= 2:
        # The first set is the one rules were tuned on, the last the held-out one: their gap is the overfit.
        first, last = names[0], names[-1]
        a, b = (overall[n]["accuracy"] or 0.0 for n in (first, last))
        lines += ["", f"Accuracy gap between the tuning and held-out sets: {abs(a - b):.3f} ({first} {a:.3f}, {last} {b:.3f})."]
    for name in names[1:]:
        lines += ["", f"### {name}, per kind", "", summary_table(summarise(sets[name]))]
    lines += ["", "### Reading defects by kind (all sets)", ""]
    counts = defects_by_kind([r.scores for results in sets.values() for r in results])
    lines += [f"- {kind}: {n}" for kind, n in counts.most_common()] or ["- none"]
    lines += ["", "### Routing (which composition answered each kind of question)", ""]
    routes = ("recommend", "practices", "evidence", "scope")
    lines += ["| set | kind | " + " | ".join(routes) + " |", "|---" * (len(routes) + 2) + "|"]
    for name, results in sets.items():
        by_kind = Counter((r.item.kind, r.answer.route or "scope") for r in results)
        for kind in dict.fromkeys(r.item.kind for r in results):
            lines.append(f"| {name} | {kind} | " + " | ".join(str(by_kind[(kind, route)]) for route in routes) + " |")
    return [*lines, ""]


RANKER_METRICS = ("accuracy", "opening_hit", "citation_precision", "refusal_accuracy", "false_refusals", "citations_mean")


def _ranker_section(sets: dict[str, list[ItemResult]], hand_tuned: dict[str, list[ItemResult]]) -> list[str]:
    """The learned statement ranker against the hand-set weights, set by set (the same answerability model)."""
    lines = [
        "## Statement ranking: learned model against the hand-tuned weights",
        "",
        "The same questions answered twice, once ranked by `models/statement_ranker.json` (fitted by `joinedup train`",
        "on the training set only), once by the hand-set weights of `answer.*` (`answer.statement_ranker: hand`).",
        "",
        "| set | ranker | " + " | ".join(RANKER_METRICS) + " |",
        "|---" * (len(RANKER_METRICS) + 2) + "|",
    ]
    for name, results in sets.items():
        if name not in hand_tuned:
            continue
        for ranker, res in (("learned", results), ("hand-tuned", hand_tuned[name])):
            overall = summarise(res)["all"]
            lines.append(f"| {name} | {ranker} | " + " | ".join(fmt(overall[m]) for m in RANKER_METRICS) + " |")
    return [*lines, ""]


def write_report(
    runs: dict[str, list[ItemResult]],
    default: str,
    out_dir: Path,
    questions: str = "evals/questions.jsonl",
    other_sets: dict[str, list[ItemResult]] | None = None,
    finder_sets: dict[str, list[SituationResult]] | None = None,
    hand_tuned: dict[str, list[ItemResult]] | None = None,
) -> Path:
    """Write report.md (+ per_kind.png) for the default run, any ablation runs, the other question sets and
    the practice finder's situation sets."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summaries = {name: summarise(res) for name, res in runs.items()}
    base = summaries[default]
    _chart(base, out_dir / "per_kind.png")
    n = base["all"]["n"]
    sets = {questions: runs[default], **(other_sets or {})}
    lines = [
        "# Joined-Up evaluation report",
        "",
        f"Generated {date.today().isoformat()} by `joinedup eval` over {n} questions (`{questions}`)"
        + (f" and {', '.join(f'`{s}`' for s in other_sets)}." if other_sets else "."),
        "Metrics: retrieval hit@k and MRR on the ranked list each answer used (a passage contains an evidence",
        "string; the normal path retrieves k=8, so hit@10 is hit within those 8), answer accuracy",
        "(all `must_include` and one `any_of` in the answer; for out-of-scope items, a refusal), citation",
        "precision (cited passages containing evidence or an expected fact), refusal accuracy on out-of-scope",
        "items, false refusals on answerable items, the answer defect rate (share of bullets a reader trips over:",
        "a list intro without its list, pointing back to unseen text, table debris, talk about the document,",
        "an unfinished sentence, a repeat), median latency of a full answer. `sources_differ`: accuracy on the",
        '"do the sources agree" questions (– where a set has none); `opening_hit`: the answer\'s first statement',
        "or a passage it cites holds an evidence string; `citations_mean`: numbered references per answer given.",
        "",
        f"## Default configuration: {default}",
        "",
        summary_table(base),
        "",
        "![per kind](per_kind.png)",
        "",
        *_sets_section(sets),
    ]
    if hand_tuned:
        lines += _ranker_section(sets, hand_tuned)
    if len(runs) > 1:
        header = "| configuration | " + " | ".join(METRICS) + " |"
        lines += ["## Ablations (all items; presets in `evals/presets.yaml`)", "", header, "|---" * (len(METRICS) + 1) + "|"]
        for name, s in summaries.items():
            lines.append(f"| {name} | " + " | ".join(fmt(s["all"][m]) for m in METRICS) + " |")
        ranked = sorted(summaries, key=lambda k: composite(summaries[k]["all"]), reverse=True)
        win = ranked[0]
        noise = 2 / n  # two questions either way
        base_score = composite(base["all"])
        lines += [
            "",
            "Ranking criterion: the mean of answer accuracy and MRR (what the user reads, and how early the evidence is found).",
            f"One question is {1 / n:.3f} of the set; a lead smaller than two questions ({noise:.3f}) is treated as noise.",
            "",
        ]
        for name in ranked:
            lines.append(f"- {name}: {composite(summaries[name]['all']):.3f}")
        lead = composite(summaries[win]["all"]) - base_score
        if win == default:
            second = composite(summaries[ranked[1]]["all"])
            margin = base_score - second
            verdict = f"**Winner: the default ({default})**, ahead of {ranked[1]} by {margin:.3f}" + (
                " (within noise: the two are tied)." if margin < noise else "."
            )
        elif lead < noise:
            verdict = (f"**No configuration beats the default by more than noise**: {win} leads by {lead:.3f} "
                       f"(under {noise:.3f}), so the default stays.")  # fmt: skip
        else:
            verdict = f"**Winner: {win}**, ahead of the default by {lead:.3f}. The default should be changed to it."
        lines += ["", verdict, ""]
    if finder_sets:
        lines += finder_section(finder_sets)
    lines += ["## Error analysis (default configuration)", "", *_error_analysis(runs[default])]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
