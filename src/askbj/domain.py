"""A corpus's vocabulary as data: places, abbreviations, policy phrases, example questions.

Code holds general rules only; what names one corpus's world is read from a TOML domain file
(``askbj/domains/NAME.toml``, or any path), chosen with ``--domain`` / ``ASKBJ_DOMAIN``. A
user who loads another city's documents writes a domain file for it and changes no code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from askbj.errors import AskbjError

DEFAULT_DOMAIN = "beijing"
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, eq=False)
class Domain:
    """One corpus's vocabulary. Hashed by identity: it keys caches of question analysis."""

    name: str
    subject: str = "the documents"
    example_questions: tuple[str, ...] = ()
    place_prefixes: tuple[str, ...] = ()
    home_partner: str = ""
    country_partners: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    place_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    gazetteer: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    acronyms: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    abbreviations: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    glossary: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    levels: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "domain") -> Domain:
        """Check the shape of a parsed domain file; say which key is wrong and how."""
        if not isinstance(data.get("name"), str) or not data["name"].strip():
            raise AskbjError(f"{source}: a domain file needs a `name = \"...\"` line.")
        return cls(
            name=data["name"],
            subject=_text(data, "subject", source, cls.subject),
            example_questions=_strings(data, "example_questions", source),
            place_prefixes=_strings(data, "place_prefixes", source),
            home_partner=_text(data, "home_partner", source, ""),
            country_partners=_table(data, "country_partners", source, many=False),
            place_aliases=_table(data, "place_aliases", source, many=True),
            gazetteer=_table(data, "gazetteer", source, many=False),
            acronyms=_table(data, "acronyms", source, many=False),
            abbreviations=_table(data, "abbreviations", source, many=True),
            glossary=_table(data, "glossary", source, many=True),
            synonyms=_table(data, "synonyms", source, many=True),
            levels=_strings(data, "levels", source),
        )


def _text(data: Mapping[str, Any], key: str, source: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise AskbjError(f"{source}: `{key}` must be a string.")
    return value


def _strings(data: Mapping[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AskbjError(f"{source}: `{key}` must be a list of strings.")
    return tuple(value)


def _table(data: Mapping[str, Any], key: str, source: str, many: bool) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise AskbjError(f"{source}: `[{key}]` must be a table of `\"word\" = ...` lines.")
    out: dict[str, Any] = {}
    for k, v in value.items():
        if many and isinstance(v, list) and v and all(isinstance(x, str) for x in v):
            out[k] = tuple(v)
        elif not many and isinstance(v, str):
            out[k] = v
        else:
            shape = "a list of strings" if many else "a string"
            raise AskbjError(f"{source}: `[{key}]` entry {k!r} must be {shape}.")
    return MappingProxyType(out)


@lru_cache(maxsize=16)
def load_domain(spec: str = DEFAULT_DOMAIN) -> Domain:
    """The domain called ``spec`` (shipped with askbj) or the TOML file at path ``spec``."""
    path = Path(spec)
    if path.suffix == ".toml" or path.exists():
        source = str(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise AskbjError(f"Cannot read the domain file {path}: {exc.strerror or exc}. "
                             "Pass an existing .toml file with --domain.") from exc
    else:
        source = f"domain {spec!r}"
        shipped = resources.files("askbj") / "domains" / f"{spec}.toml"
        if not shipped.is_file():
            raise AskbjError(f"No domain called {spec!r}: use one of {', '.join(shipped_domains())}"
                             " or the path of a .toml domain file.")
        raw = shipped.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AskbjError(f"{source} is not valid UTF-8 TOML: {exc}") from exc
    return Domain.from_dict(data, source)


def shipped_domains() -> list[str]:
    folder = resources.files("askbj") / "domains"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                  if p.name.endswith(".toml"))
