"""Starting real server processes for tests (Streamlit, Chroma) on free loopback ports."""

from __future__ import annotations

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
    """Run ``cmd`` until the test ends; fail the test if ``port`` does not open within ``timeout`` seconds."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen)  # type: ignore[call-overload]
    deadline = time.time() + timeout
    while not port_open(port):
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail(f"{what} did not start within {timeout:.0f} s")
        time.sleep(0.3)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)
