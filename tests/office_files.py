"""Real, minimal PDF and .docx files, written byte by byte so tests need no fixtures on disk.

The PDFs are valid (correct xref offsets) one-page files: Latin text in Helvetica, or
Chinese text in the standard STSong-Light font with the UniGB-UCS2-H encoding, which is
how many Chinese government PDFs embed their text. The .docx has the three parts Word
itself needs to open it, so it is a real Word file and not just something our reader likes.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

HELVETICA = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
STSONG = [
    b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
    b"/DescendantFonts [6 0 R] >>",
    b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
    b"<< /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R >>",
    b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] "
    b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
]


def _pdf(stream: bytes, font: list[bytes]) -> bytes:
    """One page whose content is ``stream``; object 4 is the font, 5 the content."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        font[0],
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        *font[1:],
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def latin_pdf(lines: list[str]) -> bytes:
    """Each line a text line of the page (ASCII only, no parentheses or backslashes)."""
    shows = b" T* ".join(b"(%s) Tj" % line.encode("ascii") for line in lines)
    return _pdf(b"BT /F1 12 Tf 14 TL 72 720 Td " + shows + b" ET", HELVETICA)


def chinese_pdf(text: str) -> bytes:
    """``text`` (BMP characters, even lone surrogates) as one UTF-16 hex string in STSong-Light."""
    encoded = text.encode("utf-16-be", "surrogatepass").hex().upper().encode("ascii")
    return _pdf(b"BT /F1 12 Tf 72 720 Td <" + encoded + b"> Tj ET", STSONG)


def scanned_pdf() -> bytes:
    """A page that draws only a filled rectangle: what a scan without OCR looks like."""
    return _pdf(b"0.5 g 72 72 400 600 re f", HELVETICA)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def paragraph(*runs: str) -> str:
    """A ``<w:p>`` whose runs are ``runs`` (Word splits words across runs freely)."""
    body = "".join(f'<w:r><w:t xml:space="preserve">{escape(r)}</w:t></w:r>' for r in runs)
    return f"<w:p>{body}</w:p>"


def docx(body_xml: str) -> bytes:
    """A .docx whose body is ``body_xml`` (``w:`` elements, e.g. from ``paragraph``)."""
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{_W}"><w:body>{body_xml}</w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()
