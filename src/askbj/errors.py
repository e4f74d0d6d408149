"""User-facing errors.

Anything the user can fix (no index, damaged index, bad input, unloadable model) raises
``AskbjError`` with a message that says what is wrong and what to do; the CLI prints it to
stderr and exits non-zero, the UI shows it in a box. Tracebacks are for our bugs only.
"""

from __future__ import annotations


class AskbjError(Exception):
    """An error whose message is meant for the user, not a developer."""


class IndexMissing(AskbjError):
    """There is no index yet: run `askbj ingest`."""


class IndexDamaged(AskbjError):
    """The index on disk is damaged, incomplete, or built with other settings."""
