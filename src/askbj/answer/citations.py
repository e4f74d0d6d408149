"""The promise a citation makes, checked."""

from __future__ import annotations

from askbj.records import Chunk, Citation


def verified(citation: Citation, text: str, chunk: Chunk) -> bool:
    """The promise a citation makes: its quote is the document text at its span, inside the
    passage it names, and that passage is the document text at the chunk's span."""
    return (
        bool(citation.quote.strip())
        and text[citation.start : citation.end] == citation.quote
        and chunk.start <= citation.start < citation.end <= chunk.end
        and text[chunk.start : chunk.end] == chunk.text == citation.text
    )
