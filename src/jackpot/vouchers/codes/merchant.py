"""The merchant side (SPEC §6.4): store keys, and checking and redeeming generated codes with one.

A store key is shown once in clear; only its SHA-256 digest is kept. Redeeming is one guarded
UPDATE, so two tills presenting the same code cannot both win.
"""

import hashlib
import secrets
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jackpot.catalog.models import CodeSource, Store
from jackpot.core.formats import amount, iso
from jackpot.core.problems import Problem
from jackpot.vouchers.codes.generated import checksum_ok, display, normalise
from jackpot.vouchers.models import Code, CodeState, MerchantKey


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
        .select_related("voucher__partner")
        .first()
    )
    if found is None:
        raise code_not_found()
    if found.voucher is not None and not found.voucher.partner.livemode:
        raise test_code()
    return found


def test_code() -> Problem:
    """A test voucher's code at a till: refused, whatever is asked of it."""
    return Problem(
        "test-voucher-code",
        "A test voucher's code",
        422,
        "This code belongs to a test-mode voucher (made with a partner's test credentials): it "
        "has no value and cannot be checked or redeemed.",
    )


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
