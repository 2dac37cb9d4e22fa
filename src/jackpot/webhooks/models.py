"""The notification outbox: envelopes, their deliveries, every attempt, and each partner's endpoint.

`OutboxEvent` is the envelope of SPEC §8, always kept (the backoffice shows what happened even to
a partner without a notification URL). `Delivery` is one envelope to send to one URL, written in
the same transaction as the envelope when the partner has a notification URL; the worker claims
due deliveries, POSTs them and logs each try as an `Attempt`. `Endpoint` holds what the platform
knows about a partner's receiving end: whether it was disabled (410 Gone) and the previous signing
secret while a rotation's grace period runs.
"""

import uuid

from django.db import models
from django.utils import timezone

from jackpot.partners.models import Partner


class OutboxEvent(models.Model):
    """One notification to one partner, in the envelope of SPEC §8.

    Rows are written by the service that makes the change, inside its transaction, so a change
    that committed always has its notification and a rolled-back change never has one.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="outbox")
    event = models.CharField(max_length=40)
    notification_key = models.CharField(max_length=128, blank=True, default="")
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The id of the request that wrote the row (`core.request_context`), for following it in
    # the logs to what the worker did; null when written outside a request.
    request_id = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # A voucher's notifications, by the key its partner gave (the admin's search).
            models.Index(fields=["partner", "notification_key"], name="outbox_partner_key"),
            # The notifications a request wrote (the admin's search by the id in the logs).
            models.Index(
                fields=["request_id"],
                name="outbox_request",
                condition=models.Q(request_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} for {self.partner_id} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class Endpoint(models.Model):
    """A partner's receiving end, as delivery found it; created the first time it is needed.

    The notification URL itself stays on `Partner`; this row records what webhooks decided about
    it, so the backoffice can tell the partner why and since when nothing is sent.
    """

    partner = models.OneToOneField(
        Partner, on_delete=models.CASCADE, primary_key=True, related_name="webhook_endpoint"
    )
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    # The secret that signed before the last rotation; its signature is sent beside the current
    # one until `previous_secret_expires_at`, so receivers can switch without losing a message.
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        state = f"disabled since {self.disabled_at:%Y-%m-%d %H:%M}" if self.disabled_at else "on"
        return f"endpoint of {self.partner_id} ({state})"

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending (waiting for its next attempt)"
    DELIVERED = "delivered", "Delivered (a 2xx answer)"
    FAILED = "failed", "Failed (retries used up, or refused)"
    DISABLED = "disabled", "Not sent: the partner's endpoint is disabled"


class Delivery(models.Model):
    """One envelope to POST to one URL, retried on a schedule until a 2xx answer.

    A worker claims a due row by leasing it (`locked_until`, `lease_token`: `core.leases`, as
    the voucher PDF and mail jobs) in a short transaction, sends outside any transaction, then
    records the outcome only if it still holds the lease; a killed worker's lease runs out and
    the row is claimed again (at-least-once).
    """

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="deliveries")
    # Where it goes, `?notificationKey=` included: the partner's notification URL when the row
    # was written, then as it was at the latest attempt (a partner fixing its URL is followed).
    url = models.TextField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)  # every attempt, resends included
    # Failed attempts since the row was (re)queued: which step of the retry schedule comes next.
    schedule_step = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The id of the request that wrote the row (`core.request_context`), for following it in
    # the logs to what the worker did; null when written outside a request.
    request_id = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["partner", "status"], name="delivery_partner_status"),
            # What the operator re-sends, newest first (the admin's "Failed notifications").
            models.Index(
                fields=["id"],
                name="delivery_failed",
                condition=models.Q(status__in=["failed", "disabled"]),
            ),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} of {self.event_id} to {self.partner_id}: {self.status}"


class Attempt(models.Model):
    """One POST of a delivery and what came back, for the backoffice's delivery log."""

    EXCERPT_BYTES = 1024

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()  # 1 for the first attempt of the delivery
    url = models.TextField(blank=True, default="")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, default="")
    response_excerpt = models.TextField(blank=True, default="")  # at most 1 KB of the body

    class Meta:
        ordering = ["delivery_id", "number"]

    def __str__(self) -> str:
        outcome = self.status_code or self.error or "no answer"
        return f"attempt {self.number} of delivery {self.delivery_id}: {outcome}"
