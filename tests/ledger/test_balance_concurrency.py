"""Running balances under real concurrency (PostgreSQL: row locks, one connection per thread).

Confirmations of two partners over HTTP, top-ups, refunds and a statement payment all at once, on
the same wallet and the same shared accounts: every call succeeds (no deadlock between the wallet's
row and the platform's and bank's lanes), the wallet is never overdrawn, not even for a moment
(each wallet entry's `balance_after` chains from the one before and stays >= 0), and every kept
balance ends equal to the sum of its entries.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest
from django.db import connection, connections, transaction

from jackpot.ledger import balances
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Balance, Entry, Transaction, TransactionKind
from jackpot.vouchers.models import PaymentState, State, Voucher
from support.concurrency import simultaneously
from support.reservations import reserve

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PRICE_30 = Decimal("28.57")  # a 30 € SportMax voucher at +5 %
ACME_CONFIRMS, BETA_CONFIRMS, TOP_UPS, REFUNDS = 12, 4, 3, 2


def test_confirmations_and_top_ups_at_once_keep_the_balance_and_never_overspend(
    live_server, make_partner, catalog
):
    acme = make_partner("acme", confirmation_mode="manual")
    beta = make_partner("beta", confirmation_mode="manual", domains=["beta.example"])
    vouchers = [(acme, reserve(acme)) for _ in range(ACME_CONFIRMS)]
    vouchers += [(beta, reserve(beta)) for _ in range(BETA_CONFIRMS)]
    ledger.credit_wallet(acme, PRICE_30 * 2, reference="VIR-0", created_by="test")
    ledger.credit_wallet(beta, PRICE_30, reference="VIR-0", created_by="test")

    def work(i):
        if i < len(vouchers):
            partner, voucher = vouchers[i]
            return httpx.put(
                f"{live_server.url}/v2/voucher/{voucher.pk}/confirm",
                headers={"apikey": partner.issued.apiKey},
                timeout=60,
            ).status_code
        i -= len(vouchers)
        if i < TOP_UPS:
            ledger.credit_wallet(acme, PRICE_30, reference=f"VIR-{i}", created_by="test")
        elif i < TOP_UPS + REFUNDS:  # platform → wallet: the shared lane first, then the wallet
            ledger.refund_to_wallet(acme, PRICE_30, reference=f"voucher:{i}", created_by="test")
        else:
            ledger.settle_by_transfer(acme, "10", reference="statement:1", created_by="test")
        return 200

    results = simultaneously(len(vouchers) + TOP_UPS + REFUNDS + 1, work)

    assert results == [200] * len(results)
    assert Voucher.objects.filter(state=State.CONFIRMED).count() == len(vouchers)
    paid = {
        p.pk: Voucher.objects.filter(partner=p, payment_state=PaymentState.PAID).count()
        for p in (acme, beta)
    }
    assert paid["beta"] == 1  # its wallet covered one voucher, and nothing topped it up
    came_in = 2 + TOP_UPS + REFUNDS
    assert 2 <= paid["acme"] <= came_in  # the first two in line paid; at most what came in
    assert ledger.wallet_balance(beta) == Decimal("0.00")
    assert ledger.wallet_balance(acme) == PRICE_30 * (came_in - paid["acme"])
    platform = PRICE_30 * (sum(paid.values()) - REFUNDS) + 10
    assert ledger.balance(ledger.platform_account()) == platform
    assert ledger.balance(ledger.bank_account()) == -(PRICE_30 * (3 + TOP_UPS) + 10)
    payments = Transaction.objects.filter(kind=TransactionKind.VOUCHER_PAYMENT).count()
    assert payments == sum(paid.values())
    for partner in (acme, beta):
        wallet = ledger.wallet_account(partner)
        entries = list(Entry.objects.filter(account=wallet).order_by("id"))
        assert ledger.wallet_balance(partner) == sum(e.amount for e in entries)
        running = Decimal("0.00")
        for entry in entries:  # in the order the wallet's lock let them through
            running += entry.amount
            assert entry.balance_after == running >= 0, (partner.pk, entry.pk)
    assert balances.mismatches() == []


def _wait_until_a_backend_waits_for_a_lock() -> None:
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the refund never waited for the wallet")


def test_a_posting_queued_behind_a_wallet_holds_no_lane_the_wallet_holder_needs(partner):
    """A confirmation holds the wallet, then posts to the platform; a refund to the same wallet
    arriving in between must wait for the wallet before taking the platform's lane, or each
    would wait for the other (PostgreSQL would abort one as a deadlock)."""
    ledger.credit_wallet(partner, "100", reference="VIR", created_by="test")
    wallet_held, refund_waits = threading.Event(), threading.Event()

    def confirmation():
        try:
            with transaction.atomic():
                wallet = (  # as a debit does
                    Balance.objects.select_for_update(of=("self",))
                    .select_related("account")
                    .get(account__code=f"wallet:{partner.pk}")
                )
                wallet_held.set()
                refund_waits.wait(timeout=10)
                legs = [(wallet.account, Decimal("-10")), (ledger.platform_account(), 10)]
                ledger.post(TransactionKind.VOUCHER_PAYMENT, "voucher:1", legs, lane=partner.pk)
            return "paid"
        finally:
            connections.close_all()

    def refund():
        wallet_held.wait(timeout=10)
        try:
            ledger.refund_to_wallet(partner, "5", reference="voucher:0", created_by="test")
            return "refunded"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        paying, refunding = pool.submit(confirmation), pool.submit(refund)
        wallet_held.wait(timeout=10)
        _wait_until_a_backend_waits_for_a_lock()
        refund_waits.set()
        assert (paying.result(), refunding.result()) == ("paid", "refunded")
    assert ledger.wallet_balance(partner) == Decimal("95.00")
    assert balances.mismatches() == []
