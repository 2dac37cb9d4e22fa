"""A double-entry ledger: every money movement is a transaction whose entries sum to zero.

Amounts are signed from the account holder's point of view: a wallet's top-up is +, a voucher paid
from it is −.

Balances are running balances, kept beside the entries rather than summed from them: an
account's balance is the sum of its `Balance` rows, which `services.post` (the one writer of
entries) moves by each entry's amount in the same database transaction. Summing the entries was
O(history): a wallet with 744,000 entries took 107 ms to read, inside every confirmation, under
the wallet's lock. Each wallet entry also records the wallet's balance after it
(`balance_after`), a running balance the ledger's readers can show without summing. Both are
derived, never edited: `balances.mismatches` (behind `jackpot check --ledger`) proves them equal
to the sums of the entries.

An account that belongs to a partner (its wallet) has one `Balance` row, keyed by that partner;
its lock is the wallet's, which serialises the wallet's debits. The platform's and the bank's
accounts, which every partner's postings touch, keep one row per partner (a "lane"): one row for
all would make each confirmation of every partner wait for the previous one to commit.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jackpot.partners.models import Partner


class AccountKind(models.TextChoices):
    PARTNER_WALLET = "partner_wallet", _("Partner wallet (prepaid)")
    PLATFORM = "platform", _("Platform (vouchers sold)")
    BANK = "bank", _("Bank (money entering or leaving the platform)")


class Account(models.Model):
    code = models.CharField(_("code"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
    partner = models.OneToOneField(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wallet",
        verbose_name=_("partner"),
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # Partners are warned when their wallet falls below this (null: no warning).
    low_balance_threshold = models.DecimalField(
        _("low balance warning below"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The partner is warned below this balance; empty: never."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.code


class TransactionKind(models.TextChoices):
    TOP_UP = "top_up", _("Wallet top-up")
    VOUCHER_PAYMENT = "voucher_payment", _("Voucher paid from the wallet")
    STATEMENT_PAYMENT = "statement_payment", _("Statement paid by transfer")
    REFUND = "refund", _("Refund of a voucher payment")


class Transaction(models.Model):
    id = models.UUIDField(_("id"), primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=TransactionKind.choices)
    # What the movement is about ("voucher:<uuid>", "statement:<id>", an operator's note…).
    reference = models.CharField(_("reference"), max_length=200, db_index=True)
    description = models.CharField(_("description"), max_length=300, blank=True, default="")
    # A money-moving call sent with an Idempotency-Key moves money once.
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=255, null=True, blank=True, unique=True
    )
    created_by = models.CharField(_("made by"), max_length=100, default="system")
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference} ({self.created_at:%Y-%m-%d})"


class Entry(models.Model):
    transaction = models.ForeignKey(
        Transaction,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("transaction"),
    )
    # Indexed by `ledger_entry_account_time`, which starts with it.
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
        verbose_name=_("account"),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    # Its transaction's `created_at`, copied so that one index orders an account's entries: the
    # ledger's pages read (account, created_at, id) ranges, never the whole history.
    created_at = models.DateTimeField(_("created at"))
    # A wallet's balance once this entry's transaction was posted; each wallet's entries, in id
    # order, add up to it (ids are drawn under the wallet's lock). Null on the shared accounts,
    # whose lanes have no single balance to show.
    balance_after = models.DecimalField(
        _("balance after"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="entry_not_zero")]
        indexes = [
            models.Index(fields=["account", "created_at", "id"], name="ledger_entry_account_time")
        ]

    def __str__(self) -> str:
        return f"{self.account.code} {self.amount:+}"


class Balance(models.Model):
    """What an account holds from one lane's postings; the account's balance is the sum of its rows.

    The lane of a partner's wallet is that partner, its only lane; on the platform's and the
    bank's accounts, the partner the posting is about ("" for postings made without one, and for
    the history summed when running balances were introduced).
    """

    # Indexed by `ledger_balance_lane`, which starts with it.
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="balances",
        db_index=False,
        verbose_name=_("account"),
    )
    lane = models.CharField(_("lane"), max_length=64, blank=True, default="")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("balance")
        verbose_name_plural = _("balances")
        constraints = [
            models.UniqueConstraint(fields=["account", "lane"], name="ledger_balance_lane")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.lane or '-'} {self.amount}"
