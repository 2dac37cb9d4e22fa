"""The voucher PDF (SPEC §6.4): store colour and logo, value, each code as text and QR code, PIN,
validity, mentions and couponId. fpdf2 + segno, pure Python, one A4 page for up to four codes.

The QR code is embedded as a black-and-white image (4 pixels a module, quiet zone included):
crisp when printed, and a reader (or a test) can take it back out of the PDF and decode it.
Text uses the PDF core fonts (no font file to embed) in their Windows-1252 encoding (€, curly
quotes, dashes and œ print as themselves; a character beyond it prints as "?"), written with
`text()` rather than `cell()` (several times cheaper). Amounts are written by the platform's one
money rule (`core.formatting`), the French way like the rest of the first language of the page:
"110,00 €". `bench/pdf_bench.py` measures a page.

Logos are drawn when the store's logo is a `data:image/png|jpeg;base64,…` URI or a file under
`JACKPOT_DATA_DIR`; never fetched from the network (the worker makes no outbound request for a
store's URL). Without one, the store's monogram (`catalog.monogram`, the widget's too) stands in
a white square.
"""

import base64
import binascii
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import segno
from django.conf import settings
from fpdf import FPDF
from PIL import Image

from jackpot.catalog.monogram import monogram
from jackpot.core import formatting
from jackpot.vouchers.codes.generated import display

PAGE_MARGIN = 15
CONTENT_WIDTH = 210 - 2 * PAGE_MARGIN
QR_SIZE = 34  # mm
ENCODING = "windows-1252"  # the core fonts' WinAnsi encoding: € and typographic marks included
_BEYOND_WINANSI = str.maketrans({"\u202f": "\u00a0", "\u2011": "-", "\u2212": "-"})


def winansi(text: str) -> str:
    """Text the voucher's core fonts can write (`ENCODING`); anything else becomes "?"."""
    return text.translate(_BEYOND_WINANSI).encode(ENCODING, "replace").decode(ENCODING)


def money(value: Decimal, currency: str) -> str:
    """An amount on the voucher: French first, the page's first language ("110,00 €")."""
    return formatting.money(value, currency, language="fr")


def day(moment: date | datetime | None) -> str:
    return moment.strftime("%d/%m/%Y") if moment else "-"


@dataclass(frozen=True)
class CodeLine:
    code: str
    pin: str
    value: Decimal
    expiry: date | None
    generated: bool = False

    @property
    def shown(self) -> str:
        return display(self.code) if self.generated else self.code


@dataclass(frozen=True)
class VoucherSheet:
    """Everything printed on the PDF; built from a voucher by `sheet_for`, or by hand (bench)."""

    coupon_id: str
    store_name: str
    base_color: str
    value: Decimal
    currency: str
    validity: date | datetime | None
    mentions: str
    codes: tuple[CodeLine, ...]
    logo: str = ""
    issued: datetime | None = None
    specimen: bool = False  # a test-mode voucher: every page says it is worth nothing

    @property
    def valid_until(self) -> date | datetime | None:
        """The earliest of the voucher's validity and its codes' expiries (what the store takes)."""
        moments = [m.date() if isinstance(m, datetime) else m for m in [self.validity]] + [
            c.expiry for c in self.codes
        ]
        moments = [m for m in moments if m is not None]
        return min(moments) if moments else None


def sheet_for(voucher, codes=None) -> VoucherSheet:
    """What the voucher's PDF shows; `codes` are its codes when the caller has them at hand."""
    store = voucher.store
    if codes is None:
        codes = voucher.codes.all()
    return VoucherSheet(
        coupon_id=voucher.coupon_id,
        store_name=store.name,
        base_color=store.base_color,
        value=voucher.value,
        currency=voucher.currency,
        validity=voucher.validity_date,
        mentions=store.mentions,
        codes=tuple(
            CodeLine(c.code, c.pin, c.value, c.expiry, c.source == "generated")
            for c in sorted(codes, key=lambda c: (-c.value, c.pk))
        ),
        logo=store.logo_large or store.logo_medium or store.logo_small,
        issued=voucher.confirm_date,
        specimen=not voucher.partner.livemode,
    )


def rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    if len(color) == 3:
        color = "".join(c * 2 for c in color)
    try:
        return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)
    except ValueError:
        return 51, 51, 51


def readable_on(background: tuple[int, int, int]) -> tuple[int, int, int]:
    r, g, b = background
    return (0, 0, 0) if 0.299 * r + 0.587 * g + 0.114 * b > 160 else (255, 255, 255)


def qr_image(text: str, scale: int = 4, border: int = 4) -> Image.Image:
    """The QR code of `text` as a black-and-white image, `scale` pixels a module, with its
    quiet zone.

    Built straight from segno's module matrix (no PNG written then parsed again: a third of the
    time of a page).
    """
    matrix = segno.make(text, error="m", micro=False).matrix
    side = len(matrix) + 2 * border
    white = b"\xff"
    margin = white * (side * border)
    rows = b"".join(
        white * border + bytes(0 if dark else 255 for dark in row) + white * border
        for row in matrix
    )
    image = Image.frombytes("L", (side, side), margin + rows + margin)
    # Greyscale with only black and white: fpdf embeds it faster than a 1-bit image.
    return image.resize((side * scale, side * scale), Image.NEAREST)


