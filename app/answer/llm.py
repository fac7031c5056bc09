"""LLM answer backends through LangChain chat models: OpenAI-compatible endpoints, Ollama, llama.cpp.

Each backend sends the numbered passages with ``prompts/answer.txt`` and parses
the reply into claims by their ``[n]`` markers; the grounding guard then
checks every claim. Misconfiguration or an unreachable server raises
:class:`BackendError` with the reason, and the caller falls back to the
extractive answer.
"""

from __future__ import annotations

import re
from typing import Any

from app.answer.base import AnswerBackend, BackendError, Draft, DraftClaim
from app.config import Settings
from app.models import Passage
from app.prompts import load_prompt
from app.text import split_sentences

NOT_IN_SOURCES = "NOT_IN_SOURCES"
_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
MAX_PASSAGE_CHARS = 1200


def format_passages(passages: list[Passage]) -> str:
    return "\n\n".join(
        f"[{i}] ({p.chunk.doc_title} — {p.chunk.section})\n{p.chunk.text[:MAX_PASSAGE_CHARS]}" for i, p in enumerate(passages, 1)
    )


def parse_reply(reply: str) -> Draft:
    """Split a model reply into claims; each claim's ``[n]`` markers become source indices (0-based)."""
    text = reply.strip()
    if not text or NOT_IN_SOURCES in text:
        return Draft(supported=False, refusal="The documents in this corpus do not answer this question.")
    claims = []
    for sentence in split_sentences(re.sub(r"\s*\n\s*[-*•]?\s*", " ", text)):
        numbers = [int(n) for m in _MARKER.finditer(sentence) for n in re.split(r"\s*[,;]\s*", m.group(1))]
        # A marker may trail the full stop ("… pooled. [2]"): it belongs to the sentence before.
        clean = _MARKER.sub("", sentence).strip()
        if not clean.strip(".") and claims:
            claims[-1].sources += [n - 1 for n in numbers]
            continue
        claims.append(DraftClaim(text=clean, sources=[n - 1 for n in dict.fromkeys(numbers)]))
    return Draft(claims=claims, preface="")


class LLMBackend(AnswerBackend):
    """Any LangChain chat model behind the same compose() as the extractive backend."""

    def __init__(self, name: str, model: Any, where: str) -> None:
        self.name = name
        self.model = model
        self.where = where

    def complete(self, prompt: str) -> str:
        """One chat completion; connection and API errors become :class:`BackendError`."""
        try:
            reply = self.model.invoke(prompt)
        except Exception as exc:
            reason = str(exc).splitlines()[0][:200] or type(exc).__name__
            raise BackendError(f"{self.name} backend at {self.where} failed ({type(exc).__name__}: {reason})") from exc
        content = reply.content if hasattr(reply, "content") else str(reply)
        return content if isinstance(content, str) else " ".join(str(c) for c in content)

    def compose(self, question: str, passages: list[Passage]) -> Draft:
        prompt = load_prompt("answer").format(question=question, passages=format_passages(passages))
        return parse_reply(self.complete(prompt))


def make_llm_backend(name: str, settings: Settings) -> LLMBackend:
    """Build the configured backend; missing settings or packages raise :class:`BackendError`."""
    if name == "openai":
        if not settings.llm_base_url and not settings.llm_api_key:
            raise BackendError("set JOINEDUP_LLM_BASE_URL (an OpenAI-compatible endpoint) or OPENAI_API_KEY")
        if not settings.llm_model:
            raise BackendError("set JOINEDUP_LLM_MODEL to the model name the endpoint serves")
        return LLMBackend(
            name,
            _openai_chat(settings.llm_base_url or None, settings.llm_api_key or "none", settings),
            settings.llm_base_url or "api.openai.com",
        )
    if name == "ollama":
        if not settings.llm_model:
            raise BackendError("set JOINEDUP_LLM_MODEL to an Ollama model name (e.g. llama3.2)")
        # Ollama serves an OpenAI-compatible API under /v1: no extra client package needed.
        base = settings.ollama_host.rstrip("/") + "/v1"
        return LLMBackend(name, _openai_chat(base, "ollama", settings), settings.ollama_host)
    if name == "llamacpp":
        if not settings.gguf_path:
            raise BackendError("set JOINEDUP_GGUF_PATH to a local .gguf model file")
        try:
            from langchain_community.chat_models import ChatLlamaCpp
        except ImportError as exc:
            raise BackendError("llama.cpp support is not installed: pip install '.[llm]'") from exc
        try:
            model = ChatLlamaCpp(model_path=settings.gguf_path, temperature=0, n_ctx=4096, max_tokens=512, verbose=False)
        except Exception as exc:
            raise BackendError(f"cannot load {settings.gguf_path} ({exc})") from exc
        return LLMBackend(name, model, settings.gguf_path)
    raise BackendError(f"unknown LLM backend {name!r}")


def _openai_chat(base_url: str | None, api_key: str, settings: Settings) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model,
        base_url=base_url,
        api_key=api_key,
        temperature=0,
        timeout=settings.llm_timeout,
        max_retries=0,  # the user is waiting: fall back to extractive at once
    )
