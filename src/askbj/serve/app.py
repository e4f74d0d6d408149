"""The HTTP routes: OpenAI-compatible chat completions and models, the REST records of the
CLI's ``--json``, document upload, and health probes.

``create_app`` builds one app around one ``Engine``; the engine loads in the background at
startup (``/healthz`` answers at once, ``/readyz`` once the index is usable) and every engine
call goes through the ``Gate``, in a worker thread, so the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPBearer
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from askbj.serve import errors, messages
from askbj.serve.auth import KeyRing, Principal, load_keys, require
from askbj.serve.bodies import AskBody, ChatBody, SearchBody
from askbj.serve.config import ServeConfig
from askbj.serve.engine import Engine, UserError, resolve_question, settings_with
from askbj.serve.limits import Gate, RateLimiter
from askbj.serve.middleware import Guard, RequestIdFilter

log = logging.getLogger("askbj.serve")
_bearer = HTTPBearer(auto_error=False, description="An API key (read or admin scope).")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    setup_logging()
    state = app.state
    state.gate = Gate(state.config.concurrency, state.config.queue, state.config.timeout)
    loading = asyncio.create_task(asyncio.to_thread(_load, state))
    try:
        yield
    finally:
        loading.cancel()
        state.gate.close()


def _load(state: Any) -> None:
    started = time.perf_counter()
    try:
        state.engine.load()
        log.info("engine ready in %.1f s", time.perf_counter() - started)
    except Exception as exc:  # reported by /readyz and in the log; the process stays up
        state.load_error = str(exc)
        log.error("engine failed to load: %s", exc)


def create_app(config: ServeConfig | None = None, engine: Engine | None = None,
               keys: KeyRing | None = None) -> FastAPI:
    config = config or ServeConfig.from_env()
    # FastAPIOffline serves the Swagger UI / ReDoc assets from the package: /docs works
    # with no internet, like the rest of askbj.
    app = FastAPIOffline(title="askbj", version="1", lifespan=_lifespan,
                         description="Cited answers from your policy documents: "
                                     "OpenAI-compatible chat completions and the CLI's JSON "
                                     "records.")
    app.state.config, app.state.load_error = config, ""
    app.state.engine = engine or Engine(settings_with(**config.folders()))
    app.state.keys = keys if keys is not None else load_keys(config.keys_file)
    app.state.limiter = RateLimiter(config.rate, config.burst)
    errors.install(app)
    app.add_exception_handler(UserError, _user_error)
    app.add_middleware(Guard, max_body=config.max_body, max_upload=config.max_upload)
    _probes(app)
    _openai_routes(app)
    _rest_routes(app)
    return app


def app_from_env() -> FastAPI:
    """The uvicorn factory: each worker process builds its app from ``ASKBJ_SERVE_CONFIG``."""
    return create_app()


def setup_logging() -> None:
    root = logging.getLogger("askbj")
    if not any(isinstance(f, RequestIdFilter) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.addFilter(RequestIdFilter())
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)


async def _user_error(request: Request, exc: Exception) -> JSONResponse:
    engine: Engine = request.app.state.engine
    return errors.ApiError(400, engine.scrub(str(exc)), "invalid_request").response()


def access(scope: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency: the caller's key checked for ``scope``, then its rate limit spent."""
    async def caller(request: Request, _: Annotated[Any, Depends(_bearer)]) -> Principal:
        state = request.app.state
        client = request.client.host if request.client else "unknown"
        principal = state.keys.check(request.headers.get("authorization"), client)
        request.state.caller = principal.ident
        require(principal, scope)
        state.limiter.take(principal.ident)
        return principal

    return caller


Read = Annotated[Principal, Depends(access("read"))]
Admin = Annotated[Principal, Depends(access("admin"))]


