"""Whether the index still matches the files in ``ingest/``, said in words a user can act on.

A changed corpus never stops serving: the last good index answers, and this record's
``notice`` ("2 documents in ingest/ are not indexed yet — run `askbj ingest`") is shown
next to the answer by the CLI, the UI and the JSON output.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ACTION = "run `askbj ingest`"


@dataclass(frozen=True)
class Freshness:
    """File names added, changed or removed in ``ingest/`` since the index was built."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    missing: bool = False  # the ingest folder itself is gone
    ingest_dir: str = "ingest"

    @property
    def stale(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def notice(self, action: str = ACTION) -> str:
        """One line for the user; "" when the index is up to date (or nothing to compare)."""
        if not self.stale:
            return ""
        parts = []
        new = len(self.added) + len(self.changed)
        if new:
            parts.append(f"{_count(new)} in {self.ingest_dir}/ {_be(new)} not indexed yet")
        if self.removed:
            gone = len(self.removed)
            parts.append(f"{_count(gone)} removed from {self.ingest_dir}/ {_be(gone)} "
                         "still in the index")
        return "; ".join(parts) + f" — {action}"

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "stale": self.stale, "notice": self.notice()}


def compare_corpus(built: dict[str, str], now: dict[str, str], ingest_dir: str) -> Freshness:
    """Compare the file hashes an index was built from with those on disk now."""
    return Freshness(
        added=tuple(sorted(n for n in now if n not in built)),
        changed=tuple(sorted(n for n in now if n in built and built[n] != now[n])),
        removed=tuple(sorted(n for n in built if n not in now)),
        ingest_dir=ingest_dir,
    )


def _count(n: int) -> str:
    return f"{n} document{'s' if n != 1 else ''}"


def _be(n: int) -> str:
    return "are" if n != 1 else "is"
