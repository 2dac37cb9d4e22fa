"""Writing notifications to the outbox; call inside the transaction of the change reported."""

import uuid

from django.db import transaction
from django.utils import timezone

from jackpot.core.formats import iso
from jackpot.partners.models import Partner
from jackpot.webhooks.models import OutboxEvent

EVENTS = (
    "coupon/reserved",
    "coupon/confirmed",
    "coupon/ready",
    "coupon/sent",
    "coupon/canceled",
    "coupon/expired",
    "coupon/refunding",
    "coupon/refunded",
    "coupon/refund_rejected",
    "store/enabled",
    "store/update",
    "store/disabled",
)


def enqueue(
    partner: Partner,
    event: str,
    *,
    store_id: str,
    data: dict,
    coupon_id: str | None = None,
    notification_key: str | None = None,
) -> OutboxEvent:
    """Record one notification in the envelope of SPEC §8."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue() must run inside the transaction of the change it reports")
    event_id = uuid.uuid4()
    now = timezone.now()
    message = {"storeId": store_id, "data": data}
    if coupon_id is not None:
        message["couponId"] = coupon_id
    if notification_key is not None:
        message["notificationKey"] = notification_key
    return OutboxEvent.objects.create(
        id=event_id,
        partner=partner,
        event=event,
        notification_key=notification_key or "",
        payload={"event": event, "id": str(event_id), "createdAt": iso(now), "message": message},
        created_at=now,
    )
