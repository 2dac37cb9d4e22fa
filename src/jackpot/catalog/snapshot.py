"""The running catalogue kept per process, so that a catalogue request does not rebuild it.

Every store list, proposed-vouchers list and reservation used to load the enabled stores'
campaigns with their stores (one large join, ~20 model instances, their JSON tiers): most of the
route's CPU once pricing was fast. The rows that define the catalogue change when an operator
edits it, seldom; the counters a reservation moves (`bonus_spent`, `vouchers_issued`) change all
the time. So:

* the definitions (every campaign of an enabled store with stock, and its store) are loaded once
  and kept for `JACKPOT_CATALOGUE_CACHE_SECONDS` (2 s by default; 0 turns the cache off);
  a save or delete of a store or a campaign in this process forgets them at once (model
  signals; `vouchers.codes.pool` calls `forget` when a pool store's stock flag changes), other
  processes see the edit when their copy expires, at most that many seconds later;
* the counters of budgeted or capped campaigns are read fresh on every request (one small query,
  none when no running campaign has a budget or a cap), into per-request copies: a budget is never
  over-spent anyway (the reservation's guarded UPDATE), but an exhausted offer leaves the
  listing at once.

Dates are compared per request, so a campaign starts and ends on time whatever the cache holds.
"""

import copy
import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from jackpot.catalog.models import Campaign, Store

_lock = threading.Lock()
_kept: tuple[float, tuple[Campaign, ...]] | None = None


def forget(**_kwargs) -> None:
    """Drop this process's copy: the next request loads the catalogue again."""
    global _kept
    _kept = None


for _model in (Store, Campaign):
    post_save.connect(forget, sender=_model, dispatch_uid=f"snapshot.saved.{_model.__name__}")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"snapshot.deleted.{_model.__name__}")


def in_catalogue():
    """Campaigns of enabled stores that have codes to sell, whatever their dates and budget.

    A pool store whose codes can make no accepted value (`codes_exhausted`, kept by
    `vouchers.codes.pool`) is out of the catalogue until codes are imported.
    """
    return (
        Campaign.objects.select_related("store")
        .filter(store__enabled=True, store__codes_exhausted=False)
        .order_by("store__name", "store_id", "start", "id")
    )


def _load() -> tuple[Campaign, ...]:
    return tuple(in_catalogue())


def _definitions() -> tuple[Campaign, ...]:
    global _kept
    ttl = settings.JACKPOT_CATALOGUE_CACHE_SECONDS
    if ttl <= 0:
        return _load()
    kept = _kept
    if kept is not None and time.monotonic() - kept[0] < ttl:
        return kept[1]
    with _lock:  # one thread reloads; the others wait for its copy
        kept = _kept
        if kept is None or time.monotonic() - kept[0] >= ttl:
            kept = (time.monotonic(), _load())
            _kept = kept
    return kept[1]


def running(now, store_id: str | None = None, campaign_id: str | None = None) -> list[Campaign]:
    """Campaigns within their dates, with fresh budget counters (`has_budget_left` tells).

    The objects are this request's own: fresh counters are set on copies, never on the shared
    definitions.
    """
    live = [
        c
        for c in _definitions()
        if c.start <= now
        and (c.end is None or c.end > now)
        and (store_id is None or c.store_id == store_id)
        and (campaign_id is None or c.pk == campaign_id)
    ]
    limited = [c.pk for c in live if c.budget is not None or c.max_vouchers is not None]
    if not limited:
        return live
    counters = {
        pk: (spent, issued)
        for pk, spent, issued in Campaign.objects.filter(pk__in=limited).values_list(
            "pk", "bonus_spent", "vouchers_issued"
        )
    }
    fresh = []
    for campaign in live:
        if campaign.pk in counters:
            campaign = copy.copy(campaign)
            campaign.bonus_spent, campaign.vouchers_issued = counters[campaign.pk]
        fresh.append(campaign)
    return fresh
