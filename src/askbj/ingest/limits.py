"""How much one file may cost an ingest, and the clock that enforces parse time.

A 183 KB .docx can inflate to 21 million characters (83k passages, hours of embedding), and
a 200 MB text file can take gigabytes of memory; so every file is held to these limits and
skipped, with a warning naming the limit, when it is over one. The defaults fit policy
documents (the longest in the corpus is ~12k characters) with two orders of magnitude spare.
Settings carry one ``IngestLimits``; tests pass smaller ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


class LimitExceeded(ValueError):
    """A file is over one of the ingest limits; the message names the limit and the way out."""


@dataclass(frozen=True)
class IngestLimits:
    """Per-file ceilings for ingest (and for uploads, which are ingested at once)."""

    max_file_bytes: int = 64 * 2**20
    max_chars: int = 1_000_000  # extracted characters: ~4,000 passages
    max_unzipped_bytes: int = 64 * 2**20  # what a .docx body may inflate to
    max_zip_ratio: float = 100.0  # inflated / compressed size of a .docx body, checked
    ratio_from_bytes: int = 4 * 2**20  # once the body inflates past this (small files may
    # compress far better: a page of repeated runs)
    max_pdf_pages: int = 1_000
    parse_seconds: float = 60.0

    def check_chars(self, n: int) -> None:
        if n > self.max_chars:
            raise LimitExceeded(f"{n:,} characters of text, over the {self.max_chars:,} "
                                "limit per file (split the document)")

    def deadline(self, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return Deadline(self.parse_seconds, clock)


@dataclass
class Deadline:
    """Raises ``LimitExceeded`` once ``seconds`` have passed; parsers call ``check`` as they go
    (per PDF page, per .docx paragraph), so a slow file stops at the next step."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=-1.0)

    def __post_init__(self) -> None:
        if self.started < 0:
            self.started = self.clock()

    def check(self) -> None:
        if self.clock() - self.started > self.seconds:
            raise LimitExceeded(f"reading it took over {self.seconds:g} s, the parse-time "
                                "limit per file (convert it to .txt)")
