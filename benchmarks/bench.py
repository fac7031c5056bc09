"""Speed and memory figures for Joined-Up. Prints a table; asserts nothing.

    .venv/bin/python benchmarks/bench.py [--questions evals/questions.jsonl] [--n 60]
    .venv/bin/python benchmarks/bench.py --large [--mb 20]   # one generated large text file

The first ingest runs into an empty data folder (no embedding cache: the cold figure); a re-ingest
of the unchanged corpus and an ``ingest --rebuild`` (every vector from ``data/embeddings.sqlite3``) follow.

Latency on these 2-core machines swings widely run to run: medians and p95 over
many queries are reported, and a second run is the honest way to see the noise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

INGEST_SNIPPET = (
    "import time; from app.core.config import load_settings; from ingest.pipeline import ingest; "
    "t = time.perf_counter(); r = ingest(load_settings()); "
    "print(time.perf_counter() - t, r.added, r.total_chunks)"
)

# `ingest --rebuild` of an unchanged corpus: every vector should come from the embedding cache (data/embeddings.sqlite3).
# Prints the rebuild's seconds, the seconds spent reading the cache, texts embedded afresh, and whether the model loaded.
REBUILD_SNIPPET = """
import time
import app.index.embedding_cache as cache_module
import app.index.embeddings as embeddings
from app.core.config import load_settings
from ingest.pipeline import ingest
reading, computed = [0.0], [0]
get, encode = cache_module.EmbeddingCache.get, embeddings._encode_by_length
def timed_get(self, texts):
    t = time.perf_counter()
    try:
        return get(self, texts)
    finally:
        reading[0] += time.perf_counter() - t
def counted(texts, settings):
    computed[0] += len(texts)
    return encode(texts, settings)
cache_module.EmbeddingCache.get, embeddings._encode_by_length = timed_get, counted
t = time.perf_counter()
r = ingest(load_settings(), rebuild=True)
print(time.perf_counter() - t, reading[0], computed[0], embeddings._load.cache_info().currsize, r.total_chunks)
"""


def run_child(code: list[str], env: dict[str, str]) -> tuple[str, float, float, float]:
    """Run a child process; returns (stdout, wall seconds, peak RSS in MiB, CPU seconds of that child).

    CPU seconds (user + system, all threads) move far less than wall time on a shared machine.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(code, capture_output=True, text=True, env=env, cwd=ROOT, check=True).stdout
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return out, wall, max(after.ru_maxrss, before.ru_maxrss) / 1024, cpu


LARGE_SNIPPET = """
import json, sys, time
from pathlib import Path
from app.core.config import load_settings
from app.index.store import Store
from ingest.pipeline import ingest
def show(done, total, name):
    print(f"  {name}", file=sys.stderr, flush=True)
t = time.perf_counter()
report = ingest(load_settings(), [Path(sys.argv[1])], progress=show)
seconds = time.perf_counter() - t
store = Store(load_settings())
print(json.dumps({"seconds": seconds, "chunks": store.count(), "sentences": store.sentences.count(),
                  "failed": [f.reason for f in report.failed]}))
"""


def large_text(megabytes: float, seed: int = 11) -> str:
    """Real-looking text of about this size: corpus sentences spliced at a word (so few repeat), in paragraphs."""
    from app.core.sentences import split_sentences

    corpus = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "documents").glob("*.txt")))
    sentences = [s.split() for s in split_sentences(" ".join(corpus.split())) if 60 <= len(s) <= 300]
    rng = random.Random(seed)
    paragraphs: list[str] = []
    size, target = 0, int(megabytes * 1_000_000)
    while size < target:
        para = []
        for _ in range(rng.randint(3, 7)):
            a, b = rng.choice(sentences), rng.choice(sentences)
            words = a[: rng.randint(3, max(3, len(a) - 1))] + b[rng.randint(1, max(1, len(b) - 3)) :]
            para.append(" ".join(words).rstrip(".") + ".")
        paragraphs.append(" ".join(para))
        size += len(paragraphs[-1]) + 2
    return "Integrated services, a generated report\n\n" + "\n\n".join(paragraphs) + "\n"


