"""``joinedup``: a thin command line over the library (ingest, ask, eval, serve, cards, practices, config)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.config import ROOT, load_settings

if TYPE_CHECKING:
    from app.core.models import Answer


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
    from app.core.files import resolved
    from ingest.pipeline import ingest

    settings = load_settings()
    paths = [resolved(Path(p)) for p in args.paths] or None
    bar = None if args.quiet else ProgressBar()
    report = ingest(settings, paths, rebuild=args.rebuild, progress=bar)
    if bar:
        bar.close()
    for repair in report.repaired:
        print(f"repaired  {repair}")
    for f in report.files:
        detail = f.reason if f.status in {"failed", "skipped"} else f"+{f.added} -{f.removed}"
        print(f"{f.status:9} {Path(f.path).name:60} {detail}")
    print(f"{len(report.files)} files, {report.added} chunks added, {len(report.failed)} failed; "
          f"{report.total_chunks} chunks in the index")  # fmt: skip
    return 1 if report.failed else 0


def _ensure_index() -> None:
    """Build the index when there is none, repair it when its parts disagree (an unreachable store raises)."""
    from app.index.index import index_ready
    from ingest.maintenance import check_index
    from ingest.pipeline import ingest

    settings = load_settings()
    if not index_ready(settings):
        print("No index yet: ingesting the corpus (about a minute) …", file=sys.stderr)
    else:
        problems = check_index(settings).problems
        if not problems:
            return
        print(f"The index needs repair ({'; '.join(problems)}): ingesting …", file=sys.stderr)
    bar = ProgressBar()
    ingest(settings, progress=bar)
    bar.close()


def cmd_doctor(args: argparse.Namespace) -> int:
    """Counts per part of the index and every disagreement; exit 1 when they disagree."""
    from app.index.store import StoreDamaged
    from ingest.maintenance import check_index

    try:
        health = check_index(load_settings(), thorough=True)
    except StoreDamaged as exc:  # named with its way out; counts cannot be read from a damaged file
        print(f"problem: {exc}")
        print("damaged: `joinedup ingest --rebuild` builds a fresh index")
        return 1
    rows = [
        ("generation", health.generation), ("chunks in Chroma", health.chunks),
        ("sentence vectors", health.sentence_vectors), ("BM25 documents", health.bm25_docs),
        ("evidence units", f"{health.units} in {health.unit_files} documents"), ("manifest files", health.manifest_files),
    ]  # fmt: skip
    for name, value in rows:
        print(f"{name:18} {value}")
    for problem in health.problems:
        print(f"problem: {problem}")
    if health.chunks == 0 and not health.manifest_files:
        print("no index yet: `joinedup ingest` builds it")
    print("consistent" if health.consistent else "inconsistent: `joinedup ingest` repairs it")
    return 0 if health.consistent else 1


def cmd_remove(args: argparse.Namespace) -> int:
    """Take one user document out of the index and the registry."""
    from ingest.maintenance import remove_document

    report = remove_document(load_settings(), args.document)
    print(f"removed   {report.doc_id} ({report.path}): -{report.removed} chunks")
    if report.reason != "removed on request":
        print(f"note: {report.reason}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from app.query.ask import Assistant

    # Bytes that are not UTF-8 reach Python as lone surrogates: show them as replacement characters instead.
    question = args.question.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    _ensure_index()
    answer = Assistant().ask(question, backend=args.backend, k=args.k)
    _print_answer(answer, args.json, indent=2)
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
    print(f"corpus profile, tables, differences and {len(cards)} cards: {len(problems)} problems")
    return 1 if problems else 0


def cmd_practices(args: argparse.Namespace) -> int:
    from app.core.cards import load_cards
    from app.core.corpus_profile import load_profile
    from app.query.practice_table import TABLE_ONLY, csv_bytes, display_names, parse_codes, practice_table, table_to_csv
    from app.query.practices import PracticeFinder, PracticeQuery

    settings = load_settings()
    cards = [card for _, card in load_cards(settings.practices_dir)]
    profile = load_profile(settings.corpus_dir)
    if args.compare:
        return _compare_practices(args.compare, args.csv, cards, profile, settings)
    retriever = None
    if args.like:
        from app.query.retrieve import Retriever

        _ensure_index()
        retriever = Retriever(settings)
    query = PracticeQuery(
        args.country, args.sector, args.target_group, args.delivery_model, args.funding, args.like, args.limit,
        tuple(parse_codes(args.codes)),
    )  # fmt: skip
    finder = PracticeFinder(cards, settings.finder, retriever, profile)
    matches = finder.find(query)
    if args.csv:
        reasons = {m.code: m.reason for m in matches} if args.like else None
        table = table_to_csv(practice_table(cards, profile, [m.code for m in matches]), reasons)
        Path(args.csv).write_bytes(csv_bytes(table))
    if args.json:
        print(json.dumps([m.to_dict() for m in matches], indent=2, ensure_ascii=False))
        return 0
    print(f"{len(matches)} of {finder.total} practices" + (f" (table written to {args.csv})" if args.csv else ""))
    left_out = [] if args.like else finder.left_out(query)
    if left_out:
        print(f"not listed: {', '.join(left_out)} ({TABLE_ONLY}, no name or description; --codes lists them)")
    if not matches:
        print("No practice in the review matches these filters" + (" and this description." if args.like else "."))
    names = display_names(cards, profile)
    for m in matches:
        print(f"{m.code:4} {names[m.code]} — {m.country}" + (f"\n     {m.reason}" if m.reason else ""))
        for quote in m.quotes:
            print(f"     source: “{quote}”")
        if m.similar_passage:
            print(f"     similar: “{m.similar_passage}” ({m.similar_source})")
    return 0


def _compare_practices(codes_text: str, csv_path: str | None, cards: list, profile: Any, settings: Any) -> int:
    """`joinedup practices --compare DE1,FI6 [--csv FILE]`: the practices side by side, each value with its quotes."""
    from app.core.tables import load_tables
    from app.query.practice_table import compare, comparison_to_csv, comparison_to_text, csv_bytes, parse_codes

    comparison = compare(parse_codes(codes_text), cards, profile, load_tables(settings.corpus_dir).values())
    if csv_path:
        Path(csv_path).write_bytes(csv_bytes(comparison_to_csv(comparison)))
    print(comparison_to_text(comparison))
    if csv_path:
        print(f"\ncomparison written to {csv_path}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from app.query.ask import Assistant
    from evals.dataset import load_items
    from evals.report import summary_table, write_report, write_results
    from evals.runner import Preset, load_presets, run_config, summarise
    from ingest.pipeline import ingest

    if args.finder_only:
        return _eval_finder(args)
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
    # The statement ranker against the hand-set weights it replaced, on every set (same answerability model).
    hand_tuned = {} if args.no_ranker_comparison else _hand_tuned_runs(args.questions, default, base)
    out = Path(args.out) if args.out else Path(args.report_dir) / "results.jsonl"
    write_results(runs[default.name], default.name, out)
    for name, results in other_sets.items():
        write_results(results, default.name, out.with_name(f"{Path(name).stem}-results.jsonl"))
    for name, results in hand_tuned.items():
        write_results(results, "hand-tuned statement ranker", out.with_name(f"{Path(name).stem}-hand-tuned-results.jsonl"))
    finder_sets = _finder_sets(args, Assistant(default.settings(base)))
    report = write_report(
        runs, default.name, Path(args.report_dir), _shown(first), other_sets, finder_sets, hand_tuned=hand_tuned
    )
    print(summary_table(summarise(runs[default.name])))
    for name, results in other_sets.items():
        print(f"\n{name}\n" + summary_table(summarise(results)))
    print(f"\nresults: {out}\nreport:  {report}")
    return 0


def _hand_tuned_runs(paths: list[str], default: Any, base: Any) -> dict[str, list]:
    """Every question set answered with the hand-tuned statement weights instead of the learned ranker."""
    from app.query.ask import Assistant
    from evals.dataset import load_items
    from evals.runner import run_config

    assistant = Assistant(default.settings(base).with_({"answer.statement_ranker": "hand"}))
    runs = {}
    for path in paths:
        print(f"== hand-tuned statement ranker on {path}", file=sys.stderr, flush=True)
        runs[_shown(path)] = run_config(load_items(Path(path)), assistant)
    return runs


def cmd_train(args: argparse.Namespace) -> int:
    from evals.train.fit import train
    from ingest.pipeline import ingest

    settings = load_settings()
    if not args.reuse:
        ingest(settings)  # idempotent: the features are measured on the current index
    bar = ProgressBar() if not args.reuse else None
    print(train(settings, reuse=args.reuse, progress=(lambda i, n: bar(i, n, "training questions")) if bar else None))
    if bar:
        bar.close()
    return 0


def _finder_sets(args: argparse.Namespace, assistant: Any) -> dict:
    """The practice finder's description search over each situation file (the finder part of the report)."""
    from evals.finder import finder_summary_table, run_finder_sets

    if assistant.finder is None:
        return {}
    print(f"== practice finder on {', '.join(args.situations)}", file=sys.stderr, flush=True)
    sets = run_finder_sets(assistant.finder, [Path(p) for p in args.situations])
    print(finder_summary_table(sets) + "\n")
    return sets


