"""Starting real server processes for tests (Streamlit, Chroma) on free loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


def free_port() -> int:
    """A loopback port nothing listens on (closed again before it is returned)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def server_process(cmd: list[str], port: int, what: str, timeout: float = 120, **popen: object) -> Iterator[subprocess.Popen]:
    """Run ``cmd`` until the test ends; fail the test if ``port`` does not open within ``timeout`` seconds.

    The server runs in its own process group, and the whole group is ended afterwards: nothing it started outlives the test.
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, **popen)  # type: ignore[call-overload]
    deadline = time.time() + timeout
    while not port_open(port):
        if time.time() > deadline or proc.poll() is not None:
            _end_group(proc)
            pytest.fail(f"{what} did not start within {timeout:.0f} s")
        time.sleep(0.3)
    try:
        yield proc
    finally:
        _end_group(proc)


def _end_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, SIGKILL if it has not ended within 20 s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
