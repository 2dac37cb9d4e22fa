"""Moving money: the only module that writes ledger transactions.

Each function posts one balanced transaction (its entries sum to zero) or none, and moves the
running balances of its accounts with it (`balances.move`, models' docstring). Debits of a wallet
take the wallet's balance row lock first, so concurrent payments cannot overdraw it.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from jackpot.core import cursors
from jackpot.core.compiled import CompiledQuery
from jackpot.core.money import exact
from jackpot.core.problems import Problem
from jackpot.ledger import balances
from jackpot.ledger.models import (
    Account,
    AccountKind,
    Balance,
    Entry,
    Transaction,
    TransactionKind,
)
from jackpot.partners.models import Partner

CENT = Decimal("0.01")


def live_only(partner: Partner) -> None:
    """Money is live: a partner's test mode (its test twin) has no wallet to credit, debit or
    settle. Callers never ask; this refuses if one ever did, before anything is written."""
    if not partner.livemode:
        raise Problem(
            "test-mode-partner",
            "Test mode moves no money",
            409,
            "Test credentials have no wallet and no statements: switch to live mode to move money.",
        )


def _positive(amount) -> Decimal:
    amount = Decimal(amount)
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise Problem(
            "invalid-amount",
            "The amount must be positive with at most two decimals",
            422,
            errors=[{"field": "amount", "message": "must be > 0 with at most 2 decimals"}],
        )
    return amount


def wallet_account(partner: Partner) -> Account:
    """The partner's wallet, created on first use. A partner's test mode has none: it gets an
    empty wallet that is never saved (balance 0, no movement), so reading it writes nothing."""
    if not partner.livemode:
        return Account(
            code=f"wallet:{partner.pk}",
            kind=AccountKind.PARTNER_WALLET,
            partner=partner,
            currency=partner.currency,
        )
    account, _ = Account.objects.get_or_create(
        code=f"wallet:{partner.pk}",
        defaults={
            "kind": AccountKind.PARTNER_WALLET,
            "partner": partner,
            "currency": partner.currency,
        },
    )
    return account


def platform_account(currency: str = "EUR") -> Account:
    account, _ = Account.objects.get_or_create(
        code=f"platform:{currency}", defaults={"kind": AccountKind.PLATFORM, "currency": currency}
    )
    return account


def bank_account(currency: str = "EUR") -> Account:
    account, _ = Account.objects.get_or_create(
        code=f"bank:{currency}", defaults={"kind": AccountKind.BANK, "currency": currency}
    )
    return account


def balance(account: Account) -> Decimal:
    """The running balance: the sum of the account's lanes (one for a wallet), not of entries."""
    if account.pk is None:  # a test mode's wallet, never saved
        return exact(None)
    return exact(account.balances.aggregate(total=Sum("amount"))["total"])


def entries_newest_first(account: Account, after: tuple[datetime, int] | None = None):
    """An account's entries with their transactions, newest first; past a cursor's (moment, id).

    One range of the index `ledger_entry_account_time`, whatever the account's history.
    """
    if account.pk is None:  # a test mode's wallet, never saved
        return Entry.objects.none()
    entries = Entry.objects.filter(account=account).select_related("transaction")
    if after is not None:
        entries = entries.filter(cursors.older("created_at", *after))
    return entries.order_by("-created_at", "-id")


def wallet_balance(partner: Partner) -> Decimal:
    return balance(wallet_account(partner))


@dataclass(frozen=True)
class WalletStatus:
    balance: Decimal
    currency: str
    low_balance_threshold: Decimal | None

    @property
    def low(self) -> bool:
        return self.low_balance_threshold is not None and self.balance < self.low_balance_threshold


def wallet_status(partner: Partner) -> WalletStatus:
    account = wallet_account(partner)
    return WalletStatus(balance(account), account.currency, account.low_balance_threshold)


def set_low_balance_threshold(partner: Partner, threshold: Decimal | None) -> Decimal | None:
    """The wallet level under which the partner is warned (None: no warning).

    The one writer of the threshold: the portal, the admin and the CLI all call it.
    """
    live_only(partner)
    account = wallet_account(partner)
    account.low_balance_threshold = threshold
    account.save(update_fields=["low_balance_threshold"])
    return threshold


