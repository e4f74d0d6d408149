"""Finding a quote in a text whatever its script, width or stray whitespace.

Quotes are matched in folded, whitespace-free form, folded *character by character* with a
map back to the original offsets: whole-text folding may change lengths (NFKC, pinyin
glosses), and a match must always be exact offsets whose text a reader can compare.
"""

from __future__ import annotations

import re
from functools import lru_cache

from askbj.errors import AskbjError
from askbj.text.normalize import PINYIN_GLOSS, fold

_QUOTES = "\"'“”‘’「」『』＂"
MIN_QUOTE = 2


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character's matching form; every quotation mark is one (scripts differ: “” 「」)."""
    return '"' if ch in _QUOTES else re.sub(r"\s+", "", fold(ch))


@lru_cache(maxsize=16)
def folded_map(text: str) -> tuple[str, tuple[int, ...]]:
    """``text`` folded char by char without whitespace, and each folded char's origin."""
    dropped = {i for m in PINYIN_GLOSS.finditer(text) for i in range(m.start(), m.end())}
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if i in dropped:
            continue
        folded = _fold_char(ch)
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), tuple(origin)


def find_quote(text: str, quote: str) -> list[tuple[int, int]]:
    """Exact ``(start, end)`` offsets in ``text`` of every match of ``quote``, folded."""
    quote = quote.strip()
    if len(quote) >= 2 and quote[0] in _QUOTES and quote[-1] in _QUOTES:
        quote = quote[1:-1]  # the reader's own quotation marks around the quote
    needle, _ = folded_map(quote)
    if len(needle) < MIN_QUOTE:
        raise AskbjError(f"The quote {quote!r} is too short to look up: give at least "
                         f"{MIN_QUOTE} characters.")
    haystack, origin = folded_map(text)
    places, at = [], haystack.find(needle)
    while at >= 0:
        places.append((origin[at], origin[at + len(needle) - 1] + 1))
        at = haystack.find(needle, at + len(needle))
    return places
