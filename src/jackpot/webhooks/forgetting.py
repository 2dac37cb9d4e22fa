"""Taking a user's personal data out of the notifications kept about it.

`webhooks` knows nothing of vouchers or users: the caller (`vouchers.personal_data`) says which
notifications (a partner's, by the `notificationKey`s they carry), which fields of the object
they carry (`message.data`) are personal, and which values were erased. The envelope keeps its
shape and every other field (what the partner was told, when, about which coupon): a personal
field becomes null, as a voucher without the data would have carried it, so a delivery still
pending is sent without it. The answers kept of each attempt, and a delivery's last error, lose
the erased values where they stand as a word (a partner's endpoint may echo what it received).

Runs inside the caller's transaction: the voucher and its notifications are erased together.
"""

from jackpot.core.redaction import without_values
from jackpot.webhooks.models import Attempt, Delivery, OutboxEvent


def held(partner_id: str, notification_keys) -> list[OutboxEvent]:
    """The partner's kept notifications about the given keys, oldest first."""
    keys = [k for k in notification_keys if k]
    if not keys:
        return []
    return list(
        OutboxEvent.objects.filter(partner_id=partner_id, notification_key__in=keys).order_by(
            "created_at", "id"
        )
    )


def _without_fields(payload: dict, fields) -> bool:
    """Null `fields` in the payload's `message.data`; whether anything was there to erase."""
    message = payload.get("message") if isinstance(payload, dict) else None
    data = message.get("data") if isinstance(message, dict) else None
    if not isinstance(data, dict):
        return False
    changed = False
    for field in fields:
        if data.get(field) is not None:
            data[field] = None
            changed = True
    return changed


def forget(partner_id: str, notification_keys, fields, values) -> int:
    """Erase `fields` and `values` from the partner's notifications about `notification_keys`;
    returns how many envelopes held any of it."""
    events = held(partner_id, notification_keys)
    changed = 0
    for event in events:
        if _without_fields(event.payload, fields):
            OutboxEvent.objects.filter(pk=event.pk).update(payload=event.payload)
            changed += 1
    values = [v for v in values if v]
    if not events or not values:
        return changed
    ids = [e.pk for e in events]
    for attempt in Attempt.objects.filter(delivery__event_id__in=ids).exclude(response_excerpt=""):
        cleaned = without_values(attempt.response_excerpt, values)
        if cleaned != attempt.response_excerpt:
            Attempt.objects.filter(pk=attempt.pk).update(response_excerpt=cleaned)
    for delivery in Delivery.objects.filter(event_id__in=ids).exclude(last_error=""):
        cleaned = without_values(delivery.last_error, values)
        if cleaned != delivery.last_error:
            Delivery.objects.filter(pk=delivery.pk).update(last_error=cleaned)
    return changed
