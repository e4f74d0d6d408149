"""API keys and their scopes.

Keys come from ``ASKBJ_API_KEYS`` (comma-separated ``key`` or ``key:admin``) and/or a keys
file (one ``key [read|admin]`` per line, ``#`` comments). A ``read`` key may search, ask,
chat and read documents; an ``admin`` key may also upload. A request presents its key as
``Authorization: Bearer KEY``; every configured key is compared with ``hmac.compare_digest``
(no early exit), so timing does not reveal how much of a key was right. With no keys
configured the server runs open, which ``server`` allows on loopback only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from askbj.serve.errors import ApiError

SCOPES = ("read", "admin")
ENV = "ASKBJ_API_KEYS"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a short non-secret id (for logs and rate limits) and a scope."""

    ident: str
    scope: str

    def allows(self, scope: str) -> bool:
        return self.scope == "admin" or scope == "read"


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[tuple[bytes, str], ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.keys)

    def check(self, authorization: str | None, client: str) -> Principal:
        """The caller behind an ``Authorization`` header; 401 when keys are on and it is
        missing or matches none."""
        if not self.enabled:
            return Principal(f"ip:{client}", "admin")
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("Missing API key: send `Authorization: Bearer YOUR_KEY`.")
        given = token.strip().encode("utf-8")
        found = None
        for key, scope in self.keys:
            if hmac.compare_digest(given, key) and found is None:
                found = scope
        if found is None:
            raise _unauthorized("Incorrect API key provided.")
        return Principal("key:" + hashlib.sha256(given).hexdigest()[:12], found)


def require(principal: Principal, scope: str) -> None:
    if not principal.allows(scope):
        raise ApiError(403, f"This key lacks the {scope!r} scope needed here.",
                       "insufficient_scope")


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, "invalid_api_key", headers={"WWW-Authenticate": "Bearer"})


def parse_env(value: str) -> list[tuple[str, str]]:
    pairs = []
    for item in (part.strip() for part in value.split(",")):
        if item:
            key, _, scope = item.partition(":")
            pairs.append((key.strip(), scope.strip() or "read"))
    return pairs


def parse_file(text: str) -> list[tuple[str, str]]:
    pairs = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            pairs.append((words[0], words[1] if len(words) > 1 else "read"))
    return pairs


def load_keys(keys_file: str | None, environ: dict[str, str] | None = None) -> KeyRing:
    """Keys from the environment and the file; ``ValueError`` naming a bad scope or file."""
    env = environ if environ is not None else dict(os.environ)
    pairs = parse_env(env.get(ENV, ""))
    if keys_file:
        try:
            pairs += parse_file(Path(keys_file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"Cannot read the keys file {keys_file}: {exc}") from exc
    for key, scope in pairs:
        if scope not in SCOPES:
            raise ValueError(f"Unknown key scope {scope!r}: use read or admin.")
        if len(key) < 8:
            raise ValueError("An API key must be at least 8 characters long.")
    return KeyRing(tuple((k.encode("utf-8"), s) for k, s in pairs))