def _ready(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    if not engine.ready:
        raise errors.ApiError(503, "The index is not loaded yet (or failed to load: see "
                              "/readyz and the server log).", "not_ready",
                              headers={"Retry-After": "2"})
    return engine


Ready = Annotated[Engine, Depends(_ready)]


async def _call(request: Request, fn: Callable[..., Any], *args: Any) -> Any:
    gate: Gate = request.app.state.gate
    return await gate.run(fn, *args)


def _question(request: Request, text: str, param: str) -> str:
    limit = request.app.state.config.max_question
    if len(text) > limit:
        raise errors.ApiError(400, f"The question is {len(text):,} characters long; the limit "
                              f"is {limit:,}.", "question_too_long", param)
    if not text.strip():
        raise errors.ApiError(400, "The question is empty.", "empty_question", param)
    return text


def _probes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"], summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="The index is loaded and usable")
    async def readyz(request: Request) -> JSONResponse:
        engine: Engine = request.app.state.engine
        if engine.ready:
            return JSONResponse({"status": "ready", **engine.counts()})
        failed = bool(request.app.state.load_error)
        message = "The index failed to load: see the server log." if failed else "Loading."
        return errors.ApiError(503, message, "load_failed" if failed else "loading",
                               headers={"Retry-After": "2"}).response()


def _openai_routes(app: FastAPI) -> None:
    started = int(time.time())

    @app.get("/v1/models", tags=["openai"], summary="The three askbj models (search modes)")
    async def models(_: Read) -> dict[str, Any]:
        return messages.model_list(started)

    @app.post("/v1/chat/completions", tags=["openai"], response_model=None,
              summary="OpenAI Chat Completions: a cited answer to the last user message")
    async def chat(body: ChatBody, request: Request, _: Read,
                   engine: Ready) -> JSONResponse | StreamingResponse:
        mode = messages.MODELS.get(body.model)
        if mode is None:
            raise errors.ApiError(404, f"The model {body.model!r} does not exist: use one of "
                                  f"{', '.join(messages.MODELS)}.", "model_not_found", "model")
        turns = body.turns()
        _question(request, resolve_question(turns), "messages")
        reply = await _call(request, engine.chat, turns, mode, body.script)
        done = messages.Completion(body.model, reply.text, reply.citations,
                                   reply.resolved_question)
        if body.stream:
            return StreamingResponse(messages.stream(done), media_type="text/event-stream")
        return JSONResponse(done.to_dict())


def _rest_routes(app: FastAPI) -> None:
    @app.post("/v1/search", tags=["askbj"], summary="Passages for a question (= search --json)")
    async def search(body: SearchBody, request: Request, _: Read, engine: Ready) -> Any:
        question = _question(request, body.question, "question")
        return await _call(request, engine.search, question, body.k, body.mode)

    @app.post("/v1/ask", tags=["askbj"], summary="A cited answer (= ask --json)")
    async def ask(body: AskBody, request: Request, _: Read, engine: Ready) -> Any:
        question = _question(request, body.question, "question")
        return await _call(request, engine.ask, question, body.k, body.mode, body.script)

    @app.get("/v1/cite", tags=["askbj"], summary="Where a citation points (= cite --json)")
    async def cite(request: Request, _: Read, engine: Ready,
                   ref: Annotated[str, Query(max_length=2000)],
                   context: Annotated[int, Query(ge=0, le=20)] = 1,
                   limit: Annotated[int, Query(ge=1, le=100)] = 20) -> JSONResponse:
        record, total = await _call(request, engine.cite, ref, context, limit)
        return JSONResponse(record, headers={"X-Total-Count": str(total)})

    @app.get("/v1/documents", tags=["askbj"], summary="The corpus: one record per document")
    async def documents(_: Read, engine: Ready) -> Any:
        return engine.documents()

    @app.get("/v1/documents/{doc_id}", tags=["askbj"], summary="One document with its text")
    async def document(doc_id: str, _: Read, engine: Ready) -> Any:
        found = engine.document(doc_id)
        if found is None:
            raise errors.ApiError(404, f"No document {doc_id!r}.", "document_not_found",
                                  "doc_id")
        return found

    _upload_route(app)


def _upload_route(app: FastAPI) -> None:
    @app.post("/v1/documents", tags=["askbj"], status_code=201,
              summary="Upload a document and re-ingest incrementally (admin)")
    async def upload(request: Request, _: Admin, engine: Ready,
                     file: Annotated[UploadFile, File(description="a .txt .md .pdf or .docx")],
                     overwrite: Annotated[bool, Form()] = False) -> Any:
        data = await file.read(request.app.state.config.max_upload + 1)
        if len(data) > request.app.state.config.max_upload:
            raise errors.ApiError(413, "The file is over the upload limit.", "file_too_large",
                                  "file")
        return await run_in_threadpool(engine.upload, file.filename or "", data, overwrite)
