"""Plain ASGI middleware around every request: a request id, a body size limit, a few safe
headers, and one access-log line.

The request id is the caller's ``X-Request-ID`` when it is a sane token, else a new one; it
is on every response (errors too) and in every log line. A body over the limit (by
``Content-Length`` up front, or counted while it streams in) gets 413 in the error shape
without the route ever seeing it.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from askbj.serve.errors import ApiError

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
log = logging.getLogger("askbj.serve.access")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store")]
UPLOAD_PATH = "/v1/documents"
MULTIPART_OVERHEAD = 64 * 1024


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class _TooLarge(Exception):
    pass


class Guard:
    """Request id, body limits, headers and the access log (see the module docstring)."""

    def __init__(self, app: ASGIApp, max_body: int, max_upload: int) -> None:
        self.app, self.max_body, self.max_upload = app, max_body, max_upload

    def _limit(self, scope: Scope) -> int:
        upload = scope["path"] == UPLOAD_PATH and scope["method"] == "POST"
        return self.max_upload + MULTIPART_OVERHEAD if upload else self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id.set(rid)
        started, status = time.perf_counter(), [0]
        try:
            await self._guarded(scope, receive, send, rid, status)
        finally:
            ms = (time.perf_counter() - started) * 1000
            caller = scope["state"].get("caller", "-")
            log.info("%s %s %s %.1fms %s", scope["method"], scope["path"], status[0], ms, caller)
            request_id.reset(token)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, rid: str,
                       status: list[int]) -> None:
        limit, seen, over = self._limit(scope), [0], [False]
        headers = [*_HEADERS, (b"x-request-id", rid.encode())]

        async def counted() -> Message:
            message = await receive()
            seen[0] += len(message.get("body", b""))
            if seen[0] > limit:
                over[0] = True
                raise _TooLarge
            return message

        async def stamped(message: Message) -> None:
            if over[0]:  # the app answered its own read failure: answer 413 instead, once
                if message["type"] == "http.response.start":
                    await _too_large(send, limit, headers, status)
                return
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        if _declared(scope) > limit:
            await _too_large(send, limit, headers, status)
            return
        try:
            await self.app(scope, counted, stamped)
        except _TooLarge:
            if not status[0]:
                await _too_large(send, limit, headers, status)


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            given = value.decode("latin-1")
            if _SANE_ID.match(given):
                return given
    return uuid.uuid4().hex


def _declared(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


async def _too_large(send: Send, limit: int, headers: list[Any], status: list[int]) -> None:
    error = ApiError(413, f"The request body is over the {limit:,}-byte limit.",
                     "request_too_large")
    response = error.response()
    status[0] = 413
    await send({"type": "http.response.start", "status": 413,
                "headers": [*response.raw_headers, *headers]})
    await send({"type": "http.response.body", "body": response.body})
