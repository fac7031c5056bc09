"""A scripted OpenAI-compatible chat server on 127.0.0.1: the true boundary we fake (no LLM runs here)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedLLM:
    """Answers each chat-completion request with the next scripted reply; records the prompts."""

    def __init__(self) -> None:
        self.replies: list[str] = []
        self.prompts: list[str] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        script = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                script.prompts.append(body["messages"][-1]["content"])
                reply = script.replies.pop(0) if script.replies else "NOT_IN_SOURCES"
                payload = {
                    "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": body.get("model", "m"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }  # fmt: skip
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@contextmanager
def scripted_llm() -> Iterator[tuple[ScriptedLLM, str]]:
    """Start the server; yields (script, base_url)."""
    script = ScriptedLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), script.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield script, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