def _measure(pdf: FPDF):
    """Width of a string in the current core font, from its metrics table: fpdf's own
    get_string_width copies the graphics state on every call (a tenth of a page's time)."""
    widths, scale = pdf.current_font.cw, pdf.font_size / 1000
    if not isinstance(widths, dict):  # not a core font: ask fpdf
        return pdf.get_string_width
    # The metrics are indexed by the encoded byte (as a Latin-1 character): € is byte 0x80.
    return lambda text: (
        sum(widths.get(c, 600) for c in text.encode(ENCODING, "replace").decode("latin-1")) * scale
    )


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy word wrap with the current font (fpdf's multi_cell is quadratic in a paragraph)."""
    measure = _measure(pdf)
    space = measure(" ")
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used = "", 0.0
        for word in paragraph.split():
            size = measure(word)
            while size > width and len(word) > 1:  # a word longer than the line: cut it
                cut = max(1, int(len(word) * width / size))
                if line:
                    lines.append(line)
                lines.append(word[:cut])
                line, used, word = "", 0.0, word[cut:]
                size = measure(word)
            if line and used + space + size > width:
                lines.append(line)
                line, used = word, size
            else:
                line, used = (f"{line} {word}", used + space + size) if line else (word, size)
        lines.append(line)
    return lines


def _text(pdf: FPDF, x: float, top: float, height: float, text: str) -> None:
    """One line of text in the box [top, top + height], vertically centred as `cell` would.

    `text()` writes a string at a baseline and nothing more: several times cheaper than
    `cell()`, which runs fpdf's line-layout machinery for every call.
    """
    pdf.text(x, top + height / 2 + 0.3 * pdf.font_size, text)


def _paragraph(pdf: FPDF, text: str, height: float) -> None:
    """Wrapped lines from the current y, on as many pages as needed."""
    for line in _wrap(pdf, text, CONTENT_WIDTH):
        if pdf.get_y() + height > pdf.h - PAGE_MARGIN:
            pdf.add_page()
        _text(pdf, PAGE_MARGIN, pdf.get_y(), height, line)
        pdf.set_y(pdf.get_y() + height)


_DATA_URI = re.compile(r"^data:image/(png|jpeg|jpg);base64,(.+)$", re.S)


@lru_cache(maxsize=64)
def logo_bytes(logo: str) -> bytes | None:
    """The logo's image bytes when it is local (data URI, file under DATA_DIR), else None."""
    if not logo:
        return None
    match = _DATA_URI.match(logo.strip())
    if match:
        try:
            return base64.b64decode(match.group(2), validate=False)
        except (binascii.Error, ValueError):
            return None
    if "://" in logo:
        return None  # a URL: never fetched at render time
    try:
        root = Path(settings.DATA_DIR).resolve()
        path = (root / logo).resolve()
        if path.is_relative_to(root) and path.is_file() and path.stat().st_size < 2_000_000:
            return path.read_bytes()
    except OSError:
        return None
    return None


SPECIMEN_MARK = "SPECIMEN / TEST"
SPECIMEN_NOTE = "Bon de test sans valeur / Test voucher, no value"


class _Sheet(FPDF):
    """fpdf calls `header` on every new page: a test voucher's mark is drawn on each, first, so
    the page's content lies over it as over a watermark."""

    specimen = False

    def header(self) -> None:
        if self.specimen:
            _specimen_mark(self)


def _specimen_mark(pdf: FPDF) -> None:
    """SPECIMEN / TEST across the page and in a red band at its foot: a test voucher can never
    pass for a real one, printed or on a screen."""
    pdf.set_text_color(235, 180, 180)
    pdf.set_font("Helvetica", "B", 64)
    width = _measure(pdf)(SPECIMEN_MARK)
    with pdf.rotation(45, x=105, y=160):
        pdf.text(105 - width / 2, 160, SPECIMEN_MARK)
    pdf.set_fill_color(200, 30, 30)
    pdf.rect(0, pdf.h - 12, 210, 12, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("Helvetica", "B", 11)
    note = winansi(f"{SPECIMEN_MARK} - {SPECIMEN_NOTE}")
    _text(pdf, (210 - _measure(pdf)(note)) / 2, pdf.h - 12, 12, note)
    pdf.set_text_color(0, 0, 0)


def render(sheet: VoucherSheet) -> bytes:
    """The PDF of one voucher."""
    pdf = _Sheet(format="A4", unit="mm")
    pdf.specimen = sheet.specimen
    pdf.core_fonts_encoding = ENCODING
    pdf.set_margins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
    pdf.set_auto_page_break(False)  # the layout breaks pages itself
    mark = f"{SPECIMEN_MARK} - " if sheet.specimen else ""
    pdf.set_title(winansi(f"{mark}{sheet.store_name} - {sheet.coupon_id}"))
    pdf.set_author("Jackpot")
    pdf.set_creation_date(sheet.issued or datetime(2000, 1, 1))
    pdf.add_page()
    _header(pdf, sheet)
    _value(pdf, sheet)
    for line in sheet.codes:
        _code(pdf, sheet, line)
    if not sheet.codes:  # not expected (READY vouchers have codes); never an empty voucher
        pdf.set_font("Helvetica", "I", 11)
        _paragraph(pdf, "Codes à venir / Codes to follow", 8)
    _footer(pdf, sheet)
    return bytes(pdf.output())


def _header(pdf: FPDF, sheet: VoucherSheet) -> None:
    band = rgb(sheet.base_color)
    pdf.set_fill_color(*band)
    pdf.rect(0, 0, 210, 38, style="F")
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(PAGE_MARGIN, 7, 24, 24, style="F")
    logo = logo_bytes(sheet.logo)
    drawn = False
    if logo:
        try:
            pdf.image(io.BytesIO(logo), x=PAGE_MARGIN + 1, y=8, w=22, h=22, keep_aspect_ratio=True)
            drawn = True
        except Exception:  # noqa: BLE001 - a broken logo must not stop the voucher
            drawn = False
    if not drawn:
        pdf.set_text_color(*band)
        pdf.set_font("Helvetica", "B", 16)
        letters = winansi(monogram(sheet.store_name))
        _text(pdf, PAGE_MARGIN + (24 - _measure(pdf)(letters)) / 2, 7, 24, letters)
    pdf.set_text_color(*readable_on(band))
    pdf.set_font("Helvetica", "B", 20)
    _text(pdf, PAGE_MARGIN + 30, 9, 10, winansi(sheet.store_name))
    pdf.set_font("Helvetica", "", 11)
    _text(pdf, PAGE_MARGIN + 30, 20, 7, "Bon d'achat / Gift voucher")
    pdf.set_text_color(0, 0, 0)


def _value(pdf: FPDF, sheet: VoucherSheet) -> None:
    pdf.set_font("Helvetica", "B", 30)
    _text(pdf, PAGE_MARGIN, 46, 14, money(sheet.value, sheet.currency))
    pdf.set_font("Helvetica", "", 10)
    x = PAGE_MARGIN + CONTENT_WIDTH / 2
    _text(pdf, x, 46, 6, f"Valable jusqu'au / Valid until: {day(sheet.valid_until)}")
    _text(pdf, x, 52, 6, f"Référence / Reference: {sheet.coupon_id}")
    pdf.set_y(66)


def _code(pdf: FPDF, sheet: VoucherSheet, line: CodeLine) -> None:
    rows = [("Code", line.shown, ("Courier", "B", 15))]
    if line.pin:
        rows.append(("PIN", line.pin, ("Courier", "B", 15)))
    rows.append(("Valeur / Value", money(line.value, sheet.currency), ("Helvetica", "B", 12)))
    if line.expiry:
        rows.append(("Expire le / Expires", day(line.expiry), ("Helvetica", "", 11)))
    height = max(QR_SIZE + 8, 9 * len(rows) + 8)
    if pdf.get_y() + height > pdf.h - PAGE_MARGIN - 30:
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_draw_color(*rgb(sheet.base_color))
    pdf.set_line_width(0.4)
    pdf.rect(PAGE_MARGIN, top, CONTENT_WIDTH, height)
    pdf.image(qr_image(line.code), x=PAGE_MARGIN + 4, y=top + 4, w=QR_SIZE, h=QR_SIZE)
    x = PAGE_MARGIN + QR_SIZE + 10
    y = top + 4
    for label, text, font in rows:
        pdf.set_font("Helvetica", "", 8)
        pdf.set_text_color(90, 90, 90)
        _text(pdf, x, y, 4, label)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(*font)
        _text(pdf, x, y + 4, 5.5, winansi(text))
        y += 9
    pdf.set_y(top + height + 4)


def _footer(pdf: FPDF, sheet: VoucherSheet) -> None:
    pdf.set_y(pdf.get_y() + 2)
    if sheet.mentions:
        pdf.set_font("Helvetica", "B", 9)
        _paragraph(pdf, "Conditions", 5)
        pdf.set_font("Helvetica", "", 9)
        _paragraph(pdf, winansi(sheet.mentions), 4.5)
        pdf.set_y(pdf.get_y() + 2)
    pdf.set_font("Helvetica", "", 8)
    pdf.set_text_color(90, 90, 90)
    issued = f"Émis le / Issued {day(sheet.issued)} – " if sheet.issued else ""
    _paragraph(
        pdf,
        winansi(
            f"{issued}Bon Jackpot {sheet.coupon_id}. Présentez cette page ou son code en "
            "magasin ; gardez-le pour vous : quiconque détient le code peut l’utiliser. / "
            f"Jackpot voucher {sheet.coupon_id}. Show this page or its code at the store; keep "
            "it private: whoever holds the code can spend it."
        ),
        4,
    )
    pdf.set_text_color(0, 0, 0)