def _eval_finder(args: argparse.Namespace) -> int:
    """`joinedup eval --finder-only`: score only the description search (about a minute) and update the
    finder section of the report, leaving the answer figures as they are."""
    from app.query.ask import Assistant
    from evals.finder import write_finder_section

    _ensure_index()
    sets = _finder_sets(args, Assistant(load_settings()))
    print(f"report:  {write_finder_section(Path(args.report_dir) / 'report.md', sets)}")
    return 0


def _shown(path: str) -> str:
    """A question file as the report names it (relative to the repository when inside it)."""
    p = Path(path).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)


def _print_answer(answer: Answer, as_json: bool, indent: int | None = None) -> None:
    """One answer: its JSON (``--json``; one line unless ``indent``), or the Markdown text with its sources."""
    from app.query.display import source_line

    if as_json:
        print(answer.model_dump_json(indent=indent), flush=True)
        return
    if answer.notice:
        print(f"Note: {answer.notice}\n")
    print(answer.answer_markdown)
    if answer.citations:
        print("\nSources:")
        for c in answer.citations:
            print(source_line(c))  # Markdown like the answer: document text shown, never rendered
    print(flush=True)


CHAT_EXIT = {"exit", "quit", "bye"}
CHAT_BLANK = "Type a question (or 'exit' to leave), e.g. How are integrated services funded?"


