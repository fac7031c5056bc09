"""Choose a composition setting on the training set: answer every training question once per value, and score.

    .venv/bin/python -m evals.train.sweep answer.keep_ratio=0.5,0.3,0.2 [answer.statement_ranker=hand] [--by-kind]

Every value is run with the other settings fixed (a fixed ``key=value`` is applied to all runs); the table gives
the training set's accuracy, citation precision, citations per answer and refusals, per value. Settings are
chosen here and only reported on the evaluation sets (``joinedup eval``), never chosen there.
"""

from __future__ import annotations

import argparse
import sys

from app.core.config import load_settings
from app.query.ask import Assistant
from evals.report import fmt
from evals.runner import run_config, summarise
from evals.train.fit import training_items

SHOWN = ("accuracy", "citation_precision", "citations_mean", "opening_hit", "refusal_accuracy", "false_refusals")


def _value(text: str) -> object:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("settings", nargs="*", help="key=v1,v2,… (swept: at most one) or key=value (fixed)")
    parser.add_argument("--by-kind", action="store_true", help="also print each run's accuracy by kind of question")
    args = parser.parse_args(argv)
    fixed: dict[str, object] = {}
    swept: tuple[str, list[object]] | None = None
    for arg in args.settings:
        key, _, values = arg.partition("=")
        parts = [_value(v) for v in values.split(",")]
        if len(parts) > 1:
            if swept:
                parser.error("sweep one setting at a time")
            swept = (key, parts)
        else:
            fixed[key] = parts[0]
    key, values = swept or ("", [None])
    items = [i for i in training_items() if i.kind != "other_language"]
    base = load_settings().with_(fixed)
    print(f"{len(items)} training questions; fixed {fixed or '-'}", file=sys.stderr)
    print(f"| {key or 'setting'} | " + " | ".join(SHOWN) + " |\n" + "|---" * (len(SHOWN) + 1) + "|")
    for value in values:
        settings = base.with_({key: value}) if key else base
        summary = summarise(run_config(items, Assistant(settings)))
        print(f"| {value} | " + " | ".join(fmt(summary["all"][m]) for m in SHOWN) + " |", flush=True)
        if args.by_kind:
            kinds = ", ".join(f"{k} {fmt(v['accuracy'])} (n={v['n']})" for k, v in summary.items() if k != "all")
            print(f"|   by kind: {kinds} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
