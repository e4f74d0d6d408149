"""The server's settings: where it listens, how much it accepts, and the engine's folders.

One frozen record, built by the CLI and handed (as JSON in the environment) to each uvicorn
worker process, so ``--workers N`` runs N identical processes.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from askbj.serve.engine import MAX_QUESTION, MAX_UPLOAD

ENV = "ASKBJ_SERVE_CONFIG"


@dataclass(frozen=True)
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    insecure: bool = False
    keys_file: str | None = None
    concurrency: int = 2           # engine calls at once (per process); the machine's cores
    queue: int = 16                # requests waiting for a slot before 503
    timeout: float = 30.0          # seconds per engine call before 504
    rate: float = 10.0             # requests per second per key (or client IP), sustained
    burst: int = 20                # requests allowed at once above the rate
    max_body: int = 64 * 1024      # bytes of a JSON body
    max_upload: int = MAX_UPLOAD   # bytes of one uploaded file
    max_question: int = MAX_QUESTION  # characters of a question
    index_dir: str | None = None
    ingest_dir: str | None = None
    model: str | None = None
    store: str | None = None
    embed_url: str | None = None
    embed_model: str | None = None

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ServeConfig:
        raw = (environ if environ is not None else os.environ).get(ENV)
        return cls(**json.loads(raw)) if raw else cls()

    def folders(self) -> dict[str, Any]:
        """Settings overrides for the engine (unset ones keep askbj's defaults)."""
        changes: dict[str, Any] = {"model": self.model, "embed_url": self.embed_url,
                                   "embed_model": self.embed_model}
        if self.index_dir:
            changes["index_dir"] = Path(self.index_dir)
        if self.ingest_dir:
            changes["ingest_dir"] = Path(self.ingest_dir)
        if self.store:
            changes["store"] = self.store
        return changes
