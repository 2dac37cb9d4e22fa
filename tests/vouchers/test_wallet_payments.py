"""Paying a voucher from the partner's wallet (SPEC §7): at confirmation when the wallet covers
the price, else the voucher is due; and the wallet API (balance, warning, ledger pages)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from jackpot.ledger import services as ledger
from jackpot.ledger.models import Transaction, TransactionKind
from jackpot.vouchers import lifecycle
from support.ledger import books_balance, platform_balance
from support.payments import PRICE_30, top_up, voucher


def test_a_funded_wallet_pays_the_voucher_at_confirmation(manual, money):
    top_up(manual, "100")
    reserved = money.reserve()
    assert reserved["paymentState"] is None and reserved["price"] == float(PRICE_30)
    assert not Transaction.objects.filter(kind=TransactionKind.VOUCHER_PAYMENT).exists()

    status, body = money.confirm(manual, reserved["id"])

    assert status == 200
    assert body["state"] == "CONFIRMED" and body["paymentState"] == "PAID"
    payment = Transaction.objects.get(reference=f"voucher:{reserved['id']}")
    assert payment.kind == TransactionKind.VOUCHER_PAYMENT
    assert body["walletOperationId"] == str(payment.id)
    assert {e.account.code: e.amount for e in payment.entries.all()} == {
        "wallet:acme": -PRICE_30,
        "platform:EUR": PRICE_30,
    }
    assert ledger.wallet_balance(manual) == Decimal("100") - PRICE_30
    assert platform_balance() == PRICE_30
    books_balance()
    # Reading the voucher later tells the same.
    status, again = money.get(manual, f"/v2/voucher/{reserved['id']}")
    assert (again["paymentState"], again["walletOperationId"]) == ("PAID", str(payment.id))


@pytest.mark.parametrize("funds", [None, "28.56"])
def test_a_wallet_that_does_not_cover_the_price_leaves_the_voucher_due(manual, money, funds):
    if funds:
        top_up(manual, funds)
    status, body = money.confirm(manual, money.reserve()["id"])
    assert status == 200
    assert body["state"] == "CONFIRMED" and body["paymentState"] == "DUE"
    assert body["walletOperationId"] is None
    assert not Transaction.objects.exclude(kind=TransactionKind.TOP_UP).exists()
    assert ledger.wallet_balance(manual) == Decimal(funds or "0")  # nothing taken, not even part
    assert platform_balance() == 0


def test_the_wallet_pays_while_it_covers_then_vouchers_are_due(manual, money):
    top_up(manual, PRICE_30 * 2)
    states = [money.confirmed(manual)["paymentState"] for _ in range(3)]
    assert states == ["PAID", "PAID", "DUE"]
    assert ledger.wallet_balance(manual) == Decimal("0.00")
    assert platform_balance() == PRICE_30 * 2
    books_balance()


def test_an_auto_confirming_partner_with_a_funded_wallet_gets_a_paid_voucher_at_reservation(
    partner, catalog, money
):
    top_up(partner, "50")
    body = money.reserve()
    assert body["state"] == "CONFIRMED" and body["paymentState"] == "PAID"
    payment = Transaction.objects.get(kind=TransactionKind.VOUCHER_PAYMENT)
    assert body["walletOperationId"] == str(payment.id)
    assert payment.reference == f"voucher:{body['id']}"
    assert ledger.wallet_balance(partner) == Decimal("50") - PRICE_30


def test_an_auto_confirming_partner_without_funds_gets_a_due_voucher(partner, catalog, money):
    body = money.reserve()
    assert body["state"] == "CONFIRMED" and body["paymentState"] == "DUE"
    assert not Transaction.objects.exists()


def test_vouchers_that_are_never_confirmed_are_never_paid(manual, money):
    top_up(manual, "100")
    canceled, expired = money.reserve(), money.reserve()
    lifecycle.transition(canceled["id"], "cancel", "partner:acme")
    lifecycle.transition(expired["id"], "expire", "worker")
    for v in (voucher(canceled["id"]), voucher(expired["id"])):
        assert v.payment_state == "" and v.wallet_operation_id == ""
    assert ledger.wallet_balance(manual) == Decimal("100.00")
    assert Transaction.objects.count() == 1


def test_a_confirmation_retried_with_its_idempotency_key_pays_once(manual, money):
    top_up(manual, "100")
    voucher_id = money.reserve()["id"]
    first = money.confirm(manual, voucher_id, **{"Idempotency-Key": "confirm-1"})
    again = money.confirm(manual, voucher_id, **{"Idempotency-Key": "confirm-1"})
    assert first == again
    assert first[0] == 200 and first[1]["paymentState"] == "PAID"
    assert Transaction.objects.filter(kind=TransactionKind.VOUCHER_PAYMENT).count() == 1
    assert ledger.wallet_balance(manual) == Decimal("100") - PRICE_30


def test_another_partners_wallet_never_pays(manual, money, beta):
    top_up(beta, "1000")
    assert money.confirmed(manual)["paymentState"] == "DUE"
    assert ledger.wallet_balance(beta) == Decimal("1000.00")


def test_get_wallet_shows_the_balance_and_the_low_balance_warning(manual, money):
    status, body = money.get(manual, "/v2/wallet")
    assert status == 200
    assert body == {
        "balance": 0,
        "currency": "EUR",
        "lowBalanceThreshold": None,
        "lowBalance": False,
    }
    top_up(manual, "100")
    money.confirmed(manual)
    account = ledger.wallet_account(manual)
    account.low_balance_threshold = Decimal("80")
    account.save()
    status, body = money.get(manual, "/v2/wallet")
    assert body == {
        "balance": 71.43,
        "currency": "EUR",
        "lowBalanceThreshold": 80,
        "lowBalance": True,
    }
    top_up(manual, "8.57")
    assert money.get(manual, "/v2/wallet")[1]["balance"] == 80
    assert money.get(manual, "/v2/wallet")[1]["lowBalance"] is False


def test_the_wallet_api_needs_a_partner_credential(manual, money, api_client, build_token):
    for path in ["/v2/wallet", "/v2/wallet/ledger", "/v2/statements"]:
        status, problem = api_client.get(path)
        assert status == 401, path
        status, problem = api_client.get(path, apikey="jpk_wrong")
        assert status == 401, path
        # A shopper's session credential is not the partner's.
        status, problem = api_client.get(path, bearer=api_client.session(build_token()))
        assert status == 401, path


def test_each_partner_sees_only_its_own_wallet(manual, money, beta):
    top_up(manual, "100")
    top_up(beta, "7")
    assert money.get(beta, "/v2/wallet")[1]["balance"] == 7
    status, lines = money.get(beta, "/v2/wallet/ledger")
    assert [i["amount"] for i in lines["items"]] == [7]


def test_the_wallet_ledger_pages_newest_first_with_a_cursor(manual, money):
    created = [top_up(manual, str(n)) for n in (10, 20, 30, 40, 50)]
    paid = money.confirmed(manual)
    created.append(Transaction.objects.get(pk=paid["walletOperationId"]))
    expected = [str(t.id) for t in reversed(created)]

    seen, cursor, pages = [], None, 0
    while True:
        path = "/v2/wallet/ledger?limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, page = money.get(manual, path)
        assert status == 200, page
        pages += 1
        seen.extend(page["items"])
        assert page["hasMore"] is (page["nextCursor"] is not None)
        cursor = page["nextCursor"]
        if cursor is None:
            break
        assert len(page["items"]) == 2
    assert pages == 3
    assert [i["transactionId"] for i in seen] == expected
    assert [i["amount"] for i in seen] == [-float(PRICE_30), 50, 40, 30, 20, 10]
    assert [i["kind"] for i in seen] == ["voucher_payment"] + ["top_up"] * 5
    assert seen[0]["reference"] == f"voucher:{paid['id']}"
    assert [i["createdAt"] for i in seen] == sorted((i["createdAt"] for i in seen), reverse=True)
    status, whole = money.get(manual, "/v2/wallet/ledger")
    assert [i["transactionId"] for i in whole["items"]] == expected
    assert whole["hasMore"] is False and whole["nextCursor"] is None


def test_movements_posted_at_the_same_instant_are_each_paged_once(manual, money, monkeypatch):
    instant = timezone.now()
    with monkeypatch.context() as frozen:
        frozen.setattr(timezone, "now", lambda: instant)
        created = [top_up(manual, str(n)) for n in range(1, 6)]
    top_up(manual, "6")  # a later one, first in the list

    seen, cursor = [], None
    while True:
        path = "/v2/wallet/ledger?limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, page = money.get(manual, path)
        assert status == 200, page
        seen += [i["amount"] for i in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == [6, 5, 4, 3, 2, 1]  # ties broken by the newest entry first, none twice
    assert {t.created_at for t in created} == {instant}


def test_the_wallet_ledger_of_a_new_partner_is_empty(manual, money):
    status, page = money.get(manual, "/v2/wallet/ledger")
    assert (status, page) == (200, {"items": [], "nextCursor": None, "hasMore": False})


@pytest.mark.parametrize(
    "query", ["cursor=not-a-cursor", "cursor=bm9wZQ", "limit=0", "limit=201", "limit=x"]
)
def test_a_bad_ledger_query_is_a_422(manual, money, query):
    status, problem = money.get(manual, f"/v2/wallet/ledger?{query}")
    assert status == 422 and problem["code"] == "validation-error"
