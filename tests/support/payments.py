"""Paying vouchers in tests: the offers' reservation paths, a wallet top-up, the books' balance,
and a voucher taken through a refund (tests/vouchers: payments, statements, store report)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from jackpot.ledger import services as ledger
from jackpot.ledger.models import Transaction
from jackpot.vouchers import lifecycle
from jackpot.vouchers.models import Voucher

BY_VALUE = "/v2/stores/{store}/offers/{offer}/reserve-voucher-by-value"
SPORTMAX = BY_VALUE.format(store="sportmax", offer="sportmax-launch")
BOOKLY = BY_VALUE.format(store="bookly", offer="bookly-min")
# A 30 € SportMax voucher (+5 %) costs 28.57 €; Bookly's (−10 %) 20 € and 50 € cost 18 € and 45 €.
PRICE_30 = Decimal("28.57")

EVER = datetime(2000, 1, 1, tzinfo=UTC)
IS_SQLITE = "sqlite" in settings.DATABASES["default"]["ENGINE"]


def forever():
    return timezone.now() + timedelta(days=1)


def top_up(partner, amount) -> Transaction:
    return ledger.credit_wallet(partner, amount, reference="VIR-test", created_by="test")


def voucher(voucher_id) -> Voucher:
    return Voucher.objects.get(pk=voucher_id)


def refunded(partner, money, voucher_id, accept=True):
    """Deliver the voucher, ask for its refund through the API, and decide it as the operator."""
    lifecycle.transition(voucher_id, "deliver", "store")
    status, body = money.refund(partner, voucher_id)
    assert status == 200 and body["state"] == "REFUNDING", body
    return lifecycle.transition(
        voucher_id, "accept_refund" if accept else "reject_refund", "operator"
    )