def large(megabytes: float) -> None:
    """Ingest one generated text file of about ``megabytes`` MB into an empty index; print time, size and peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated-report.txt"
        path.write_text(large_text(megabytes), encoding="utf-8")
        env = {**os.environ, "JOINEDUP_DATA_DIR": str(Path(tmp) / "data")}
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", LARGE_SNIPPET, str(path)], stdout=subprocess.PIPE, text=True,
                              env=env, cwd=ROOT, check=True)  # fmt: skip
        wall = time.perf_counter() - t
        peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"Joined-Up large-file ingest — {os.cpu_count()} CPUs")
        print(f"file                      {path.stat().st_size / 1e6:.1f} MB of generated text")
        print(f"ingest (in-process)       {figures['seconds']:.0f} s  ({figures['chunks'] / figures['seconds']:.1f} chunks/s)")
        print(f"process wall              {wall:.0f} s")
        print(f"chunks / sentence vectors {figures['chunks']} / {figures['sentences']}")
        print(f"peak RSS                  {peak:.0f} MiB")
        if figures["failed"]:
            print(f"FAILED: {figures['failed']}")


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def load_questions(path: Path, n: int) -> list[str]:
    if path.exists():
        qs = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        qs = []
    fallback = [
        "How are integrated services funded?", "Who runs a one-stop shop for young jobseekers?",
        "What are barriers to integrated services?", "What does the DMIC model contain?",
    ]  # fmt: skip
    qs = qs or fallback
    return (qs * (n // len(qs) + 1))[:n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=ROOT / "evals" / "questions.jsonl")
    parser.add_argument("--n", type=int, default=60, help="queries per retriever")
    parser.add_argument("--large", action="store_true", help="instead: ingest one generated large text file")
    parser.add_argument("--mb", type=float, default=20.0, help="size of that file in MB")
    args = parser.parse_args()
    if args.large:
        large(args.mb)
        return

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "JOINEDUP_DATA_DIR": str(Path(tmp) / "data")}
        out, wall, peak, cpu = run_child([sys.executable, "-c", INGEST_SNIPPET], env)
        ingest_s, added, _total = out.split()
        rows += [
            ("full ingest (in-process time)", f"{float(ingest_s):.1f} s for {added} chunks"),
            ("full ingest (process wall, incl. imports)", f"{wall:.1f} s"),
            ("full ingest CPU time (user+sys, all threads)", f"{cpu:.1f} s (load average {os.getloadavg()[0]:.1f})"),
            ("full ingest peak RSS", f"{peak:.0f} MiB"),
        ]
        out, wall, _, _ = run_child([sys.executable, "-c", INGEST_SNIPPET], env)
        rows.append(("re-ingest unchanged corpus", f"{float(out.split()[0]):.2f} s ({out.split()[1]} chunks added)"))
        out, wall, _, cpu = run_child([sys.executable, "-c", REBUILD_SNIPPET], env)
        seconds, reading, computed, loaded, total = out.split()
        rows += [
            ("ingest --rebuild, unchanged corpus (in-process)",
             f"{float(seconds):.1f} s, of which {float(reading):.2f} s reading the embedding cache"),
            ("ingest --rebuild texts embedded / model loaded", f"{computed} / {'yes' if int(loaded) else 'no'} ({total} chunks)"),
            ("ingest --rebuild CPU time / process wall", f"{cpu:.1f} s / {wall:.1f} s"),
        ]  # fmt: skip

        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "app.cli", "ask", "--json", "How are integrated services funded?"],
            capture_output=True, env=env, cwd=ROOT, check=True,
        )  # fmt: skip
        rows.append(("cold start to first answer (CLI process)", f"{time.perf_counter() - t:.1f} s"))

        os.environ["JOINEDUP_DATA_DIR"] = env["JOINEDUP_DATA_DIR"]
        from app.query.ask import Assistant

        assistant = Assistant()
        questions = load_questions(args.questions, args.n)
        assistant.ask(questions[0])  # warm-up: model, indexes, caches
        for mode in ("dense", "bm25", "sentences", "hybrid"):
            lat = []
            for q in questions:
                t = time.perf_counter()
                assistant.retriever.search(q, 8, mode=mode)
                lat.append((time.perf_counter() - t) * 1000)
            rows.append((f"warm {mode} retrieval p50 / p95 (n={len(lat)})",
                         f"{statistics.median(lat):.1f} / {percentile(lat, 0.95):.1f} ms"))  # fmt: skip
        lat = []
        for q in questions:
            t = time.perf_counter()
            assistant.ask(q)
            lat.append((time.perf_counter() - t) * 1000)
        rows.append((f"warm full ask, extractive p50 / p95 (n={len(lat)})",
                     f"{statistics.median(lat):.0f} / {percentile(lat, 0.95):.0f} ms"))  # fmt: skip
        rows.append(("peak RSS of this (query) process", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"))

    width = max(len(r[0]) for r in rows)
    print(f"Joined-Up benchmark — {os.cpu_count()} CPUs, torch threads {os.environ.get('OMP_NUM_THREADS', 'default')}")
    print("-" * (width + 30))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
