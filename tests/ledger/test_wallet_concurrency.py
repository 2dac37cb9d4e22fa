"""A wallet under simultaneous payments (PostgreSQL: real row locks, one connection per thread).

The wallet's balance row lock serialises debits: however many confirmations arrive at once, a
wallet that covers K vouchers pays exactly K of them and is never overdrawn.
"""

from decimal import Decimal

import httpx
import pytest

from jackpot.ledger import services as ledger
from jackpot.ledger.models import Account, AccountKind, Transaction, TransactionKind
from jackpot.tokens import sessions
from jackpot.vouchers.models import PaymentState, State, Voucher
from support.concurrency import simultaneously
from support.reservations import RESERVE, reserve_in_session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PRICE_30 = Decimal("28.57")  # a 30 € SportMax voucher at +5 %


def reserved_vouchers(partner, build_token, count: int, value=30) -> list[Voucher]:
    out = []
    for i in range(count):
        opened = sessions.exchange(
            build_token(notificationKey=f"wallet-race-{i}"), client_id="acme"
        )
        voucher = reserve_in_session(opened, value)
        assert voucher.state == State.RESERVED
        out.append(voucher)
    return out


def assert_books_balance():
    assert ledger.total_of_all_entries() == 0
    for txn in Transaction.objects.all():
        assert sum(e.amount for e in txn.entries.all()) == 0


@pytest.mark.parametrize("k", [1, 4])
def test_a_wallet_for_k_vouchers_pays_exactly_k_of_4k_simultaneous_confirmations(
    live_server, make_partner, catalog, build_token, k
):
    manual = make_partner("acme", confirmation_mode="manual")
    vouchers = reserved_vouchers(manual, build_token, 4 * k)
    assert {v.price for v in vouchers} == {PRICE_30}
    ledger.credit_wallet(manual, PRICE_30 * k, reference="VIR-race", created_by="test")

    def confirm(i):
        return httpx.put(
            f"{live_server.url}/v2/voucher/{vouchers[i].pk}/confirm",
            headers={"apikey": manual.issued.apiKey},
            timeout=60,
        )

    responses = simultaneously(4 * k, confirm)

    assert [r.status_code for r in responses] == [200] * (4 * k), [r.text for r in responses]
    bodies = [r.json() for r in responses]
    assert all(b["state"] == "CONFIRMED" for b in bodies)
    paid = [b for b in bodies if b["paymentState"] == "PAID"]
    due = [b for b in bodies if b["paymentState"] == "DUE"]
    assert len(paid) == k and len(due) == 3 * k
    assert all(b["walletOperationId"] is None for b in due)
    payments = Transaction.objects.filter(kind=TransactionKind.VOUCHER_PAYMENT)
    assert {str(t.id) for t in payments} == {b["walletOperationId"] for b in paid}
    assert {t.reference for t in payments} == {f"voucher:{b['id']}" for b in paid}
    # What the database says agrees with what the partner was told.
    assert Voucher.objects.filter(payment_state=PaymentState.PAID).count() == k
    assert Voucher.objects.filter(payment_state=PaymentState.DUE).count() == 3 * k
    assert ledger.wallet_balance(manual) == Decimal("0.00")  # exactly spent, never below
    assert ledger.balance(ledger.platform_account()) == PRICE_30 * k
    assert_books_balance()


def test_simultaneous_auto_confirmed_reservations_never_overdraw_the_wallet(
    live_server, partner, catalog, build_token
):
    k = 3
    ledger.credit_wallet(partner, PRICE_30 * k, reference="VIR-race", created_by="test")
    credentials = [
        sessions.exchange(build_token(notificationKey=f"auto-{i}"), client_id="acme").credential
        for i in range(4 * k)
    ]

    def reserve(i):
        return httpx.post(
            f"{live_server.url}{RESERVE}",
            json={"value": 30},
            headers={"Authorization": f"Bearer {credentials[i]}"},
            timeout=60,
        )

    responses = simultaneously(4 * k, reserve)

    assert [r.status_code for r in responses] == [201] * (4 * k), [r.text for r in responses]
    states = sorted(r.json()["paymentState"] for r in responses)
    assert states == ["DUE"] * (3 * k) + ["PAID"] * k
    assert ledger.wallet_balance(partner) == Decimal("0.00")
    assert_books_balance()


def test_simultaneous_confirmations_before_any_top_up_pay_nothing_and_make_no_wallet(
    live_server, make_partner, catalog, build_token
):
    manual = make_partner("acme", confirmation_mode="manual")
    vouchers = reserved_vouchers(manual, build_token, 8)
    assert not Account.objects.exists()  # no top-up yet: the wallet does not exist

    responses = simultaneously(
        8,
        lambda i: httpx.put(
            f"{live_server.url}/v2/voucher/{vouchers[i].pk}/confirm",
            headers={"apikey": manual.issued.apiKey},
            timeout=60,
        ),
    )

    assert [r.status_code for r in responses] == [200] * 8, [r.text for r in responses]
    assert {r.json()["paymentState"] for r in responses} == {"DUE"}
    assert not Account.objects.filter(kind=AccountKind.PARTNER_WALLET).exists()  # a top-up makes it
    assert not Transaction.objects.exists()


def test_a_top_up_sent_simultaneously_with_one_key_is_recorded_once(partner):
    results = simultaneously(
        8,
        lambda _: (
            ledger.credit_wallet(
                partner, "50", reference="VIR-7", created_by="cli", idempotency_key="top-up-7"
            ).pk
        ),
    )
    assert len(set(results)) == 1
    assert Transaction.objects.count() == 1
    assert ledger.wallet_balance(partner) == Decimal("50.00")
    assert_books_balance()


def test_one_key_sent_simultaneously_for_different_top_ups_moves_money_once(partner):
    def credit(i):
        try:
            return ledger.credit_wallet(
                partner, str(10 + i), reference="VIR-8", created_by="cli", idempotency_key="k-8"
            ).pk
        except Exception as exc:  # noqa: BLE001 - the losers' answer is the point
            return getattr(exc, "code", repr(exc))

    results = simultaneously(6, credit)
    winners = [r for r in results if not isinstance(r, str)]
    assert len(winners) == 1
    assert sorted(r for r in results if isinstance(r, str)) == ["idempotency-key-reused"] * 5
    assert Transaction.objects.count() == 1
    assert ledger.wallet_balance(partner) in {Decimal(10 + i) for i in range(6)}
