"""Writing notifications to the outbox; call inside the transaction of the change reported.

Every event is kept as an `OutboxEvent` (the backoffice's history of what the partner was told,
for the retention of `webhooks.retention`).
The envelope carries `livemode` (false in a partner's test mode: its test twin's row, so the
delivery goes to the test notification URL, signed with the test secret).
A `Delivery` is written beside it, in the same transaction, only when the partner has a
notification URL: a partner without one is sent nothing, and setting a URL later does not send
the past. When the partner's endpoint was disabled (it answered 410 Gone) the delivery is
recorded as `disabled`, so it can be re-sent once the partner has fixed its endpoint.
"""

import uuid

from django.db import transaction
from django.utils import timezone

from jackpot.core import request_context
from jackpot.core.compiled import CompiledQuery, insert
from jackpot.core.formats import iso
from jackpot.partners.models import Partner
from jackpot.webhooks.addresses import with_notification_key
from jackpot.webhooks.models import Delivery, DeliveryStatus, Endpoint, OutboxEvent

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


_disabled_endpoint = CompiledQuery(
    lambda partner_id: Endpoint.objects.filter(partner_id=partner_id, disabled_at__isnull=False)[
        :1
    ],
    "partner-example",
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
    request_id = request_context.current()
    message = {"storeId": store_id, "data": data}
    if coupon_id is not None:
        message["couponId"] = coupon_id
    if notification_key is not None:
        message["notificationKey"] = notification_key
    outbox_event = insert(
        OutboxEvent(
            id=event_id,
            partner=partner,
            event=event,
            notification_key=notification_key or "",
            payload={
                "event": event,
                "id": str(event_id),
                "createdAt": iso(now),
                # false for a partner's test mode (its test twin: test notification URL, test
                # secret), as the best payment APIs mark their test events.
                "livemode": partner.livemode,
                "message": message,
            },
            created_at=now,
            request_id=request_id,
        )
    )
    if partner.notification_url:
        disabled = _disabled_endpoint.first(partner.pk) is not None
        insert(
            Delivery(
                event=outbox_event,
                partner=partner,
                url=with_notification_key(partner.notification_url, notification_key),
                status=DeliveryStatus.DISABLED if disabled else DeliveryStatus.PENDING,
                last_error="endpoint disabled" if disabled else "",
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
                request_id=request_id,
            )
        )
    return outbox_event
