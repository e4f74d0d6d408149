"""Settings, read once: where things live, which model and domain, and the search modes.

Everything that reads the environment reads it here (``Settings.from_env``); the rest of
askbj receives a ``Settings`` and never looks at ``os.environ`` for these values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from askbj.domain import DEFAULT_DOMAIN
from askbj.errors import AskbjError
from askbj.index.service import DEFAULT_SERVICE_MODEL, EmbedService
from askbj.ingest.limits import IngestLimits

MODES = ("hybrid", "dense", "bm25")
"""Search modes: fused (default), the dense encoder alone, BM25 alone."""
FIRST_STAGE = "first-stage"
EVAL_MODES = (*MODES, FIRST_STAGE)
"""What ``askbj eval --mode all`` and the Evaluation page compare: the search modes, and
``first-stage`` (hybrid without its sentence stage) to show what that stage adds."""

HOME_ENV, MODEL_ENV, DOMAIN_ENV = "ASKBJ_HOME", "ASKBJ_MODEL", "ASKBJ_DOMAIN"
STORE_ENV, FAISS = "ASKBJ_STORE", "faiss"
"""``faiss`` (files in ``index/``, the default) or a Milvus URI: a local ``*.db`` path (Milvus
Lite, embedded) or ``http://host:19530`` (a Milvus server or cluster)."""
EMBED_ENV = "ASKBJ_EMBED_"
"""``ASKBJ_EMBED_URL``, ``_MODEL``, ``_API_KEY``, ``_PROMPTS``, ``_QUERY_PREFIX``,
``_DOCUMENT_PREFIX``, ``_BATCH``, ``_CONCURRENCY``, ``_RETRIES``, ``_TIMEOUT``: the
embeddings service (``EmbedService``); embedding runs locally unless ``_URL`` is set."""
THREAD_POLICY = {"OMP_WAIT_POLICY": "PASSIVE"}
"""The model's OpenMP threads sleep when idle instead of spinning, so they do not fight
numpy's BLAS threads or another process for two cores (bench/RESULTS.md: p95 at 10k
passages with a busy neighbour 1.75 s spinning, about 0.1 s passive). Read by libgomp when
it loads: ``thread_policy`` must run before the model library is imported."""


def thread_policy(environ: MutableMapping[str, str] | None = None) -> None:
    """Set ``THREAD_POLICY`` in the environment unless the user already chose otherwise."""
    env = os.environ if environ is None else environ
    for name, value in THREAD_POLICY.items():
        env.setdefault(name, value)


def home(environ: Mapping[str, str] | None = None) -> Path:
    """The project folder holding ``ingest/``, ``index/`` and ``eval/``."""
    env = os.environ if environ is None else environ
    return Path(env.get(HOME_ENV) or Path.cwd())


@dataclass(frozen=True)
class Settings:
    """Where things live and how the index is built."""

    ingest_dir: Path = field(default_factory=lambda: home() / "ingest")
    index_dir: Path = field(default_factory=lambda: home() / "index")
    model: str | None = None
    domain: str = DEFAULT_DOMAIN
    store: str = FAISS
    chunk_size: int = 300
    chunk_overlap: int = 60
    limits: IngestLimits = field(default_factory=IngestLimits)
    embed: EmbedService = field(default_factory=EmbedService)
    """The embeddings service; when ``embed.url`` is set it embeds instead of ``model``."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """``ASKBJ_HOME`` (ingest/, index/), ``ASKBJ_MODEL``, ``ASKBJ_DOMAIN``, ``ASKBJ_STORE``
        and ``ASKBJ_EMBED_*`` (see ``EMBED_ENV``)."""
        env = os.environ if environ is None else environ
        root = home(env)
        return cls(ingest_dir=root / "ingest", index_dir=root / "index",
                   model=env.get(MODEL_ENV) or None, domain=env.get(DOMAIN_ENV) or DEFAULT_DOMAIN,
                   store=env.get(STORE_ENV) or FAISS, embed=embed_service(env))

    @property
    def milvus(self) -> bool:
        """Whether the index lives in Milvus rather than in ``index_dir``."""
        return self.store != FAISS

    def with_service(self, url: str | None = None, model: str | None = None) -> Settings:
        """These settings with the embeddings service's URL and model overridden (None keeps
        the value from the environment): what ``--embed-url`` / ``--embed-model`` do."""
        return replace(self, embed=self.embed.with_endpoint(url, model))


def embed_service(env: Mapping[str, str]) -> EmbedService:
    """The ``EmbedService`` the ``ASKBJ_EMBED_*`` variables describe; a prefix variable set to
    the empty string means no prefix, a bad number is an error naming the variable."""
    defaults = EmbedService()

    def text(key: str, default: str) -> str:
        value = env.get(EMBED_ENV + key)
        return default if value is None else value

    def number(key: str, default: float, kind: type[float] | type[int] = int) -> float:
        raw = env.get(EMBED_ENV + key, "").strip()
        try:
            return kind(raw) if raw else default
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise AskbjError(f"{EMBED_ENV}{key} must be {what}, got {raw!r}.") from None

    return EmbedService(
        url=text("URL", "").strip(), model=text("MODEL", "").strip() or DEFAULT_SERVICE_MODEL,
        api_key=text("API_KEY", "").strip(), prompts=text("PROMPTS", "").strip() or "text",
        query_prefix=text("QUERY_PREFIX", defaults.query_prefix),
        document_prefix=text("DOCUMENT_PREFIX", defaults.document_prefix),
        batch_size=int(number("BATCH", defaults.batch_size)),
        concurrency=int(number("CONCURRENCY", defaults.concurrency)),
        retries=int(number("RETRIES", defaults.retries)),
        timeout=number("TIMEOUT", defaults.timeout, float))
