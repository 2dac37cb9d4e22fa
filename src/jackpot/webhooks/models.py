"""The notification outbox: envelopes, their deliveries, every attempt, and each partner's endpoint.

`OutboxEvent` is the envelope of SPEC §8, kept even for a partner without a notification URL
(the backoffice shows what happened), for as long as `webhooks.retention` says. `Delivery` is
one envelope to send to one URL, written in the same transaction as the envelope when the
partner has a notification URL; the worker claims due deliveries, POSTs them and logs each try
as an `Attempt`. `Endpoint` holds what the platform knows about a partner's receiving end:
whether it was disabled (410 Gone) and the previous signing secret while a rotation's grace
period runs.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jackpot.partners.models import Partner


class OutboxEvent(models.Model):
    """One notification to one partner, in the envelope of SPEC §8.

    Rows are written by the service that makes the change, inside its transaction, so a change
    that committed always has its notification and a rolled-back change never has one.
    """

    id = models.UUIDField(_("id"), primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by `outbox_partner_key`, whose first column it is.
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="outbox",
        db_index=False,
        verbose_name=_("partner"),
    )
    event = models.CharField(_("event"), max_length=40)
    notification_key = models.CharField(
        _("notificationKey"), max_length=128, blank=True, default=""
    )
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    # The id of the request that wrote the row (`core.request_context`), for following it in
    # the logs to what the worker did; null when written outside a request.
    request_id = models.CharField(  # noqa: DJ001
        _("request id"), max_length=128, null=True, blank=True
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # A voucher's notifications by the key its partner gave: the portal's coupon page, the
            # admin's search.
            models.Index(fields=["partner", "notification_key"], name="outbox_partner_key"),
            # The notifications a request wrote (the admin's search by the id in the logs).
            models.Index(
                fields=["request_id"],
                name="outbox_request",
                condition=models.Q(request_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.partner_id} ({self.created_at:%Y-%m-%d %H:%M:%S})"


class Endpoint(models.Model):
    """A partner's receiving end, as delivery found it; created the first time it is needed.

    The notification URL itself stays on `Partner`; this row records what webhooks decided about
    it, so the backoffice can tell the partner why and since when nothing is sent.
    """

    partner = models.OneToOneField(
        Partner,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="webhook_endpoint",
        verbose_name=_("partner"),
    )
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True, default="")
    # The secret that signed before the last rotation; its signature is sent beside the current
    # one until `previous_secret_expires_at`, so receivers can switch without losing a message.
    previous_secret = models.CharField(_("previous secret"), max_length=100, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True
    )
    secret_rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification endpoint")
        verbose_name_plural = _("notification endpoints")

    def __str__(self) -> str:
        if self.disabled_at:
            return gettext("endpoint of %(partner)s (disabled since %(date)s)") % {
                "partner": self.partner_id,
                "date": f"{self.disabled_at:%Y-%m-%d %H:%M}",
            }
        return gettext("endpoint of %(partner)s") % {"partner": self.partner_id}

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending (waiting for its next attempt)")
    DELIVERED = "delivered", _("Delivered (a 2xx answer)")
    FAILED = "failed", _("Failed (retries used up, or refused)")
    DISABLED = "disabled", _("Not sent: the partner's endpoint is disabled")


class Delivery(models.Model):
    """One envelope to POST to one URL, retried on a schedule until a 2xx answer.

    A worker claims a due row by leasing it (`locked_until`, `lease_token`: `core.leases`, as
    the voucher PDF and mail jobs) in a short transaction, sends outside any transaction, then
    records the outcome only if it still holds the lease; a killed worker's lease runs out and
    the row is claimed again (at-least-once).
    """

    event = models.ForeignKey(
        OutboxEvent,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    # Indexed by `delivery_partner_status`, whose first column it is.
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
        verbose_name=_("partner"),
    )
    # Where it goes, `?notificationKey=` included: the partner's notification URL when the row
    # was written, then as it was at the latest attempt (a partner fixing its URL is followed).
    url = models.TextField(_("URL"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    # every attempt, resends included
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Failed attempts since the row was (re)queued: which step of the retry schedule comes next.
    schedule_step = models.PositiveIntegerField(_("retry step"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    lease_token = models.UUIDField(_("lease token"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=300, blank=True, default="")
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # The id of the request that wrote the row (`core.request_context`), for following it in
    # the logs to what the worker did; null when written outside a request.
    request_id = models.CharField(  # noqa: DJ001
        _("request id"), max_length=128, null=True, blank=True
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            # The worker's claim: pending rows in the order it takes them (`claiming`), so that
            # it reads the first few whatever the statistics say. A queue's statistics are stale
            # by nature (analyzed while it was nearly empty, they said 3 rows pending when there
            # were 7 800): the claim then joined and sorted every pending row on disk, 100 ms a
            # claim, and one worker fell behind (bench/README.md, "Issue 18").
            models.Index(
                fields=["next_attempt_at", "id"],
                name="delivery_pending",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["partner", "status"], name="delivery_partner_status"),
            # What the operator re-sends, newest first (the admin's "Failed notifications").
            models.Index(
                fields=["id"],
                name="delivery_failed",
                condition=models.Q(status__in=["failed", "disabled"]),
            ),
        ]

    def __str__(self) -> str:
        return gettext("delivery %(id)s of %(event)s to %(partner)s: %(status)s") % {
            "id": self.pk,
            "event": self.event_id,
            "partner": self.partner_id,
            "status": self.get_status_display(),
        }


class Attempt(models.Model):
    """One POST of a delivery and what came back, for the backoffice's delivery log."""

    EXCERPT_BYTES = 1024

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    # 1 for the first attempt of the delivery
    number = models.PositiveIntegerField(_("number"))
    url = models.TextField(_("URL"), blank=True, default="")
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True, default="")
    # at most 1 KB of the body
    response_excerpt = models.TextField(_("response (excerpt)"), blank=True, default="")

    class Meta:
        ordering = ["delivery_id", "number"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self) -> str:
        outcome = self.status_code or self.error or gettext("no answer")
        return gettext("attempt %(number)s of delivery %(delivery)s: %(outcome)s") % {
            "number": self.number,
            "delivery": self.delivery_id,
            "outcome": outcome,
        }
