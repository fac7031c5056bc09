"""``joinedup``: a thin command line over the library (ingest, ask, eval, serve, cards, practices, config)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from app.config import ROOT, load_settings


class ProgressBar:
    """A tqdm bar over the files of an ingest (on stderr)."""

    def __init__(self) -> None:
        self.bar: Any = None  # a tqdm bar, created on the first call (tqdm is imported only then)

    def __call__(self, done: int, total: int, name: str) -> None:
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(total=total, unit="file", file=sys.stderr, desc="ingest")
        self.bar.n = done
        self.bar.set_postfix_str(name[:40])
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.n = self.bar.total
            self.bar.close()


def cmd_ingest(args: argparse.Namespace) -> int:
    from ingest.pipeline import ingest

    settings = load_settings()
    paths = [Path(p).resolve() for p in args.paths] or None
    bar = None if args.quiet else ProgressBar()
    report = ingest(settings, paths, rebuild=args.rebuild, progress=bar)
    if bar:
        bar.close()
    for f in report.files:
        detail = f"+{f.added} -{f.removed}" if f.status != "failed" else f.reason
        print(f"{f.status:9} {Path(f.path).name:60} {detail}")
    print(f"{len(report.files)} files, {report.added} chunks added, {len(report.failed)} failed; "
          f"{report.total_chunks} chunks in the index")  # fmt: skip
    return 1 if report.failed else 0


def _ensure_index() -> None:
    from app.index import index_ready
    from ingest.pipeline import ingest

    settings = load_settings()
    if not index_ready(settings):
        print("No index yet: ingesting the corpus (about a minute) …", file=sys.stderr)
        bar = ProgressBar()
        ingest(settings, progress=bar)
        bar.close()


def cmd_ask(args: argparse.Namespace) -> int:
    from app.ask import Assistant

    # Bytes that are not UTF-8 reach Python as lone surrogates: show them as replacement characters instead.
    question = args.question.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    _ensure_index()
    answer = Assistant().ask(question, backend=args.backend, k=args.k)
    if args.json:
        print(answer.model_dump_json(indent=2))
        return 0
    if answer.notice:
        print(f"Note: {answer.notice}\n")
    print(answer.answer_markdown)
    if answer.citations:
        print("\nSources:")
        for c in answer.citations:
            where = c.section + (f", p. {c.page}" if c.page else "")
            print(f"[{c.n}] {c.doc_title} — {where} ({c.evidence_label})\n    “{c.quote[:300]}”")
    return 0


def cmd_cards_check(args: argparse.Namespace) -> int:
    from ingest.card_check import check_card_set, coverage_gaps

    settings = load_settings()
    cards, problems = check_card_set(settings.corpus_dir)
    for p in problems:
        print(p)
    if args.coverage:
        gaps = coverage_gaps(settings.corpus_dir, cards)
        for gap in gaps:
            print(f"coverage: {gap}")
        print(f"{len(gaps)} fields to look at (left empty, though a sentence naming the practice speaks to them)")
    if args.verbose or not problems:
        for c in cards:
            print(f"{c.code:4} {len(c.filled_fields()):2} fields  {c.title or '(no name in the sources)'}")
    print(f"corpus profile, tables and {len(cards)} cards: {len(problems)} problems")
    return 1 if problems else 0


def cmd_practices(args: argparse.Namespace) -> int:
    from app.cards import load_cards
    from app.practices import PracticeFinder, PracticeQuery

    settings = load_settings()
    retriever = None
    if args.like:
        from app.retrieve import Retriever

        _ensure_index()
        retriever = Retriever(settings)
    query = PracticeQuery(args.country, args.sector, args.target_group, args.delivery_model, args.funding, args.like, args.limit)
    cards = [card for _, card in load_cards(settings.practices_dir)]
    matches = PracticeFinder(cards, settings.finder, retriever).find(query)
    if args.json:
        print(json.dumps([m.to_dict() for m in matches], indent=2, ensure_ascii=False))
        return 0
    if not matches:
        print("No practice in the review matches these filters.")
    for m in matches:
        print(f"{m.code:4} {m.title or '(no name in the sources)'} — {m.country}\n     {m.reason}")
        for quote in m.quotes:
            print(f"     source: “{quote}”")
        if m.similar_passage:
            print(f"     similar: “{m.similar_passage}” ({m.similar_source})")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from app.ask import Assistant
    from evals.dataset import load_items
    from evals.report import summary_table, write_report, write_results
    from evals.runner import Preset, load_presets, run_config, summarise
    from ingest.pipeline import ingest

    base = load_settings()
    first, *others = args.questions
    items = load_items(Path(first))
    presets = load_presets()
    default = presets[0]
    if args.backend:
        default = Preset(f"{default.name}, {args.backend}", {**default.overrides, "answer.backend": args.backend})
    chosen = [default, *(presets[1:] if args.ablations else ())]
    runs = {}
    for preset in chosen:
        print(f"== {preset.name} ({len(items)} questions)", file=sys.stderr, flush=True)
        settings = preset.settings(base)
        ingest(settings)  # idempotent: on an existing index it only compares hashes
        runs[preset.name] = run_config(items, Assistant(settings))
    other_sets = {}
    for path in others:  # the default configuration on each further set (ablations run on the first only)
        print(f"== {default.name} on {path}", file=sys.stderr, flush=True)
        other_sets[_shown(path)] = run_config(load_items(Path(path)), Assistant(default.settings(base)))
    out = Path(args.out) if args.out else Path(args.report_dir) / "results.jsonl"
    write_results(runs[default.name], default.name, out)
    for name, results in other_sets.items():
        write_results(results, default.name, out.with_name(f"{Path(name).stem}-results.jsonl"))
    report = write_report(runs, default.name, Path(args.report_dir), _shown(first), other_sets)
    print(summary_table(summarise(runs[default.name])))
    for name, results in other_sets.items():
        print(f"\n{name}\n" + summary_table(summarise(results)))
    print(f"\nresults: {out}\nreport:  {report}")
    return 0


def _shown(path: str) -> str:
    """A question file as the report names it (relative to the repository when inside it)."""
    p = Path(path).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)


def cmd_config(args: argparse.Namespace) -> int:
    from app.config import iter_settings

    for name, value, doc, env in iter_settings(load_settings()):
        shown = "(set)" if name == "llm.api_key" and value else value
        source = f"  [{' / '.join(env)}]" if env else ""
        print(f"{name:36} {shown!s:28} {doc}{source}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "streamlit_app.py"),
           "--server.address", args.address, "--server.port", str(args.port),
           "--browser.gatherUsageStats", "false", "--server.headless", "true"]  # fmt: skip
    # Replace this process with Streamlit: stopping `joinedup serve` (Ctrl-C, SIGTERM) then stops the server itself.
    os.execv(sys.executable, cmd)


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="joinedup", description="Cited answers on integrated social services.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="ingest corpus/ (default) or the given files")
    p.add_argument("paths", nargs="*", help="files or folders (default: the corpus)")
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it anew")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the Answer object as JSON")
    p.add_argument("--backend", default=None, help="extractive (default), openai, ollama, llamacpp")
    p.add_argument("--k", type=_positive, default=None, help="passages to retrieve")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("cards", help="practice cards")
    cards_sub = p.add_subparsers(dest="cards_command", required=True)
    c = cards_sub.add_parser("check", help="validate the cards against the corpus and the report's tables")
    c.add_argument("--verbose", action="store_true", help="list every card with its filled-field count")
    c.add_argument("--coverage", action="store_true", help="also list empty fields the documents seem to speak to")
    c.set_defaults(func=cmd_cards_check)

    from app.corpus_profile import load_profile

    profile = load_profile(load_settings().corpus_dir)
    p = sub.add_parser("practices", help="find practices by facets and/or a description")
    p.add_argument("--country")
    p.add_argument("--sector", choices=profile.vocabulary("sectors"))
    p.add_argument("--target-group", choices=profile.vocabulary("target_groups"))
    p.add_argument("--delivery-model", choices=profile.vocabulary("delivery_models"))
    p.add_argument("--funding", choices=profile.vocabulary("funding"))
    p.add_argument("--like", help="free-text description of your situation")
    p.add_argument("--limit", type=int, default=None, help="most practices listed (default: the finder setting)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_practices)

    p = sub.add_parser("eval", help="run the evaluation set and write a report")
    p.add_argument(
        "--questions",
        nargs="+",
        default=[str(ROOT / "evals" / "questions.jsonl"), str(ROOT / "evals" / "questions_holdout.jsonl")],
        help="question files (default: the tuning set and the held-out set); ablations run on the first",
    )
    p.add_argument("--out", help="JSONL results (default: evals/reports/results.jsonl)")
    p.add_argument("--backend", default=None)
    p.add_argument("--ablations", action="store_true", help="also run every preset of evals/presets.yaml")
    p.add_argument("--report-dir", default=str(ROOT / "evals" / "reports"))
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("config", help="print every setting with its value, description and environment variable")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("serve", help="start the Streamlit app")
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    from app.store import StoreError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (StoreError, ValueError, FileNotFoundError) as exc:
        print(f"joinedup: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
