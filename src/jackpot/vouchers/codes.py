"""Store codes (SPEC §6.4): what a voucher carries, from an imported pool or generated for it.

**Generated codes** are 16 random characters of Crockford's base 32 (80 bits from `secrets`)
and one Luhn mod 32 check character: a typo (one wrong character, or two neighbours swapped) is
caught before any database look-up. They are minted at exactly the voucher's value, unique across
the platform (a database constraint), and checked and redeemed by the store through the merchant
API with its store key.

**Pool codes** are the store's own (code, PIN, value, expiry), imported from a CSV file or the
catalogue. A voucher's value is covered by the combination of available, unexpired codes that
sums exactly to it, largest denominations first. Taking them runs in the confirmation's
transaction and locks the chosen rows with `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL;
SQLite serialises writers): two confirmations never get the same code, and neither waits for
the other. When the pool cannot cover a value the voucher stays CONFIRMED "awaiting codes" and
its PDF job retries (woken at once when codes are imported).

Stock: falling below the store's `code_low_stock_threshold` logs a warning; when no accepted
value can be made any more the store's `codes_exhausted` flag takes its offers out of the
catalogue, and an import puts them back.
"""

import csv
import hashlib
import io
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from jackpot.catalog import snapshot
from jackpot.catalog.models import CodeSource, Store
from jackpot.core.compiled import insert
from jackpot.core.formats import amount, iso
from jackpot.core.problems import Problem
from jackpot.vouchers.models import (
    Code,
    CodeState,
    DeliveryJob,
    JobKind,
    JobStatus,
    MerchantKey,
    State,
    Voucher,
)

log = logging.getLogger("jackpot.codes")

# --- generated codes: Crockford base 32 with a Luhn mod 32 check character -------------------

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread
RANDOM_CHARS = 16  # 16 × 5 bits = 80 bits of secrets.choice
CODE_LENGTH = RANDOM_CHARS + 1
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
# What people type instead (Crockford's decoding rules).
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _luhn_sum(chars: str, double_first: bool) -> int:
    n = len(ALPHABET)
    total, factor = 0, (2 if double_first else 1)
    for char in reversed(chars):
        addend = factor * _INDEX[char]
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return total


def check_character(payload: str) -> str:
    """Luhn mod 32 check character of `payload` (characters of ALPHABET)."""
    n = len(ALPHABET)
    return ALPHABET[(n - _luhn_sum(payload, double_first=True) % n) % n]


def checksum_ok(code: str) -> bool:
    return (
        len(code) == CODE_LENGTH
        and all(c in _INDEX for c in code)
        and _luhn_sum(code, double_first=False) % len(ALPHABET) == 0
    )


def new_generated_code() -> str:
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return payload + check_character(payload)


def normalise(text: str) -> str:
    """A generated code as people write it (lower case, spaces, dashes, O for 0) → canonical."""
    return re.sub(r"[\s-]", "", text).upper().translate(_READS_AS)


def display(code: str) -> str:
    """A generated code in groups of four for people to read: XXXX-XXXX-XXXX-XXXX-C."""
    if len(code) != CODE_LENGTH or not all(c in _INDEX for c in code):
        return code
    return "-".join(code[i : i + 4] for i in range(0, RANDOM_CHARS, 4)) + "-" + code[-1]


# --- covering a value with codes -------------------------------------------------------------


def cents(value) -> int:
    return int(Decimal(value).quantize(Decimal("0.01")) * 100)


