"""The voucher's PDF, drawn from the voucher whenever it is asked for: never stored.

A page takes about 3 ms to draw (`bench/pdf_bench.py`) and took 3.1 KB on disk to keep; kept
for every voucher for ever, the PDFs were half of a voucher's bytes on disk (about 31 GB at 10
million vouchers, README "Data kept and for how long"). So the PDF route (`api/pdf_routes`)
and the mail job (`vouchers.delivery`) draw it from what the database already holds: the
voucher, its codes (never changed once taken) and its store.

The same voucher gives the same bytes every time: the PDF's creation date is the voucher's
`confirmDate` (not the moment of drawing) and fpdf2's file identifier is a hash of the content,
not a random one. So the ETag, a hash of the bytes, stays the same between requests and a
browser's `If-None-Match` gets a 304. What can change a page is the store's presentation (name,
colour, logo, mentions), which the page shows as it is today, and a new version of fpdf2; the
ETag follows the bytes, so a cached copy is never served after either.
"""

import hashlib

from jackpot.vouchers import pdf
from jackpot.vouchers.models import Voucher


def sheet(voucher: Voucher) -> pdf.VoucherSheet:
    """What the voucher's page shows (`pdf.sheet_for`: its codes are read)."""
    return pdf.sheet_for(voucher)


def render(voucher: Voucher, drawn: pdf.VoucherSheet | None = None) -> bytes:
    """The voucher's PDF (from `drawn`, its sheet, when the caller already built it)."""
    return pdf.render(drawn or sheet(voucher))


def etag(content: bytes) -> str:
    """A strong ETag for these bytes (RFC 9110 §8.8.3): quoted, 32 hex digits of BLAKE2b."""
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'
