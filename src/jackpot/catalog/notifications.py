"""Telling partners about their catalogue (SPEC §8): `store/enabled`, `store/update`,
`store/disabled`.

Every change to a store goes through `Store.save()` inside a transaction: the operator's admin
and the catalogue import (`jackpot catalog import`, the demo). The model's signals compare what
partners see of the store (its API object, and whether it is enabled) before and after the save,
and write one event per partner to the outbox, in the save's own transaction: a store that
appears or comes back is `store/enabled`, one taken out `store/disabled`, any other visible
change of an enabled store `store/update`. A save that changes nothing a partner sees (a stock
counter, the same form saved twice) tells nobody.
"""

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from jackpot.catalog.models import Store
from jackpot.catalog.representation import store_object
from jackpot.partners.models import Partner
from jackpot.webhooks import outbox


def store_event(before: tuple[bool, dict] | None, after: tuple[bool, dict]) -> str | None:
    """The event a change of (enabled, store object) makes, or None when partners see no change."""
    enabled, visible = after
    if before is None:
        return "store/enabled" if enabled else None
    was_enabled, was_visible = before
    if was_enabled != enabled:
        return "store/enabled" if enabled else "store/disabled"
    if enabled and visible != was_visible:
        return "store/update"
    return None


def _seen(store: Store) -> tuple[bool, dict]:
    return store.enabled, store_object(store)


@receiver(pre_save, sender=Store, dispatch_uid="catalog.store_seen_before")
def _remember(sender, instance: Store, raw=False, **kwargs):
    if raw:  # fixtures load rows as they are: nothing happened to tell anyone about
        return
    previous = Store.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._seen_before = _seen(previous) if previous is not None else None


@receiver(post_save, sender=Store, dispatch_uid="catalog.store_notify")
def _notify(sender, instance: Store, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_seen_before", None)
    after = _seen(instance)
    instance._seen_before = after
    event = store_event(before, after)
    if event is None:
        return
    # Inside the caller's transaction (admin and import have one): the events are written with
    # the change or not at all. A bare save() outside any gets its events in a transaction of
    # their own, since outbox.enqueue needs one.
    with transaction.atomic():
        for partner in Partner.objects.filter(enabled=True).order_by("pk"):
            outbox.enqueue(partner, event, store_id=instance.pk, data=after[1])
