"""Vouchers and the journal of every state change they went through."""

import uuid

from django.db import models
from django.utils import timezone

from jackpot.catalog.models import Campaign, Store
from jackpot.partners.models import Partner
from jackpot.tokens.models import Session


class State(models.TextChoices):
    RESERVED = "RESERVED"
    CONFIRMED = "CONFIRMED"
    READY = "READY"
    SENT = "SENT"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    REFUNDING = "REFUNDING"
    REFUNDED = "REFUNDED"
    REFUND_REJECTED = "REFUND_REJECTED"


class PaymentState(models.TextChoices):
    DUE = "DUE"
    WAITING = "WAITING"
    PAID = "PAID"


class Statement(models.Model):
    """What a partner owes for a period: its DUE vouchers, which become WAITING until paid."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="statements")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    currency = models.CharField(max_length=3, default="EUR")
    total = models.DecimalField(max_digits=14, decimal_places=2)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.CharField(max_length=100, default="system")
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=200, blank=True, default="")
    transaction_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"statement {self.pk} of {self.partner_id}: {self.total} {self.currency}"


class Voucher(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    coupon_id = models.CharField(max_length=10, unique=True)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="vouchers")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="vouchers")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="vouchers")
    session = models.OneToOneField(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="voucher"
    )
    offer_id = models.CharField(max_length=80)
    mode = models.CharField(max_length=16)
    state = models.CharField(max_length=16, choices=State.choices, db_index=True)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    rate = models.DecimalField(max_digits=6, decimal_places=4)
    currency = models.CharField(max_length=3, default="EUR")
    notification_key = models.CharField(max_length=128)
    user_id = models.CharField(max_length=128, blank=True, default="")
    custom_transaction_id = models.CharField(max_length=128, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    reservation_date = models.DateTimeField(default=timezone.now)
    resa_expire_date = models.DateTimeField(db_index=True)
    validity_date = models.DateTimeField()
    confirm_date = models.DateTimeField(null=True, blank=True)
    canceled_date = models.DateTimeField(null=True, blank=True)
    expired_date = models.DateTimeField(null=True, blank=True)
    send_date = models.DateTimeField(null=True, blank=True)
    payment_state = models.CharField(
        max_length=8, choices=PaymentState.choices, blank=True, default=""
    )
    wallet_operation_id = models.CharField(max_length=64, blank=True, default="")
    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, null=True, blank=True, related_name="vouchers"
    )

    class Meta:
        ordering = ["-reservation_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "notification_key"], name="voucher_notification_key_once"
            ),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="voucher_price_positive"),
            models.CheckConstraint(
                condition=models.Q(value__gte=models.F("price")), name="voucher_value_covers_price"
            ),
        ]
        indexes = [models.Index(fields=["partner", "-reservation_date"])]

    def __str__(self) -> str:
        return f"{self.coupon_id} {self.value} {self.currency} at {self.store_id} ({self.state})"

    @property
    def bonus(self):
        return self.value - self.price


class VoucherEvent(models.Model):
    """One state change: who did it, when, from which state to which, and why."""

    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=100)
    from_state = models.CharField(max_length=16, blank=True, default="")
    to_state = models.CharField(max_length=16)
    reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.voucher_id}: {self.from_state or '∅'} → {self.to_state} by {self.actor}"
