"""Pool codes (SPEC §6.4): covering a voucher's value with the store's codes, stock, thresholds.

**Pool codes** are the store's own (code, PIN, value, expiry), imported from a CSV file or the
catalogue (`codes.importing`). A voucher's value is covered by the combination of available,
unexpired codes that sums exactly to it, largest denominations first. Taking them runs in the
confirmation's transaction and locks the chosen rows with `SELECT … FOR UPDATE SKIP LOCKED`
(PostgreSQL; SQLite serialises writers): two confirmations never get the same code, and neither
waits for the other. When the pool cannot cover a value the voucher stays CONFIRMED "awaiting
codes" and its PDF job retries (woken at once when codes are imported). A store with generated
codes gets one minted instead (`codes.generated`).

Stock: falling below the store's `code_low_stock_threshold` logs a warning; when no accepted
value can be made any more the store's `codes_exhausted` flag takes its offers out of the
catalogue, and an import puts them back.
"""

import hashlib
import logging
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from jackpot.catalog import snapshot
from jackpot.catalog.models import CodeSource, Store
from jackpot.core.problems import Problem
from jackpot.vouchers.codes.generated import mint
from jackpot.vouchers.models import Code, CodeState, State, Voucher

log = logging.getLogger("jackpot.codes")

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
    has none, at its confirmation). A test voucher gets one fake TEST… code, whatever the store's
    code source: test mode never takes a pool's stock.
    """
    if not first_time:
        existing = list(voucher.codes.order_by("-value", "pk"))
        if existing:
            return existing
    if not voucher.partner.livemode:  # a test voucher: a fake code, the pool untouched
        return [mint(voucher, specimen=True)]
    if voucher.store.code_source == CodeSource.GENERATED:
        return [mint(voucher)]
    taken = _take_from_pool(voucher)
    refresh_stock(voucher.store, taken=len(taken))
    return taken


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
                "byValue": by_value(current),
                "expiredUnused": expired,
                "vouchersAwaitingCodes": awaiting,
            }
        )
    return report


def by_value(stock: dict[int, int]) -> dict[str, int]:
    """Usable codes by value, as the CLI prints them: `{"20": 3, "10.5": 1}` (cents → amount)."""
    return {str(Decimal(cents) / 100): count for cents, count in sorted(stock.items())}