def combination(target: int, stock: dict[int, int]) -> dict[int, int] | None:
    """How many codes of each value (in cents) sum exactly to `target`, or None.

    Largest denominations first, as many as fit, backtracking when the rest cannot be made:
    the fewest codes in the usual cases (20 + 50 pools, ranges of values).
    """
    denominations = sorted((d for d, n in stock.items() if 0 < d <= target and n > 0), reverse=True)
    dead: set[tuple[int, int]] = set()

    def search(i: int, rest: int) -> dict[int, int] | None:
        if rest == 0:
            return {}
        if i == len(denominations) or (i, rest) in dead:
            return None
        d = denominations[i]
        for count in range(min(stock[d], rest // d), -1, -1):
            found = search(i + 1, rest - count * d)
            if found is not None:
                if count:
                    found[d] = count
                return found
        dead.add((i, rest))
        return None

    return search(0, target)


def reachable(stock: dict[int, int], limit: int) -> int:
    """Bit mask of every sum (in cents, ≤ limit) the stock can make: bit s set if s is makeable."""
    mask = (1 << (limit + 1)) - 1
    sums = 1
    for d, n in stock.items():
        for _ in range(min(n, limit // d if d else 0)):
            grown = (sums | (sums << d)) & mask
            if grown == sums:
                break
            sums = grown
    return sums


def accepted_cents(store: Store, limit: int | None = None) -> list[int]:
    accepted = store.accepted_values
    if accepted.discrete:
        return sorted(cents(v) for v in accepted.discrete)
    if accepted.minimum is None or accepted.maximum is None:
        return []
    low, high, step = cents(accepted.minimum), cents(accepted.maximum), cents(accepted.step or 1)
    if limit is not None:
        high = min(high, limit)
    return list(range(low, high + 1, max(step, 1)))


def covers_any_value(store: Store, stock: dict[int, int]) -> bool:
    """Whether the stock can make at least one value the store accepts."""
    if not stock:
        return False
    ceiling = sum(d * n for d, n in stock.items())
    values = accepted_cents(store, limit=ceiling)
    if not values:
        return False
    sums = reachable(stock, max(values))
    return any(sums >> v & 1 for v in values)


def usable_pool(store_id: str, today: date | None = None):
    """Available pool codes of the store that have not expired."""
    today = today or timezone.now().date()
    return Code.objects.filter(
        store_id=store_id, source=CodeSource.POOL, state=CodeState.AVAILABLE
    ).filter(Q(expiry__isnull=True) | Q(expiry__gte=today))


def stock(store_id: str, today: date | None = None) -> dict[int, int]:
    """Usable pool codes by value in cents."""
    rows = usable_pool(store_id, today).values("value").annotate(n=Count("pk"))
    return {cents(r["value"]): r["n"] for r in rows}


def take_for(voucher: Voucher, first_time: bool = False) -> list[Code]:
    """Give the voucher its codes, inside the caller's transaction; [] when the pool cannot.

    Idempotent: a voucher that already has codes keeps them (`first_time`: the caller knows it
    has none, at its confirmation).
    """
    if not first_time:
        existing = list(voucher.codes.order_by("-value", "pk"))
        if existing:
            return existing
    if voucher.store.code_source == CodeSource.GENERATED:
        return [_mint(voucher)]
    taken = _take_from_pool(voucher)
    refresh_stock(voucher.store, taken=len(taken))
    return taken


def _mint(voucher: Voucher) -> Code:
    now = timezone.now()
    for _ in range(5):  # a collision of 80 random bits: only in theory
        try:
            with transaction.atomic():
                return insert(
                    Code(
                        store=voucher.store,
                        source=CodeSource.GENERATED,
                        code=new_generated_code(),
                        value=voucher.value,
                        currency=voucher.currency,
                        expiry=voucher.validity_date.date(),
                        state=CodeState.ISSUED,
                        voucher=voucher,
                        created_at=now,
                        issued_at=now,
                    )
                )
        except IntegrityError:
            continue
    raise RuntimeError("could not mint a unique code")


def _take_from_pool(voucher: Voucher) -> list[Code]:
    """Lock and issue codes summing exactly to the voucher's value, skipping rows others hold.

    The counts are read without locks; the rows are then locked per denomination with SKIP
    LOCKED. When fewer rows of a value could be locked than counted (a concurrent confirmation
    holds them), that value's count is capped at what we hold and the combination recomputed:
    each round caps one more value, so it ends. Rows locked but not used stay `available`.
    """
    target = cents(voucher.value)
    counts = stock(voucher.store_id)
    held: dict[int, list[Code]] = {}
    for _ in range(len(counts) + 1):
        combo = combination(target, counts)
        if combo is None:
            return []
        short = False
        for denomination, needed in combo.items():
            have = held.setdefault(denomination, [])
            if len(have) < needed:
                more = list(
                    usable_pool(voucher.store_id)
                    .filter(value=Decimal(denomination) / 100)
                    .exclude(pk__in=[c.pk for c in have])
                    .order_by("expiry", "pk")  # soonest expiry first: used before they lapse
                    .select_for_update(skip_locked=True)[: needed - len(have)]
                )
                have.extend(more)
            if len(have) < needed:
                log.debug(
                    "store %s: codes of %s are held by concurrent confirmations; recombining",
                    voucher.store_id,
                    Decimal(denomination) / 100,
                )
                counts[denomination] = len(have)
                short = True
        if not short:
            chosen = [c for d, n in combo.items() for c in held[d][:n]]
            now = timezone.now()
            Code.objects.filter(pk__in=[c.pk for c in chosen]).update(
                state=CodeState.ISSUED, voucher=voucher, issued_at=now
            )
            for c in chosen:
                c.state, c.voucher, c.issued_at = CodeState.ISSUED, voucher, now
            return sorted(chosen, key=lambda c: (-c.value, c.pk))
    return []


def refresh_stock(store: Store, taken: int = 0) -> dict[int, int]:
    """Warn when the pool falls below its threshold; (un)flag the store as out of codes.

    Counted under a lock of the store's pool held to the end of the caller's transaction: two
    confirmations taking the last codes side by side would otherwise each still see the
    other's code available (neither committed) and nobody would flag the empty pool. The lock
    comes after the codes were taken, so taking them stays concurrent. It is a PostgreSQL
    advisory lock, not the store's row lock, so that it never orders itself against what else
    locks store rows (catalogue import, admin); SQLite serialises writers anyway.
    """
    if store.code_source != CodeSource.POOL:
        if store.codes_exhausted:
            Store.objects.filter(pk=store.pk).update(codes_exhausted=False)
            store.codes_exhausted = False
            snapshot.forget()
        return {}
    with transaction.atomic():
        _lock_pool(store.pk)
        fresh = (
            Store.objects.filter(pk=store.pk)
            .values("codes_exhausted", "code_low_stock_threshold")
            .first()
        )
        if fresh is not None:
            store.codes_exhausted = fresh["codes_exhausted"]
            store.code_low_stock_threshold = fresh["code_low_stock_threshold"]
        return _check_stock(store, taken)


def _lock_pool(store_id: str) -> None:
    """Serialise stock checks of one store until the transaction ends (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"jackpot.codes.pool:{store_id}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)]
        )


def _check_stock(store: Store, taken: int) -> dict[int, int]:
    current = stock(store.pk)
    left = sum(current.values())
    threshold = store.code_low_stock_threshold
    if taken and left < threshold <= left + taken:
        log.warning(
            "code pool of store %s is low: %d usable code(s) left (threshold %d)",
            store.pk,
            left,
            threshold,
        )
    exhausted = not covers_any_value(store, current)
    if exhausted != store.codes_exhausted:
        Store.objects.filter(pk=store.pk).update(codes_exhausted=exhausted)
        store.codes_exhausted = exhausted
        snapshot.forget()  # in or out of the catalogue: this process sees it at once
        if exhausted:
            log.warning(
                "code pool of store %s cannot make any accepted value: its offers are withdrawn "
                "until codes are imported",
                store.pk,
            )
        else:
            log.info("code pool of store %s can make vouchers again", store.pk)
    return current


def void_for(voucher: Voucher, now=None) -> int:
    """Void the voucher's codes (refund accepted), inside the caller's transaction.

    A redeemed generated code means the voucher was spent: the refund is refused. The codes'
    rows are locked first, so a concurrent redemption either lands before (and the refund is
    refused) or finds the code void.
    """
    now = now or timezone.now()
    codes = list(voucher.codes.select_for_update().order_by("pk"))
    if any(c.redeemed_at for c in codes):
        raise Problem(
            "code-already-redeemed",
            "The voucher was already used",
            409,
            "The store redeemed this voucher's code: it cannot be refunded.",
        )
    return Code.objects.filter(pk__in=[c.pk for c in codes]).update(
        state=CodeState.VOID, voided_at=now
    )


# --- pool import (CSV, catalogue) -------------------------------------------------------------


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
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"value {text!r} is not an amount") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"value {text!r} must be a positive amount")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"value {text!r} has more than 2 decimals")
    if value >= Decimal("1e10"):
        raise ValueError(f"value {text!r} is too large")
    return value.quantize(Decimal("0.01"))


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
        result.stock = refresh_stock(store)
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


def stock_report(only_low: bool = True, today: date | None = None) -> list[dict]:
    """Pool stores (below their threshold, or all), with their usable codes by value."""
    today = today or timezone.now().date()
    report = []
    for store in Store.objects.filter(code_source=CodeSource.POOL).order_by("id"):
        current = stock(store.pk, today)
        left = sum(current.values())
        if only_low and left >= store.code_low_stock_threshold and not store.codes_exhausted:
            continue
        expired = Code.objects.filter(
            store=store, state=CodeState.AVAILABLE, expiry__lt=today
        ).count()
        awaiting = (
            Voucher.objects.filter(store=store, state=State.CONFIRMED, codes__isnull=True)
            .distinct()
            .count()
        )
        report.append(
            {
                "storeId": store.pk,
                "usable": left,
                "threshold": store.code_low_stock_threshold,
                "low": left < store.code_low_stock_threshold,
                "exhausted": store.codes_exhausted,
                "byValue": {str(Decimal(d) / 100): n for d, n in sorted(current.items())},
                "expiredUnused": expired,
                "vouchersAwaitingCodes": awaiting,
            }
        )
    return report


# --- the merchant side: store keys, check, redeem -------------------------------------------


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_store_key(store: Store, revoke_others: bool = False) -> str:
    """A new merchant API key for the store, returned once in clear (only its digest is kept)."""
    key = "jsk_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        if revoke_others:
            store.merchant_keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        MerchantKey.objects.create(store=store, digest=_digest(key), hint=key[:8])
    return key


def revoke_store_keys(keys) -> list[MerchantKey]:
    """Revoke the given merchant keys (a queryset); returns the ones that were still valid."""
    with transaction.atomic():
        revoked = list(keys.select_for_update().filter(revoked_at__isnull=True))
        now = timezone.now()
        for key in revoked:
            key.revoked_at = now
            key.save(update_fields=["revoked_at"])
    return revoked


def store_for_key(key: str) -> Store | None:
    if not key or not key.startswith("jsk_") or len(key) > 200:
        return None
    found = (
        MerchantKey.objects.select_related("store")
        .filter(digest=_digest(key), revoked_at__isnull=True)
        .first()
    )
    return found.store if found else None


def code_not_found() -> Problem:
    return Problem(
        "code-not-found",
        "Code not found",
        404,
        "No such code for this store (check for typos: the last character is a checksum).",
    )


def find_generated(store: Store, raw: str) -> Code:
    """The store's generated code written `raw`; a typo or another store's code is a 404."""
    code = normalise(raw or "")
    if not checksum_ok(code):
        raise code_not_found()
    found = (
        Code.objects.filter(store=store, source=CodeSource.GENERATED, code=code)
        .exclude(state=CodeState.AVAILABLE)
        .first()
    )
    if found is None:
        raise code_not_found()
    return found


def status(code: Code, today: date | None = None) -> dict:
    today = today or timezone.now().date()
    expired = code.expiry is not None and code.expiry < today
    if code.state == CodeState.VOID:
        state = "void"
    elif code.redeemed_at:
        state = "redeemed"
    elif expired:
        state = "expired"
    else:
        state = "valid"
    return {
        "code": display(code.code),
        "valid": state == "valid",
        "status": state,
        "value": amount(code.value),
        "currency": code.currency,
        "expiry": code.expiry.isoformat() if code.expiry else None,
        "redeemed": code.redeemed_at is not None,
        "redeemedAt": iso(code.redeemed_at),
    }


def redeem(store: Store, raw: str, actor: str = "merchant") -> Code:
    """Mark a valid code redeemed, once: one guarded UPDATE, so two tills cannot both win."""
    code = find_generated(store, raw)
    now = timezone.now()
    done = (
        Code.objects.filter(pk=code.pk, state=CodeState.ISSUED, redeemed_at__isnull=True)
        .filter(Q(expiry__isnull=True) | Q(expiry__gte=now.date()))
        .update(redeemed_at=now, redeemed_by=actor[:100])
    )
    code.refresh_from_db()
    if done:
        return code
    if code.redeemed_at:
        raise Problem(
            "code-already-redeemed",
            "The code was already redeemed",
            409,
            "This code was redeemed before; it cannot be used twice.",
            extra={"redeemedAt": status(code)["redeemedAt"]},
        )
    if code.state == CodeState.VOID:
        raise Problem("code-void", "The code is void", 409, "The voucher was refunded.")
    raise Problem("code-expired", "The code has expired", 409, "Its expiry date has passed.")
