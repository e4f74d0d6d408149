"""Every error leaves the server in OpenAI's shape, ``{"error": {"message", "type", "param",
"code"}}``, with a message meant for the caller: no stack trace, no server path."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("askbj.serve")

_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
          404: "not_found_error", 405: "invalid_request_error", 409: "conflict_error",
          413: "invalid_request_error", 429: "rate_limit_error", 503: "server_overloaded",
          504: "timeout_error"}


class ApiError(Exception):
    """An error the caller sees: HTTP status, message, and OpenAI's ``code``/``param``.
    (A plain class, not a frozen dataclass: raising machinery sets attributes on it.)"""

    def __init__(self, status: int, message: str, code: str, param: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param
        self.headers = dict(headers or {})

    def to_dict(self) -> dict[str, Any]:
        kind = _TYPES.get(self.status, "server_error")
        return {"error": {"message": self.message, "type": kind, "param": self.param,
                          "code": self.code}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.to_dict(), status_code=self.status, headers=dict(self.headers))


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: ("not_found", "No such endpoint."), 405: ("method_not_allowed",
                                                           "Method not allowed here.")}
    code, message = codes.get(exc.status_code, ("http_error", str(exc.detail)))
    return ApiError(exc.status_code, message, code, headers=exc.headers or {}).response()


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
    param = ".".join(where) or None
    message = f"{param or 'request'}: {first.get('msg', 'invalid request')}"
    return ApiError(400, message, "invalid_request", param).response()


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error")  # the trace goes to the server log, never to the caller
    rid = getattr(request.state, "request_id", "")  # this handler runs outside the middleware
    return ApiError(500, "Internal server error; the request id is in X-Request-ID.",
                    "internal_error", headers={"X-Request-ID": rid} if rid else {}).response()


def install(app: FastAPI) -> None:
    """Route every kind of failure through the one error shape."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _unexpected)
