"""Pool import (SPEC §6.4): a store's own codes (code, PIN, value, expiry) from a CSV file or the
catalogue, added all or none; vouchers awaiting codes are then due at once.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from jackpot.catalog.models import CodeSource, Store
from jackpot.core.money import AMOUNT_TEXT, parse_amount
from jackpot.vouchers.codes import pool
from jackpot.vouchers.models import Code, DeliveryJob, JobKind, JobStatus, State


class CodeImportError(ValueError):
    pass


@dataclass(frozen=True)
class PoolCode:
    code: str
    pin: str
    value: Decimal
    expiry: date | None
    line: int | None = None  # where it came from, for error messages

    def where(self) -> str:
        return f"line {self.line}" if self.line is not None else f"code {self.code!r}"


CODE_PATTERN = re.compile(r"^[\x21-\x7e]{1,64}$")  # printable ASCII, no spaces
PIN_PATTERN = re.compile(r"^[\x21-\x7e]{0,32}$")
COLUMNS = ("code", "pin", "value", "expiry")


def parse_value(text) -> Decimal:
    """A code's value as a file writes it: `core.money`'s rule (ASCII digits, at most two
    decimals after a dot or a comma; not `100_0` nor `1e2`, which Python's Decimal reads)."""
    raw = str(text).strip()
    if AMOUNT_TEXT.fullmatch(raw):
        try:
            return parse_amount(raw)
        except ValueError as exc:  # zero
            raise ValueError(f"value {exc}") from None
    whole, _, decimals = raw.replace(",", ".").partition(".")
    digits = whole.isascii() and whole.isdigit() and (decimals == "" or decimals.isascii())
    if digits and len(whole) > 10:
        raise ValueError(f"value {text!r} is too large")
    if digits and decimals.isdigit():
        raise ValueError(f"value {text!r} has more than 2 decimals")
    raise ValueError(f"value {text!r} is not an amount")


def parse_expiry(text) -> date | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(f"expiry {text!r} is not a date (YYYY-MM-DD)") from None


def pool_code(code, pin, value, expiry, line: int | None = None, today: date | None = None):
    """One validated pool code; ValueError says what is wrong with it."""
    code = (code or "").strip()
    pin = (pin or "").strip()
    if not CODE_PATTERN.match(code):
        raise ValueError(f"code {code!r} must be 1 to 64 printable characters without spaces")
    if not PIN_PATTERN.match(pin):
        raise ValueError(f"pin of {code!r} must be at most 32 printable characters")
    parsed_expiry = parse_expiry(expiry)
    today = today or timezone.now().date()
    if parsed_expiry is not None and parsed_expiry < today:
        raise ValueError(f"code {code!r} expired on {parsed_expiry.isoformat()}")
    return PoolCode(code, pin, parse_value(value), parsed_expiry, line)


def parse_csv(text: str) -> list[PoolCode]:
    """Rows `code,pin,value,expiry` (a header row is optional); every bad line is named."""
    rows: list[PoolCode] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for number, row in enumerate(reader, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and cells and cells[0].lower() == "code":
            if [c.lower() for c in cells[:4]] != list(COLUMNS[: len(cells[:4])]):
                errors.append(f"line 1: the header must be {','.join(COLUMNS)}")
            continue
        if len(cells) not in (3, 4):
            errors.append(f"line {number}: expected code,pin,value,expiry ({len(cells)} fields)")
            continue
        code, pin, value = cells[:3]
        expiry = cells[3] if len(cells) == 4 else ""
        try:
            parsed = pool_code(code, pin, value, expiry, number)
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
            continue
        if parsed.code in seen:
            errors.append(
                f"line {number}: code {parsed.code!r} appears twice (first on line "
                f"{seen[parsed.code]})"
            )
            continue
        seen[parsed.code] = number
        rows.append(parsed)
    if errors:
        raise CodeImportError("\n".join(errors[:50]) + ("\n…" if len(errors) > 50 else ""))
    if not rows:
        raise CodeImportError("the file holds no code")
    return rows


@dataclass
class ImportResult:
    store_id: str
    added: int = 0
    skipped: int = 0  # already in the pool with the same details (catalogue re-import)
    stock: dict = field(default_factory=dict)
    awaiting_vouchers: int = 0


def add_pool_codes(
    store: Store, rows: list[PoolCode], *, skip_existing: bool = False
) -> ImportResult:
    """Add codes to a store's pool, all or none; inside the caller's transaction if any.

    A code already in the store's pool is refused (CSV) or, with `skip_existing`, skipped when
    its details are the same (a catalogue file imported again changes nothing).
    """
    if store.code_source != CodeSource.POOL:
        raise CodeImportError(
            f"store {store.pk} uses generated codes; set its codeSource to 'pool' first"
        )
    result = ImportResult(store.pk)
    with transaction.atomic():
        existing = {}
        wanted = [r.code for r in rows]
        for start in range(0, len(wanted), 500):
            for c in Code.objects.filter(store=store, code__in=wanted[start : start + 500]):
                existing[c.code] = c
        errors, new = [], []
        for r in rows:
            current = existing.get(r.code)
            if current is None:
                new.append(r)
            elif skip_existing and (current.pin, current.value, current.expiry) == (
                r.pin,
                r.value,
                r.expiry,
            ):
                result.skipped += 1
            else:
                errors.append(f"{r.where()}: code {r.code!r} is already in the pool of {store.pk}")
        if errors:
            raise CodeImportError("\n".join(errors[:50]))
        now = timezone.now()
        Code.objects.bulk_create(
            [
                Code(
                    store=store,
                    source=CodeSource.POOL,
                    code=r.code,
                    pin=r.pin,
                    value=r.value,
                    expiry=r.expiry,
                    created_at=now,
                )
                for r in new
            ],
            batch_size=500,
        )
        result.added = len(new)
        result.stock = pool.refresh_stock(store)
        if new:
            result.awaiting_vouchers = wake_awaiting(store)
    return result


def wake_awaiting(store: Store) -> int:
    """Codes arrived: PDF jobs of the store's vouchers awaiting codes are due at once."""
    return DeliveryJob.objects.filter(
        kind=JobKind.PDF,
        status=JobStatus.PENDING,
        voucher__store=store,
        voucher__state=State.CONFIRMED,
    ).update(next_attempt_at=timezone.now(), updated_at=timezone.now())


def import_csv(store_id: str, path: str | Path) -> ImportResult:
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        raise CodeImportError(f"no store {store_id!r}")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CodeImportError(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise CodeImportError(f"{path} is not UTF-8 text") from None
    return add_pool_codes(store, parse_csv(text))
