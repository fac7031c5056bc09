"""Concurrency: N questions at once through one warm ``Assistant`` (threads) and through the served app.

    .venv/bin/python benchmarks/bench_load.py [--n 1,10,50] [--data-dir DIR] [--ws-n 5,10,25] [--http --http-n 5,10,25]

Prints, per N: p50 / p95 / max latency of one question, errors, and the peak RSS of the one
process that answered them. The questions are the first N of evals/questions.jsonl (repeated
when N is larger); the served app gets questions it has not seen in each round (it caches a text's embedding).
Without ``--data-dir`` the corpus is first ingested into a temporary folder.
Both served-app parts start ``joinedup serve`` on a free port, ask one question and wait until the server is idle
(it embeds the statements on a thread after start: a room asks an app that was started before it came in), then
release N sessions' questions at once:
- ``--ws-n``: N sessions spoken to over the app's websocket as a browser does (Streamlit's protobuf messages), without
  drawing pages: in a workshop each participant's browser runs on their own device, so this is the load on the
  trainer's machine. An answer counts when the run its question started ends having drawn the answer's download
  button (or, for a refusal, its notice).
- ``--http``: N headless Chromium pages (needs Debian's Chromium) on this same machine: the browsers then share the
  server's cores and use several times its CPU, which the run prints.
``--rerun-cpu`` instead measures the CPU time of one Streamlit rerun of the app (in-process, AppTest) per
tab, with a conversation of one answer, and with ``--profile N`` the N costliest functions of the app's
own code: CPU time hardly depends on what else the machine runs, so it compares before and after a change
on a busy machine where latencies would not.
Figures, not a test: the 2-core machines are shared, so run it twice to see the noise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.bench import load_questions, percentile  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def row(label: str, latencies: list[float], errors: int, rss_mib: float) -> str:
    if not latencies:
        return f"{label:<28} {'-':>8} {'-':>8} {'-':>8} {errors:>7} {rss_mib:>9.0f}"
    lat = sorted(latencies)
    return (f"{label:<28} {percentile(lat, 0.5):>8.1f} {percentile(lat, 0.95):>8.1f} {lat[-1]:>8.1f} "
            f"{errors:>7} {rss_mib:>9.0f}")  # fmt: skip


def _round(assistant, questions: list[str]) -> tuple[list[float], list[str]]:  # type: ignore[no-untyped-def]
    """Ask every question on its own thread, all released at once; latencies (s) and errors."""
    start = threading.Barrier(len(questions))
    latencies: list[float] = []
    failures: list[str] = []

    def one(question: str) -> None:
        start.wait()
        t = time.perf_counter()
        try:
            assistant.ask(question)
        except Exception as exc:  # every error is counted and shown, none stops the run
            failures.append(f"{type(exc).__name__}: {exc}")
            return
        latencies.append(time.perf_counter() - t)

    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        list(pool.map(one, questions))
    return latencies, failures


def assistant_load(sizes: list[int], questions_file: Path) -> list[str]:
    """N questions released at once on N threads of one warm Assistant."""
    from app.query.ask import Assistant

    assistant = Assistant()
    questions = load_questions(questions_file, max(sizes))
    assistant.ask(questions[0])  # warm: model, indexes, caches
    lines = []
    for n in sizes:
        latencies, failures = _round(assistant, questions[:n])
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        lines.append(row(f"Assistant, {n} threads", latencies, len(failures), rss))
        for failure in sorted(set(failures))[:3]:
            lines.append(f"    error: {failure[:150]}")
    return lines


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, server: subprocess.Popen, timeout: float) -> None:
    """Return once the server accepts connections; raise if it exits or does not within ``timeout`` s."""
    import socket

    deadline = time.time() + timeout
    while time.time() < deadline and server.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise RuntimeError(f"joinedup serve did not open port {port} within {timeout:.0f} s")


def _cpu_seconds(pids: set[int]) -> float:
    """User + system CPU time the live processes ``pids`` have used so far, from /proc (a process gone counts 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _descendants(root: int, but: int) -> set[int]:
    """The live processes below ``root`` (the browsers and their driver), leaving out ``but`` (the server)."""
    parent: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    found, todo = set(), [root]
    while todo:
        above = todo.pop()
        children = [pid for pid, ppid in parent.items() if ppid == above and pid != but]
        found.update(children)
        todo += children
    return found


def _settle(pid: int, timeout: float = 180) -> None:
    """Wait until the server is idle (it embeds the statements on a thread after start): a room asks a started app."""
    deadline = time.time() + timeout
    before = _cpu_seconds({pid})
    while time.time() < deadline:
        time.sleep(1.0)
        now = _cpu_seconds({pid})
        if now - before < 0.05:
            return
        before = now


def _peak_rss_mib(pid: int) -> float:
    """VmHWM (peak resident memory) of a live process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _sessions(url: str, questions: list[str], timeout_ms: int, server: int = 0) -> tuple[list[float], list[str], str]:
    """Latencies and errors of the sessions, and where the CPU went while they asked (the server, the browsers)."""
    from playwright.async_api import async_playwright

    latencies: list[float] = []
    failures: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = []
        for _ in questions:  # open every session first, so the questions really arrive together
            page = await (await browser.new_context()).new_page()
            await page.goto(url, timeout=timeout_ms)
            await page.get_by_test_id("stChatInputTextArea").wait_for(timeout=timeout_ms)
            pages.append(page)

        async def one(page, question: str) -> None:  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                box = page.get_by_test_id("stChatInputTextArea")
                await box.fill(question)
                await box.press("Enter")
                # answered: its download button, or (a refusal has none) the notice in the answer's message
                answer = page.get_by_test_id("stChatMessage").nth(1)
                done = page.locator(".st-key-download-0:not([data-stale='true'])").or_(answer.get_by_test_id("stAlert"))
                await done.first.wait_for(timeout=timeout_ms)
            except Exception as exc:  # a session that never shows its answer is an error
                failures.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
                return
            if await page.get_by_test_id("stException").count():
                failures.append("the page shows an exception")
                return
            latencies.append(time.perf_counter() - t)

        browsers = _descendants(os.getpid(), but=server)
        cpu = _cpu_seconds({server}), _cpu_seconds(browsers)
        await asyncio.gather(*(one(page, q) for page, q in zip(pages, questions, strict=True)))
        # While the sessions asked: is the time the server's work, or the N browsers' sharing its cores?
        server_cpu, browsers_cpu = _cpu_seconds({server}) - cpu[0], _cpu_seconds(browsers) - cpu[1]
        used = f"CPU while asking: server {server_cpu:.1f} s, browsers {browsers_cpu:.1f} s"
        await browser.close()
    return latencies, failures, used


def _fresh_rounds(questions_file: Path, sizes: list[int]) -> tuple[list[str], list[list[str]]]:
    """A warming question, then each round's questions, none asked before (the app caches a text's embedding)."""
    questions = load_questions(questions_file, 1 + sum(sizes))
    rounds, start = [], 1
    for n in sizes:
        rounds.append(questions[start : start + n])
        start += n
    return questions[:1], rounds


@contextlib.contextmanager
def _served_app() -> Iterator[tuple[str, int]]:
    """``joinedup serve`` on a free port: its URL and process id, stopped on leaving."""
    port = _free_port()
    cmd = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    env = {**os.environ, "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}  # an edited file must not stall the sessions
    server = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        _wait_for_port(port, server, 180)
        yield f"http://127.0.0.1:{port}", server.pid
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def http_load(sizes: list[int], questions_file: Path, timeout_s: int) -> list[str]:
    """N browser sessions of the served app asking at once (the browsers share this machine's cores with the server)."""
    if not Path(CHROMIUM).exists():
        return ["HTTP app: skipped (no /usr/bin/chromium; apt-get install chromium)"]
    lines = []
    with _served_app() as (url, pid):
        warm, rounds = _fresh_rounds(questions_file, sizes)
        asyncio.run(_sessions(url, warm, timeout_s * 1000))  # warm the server's model
        _settle(pid)
        for n, questions in zip(sizes, rounds, strict=True):
            latencies, failures, used = asyncio.run(_sessions(url, questions, timeout_s * 1000, pid))
            lines.append(row(f"HTTP app, {n} sessions", latencies, len(failures), _peak_rss_mib(pid)))
            lines.append(f"    {used}")
            for failure in sorted(set(failures))[:3]:
                lines.append(f"    error: {failure[:150]}")
    return lines


class _ProtocolSession:
    """One Streamlit session spoken to as the browser does (protobuf over the app's websocket), without drawing pages.

    In a workshop every participant's browser runs on their own device: only the server shares the trainer's cores.
    """

    def __init__(self, ws) -> None:  # type: ignore[no-untyped-def]
        self.ws = ws
        self.page = ""
        self.question_box = ""

    async def run(self, widget=None) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        """One rerun of the script (with ``widget``'s new state): the elements it drew, as (kind, id)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.page_script_hash = self.page
        if widget is not None:
            msg.rerun_script.widget_states.widgets.append(widget)
        await self.ws.send(msg.SerializeToString())
        drawn: list[tuple[str, str]] = []
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await self.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.page = fwd.new_session.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = str(fwd.delta.new_element.WhichOneof("type"))
                drawn.append((element, str(getattr(getattr(fwd.delta.new_element, element), "id", ""))))
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RuntimeError("the app failed to compile")
                return drawn

    async def open(self) -> None:
        """The first run (the page a new visitor sees); remembers the question box."""
        drawn = await self.run()
        self.question_box = next(i for kind, i in drawn if kind == "chat_input")

    async def ask(self, question: str) -> None:
        """Submit ``question`` and wait for the run that answers it; raise if no answer (or notice) was drawn."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        typed = WidgetState(id=self.question_box)
        typed.chat_input_value.data = question
        drawn = await self.run(typed)
        kinds = {kind for kind, _ in drawn}
        if "exception" in kinds:
            raise RuntimeError("the page shows an exception")
        # answered: its download button, or (a refusal has none) its notice
        if not any(kind == "download_button" and i.endswith("download-0") for kind, i in drawn) and "alert" not in kinds:
            raise RuntimeError("the run ended without an answer")


async def _protocol_sessions(url: str, questions: list[str], timeout_s: int, server: int) -> tuple[list[float], list[str], float]:
    """Latencies and errors of N protocol sessions asking at once, and the server's CPU seconds meanwhile."""
    import websockets
    from websockets.typing import Subprotocol

    latencies: list[float] = []
    failures: list[str] = []
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    async with contextlib.AsyncExitStack() as stack:
        sessions = []
        for _ in questions:  # open every session first, so the questions really arrive together
            ws = await stack.enter_async_context(
                websockets.connect(stream, subprotocols=[Subprotocol("streamlit")], max_size=None)
            )
            session = _ProtocolSession(ws)
            await asyncio.wait_for(session.open(), timeout_s)
            sessions.append(session)

        async def one(session: _ProtocolSession, question: str) -> None:
            t = time.perf_counter()
            try:
                await asyncio.wait_for(session.ask(question), timeout_s)
            except Exception as exc:  # a session that never gets its answer is an error
                failures.append(f"{type(exc).__name__}: {exc}")
                return
            latencies.append(time.perf_counter() - t)

        cpu = _cpu_seconds({server})
        await asyncio.gather(*(one(s, q) for s, q in zip(sessions, questions, strict=True)))
        return latencies, failures, _cpu_seconds({server}) - cpu


def protocol_load(sizes: list[int], questions_file: Path, timeout_s: int) -> list[str]:
    """N sessions of the served app asking at once, each spoken to over the websocket as its browser would."""
    lines = []
    with _served_app() as (url, pid):
        warm, rounds = _fresh_rounds(questions_file, sizes)
        asyncio.run(_protocol_sessions(url, warm, timeout_s, pid))  # warm the server's model
        _settle(pid)
        for n, questions in zip(sizes, rounds, strict=True):
            latencies, failures, cpu = asyncio.run(_protocol_sessions(url, questions, timeout_s, pid))
            lines.append(row(f"served app, {n} ws sessions", latencies, len(failures), _peak_rss_mib(pid)))
            lines.append(f"    server CPU while asking: {cpu:.1f} s")
            for failure in sorted(set(failures))[:3]:
                lines.append(f"    error: {failure[:150]}")
    return lines


def rerun_cpu(top: int) -> list[str]:
    """CPU seconds of one rerun of the served script per open tab (min of 3), optionally a cProfile of the app's code."""
    import cProfile
    import io
    import pstats

    import streamlit.runtime.scriptrunner.script_runner as script_runner
    from streamlit.testing.v1 import AppTest

    profiler = cProfile.Profile()
    run_script = script_runner.exec_func_with_error_handling

    def profiled(func, ctx):  # type: ignore[no-untyped-def]  # the script runs on its own thread: profile it there
        profiler.enable()
        try:
            return run_script(func, ctx)
        finally:
            profiler.disable()

    at = AppTest.from_file(str(ROOT / "app" / "streamlit_app.py"), default_timeout=600)
    at.run()
    at.chat_input[0].set_value("How are integrated services funded?").run()
    for thread in threading.enumerate():  # the app embeds the statements on a thread at start: not part of a rerun
        if thread.name == "joinedup-warm":
            thread.join()
    lines = []
    script_runner.exec_func_with_error_handling = profiled  # type: ignore[assignment]
    try:
        for tab in ("Ask", "Practices", "Workshop pack"):
            at.session_state["section"] = tab
            at.run()
            cpu = []
            for _ in range(3):
                t = time.process_time()
                at.run()
                cpu.append(time.process_time() - t)
            lines.append(f"rerun CPU, {tab} tab open: {min(cpu) * 1000:.0f} ms (min of 3)")
    finally:
        script_runner.exec_func_with_error_handling = run_script
    if top:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top * 4)
        lines += [line for line in out.getvalue().splitlines() if "/app/" in line][:top]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="1,10,50", help="simultaneous questions through one Assistant")
    parser.add_argument("--http-n", default="5,10,25", help="simultaneous browser sessions of the served app")
    parser.add_argument("--http", action="store_true", help="also the served app, in headless Chromium")
    parser.add_argument("--ws-n", default="", help="sessions of the served app spoken to over its websocket, e.g. 5,10,25")
    parser.add_argument("--data-dir", type=Path, help="an index to use (default: ingest the corpus into a temp dir)")
    parser.add_argument("--questions", type=Path, default=ROOT / "evals" / "questions.jsonl")
    parser.add_argument("--timeout", type=int, default=600, help="seconds one browser session may wait for its answer")
    parser.add_argument("--rerun-cpu", action="store_true", help="only the CPU time of one app rerun per tab")
    parser.add_argument("--profile", type=int, default=0, help="with --rerun-cpu: the N costliest app functions")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        os.environ["JOINEDUP_DATA_DIR"] = str(data_dir)
        if args.data_dir is None:
            subprocess.run([sys.executable, "-m", "app.cli", "ingest", "--quiet"], cwd=ROOT, check=True, capture_output=True)
        if args.rerun_cpu:
            print("\n".join(rerun_cpu(args.profile)))
            return
        lines = assistant_load([int(n) for n in args.n.split(",")], args.questions)
        if args.ws_n:
            lines += protocol_load([int(n) for n in args.ws_n.split(",")], args.questions, args.timeout)
        if args.http:
            lines += http_load([int(n) for n in args.http_n.split(",")], args.questions, args.timeout)

    print(f"Joined-Up load benchmark — {os.cpu_count()} CPUs; latency of one question in seconds; RSS in MiB")
    print(f"{'':<28} {'p50':>8} {'p95':>8} {'max':>8} {'errors':>7} {'peak RSS':>9}")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
