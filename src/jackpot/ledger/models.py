"""A double-entry ledger: every money movement is a transaction whose entries sum to zero.

Balances are never stored: an account's balance is the sum of its entries. Amounts are signed
from the account holder's point of view: a wallet's top-up is +, a voucher paid from it is −.
"""

import uuid

from django.db import models
from django.utils import timezone

from jackpot.partners.models import Partner


class AccountKind(models.TextChoices):
    PARTNER_WALLET = "partner_wallet", "Partner wallet (prepaid)"
    PLATFORM = "platform", "Platform (vouchers sold)"
    BANK = "bank", "Bank (money entering or leaving the platform)"


class Account(models.Model):
    code = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    partner = models.OneToOneField(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="wallet"
    )
    currency = models.CharField(max_length=3, default="EUR")
    # Partners are warned when their wallet falls below this (null: no warning).
    low_balance_threshold = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class TransactionKind(models.TextChoices):
    TOP_UP = "top_up", "Wallet top-up"
    VOUCHER_PAYMENT = "voucher_payment", "Voucher paid from the wallet"
    STATEMENT_PAYMENT = "statement_payment", "Statement paid by transfer"
    REFUND = "refund", "Refund of a voucher payment"


class Transaction(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=TransactionKind.choices)
    # What the movement is about ("voucher:<uuid>", "statement:<id>", an operator's note…).
    reference = models.CharField(max_length=200, db_index=True)
    description = models.CharField(max_length=300, blank=True, default="")
    # A money-moving call sent with an Idempotency-Key moves money once.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True, unique=True)
    created_by = models.CharField(max_length=100, default="system")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference} ({self.created_at:%Y-%m-%d})"


class Entry(models.Model):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["transaction__created_at", "id"]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.account.code} {self.amount:+}"
