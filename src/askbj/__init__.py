"""askbj: cited, offline question answering over Beijing digital-economy policy documents."""

from askbj.records import Answer, Chunk, Citation, Document, Hit

__version__ = "0.1.0"
__all__ = ["Answer", "Chunk", "Citation", "Document", "Hit", "__version__"]
