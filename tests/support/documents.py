"""Documents the platform makes, read back as a reader would: a PDF's text."""

import io
import re
import zlib


def pdf_text(data: bytes) -> str:
    """The text of a PDF: pypdf's if installed, else the (deflated) content streams, decoded."""
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF") and b"startxref" in data
    try:
        import pypdf
    except ImportError:
        chunks = []
        for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
            try:
                chunks.append(zlib.decompress(match.group(1)))
            except zlib.error:
                chunks.append(match.group(1))
        assert chunks, "a PDF without content streams"
        return b"\n".join(chunks).decode("latin-1")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)
