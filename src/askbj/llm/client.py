"""One OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server…) over plain httpx.

Only ``POST {base_url}/chat/completions`` is used, streamed (server-sent events) or not, so
any server that speaks that much works and no client library needs pinning. Every failure
— no server, a timeout, an HTTP error, a garbled or empty reply — becomes one ``LLMError``
whose message is a line fit to show a user; callers never see an httpx exception.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from askbj.errors import AskbjError

DEFAULT_TIMEOUT = 60.0
WHOLE_ANSWER = 5  # the whole generation may take this many timeouts
_LOCAL = ("localhost", "127.0.0.1", "::1")


class LLMError(Exception):
    """Why no generated answer: one line, shown to the user as the answer's notice."""


@dataclass(frozen=True)
class LLMConfig:
    """Where the model lives. Generation is off unless both ``base_url`` and ``model`` are set;
    ``timeout`` bounds the wait for a connection and for each next token, in seconds, and
    ``WHOLE_ANSWER`` times it the whole answer (a model dripping tokens never hangs a chat)."""

    base_url: str = ""
    model: str = ""
    api_key: str = field(default="", repr=False)
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LLMConfig:
        """``ASKBJ_LLM_BASE_URL``, ``ASKBJ_LLM_MODEL``, ``ASKBJ_LLM_API_KEY``,
        ``ASKBJ_LLM_TIMEOUT``; a timeout that is not a positive number is ignored."""
        env = os.environ if environ is None else environ
        try:
            timeout = float(env.get("ASKBJ_LLM_TIMEOUT", DEFAULT_TIMEOUT))
        except ValueError:
            timeout = DEFAULT_TIMEOUT
        return cls(env.get("ASKBJ_LLM_BASE_URL", "").strip(),
                   env.get("ASKBJ_LLM_MODEL", "").strip(),
                   env.get("ASKBJ_LLM_API_KEY", "").strip(),
                   timeout if timeout > 0 else DEFAULT_TIMEOUT)

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model)

    @property
    def url(self) -> str:
        """The chat endpoint; a bare ``http://host:port`` gets the conventional ``/v1``."""
        base = self.base_url.rstrip("/")
        if not urlsplit(base).path:
            base += "/v1"
        return base + "/chat/completions"


def resolve_config(llm: bool | None = None, base_url: str | None = None,
                   model: str | None = None,
                   environ: Mapping[str, str] | None = None) -> LLMConfig:
    """Command-line flags over ``ASKBJ_LLM_*``: ``llm`` False turns generation off, None
    leaves it on exactly when configured; True without an endpoint and model is an error."""
    config = LLMConfig.from_env(environ)
    config = replace(config, base_url=(base_url or config.base_url).strip(),
                     model=(model or config.model).strip())
    if llm is False:
        return replace(config, base_url="")
    if llm and not config.enabled:
        raise AskbjError("--llm needs a model endpoint: set ASKBJ_LLM_BASE_URL and "
                         "ASKBJ_LLM_MODEL, or pass --llm-base-url and --llm-model.")
    return config


class ChatModel(Protocol):
    """Anything that answers an OpenAI-style chat request body with the reply's text, piece
    by piece; it raises ``LLMError`` on any failure, including a reply with no text. The
    generator depends only on this; tests queue canned replies behind it."""

    def chat(self, body: dict[str, Any]) -> Iterator[str]: ...


@dataclass(frozen=True)
class HttpChatModel:
    """A ``ChatModel`` over HTTP: any OpenAI-compatible ``/chat/completions`` endpoint."""

    config: LLMConfig

    def chat(self, body: dict[str, Any]) -> Iterator[str]:
        return chat(self.config, body)


def chat(config: LLMConfig, body: dict[str, Any]) -> Iterator[str]:
    """The reply's text, piece by piece as it arrives (one piece when ``body["stream"]`` is
    false); raises ``LLMError`` on any failure, including a reply with no text."""
    try:
        yield from _post(config, body)
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        raise LLMError(_describe(exc, config)) from exc


def _post(config: LLMConfig, body: dict[str, Any]) -> Iterator[str]:
    headers = {"Accept": "text/event-stream" if body.get("stream") else "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    local = urlsplit(config.url).hostname in _LOCAL  # no proxy between us and a local server
    with httpx.Client(timeout=config.timeout, trust_env=not local) as client, \
            client.stream("POST", config.url, json=body, headers=headers) as reply:
        if reply.status_code >= 400:
            reply.read()
            raise LLMError(f"HTTP {reply.status_code} from {config.url}"
                           f"{_error_detail(reply.text)}")
        if "text/event-stream" in reply.headers.get("content-type", ""):
            tokens = _sse(reply.iter_lines())
        else:  # a non-streaming reply, asked for or not
            reply.read()
            tokens = iter([_message(reply.text)])
        got, limit, started = False, config.timeout * WHOLE_ANSWER, time.monotonic()
        for token in tokens:
            if time.monotonic() - started > limit:
                raise LLMError(f"the answer took longer than {limit:g} s")
            got = got or bool(token.strip())
            yield token
        if not got:
            raise LLMError("the model returned an empty answer")


def _sse(lines: Iterator[str]) -> Iterator[str]:
    """Content deltas of an OpenAI-style event stream; stops at ``[DONE]`` or end of body."""
    for line in lines:
        if not line.startswith("data:"):
            continue  # blank separators, ": keep-alive" comments, "event:" lines
        data = line[5:].strip()
        if data == "[DONE]":
            return
        event = _json(data)
        if "error" in event:
            raise LLMError(f"the endpoint reported an error{_error_detail(data)}")
        choices = event.get("choices")
        if not isinstance(choices, list):
            raise LLMError("malformed stream from the endpoint: an event without choices")
        delta = choices[0].get("delta") if choices and isinstance(choices[0], dict) else None
        content = delta.get("content") if isinstance(delta, dict) else None
        if isinstance(content, str) and content:
            yield content


def _message(body: str) -> str:
    try:
        return str(_json(body)["choices"][0]["message"]["content"] or "")
    except (KeyError, IndexError, TypeError) as exc:
        raise LLMError("malformed reply from the endpoint: no choices[0].message") from exc


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise LLMError("malformed reply from the endpoint: not JSON") from exc
    if not isinstance(value, dict):
        raise LLMError("malformed reply from the endpoint: not a JSON object")
    return value


def _error_detail(body: str) -> str:
    """": message" from an OpenAI-style error body, if it has one."""
    try:
        error = json.loads(body).get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        message = None
    message = " ".join(str(message or "").split())
    return f": {message[:120]}" if message else ""


def _describe(exc: Exception, config: LLMConfig) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"no reply from {config.url} within {config.timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {config.url}"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return f"bad endpoint URL {config.base_url!r}: give e.g. http://localhost:11434/v1"
    return f"the connection to {config.url} failed ({type(exc).__name__})"