def cmd_chat(args: argparse.Namespace) -> int:
    """A conversation on the command line: each question is asked with the turns before it, so follow-ups work."""
    from app.query.ask import Assistant
    from app.query.conversation import Turn

    interactive = sys.stdin.isatty()
    if interactive:
        import readline  # noqa: F401  (arrow keys recall earlier questions)

        print("Ask about integrated social services; follow-up questions build on the conversation. 'exit' or Ctrl-D leaves.")
    assistant: Assistant | None = None  # loaded with the first question: leaving at once costs nothing
    history: list[Turn] = []
    try:
        while True:
            try:
                line = input("> " if interactive else "")
            except EOFError:
                break
            question = line.encode("utf-8", "surrogateescape").decode("utf-8", "replace").strip()
            if question.lower() in CHAT_EXIT:
                break
            if not question:
                print(CHAT_BLANK, file=sys.stderr if args.json else sys.stdout, flush=True)
                continue
            if assistant is None:
                _ensure_index()
                assistant = Assistant()
            answer = assistant.ask(question, backend=args.backend, history=history)
            history.append(Turn.of(answer))
            _print_answer(answer, args.json)
    except KeyboardInterrupt:
        pass  # Ctrl-C leaves the conversation like 'exit'
    if interactive:
        print()
    return 0


