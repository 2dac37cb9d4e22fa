"""Telling partners about their catalogue (SPEC §8): `store/enabled`, `store/update`,
`store/disabled`.

The catalogue knows nothing of partners or the outbox; whoever changes a store calls this module
around the change, inside the change's transaction: the catalogue import use case
(`vouchers.catalogue_import`: `jackpot catalog import`, the demo) and the operator's admin.
`announcing(store_id)` compares what partners see of the store (its API object, and whether it
is enabled) before and after, and writes one event per enabled partner to the outbox: a store
that appears or comes back is `store/enabled`, one taken out `store/disabled`, any other visible
change of an enabled store `store/update`. A change that alters nothing a partner sees (a stock
counter, the same form saved twice) tells nobody.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Q

from jackpot.catalog.models import Store
from jackpot.catalog.representation import store_object
from jackpot.partners.models import Partner
from jackpot.webhooks import outbox

Seen = tuple[bool, dict]  # (enabled, the store object partners get)


def store_event(before: Seen | None, after: Seen | None) -> str | None:
    """The event a change of (enabled, store object) makes, or None when partners see no change."""
    if after is None:  # the store is gone: deleting one is not a change partners are told of
        return None
    enabled, visible = after
    if before is None:
        return "store/enabled" if enabled else None
    was_enabled, was_visible = before
    if was_enabled != enabled:
        return "store/enabled" if enabled else "store/disabled"
    if enabled and visible != was_visible:
        return "store/update"
    return None


def seen(store_id: str) -> Seen | None:
    """What partners see of the store as stored now; None when there is no such store."""
    store = Store.objects.filter(pk=store_id).first()
    return (store.enabled, store_object(store)) if store is not None else None


def announce(
    store_id: str,
    before: Seen | None,
    after: Seen | None,
    partners: Iterable[Partner] | None = None,
) -> str | None:
    """Write the change's event for each partner (every enabled one by default) to the outbox.

    Runs in the caller's transaction, so the events commit with the change or not at all; a
    caller without one gets a transaction of its own, since the outbox needs one.
    """
    event = store_event(before, after)
    if event is None:
        return None
    with transaction.atomic():
        if partners is None:
            # A partner's test mode hears of the shared catalogue too, at its test notification
            # URL; one without a URL would only keep history nobody reads.
            partners = (
                Partner.objects.filter(enabled=True)
                .filter(Q(live_partner__isnull=True) | ~Q(notification_url=""))
                .order_by("pk")
            )
        for partner in partners:
            outbox.enqueue(partner, event, store_id=store_id, data=after[1])
    return event


@contextmanager
def announcing(store_id: str) -> Iterator[None]:
    """Announce whatever the block changes of the store, read from the database before and after."""
    before = seen(store_id)
    yield
    announce(store_id, before, seen(store_id))
