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

from app.core.config import Settings
from app.core.models import Analysis, Passage
from app.core.prompts import load_prompt
from app.core.sentences import split_sentences
from app.query.backends.base import AnswerBackend, BackendError, Draft, DraftClaim

NOT_IN_SOURCES = "NOT_IN_SOURCES"
_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


# The user part of a URL runs to the LAST "@" before the host ("http://bob:pa@ss@host": the password holds an "@").
_USERINFO = re.compile(r"(\b[a-z][\w+.-]*://)[^/\s?#]*@", re.I)
# A query or fragment parameter whose name says it holds a secret: ?api_key=…, &access_token=…, ;password=…
_SECRET_PARAM = re.compile(
    r"([?&;#][\w.-]*?(?:key|token|secret|pass(?:word|wd)?|pwd|auth\w*|sig(?:nature)?|credentials?|session)[\w.-]*=)[^&#;\s\"']*",
    re.I,
)
_BEARER = re.compile(r"\b(bearer\s+|sk-)[\w.~+/=-]{6,}", re.I)


def redact(text: str) -> str:
    """Text with any credentials replaced, for notices, logs and errors.

    Covers the user part of a URL ("http://user:secret@host", whatever characters the password holds), query
    parameters named like a key, token, secret or password ("?api_key=…"), and bearer tokens in error messages.
    """
    text = _USERINFO.sub(r"\1***@", text)
    text = _SECRET_PARAM.sub(r"\1***", text)
    return _BEARER.sub(r"\1***", text)


REVIEWED = "reviewed source"
UNREVIEWED = "USER'S DOCUMENT, NOT REVIEWED"


def format_passages(passages: list[Passage], max_chars: int) -> str:
    """The numbered passages as the prompt shows them, each with its provenance.

    A user's document is marked as such (the prompt says what that means), so the model can tell what was
    reviewed from what someone uploaded; the guard labels a claim resting on it alone whatever the model does.
    """

    def head(p: Passage) -> str:
        where = f"{p.chunk.doc_title} — {p.chunk.section}" if p.chunk.section else p.chunk.doc_title
        return f"{UNREVIEWED}: {where}" if p.chunk.source_type == "user_document" else f"{REVIEWED}: {where}"

    return "\n\n".join(f"[{i}] ({head(p)})\n{p.chunk.text[:max_chars]}" for i, p in enumerate(passages, 1))


def parse_reply(reply: str, passages: list[Passage]) -> Draft:
    """Split a model reply into claims; each claim's ``[n]`` markers become the chunk ids of those passages.

    A number with no passage becomes a ``missing:n`` id, which the guard reports as not retrieved.
    """

    def ids(numbers: list[int]) -> list[str]:
        return [passages[n - 1].chunk.id if 0 < n <= len(passages) else f"missing:{n}" for n in numbers]

    text = reply.strip()
    if not text or NOT_IN_SOURCES in text:
        return Draft(supported=False, refusal="The documents in this corpus do not answer this question.")
    claims: list[DraftClaim] = []
    for sentence in split_sentences(re.sub(r"\s*\n\s*[-*•]?\s*", " ", text)):
        numbers = [int(n) for m in _MARKER.finditer(sentence) for n in re.split(r"\s*[,;]\s*", m.group(1))]
        # A marker may trail the full stop ("… pooled. [2]"): it belongs to the sentence before.
        clean = re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", sentence)).strip()  # "pooled [2]." -> "pooled."
        if not clean.strip(".") and claims:
            claims[-1].sources += ids(numbers)
            continue
        claims.append(DraftClaim(text=clean, sources=ids(list(dict.fromkeys(numbers)))))
    return Draft(claims=claims, preface="")


class LLMBackend(AnswerBackend):
    """Any LangChain chat model behind the same compose() as the extractive backend."""

    def __init__(self, name: str, model: Any, where: str, settings: Settings) -> None:
        self.name = name
        self.model = model
        self.where = where
        self.settings = settings

    def complete(self, prompt: str) -> str:
        """One chat completion; connection and API errors become :class:`BackendError`."""
        try:
            reply = self.model.invoke(prompt)
        except Exception as exc:
            reason = redact(str(exc).splitlines()[0][:200]) or type(exc).__name__
            raise BackendError(f"{self.name} backend at {self.where} failed ({type(exc).__name__}: {reason})") from exc
        content = reply.content if hasattr(reply, "content") else str(reply)
        return content if isinstance(content, str) else " ".join(str(c) for c in content)

    def compose(self, question: str, passages: list[Passage], analysis: Analysis) -> Draft:
        passages_text = format_passages(passages, self.settings.llm.max_passage_chars)
        prompt = load_prompt("answer", self.settings.prompts_dir).format(question=question, passages=passages_text)
        return parse_reply(self.complete(prompt), passages)


def make_llm_backend(name: str, settings: Settings) -> LLMBackend:
    """Build the configured backend; missing settings or packages raise :class:`BackendError`."""
    llm = settings.llm
    if name == "openai":
        if not llm.base_url and not llm.api_key:
            raise BackendError("set JOINEDUP_LLM_BASE_URL (an OpenAI-compatible endpoint) or OPENAI_API_KEY")
        if not llm.model:
            raise BackendError("set JOINEDUP_LLM_MODEL to the model name the endpoint serves")
        chat = _openai_chat(llm.base_url or None, llm.api_key or "none", settings)
        return LLMBackend(name, chat, redact(llm.base_url) or "api.openai.com", settings)
    if name == "ollama":
        if not llm.model:
            raise BackendError("set JOINEDUP_LLM_MODEL to an Ollama model name (e.g. llama3.2)")
        # Ollama serves an OpenAI-compatible API under /v1: no extra client package needed.
        base = llm.ollama_host.rstrip("/") + "/v1"
        return LLMBackend(name, _openai_chat(base, "ollama", settings), redact(llm.ollama_host), settings)
    if name == "llamacpp":
        if not llm.gguf_path:
            raise BackendError("set JOINEDUP_GGUF_PATH to a local .gguf model file")
        try:
            from langchain_community.chat_models import ChatLlamaCpp
        except ImportError as exc:
            raise BackendError("llama.cpp support is not installed: pip install '.[llm]'") from exc
        try:
            model = ChatLlamaCpp(model_path=llm.gguf_path, temperature=0, n_ctx=4096, max_tokens=512, verbose=False)
        except Exception as exc:
            raise BackendError(f"cannot load {llm.gguf_path} ({exc})") from exc
        return LLMBackend(name, model, llm.gguf_path, settings)
    raise BackendError(f"unknown LLM backend {name!r}")


def _openai_chat(base_url: str | None, api_key: str, settings: Settings) -> Any:
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        model=settings.llm.model,
        base_url=base_url,
        api_key=SecretStr(api_key),
        temperature=0,
        timeout=settings.llm.timeout,
        max_retries=0,  # the user is waiting: fall back to extractive at once
    )
