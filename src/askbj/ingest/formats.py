"""Text out of the document formats policy papers are published in: PDF and Word (.docx).

Every reader returns the file's text or raises ``ValueError`` saying why it cannot: the
ingest turns that into a warning naming the file, so one damaged or scanned PDF never
stops an ingest of many. The extracted text is the document's "raw" text: cleaning,
offsets and citations all index into it, exactly as for a .txt file.

A .docx is a zip of XML; its paragraphs are read with the standard library rather than a
Word library, because paragraph text is all we need and every dependency is one more thing
to install offline. Both readers treat their input as untrusted: sizes are capped before
anything is decompressed, and the XML parser (expat) resolves no external entities.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from xml.etree import ElementTree

MAX_DOCX_XML = 64 * 1024 * 1024  # a zip bomb must not be inflated into memory
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BREAKS = {f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}tab": "\t"}


def pdf_text(data: bytes) -> str:
    """The text of a text PDF, pages separated by a blank line.

    pypdf raises a zoo of exception types on damaged files (and logs complaints about
    merely untidy ones), so any failure of the parser is reported as the file's problem.
    """
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and not reader.decrypt("")
        pages = [] if locked else [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # the parser's failure on a bad file, not our bug
        raise ValueError(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if locked:
        raise ValueError("the PDF is password-protected")
    # pypdf decodes with surrogatepass; a lone surrogate would crash OpenCC and the model
    text = re.sub("[\ud800-\udfff]", "\ufffd", "\n\n".join(p.strip() for p in pages if p.strip()))
    if not text:
        raise ValueError("the PDF has no extractable text (a scanned PDF needs OCR first)")
    return text


def docx_text(data: bytes) -> str:
    """The paragraphs of a .docx body (tables included, cell by cell), blank-line separated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            xml = archive.read(info) if info.file_size <= MAX_DOCX_XML else None
        root = ElementTree.fromstring(xml) if xml is not None else None
    except Exception as exc:  # zipfile, zlib and expat each have their own errors
        raise ValueError(f"not a readable .docx file ({type(exc).__name__}: {exc})") from exc
    if root is None:
        raise ValueError("word/document.xml is too large to read")
    paragraphs = ("".join(_runs(p)).strip() for p in root.iter(f"{_W}p"))
    text = "\n\n".join(p for p in paragraphs if p)
    if not text:
        raise ValueError("the .docx file has no text")
    return text


def _runs(paragraph: ElementTree.Element) -> list[str]:
    """The text of one paragraph, in document order, skipping paragraphs nested in it (text
    boxes): ``iter`` visits those on their own, and reading them here too would repeat them.
    A loop, not recursion, so a hostile file nested thousands deep cannot crash the ingest."""
    parts: list[str] = []
    stack = list(reversed(paragraph))
    while stack:
        node = stack.pop()
        if node.tag == f"{_W}p":
            continue
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag in _BREAKS:
            parts.append(_BREAKS[node.tag])
        else:
            stack.extend(reversed(node))
    return parts
