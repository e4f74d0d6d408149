"""The `askbj serve` command's options (registered on the CLI by ``askbj.cli``).

Only typer is imported here, so the CLI starts as fast as before; FastAPI, uvicorn and the
engine load when the command runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


def serve_command(settings: Callable[[], Any]) -> Callable[..., None]:
    """The command, reading the CLI's global folder/model options through ``settings``."""
    def serve(
        host: Annotated[str, typer.Option(help="Address to bind (loopback unless keys are set).")]
            = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
        workers: Annotated[int, typer.Option(min=1, help="Processes, each with its own engine.")]
            = 1,
        keys_file: Annotated[Path | None, typer.Option(
            help="API keys file: a key and its scope (read or admin) per line; also env "
                 "ASKBJ_API_KEYS.")] = None,
        insecure: Annotated[bool, typer.Option(
            "--insecure", help="Allow a non-loopback --host with no API keys.")] = False,
        concurrency: Annotated[int, typer.Option(
            min=1, help="Engine calls at once per process.")] = 2,
        queue: Annotated[int, typer.Option(min=0, help="Requests waiting before 503.")] = 16,
        timeout: Annotated[float, typer.Option(help="Seconds per request before 504.")] = 30.0,
        rate: Annotated[float, typer.Option(
            help="Requests/s per key (or client IP without keys); 0 = no limit.")] = 10.0,
        burst: Annotated[int, typer.Option(min=1, help="Requests at once above the rate.")] = 20,
    ) -> None:
        """Serve askbj over HTTP: OpenAI-compatible /v1/chat/completions and REST (/docs)."""
        from askbj.serve.config import ServeConfig
        from askbj.serve.server import run

        s = settings()
        run(ServeConfig(
            host=host, port=port, workers=workers, insecure=insecure,
            keys_file=str(keys_file) if keys_file else None, concurrency=concurrency,
            queue=queue, timeout=timeout, rate=rate, burst=burst, index_dir=str(s.index_dir),
            ingest_dir=str(s.ingest_dir), model=s.model, store=s.store,
            embed_url=s.embed.url or None, embed_model=s.embed.model if s.embed.url else None,
        ))

    return serve
