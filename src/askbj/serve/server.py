"""Starting the server: refuse an open server off loopback, check the index, run uvicorn.

uvicorn gives graceful shutdown (SIGINT/SIGTERM: stop accepting, finish in-flight requests
within ``timeout_graceful_shutdown``). With ``workers > 1`` each worker process builds its
own app (and loads its own engine) from the config passed in the environment.
"""

from __future__ import annotations

import ipaddress
import os

from askbj.serve.auth import load_keys
from askbj.serve.config import ENV, ServeConfig
from askbj.serve.engine import UserError, preflight, settings_with

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check(config: ServeConfig) -> None:
    """Raise a one-line ``UserError`` for a configuration that must not start."""
    try:
        keys = load_keys(config.keys_file)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    if not keys.enabled and not is_loopback(config.host) and not config.insecure:
        raise UserError(
            f"Refusing to serve on {config.host} without API keys: set ASKBJ_API_KEYS or "
            "--keys-file, bind to 127.0.0.1, or pass --insecure to allow anyone on the network.")
    if config.workers < 1 or config.concurrency < 1:
        raise UserError("--workers and --concurrency must be 1 or more.")
    preflight(settings_with(**config.folders()))


def run(config: ServeConfig) -> None:
    import uvicorn

    check(config)
    os.environ[ENV] = config.to_env()
    uvicorn.run("askbj.serve.app:app_from_env", factory=True, host=config.host,
                port=config.port, workers=config.workers, access_log=False,
                timeout_graceful_shutdown=int(config.timeout) + 5, log_level="info")
