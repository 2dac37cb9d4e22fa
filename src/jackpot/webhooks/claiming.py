"""Claiming due deliveries (SPEC §8) under a lease (`core.leases`), fairly between partners.

A claim runs in a short transaction of its own (or with the recording of finished POSTs): `pending`
and due rows whose lease is free, locked with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (on
SQLite the IMMEDIATE transaction mode serialises writers), then leased (`locked_until` = now +
`JACKPOT_WEBHOOK_LEASE`, a fresh `lease_token`) and committed before anything is sent. Two workers
never hold the same row; a killed worker's lease runs out and the row is claimed again, so a
delivery is sent at least once, never lost. A partner never gets more than `per_partner` of the
slots, so its slow endpoint cannot hold every one.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jackpot.core import leases
from jackpot.webhooks import addresses, config, signing
from jackpot.webhooks.models import Delivery, DeliveryStatus, Endpoint
from jackpot.webhooks.sending import Job, body_of


def claim_rows(
    clock: datetime,
    pass_started: datetime,
    size: int,
    busy: dict[str, int],
    per_partner: int,
) -> list[Delivery]:
    """Lease up to `size` due deliveries; run inside a transaction, which must commit before
    anything is sent. `clock` decides what is due; the lease always runs on the real clock."""
    real_now = timezone.now()
    lease = leases.new(real_now, timedelta(seconds=config.lease()))
    due = (
        # The endpoint comes with its partner (a disabled one sets its deliveries aside).
        Delivery.objects.select_related("event", "partner__webhook_endpoint")
        .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=clock)
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=pass_started))
        .exclude(partner_id__in=[p for p, n in busy.items() if n >= per_partner])
    )
    with leases.read_in_index_order():  # the first due rows of `delivery_pending`, no sort
        candidates = list(
            leases.lockable(due, real_now).order_by("next_attempt_at", "id")[
                : size
                * 4  # room to skip a partner at its cap
            ]
        )
    taken, counts = [], dict(busy)
    for delivery in candidates:
        if len(taken) == size:
            break
        if counts.get(delivery.partner_id, 0) < per_partner:
            counts[delivery.partner_id] = counts.get(delivery.partner_id, 0) + 1
            delivery.lease_token, delivery.locked_until = lease.token, lease.until
            taken.append(delivery)
    if taken:
        leases.grant(Delivery.objects.all(), [d.pk for d in taken], lease)
    return taken


def _endpoint_of(partner) -> Endpoint | None:
    """The partner's endpoint row, read with the claim (`select_related`), or None."""
    try:
        return partner.webhook_endpoint
    except Endpoint.DoesNotExist:
        return None


def jobs_for(taken: list[Delivery]) -> tuple[list[Job], list[Delivery]]:
    """The jobs to send for leased deliveries, and those whose endpoint is disabled."""
    now = timezone.now()
    jobs, disabled = [], []
    for delivery in taken:
        endpoint = _endpoint_of(delivery.partner)
        if endpoint is not None and endpoint.disabled:
            disabled.append(delivery)
            continue
        payload = delivery.event.payload
        url = delivery.partner.notification_url
        if url:  # a partner fixing its URL is followed; without one the attempt is refused
            url = addresses.with_notification_key(url, delivery.event.notification_key or None)
        jobs.append(
            Job(
                delivery_id=delivery.pk,
                event_id=str(delivery.event_id),
                event=delivery.event.event,
                partner_id=delivery.partner_id,
                payload=payload,
                url=url,
                body=body_of(payload),
                secrets=tuple(signing.signing_secrets(delivery.partner, endpoint, now)),
                number=delivery.attempts + 1,
                schedule_step=delivery.schedule_step,
                token=delivery.lease_token,
                request_id=delivery.request_id,
                stored_url=delivery.url,
            )
        )
    return jobs, disabled


def claim(
    clock: datetime,
    pass_started: datetime,
    size: int,
    busy: dict[str, int] | None = None,
    per_partner: int | None = None,
) -> tuple[list[Job], list[Delivery]]:
    """Lease up to `size` due deliveries to this worker, in a transaction of its own.

    Returns the jobs to send and the claimed deliveries whose endpoint is disabled (to set
    aside). `busy` counts this worker's POSTs in flight per partner: no partner gets more than
    `per_partner` at once, so one partner's slow endpoint cannot hold every slot.
    """
    with transaction.atomic():
        taken = claim_rows(clock, pass_started, size, busy or {}, per_partner or size)
    return jobs_for(taken)
