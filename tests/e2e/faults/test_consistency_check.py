"""The consistency check the server tests end with: quiet on a sound database, and it sees each
kind of damage a half-written change would leave (so its silence after a fault means something).
"""

from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from jackpot.api.models import IdempotencyRecord
from jackpot.catalog.models import Campaign
from jackpot.ledger import services as ledger
from jackpot.ledger.models import AccountKind, Entry, TransactionKind
from jackpot.tokens.models import Session, TokenBurn
from jackpot.vouchers.models import (
    Code,
    DailyTotal,
    DeliveryJob,
    PaymentState,
    State,
    Voucher,
    VoucherEvent,
)
from jackpot.webhooks.models import OutboxEvent
from support.consistency import database_problems
from support.reservations import RESERVE, reserve_via_api


@pytest.fixture
def world(make_partner, catalog, api_client, build_token):
    """Vouchers in each state the server tests make: paid, due, and reserved awaiting confirmation;
    and a session still open."""
    auto = make_partner("acme")
    ledger.credit_wallet(auto, Decimal("40.00"), reference="VIR-1", created_by="test")
    manual = make_partner("beta", domains=["beta.example"], confirmation_mode="manual")
    for _ in range(2):
        reserve_via_api(api_client, build_token())
    token = build_token(signature=manual.issued.apiSignature)
    status, opened = api_client.call("post", "/v2/token", {"client_id": "beta", "assertion": token})
    assert status == 200
    assert api_client.post(RESERVE, {"value": 30}, bearer=opened["access_token"])[0] == 201
    api_client.session(build_token())  # open, nothing reserved yet
    assert database_problems() == []
    return {
        "paid": Voucher.objects.get(payment_state=PaymentState.PAID),
        "due": Voucher.objects.get(payment_state=PaymentState.DUE),
        "reserved": Voucher.objects.get(state=State.RESERVED),
    }


def only(voucher):
    return Voucher.objects.filter(pk=voucher.pk)


def top_up_of(amount: Decimal) -> None:
    top_up = Entry.objects.filter(transaction__kind=TransactionKind.TOP_UP)
    top_up.filter(account__kind=AccountKind.PARTNER_WALLET).update(amount=amount)
    top_up.filter(account__kind=AccountKind.BANK).update(amount=-amount)


def reserved(w):
    return only(w["reserved"])


def due(w):
    return only(w["due"])


def paid(w):
    return only(w["paid"])


def notifications(w, event):
    return OutboxEvent.objects.filter(event=event, notification_key=w["due"].notification_key)


def payment_entries(kind):
    return Entry.objects.filter(
        transaction__kind=TransactionKind.VOUCHER_PAYMENT, account__kind=kind
    )


# damage → (what the check must report, how to make it)
DAMAGE = {
    "confirmed without its confirm date": (
        "confirmDate",
        lambda w: due(w).update(confirm_date=None),
    ),
    "reserved yet billed": (
        "): payment 'DUE'",
        lambda w: reserved(w).update(payment_state=PaymentState.DUE),
    ),
    "reserved yet canceled": (
        "canceledDate",
        lambda w: reserved(w).update(canceled_date=timezone.now()),
    ),
    "PAID without its wallet payment": (
        "PAID with operation ''",
        lambda w: due(w).update(payment_state=PaymentState.PAID),
    ),
    "a wallet payment of no voucher": (
        "of no voucher",
        lambda w: paid(w).update(payment_state=PaymentState.DUE, wallet_operation_id=""),
    ),
    "confirmed without its codes": (
        "codes worth None",
        lambda w: Code.objects.filter(voucher=w["due"]).delete(),
    ),
    "confirmed without its PDF job": (
        "0 PDF jobs",
        lambda w: DeliveryJob.objects.filter(voucher=w["due"]).delete(),
    ),
    "a state its journal does not end in": (
        "journal ends in RESERVED",
        lambda w: reserved(w).update(state=State.CANCELED, canceled_date=timezone.now()),
    ),
    "no journal": (
        "journal []",
        lambda w: VoucherEvent.objects.filter(voucher=w["paid"]).delete(),
    ),
    "no coupon/reserved notification": (
        "no coupon/reserved",
        lambda w: notifications(w, "coupon/reserved").delete(),
    ),
    "no coupon/confirmed notification": (
        "no coupon/confirmed",
        lambda w: notifications(w, "coupon/confirmed").delete(),
    ),
    "a notification of a reservation rolled back": (
        "nk-gone: no such voucher",
        lambda w: OutboxEvent.objects.create(
            partner_id="acme", event="coupon/reserved", notification_key="nk-gone", payload={}
        ),
    ),
    "a transaction whose entries do not sum to 0": (
        "2 entries, sum 1",
        lambda w: payment_entries(AccountKind.PLATFORM).update(amount=F("amount") + 1),
    ),
    "a payment that is not the voucher's price": (
        "for a price of",
        lambda w: paid(w).update(price=F("price") - 1),
    ),
    "an overdrawn wallet": (
        "overdrawn",
        lambda w: top_up_of(Decimal("1.00")),
    ),
    "a voucher count off": (
        "campaign sportmax-launch: counters 4 /",
        lambda w: Campaign.objects.update(vouchers_issued=F("vouchers_issued") + 1),
    ),
    "a bonus spent off": (
        "campaign sportmax-launch: counters 3 / 4.28",
        lambda w: Campaign.objects.filter(pk="sportmax-launch").update(
            bonus_spent=F("bonus_spent") - Decimal("0.01")
        ),
    ),
    "a dashboard roll-up off": (
        "daily total ('acme'",
        lambda w: DailyTotal.objects.filter(partner_id="acme").update(price=F("price") + 1),
    ),
    "a token burned without its session": (
        "4 tokens burned, 3 sessions",
        lambda w: TokenBurn.objects.create(partner_id="acme", digest="f" * 64),
    ),
    "a session closed without its voucher": (
        ", voucher False",
        lambda w: Session.objects.filter(closed_at__isnull=True).update(closed_at=timezone.now()),
    ),
    "a server error kept for replays": (
        "1 server errors kept",
        lambda w: IdempotencyRecord.objects.create(
            scope="s", key="k", fingerprint="f", status_code=503
        ),
    ),
}


def test_a_sound_database_has_no_problem(world):
    assert database_problems() == []


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_each_damage_is_reported(damage, world):
    reported, make = DAMAGE[damage]
    make(world)
    problems = database_problems()
    assert any(reported in problem for problem in problems), problems
