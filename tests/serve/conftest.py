"""A live `askbj serve` app (uvicorn on a free loopback port, in a thread) over a small
fixture corpus indexed with the fake embedder; tests talk to it with real HTTP clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from askbj import engine
from askbj.config import Settings
from askbj.serve.auth import KeyRing
from askbj.serve.config import ServeConfig
from askbj.serve.engine import Engine

from fakes import FakeEmbedder
from serve_helpers import DOCS, LiveServer, keyring


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("serve")
    (root / "ingest").mkdir()
    for name, text in DOCS.items():
        (root / "ingest" / name).write_text(text, encoding="utf-8")
    settings = Settings(ingest_dir=root / "ingest", index_dir=root / "index")
    engine.build(settings, embedder=FakeEmbedder())
    return settings


@pytest.fixture
def serve(corpus: Settings) -> Iterator[Callable[..., LiveServer]]:
    """``serve(engine=None, keys=None, **config)`` starts a server and returns it."""
    started: list[LiveServer] = []

    def start(engine: Engine | None = None, keys: KeyRing | None = None,
              **config: Any) -> LiveServer:
        engine = engine or Engine(corpus, embedder=FakeEmbedder())
        server = LiveServer(ServeConfig(**config), engine, keys or KeyRing())
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(serve: Callable[..., LiveServer]) -> LiveServer:
    """An open (no keys) server with default limits."""
    return serve()


@pytest.fixture
def keyed(serve: Callable[..., LiveServer]) -> LiveServer:
    return serve(keys=keyring())


@pytest.fixture
def settings_dir(corpus: Settings) -> Path:
    return corpus.ingest_dir.parent
