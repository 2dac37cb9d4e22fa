"""How long the delivery log keeps what (README, "Data kept and for how long"); run by the worker.

The log is there for the partner (the portal's coupon page, re-send buttons) and the operator
(the admin): what was sent lately, and what did not arrive. So:

- a **delivered** delivery goes `JACKPOT_WEBHOOK_RETENTION_DAYS` (30) after its last change
  (its last attempt, or a re-send), with its attempts and its envelope;
- a **failed** or **disabled** one, which the partner may still re-send, stays
  `JACKPOT_WEBHOOK_FAILED_RETENTION_DAYS` (90) after its last change, then goes the same way;
- a **pending** one is never pruned, whatever its age: it is still to be sent;
- an envelope sent to nobody (the partner had no notification URL) goes after the longer
  period, as undelivered news.

A delivery is a candidate only while its status and dates say so, read under its row lock
(`core.pruning`): a re-send that made it pending again, or a worker holding it, keeps it.
Candidates are read through `delivery_due` (status, next_attempt_at), the index the claims use
(failed and disabled ones may be read through the admin's partial `delivery_failed` instead):
a finished delivery's `next_attempt_at` is no later than its last change, and `updated_at` is
checked as well, so the index range holds every candidate and little else.
"""

from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet

from jackpot.core.pruning import UNTIL_DONE, Budget, cutoff, delete_in_batches, delete_rows
from jackpot.webhooks.models import Delivery, DeliveryStatus, OutboxEvent

KEPT_DAYS = {
    DeliveryStatus.DELIVERED: "JACKPOT_WEBHOOK_RETENTION_DAYS",
    DeliveryStatus.FAILED: "JACKPOT_WEBHOOK_FAILED_RETENTION_DAYS",
    DeliveryStatus.DISABLED: "JACKPOT_WEBHOOK_FAILED_RETENTION_DAYS",
}
UNSENT_DAYS = "JACKPOT_WEBHOOK_FAILED_RETENTION_DAYS"


def _without_delivery(events: QuerySet) -> QuerySet:
    return events.exclude(Exists(Delivery.objects.filter(event=OuterRef("pk"))))


def prunable_deliveries(status: str, before: datetime) -> QuerySet:
    """Deliveries of a final `status` left unchanged since `before`, the oldest first."""
    if status not in KEPT_DAYS:
        raise ValueError(f"{status!r} deliveries are never pruned")
    return Delivery.objects.filter(
        status=status, next_attempt_at__lt=before, updated_at__lt=before
    ).order_by("next_attempt_at")


def unsent_events(before: datetime) -> QuerySet:
    """Envelopes written before `before` that have no delivery, the oldest first."""
    return _without_delivery(OutboxEvent.objects.filter(created_at__lt=before)).order_by(
        "created_at"
    )


def _delete_deliveries(pks: list) -> int:
    """Deliveries (locked), their attempts, then their envelopes once no delivery is left."""
    events = list(Delivery.objects.filter(pk__in=pks).values_list("event_id", flat=True))
    deleted = delete_rows(Delivery, pks)
    _without_delivery(OutboxEvent.objects.filter(pk__in=events)).only("pk").delete()
    return deleted


def prune_deliveries(now: datetime, budget: Budget = UNTIL_DONE) -> int:
    """Finished deliveries past their retention, with their attempts and envelopes."""
    deleted = 0
    for status, setting in KEPT_DAYS.items():
        deleted += delete_in_batches(
            prunable_deliveries(status, cutoff(now, setting)), budget, _delete_deliveries
        )
    return deleted


def prune_unsent_events(now: datetime, budget: Budget = UNTIL_DONE) -> int:
    """Envelopes nobody was sent, past the longer retention."""
    return delete_in_batches(unsent_events(cutoff(now, UNSENT_DAYS)), budget)