def cmd_pack(args: argparse.Namespace) -> int:
    """A workshop pack on a topic for 2–6 practices, written as Markdown, Word or PDF."""
    from app.core.cards import load_cards
    from app.pack import build_pack, chosen_codes, render

    settings = load_settings()
    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if args.out else "md")
    if fmt not in {"md", "docx", "pdf"}:
        raise ValueError(f"cannot tell the format from {args.out!r}: add --format md, docx or pdf")
    out = Path(args.out) if args.out else None
    if out is None and fmt != "md":
        raise ValueError(f"a {fmt} pack needs --out FILE")
    if out is not None and (out.is_dir() or not out.parent.is_dir() or not os.access(out.parent, os.W_OK)):
        why = "it is a folder" if out.is_dir() else "its folder does not exist or is not writable"
        raise ValueError(f"cannot write {out}: {why}")
    topic = args.topic.encode("utf-8", "surrogateescape").decode("utf-8", "replace").strip()
    if not topic:
        raise ValueError("the topic is empty: give the question the workshop is about")
    codes = [c for c in args.practices.replace(" ", ",").split(",") if c]
    known = [card.code for _, card in load_cards(settings.practices_dir)]
    chosen_codes(codes, known, settings.pack.min_practices, settings.pack.max_practices)  # fail fast, before the index loads
    from app.query.ask import Assistant

    _ensure_index()
    pack = build_pack(Assistant(settings), topic, codes)
    data = render(pack, fmt)
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return 0
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise ValueError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"{out}: {fmt} pack, {len(pack.practices)} practices, {len(pack.discussion)} discussion questions, "
          f"{len(pack.quiz)} quiz items, {len(pack.references())} references")  # fmt: skip
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from app.core.config import iter_settings

    for name, value, doc, env in iter_settings(load_settings()):
        shown = "(set)" if name == "llm.api_key" and value else value
        source = f"  [{' / '.join(env)}]" if env else ""
        print(f"{name:36} {shown!s:28} {doc}{source}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "streamlit_app.py"),
           "--server.address", args.address, "--server.port", str(args.port),
           "--browser.gatherUsageStats", "false", "--server.headless", "true",
           # Streamlit collects garbage after every run by default: a full collection walks the half-million objects of
           # the loaded model and index, 290 ms holding the interpreter lock, after each of a room's many runs (a
           # question takes several); Python's own collector still collects as objects pile up.
           "--runner.postScriptGC", "false"]  # fmt: skip
    # One thread per question inside torch and the BLAS: the server answers many sessions at once, so the cores are
    # shared between questions, not within one. Two threads per question on a busy 2-core machine wait on each other:
    # one question's embedding took 360 ms of CPU with two and 14 ms with one (measured). OMP_NUM_THREADS overrides.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
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

    from app.core.corpus_profile import load_profile

    profile = load_profile(load_settings().corpus_dir)
    p = sub.add_parser("practices", help="find practices by facets and/or a description")
    p.add_argument("--country", help="name, code or demonym (Finland, FI, Finnish)")
    for flag, fld in (("--sector", "sectors"), ("--target-group", "target_groups"),
                      ("--delivery-model", "delivery_models"), ("--funding", "funding")):  # fmt: skip
        # Plain labels ("older people") or ids (older_people); the finder checks them against the profile.
        p.add_argument(flag, help="one of: " + "; ".join(profile.label(fld, v) for v in profile.vocabulary(fld)))
    p.add_argument("--like", help="free-text description of your situation")
    p.add_argument("--limit", type=_positive, default=None, help="most practices listed (default: all that match)")
    p.add_argument("--compare", metavar="CODES", help="2 to 4 practice codes side by side, e.g. DE1,FI6")
    p.add_argument(
        "--codes", metavar="CODES", default="",
        help="only these practices, e.g. BG1,ES5 (the only way to list those the sources name only in a table)",
    )  # fmt: skip
    p.add_argument("--csv", metavar="FILE", help="write the listed practices (or the comparison, with its quotes) as CSV")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_practices)

    p = sub.add_parser("eval", help="run the evaluation set and write a report")
    p.add_argument(
        "--questions",
        nargs="+",
        default=[str(ROOT / "evals" / f"questions{s}.jsonl") for s in ("", "_followups", "_blind_holdout", "_holdout")],
        help="question files (default: the tuning sets, questions then follow-ups, then the held-out sets); ablations: the first",
    )
    p.add_argument("--out", help="JSONL results (default: evals/reports/results.jsonl)")
    p.add_argument("--backend", default=None)
    p.add_argument("--ablations", action="store_true", help="also run every preset of evals/presets.yaml")
    p.add_argument(
        "--no-ranker-comparison",
        action="store_true",
        help="skip answering every set again with the hand-tuned statement weights (halves the run)",
    )
    p.add_argument("--report-dir", default=str(ROOT / "evals" / "reports"))
    p.add_argument(
        "--situations",
        nargs="+",
        default=[str(ROOT / "evals" / "finder_situations.jsonl"), str(ROOT / "evals" / "finder_situations_holdout.jsonl")],
        help="practice-finder situation files (default: the tuning set and the held-out set)",
    )
    p.add_argument("--finder-only", action="store_true", help="score only the practice finder's description search")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("train", help="fit the answerability model on evals/train/ (never on an evaluation set)")
    p.add_argument("--reuse", action="store_true", help="refit from the features cached by the last run (seconds)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("chat", help="a conversation: questions from stdin, follow-ups build on the earlier answers")
    p.add_argument("--json", action="store_true", help="print each Answer as JSON, one per line")
    p.add_argument("--backend", default=None, help="extractive (default), openai, ollama, llamacpp")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("pack", help="a workshop pack: cited answer, practice one-pagers, comparison, discussion, quiz")
    p.add_argument("--topic", required=True, help="the question the workshop is about")
    p.add_argument("--practices", required=True, help="2 to 6 practice codes, comma-separated (DE1,FI6)")
    p.add_argument("--format", choices=["md", "docx", "pdf"], help="default: from --out's extension, else md")
    p.add_argument("--out", help="file to write (default: Markdown on stdout)")
    p.set_defaults(func=cmd_pack)

    p = sub.add_parser("doctor", help="check that the index's parts agree (counts per part); exit 1 if not")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("remove", help="remove a user document (by document id or path) from the index")
    p.add_argument("document", help="document id (as `joinedup ingest` printed it) or file path")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("config", help="print every setting with its value, description and environment variable")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("serve", help="start the Streamlit app")
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    from app.index.store import DISK_FULL_MESSAGE, StoreError, is_disk_full

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (StoreError, ValueError, FileNotFoundError) as exc:
        print(f"joinedup: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # any command that writes (remove, pack, doctor's store): a full disk is named as such
        if not is_disk_full(exc):
            raise
        print(f"joinedup: {DISK_FULL_MESSAGE}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
