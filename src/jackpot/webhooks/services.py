"""What the backoffice and the CLI do with deliveries: re-send, re-enable an endpoint; what
the portal reads of them: the notifications sent about one voucher.

A re-send puts a delivery back in the queue, due at once, with a fresh retry schedule, to the
partner's *current* notification URL (the partner may have fixed it). The envelope and its
`webhook-id` are the same as before, so a receiver that already processed it can tell.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from jackpot.core import leases
from jackpot.partners.models import Partner
from jackpot.webhooks.addresses import with_notification_key
from jackpot.webhooks.models import Delivery, DeliveryStatus, Endpoint, OutboxEvent


class ResendError(Exception):
    """A delivery that cannot be re-sent; the message says why, for the operator."""


def events_for_key(partner_id: str, notification_key: str) -> QuerySet:
    """What the partner was told about one `notificationKey` (one voucher), oldest first, with
    each event's deliveries and their attempts; found through `outbox_partner_key` in an outbox
    that keeps every event of every voucher (a voucher's few events are sorted after)."""
    return (
        OutboxEvent.objects.filter(partner_id=partner_id, notification_key=notification_key)
        .order_by("created_at", "id")
        .prefetch_related("deliveries__attempt_log")
    )


def endpoint_of(partner: Partner | str) -> Endpoint:
    partner_id = partner.pk if isinstance(partner, Partner) else partner
    endpoint, _ = Endpoint.objects.get_or_create(partner_id=partner_id)
    return endpoint


@transaction.atomic
def enable_endpoint(partner: Partner | str) -> Endpoint:
    """Deliver to the partner again after its endpoint was disabled (past deliveries stay put:
    re-send them with `resend_failed`)."""
    endpoint = endpoint_of(partner)
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.save(update_fields=["disabled_at", "disabled_reason"])
    return endpoint


@transaction.atomic
def resend(delivery_id: int, *, partner: Partner | str | None = None) -> Delivery:
    """Queue one delivery again, whatever its status (a delivered one too: the partner lost it)."""
    queryset = Delivery.objects.select_for_update().filter(pk=delivery_id)
    if partner is not None:
        partner_id = partner.pk if isinstance(partner, Partner) else partner
        queryset = queryset.filter(partner_id=partner_id)
    delivery = queryset.first()
    if delivery is None:
        raise ResendError(f"no delivery {delivery_id}" + (" for this partner" if partner else ""))
    now = timezone.now()
    target = Partner.objects.get(pk=delivery.partner_id)
    endpoint = Endpoint.objects.filter(partner_id=target.pk).first()
    if endpoint is not None and endpoint.disabled:
        raise ResendError(
            f"the endpoint of partner {target.pk} is disabled since "
            f"{endpoint.disabled_at:%Y-%m-%d %H:%M:%S} UTC ({endpoint.disabled_reason}); "
            "re-enable it first"
        )
    if not target.notification_url:
        raise ResendError(f"partner {target.pk} has no notification URL")
    if delivery.status == DeliveryStatus.PENDING and leases.holds(delivery, now):
        raise ResendError(f"delivery {delivery_id} is being sent right now")
    key = delivery.event.notification_key or None
    delivery.url = with_notification_key(target.notification_url, key)
    delivery.status = DeliveryStatus.PENDING
    delivery.schedule_step = 0
    delivery.next_attempt_at = now
    delivery.locked_until = None
    delivery.lease_token = None
    delivery.updated_at = now
    delivery.save(
        update_fields=[
            "url",
            "status",
            "schedule_step",
            "next_attempt_at",
            "locked_until",
            "lease_token",
            "updated_at",
        ]
    )
    return delivery


def resend_failed(partner: Partner | str | None = None) -> int:
    """Queue again every failed delivery (and every one set aside while its endpoint was
    disabled) of partners whose endpoint is on now; returns how many were queued."""
    partner_id = partner.pk if isinstance(partner, Partner) else partner
    queryset = Delivery.objects.filter(
        status__in=[DeliveryStatus.FAILED, DeliveryStatus.DISABLED]
    ).exclude(partner__webhook_endpoint__disabled_at__isnull=False)
    if partner_id is not None:
        queryset = queryset.filter(partner_id=partner_id)
    queued = 0
    for delivery_id in list(queryset.order_by("created_at", "id").values_list("pk", flat=True)):
        try:
            resend(delivery_id)
        except ResendError:
            continue
        queued += 1
    return queued
