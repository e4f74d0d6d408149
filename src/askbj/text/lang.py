"""What script and language a text is in: the one rule every stage uses."""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[a-z]")
WORD = re.compile(r"[0-9a-z\u3400-\u9fff]")
"""A character that carries meaning in folded text (a digit, a Latin letter, a CJK ideograph)."""


def is_english(folded: str) -> bool:
    """No CJK ideograph and some Latin letter: an English question (``folded`` by ``fold``)."""
    return not CJK.search(folded) and bool(LATIN.search(folded))