def post(
    kind: str,
    reference: str,
    legs: list[tuple[Account, Decimal]],
    *,
    created_by: str = "system",
    description: str = "",
    idempotency_key: str | None = None,
    reverses: Transaction | None = None,
    lane: str = "",
) -> Transaction:
    """Write one balanced transaction and move its accounts' balances by its entries.

    `lane`: the partner the movement is about, whose rows of the shared accounts it moves. An
    idempotency key already used returns its transaction and moves nothing.
    """
    if not legs or sum((amount for _, amount in legs), Decimal("0")) != 0:
        raise ValueError("a transaction's entries must exist and sum to zero")
    if idempotency_key:
        existing = Transaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_or_conflict(existing, kind, reference, legs)
    try:
        with transaction.atomic():
            txn = Transaction.objects.create(
                kind=kind,
                reference=reference,
                description=description[:300],
                idempotency_key=idempotency_key or None,
                created_by=created_by,
                created_at=timezone.now(),
                reverses=reverses,
            )
            # Balances first: a wallet's entries get their ids once its row is locked, so they
            # are numbered in the order the wallet's balance moved (`Entry.balance_after`).
            after = balances.move(legs, lane)
            Entry.objects.bulk_create(
                [
                    Entry(
                        transaction=txn,
                        account=account,
                        amount=amount,
                        created_at=txn.created_at,
                        balance_after=after.get(account.pk),
                    )
                    for account, amount in legs
                ]
            )
    except IntegrityError:
        if idempotency_key:  # a concurrent call with the same key won
            existing = Transaction.objects.get(idempotency_key=idempotency_key)
            return _same_or_conflict(existing, kind, reference, legs)
        raise
    return txn


def _same_or_conflict(existing: Transaction, kind, reference, legs) -> Transaction:
    wanted = sorted((a.pk, amount) for a, amount in legs)
    actual = sorted(existing.entries.values_list("account_id", "amount"))
    if existing.kind != kind or existing.reference != reference or wanted != actual:
        raise Problem(
            "idempotency-key-reused",
            "This Idempotency-Key was used for another movement",
            422,
            "Send a new key for a new movement.",
        )
    return existing


def credit_wallet(
    partner: Partner, amount, *, reference: str, created_by: str, idempotency_key: str | None = None
) -> Transaction:
    """A top-up: money received from the partner, credited to its wallet."""
    live_only(partner)
    amount = _positive(amount)
    return post(
        TransactionKind.TOP_UP,
        reference,
        [(bank_account(partner.currency), -amount), (wallet_account(partner), amount)],
        created_by=created_by,
        description=f"top-up of {partner.pk}",
        idempotency_key=idempotency_key,
        lane=partner.pk,
    )


# The wallet's one balance row, locked (not its account's row, which `select_related` joins).
_locked_wallet = CompiledQuery(
    lambda code, lane: (
        Balance.objects.select_for_update(of=("self",))
        .select_related("account")
        .filter(account__code=code, lane=lane)
    ),
    "account-example",
    "lane-example",
)


def debit_wallet_if_covered(partner: Partner, amount, *, reference: str) -> Transaction | None:
    """Pay `amount` from the wallet to the platform when the balance covers it, else None.

    Holds the wallet's balance row lock until the caller's transaction ends: concurrent debits
    queue, and each reads the balance the previous one left (a locking read sees the latest
    committed row). O(1) whatever the wallet's history.
    """
    live_only(partner)
    amount = _positive(amount)
    # One round trip finds, locks and reads the wallet; a partner never credited has none.
    held = _locked_wallet.first(f"wallet:{partner.pk}", partner.pk)
    if held is None or held.amount < amount:
        return None
    account = held.account
    return post(
        TransactionKind.VOUCHER_PAYMENT,
        reference,
        [(account, -amount), (platform_account(account.currency), amount)],
        description=f"voucher paid from the wallet of {partner.pk}",
        lane=partner.pk,
    )


def settle_by_transfer(
    partner: Partner, amount, *, reference: str, created_by: str, idempotency_key: str | None = None
) -> Transaction:
    """A statement paid by bank transfer: the money reaches the platform directly."""
    live_only(partner)
    amount = _positive(amount)
    return post(
        TransactionKind.STATEMENT_PAYMENT,
        reference,
        [(bank_account(partner.currency), -amount), (platform_account(partner.currency), amount)],
        created_by=created_by,
        description=f"statement paid by {partner.pk}",
        idempotency_key=idempotency_key,
        lane=partner.pk,
    )


def refund_to_wallet(
    partner: Partner,
    amount,
    *,
    reference: str,
    created_by: str,
    reverses: Transaction | None = None,
) -> Transaction:
    """Give a voucher's price back to the partner's wallet, reversing its payment."""
    live_only(partner)
    amount = _positive(amount)
    return post(
        TransactionKind.REFUND,
        reference,
        [(platform_account(partner.currency), -amount), (wallet_account(partner), amount)],
        created_by=created_by,
        description=f"refund to {partner.pk}",
        reverses=reverses,
        lane=partner.pk,
    )


def total_of_all_entries() -> Decimal:
    """Zero when the books balance: every transaction's entries sum to zero."""
    return exact(Entry.objects.aggregate(total=Sum("amount"))["total"])
