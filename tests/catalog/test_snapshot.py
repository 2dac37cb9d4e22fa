"""The running catalogue kept per process (catalog/snapshot.py), with the cache turned on.

The listing must stay right although the definitions are kept: a budget used up leaves the
listing at once, an edit saved in this process is seen at once, one made elsewhere (a queryset
update no signal reports, another process) within the cache's lifetime.
"""

from decimal import Decimal

import pytest
from django.utils import timezone

from jackpot.catalog import snapshot
from jackpot.catalog.models import Campaign, Store
from jackpot.catalog.offers import Audience, find_offer, offers_for
from support.clock import Clock

PARIS_ADULT = Audience("75011", 40, "M")


@pytest.fixture(autouse=True)
def cached(settings):
    settings.JACKPOT_CATALOGUE_CACHE_SECONDS = 60
    snapshot.forget()
    yield
    snapshot.forget()


def stores() -> set[str]:
    return {offer.store.id for offer in offers_for(PARIS_ADULT)}


def test_the_definitions_are_loaded_once_and_the_counters_every_time(
    catalog, django_assert_num_queries
):
    offers_for(PARIS_ADULT)  # loads the definitions
    with django_assert_num_queries(1):  # the budgeted campaign's counters only
        assert stores() == {"sportmax", "bookly", "mixte"}


def test_a_budget_used_up_leaves_the_listing_at_once(catalog):
    assert "sportmax" in stores()
    Campaign.objects.filter(pk="sportmax-launch").update(bonus_spent=Decimal("1000.00"))

    assert "sportmax" not in stores()


def test_fresh_counters_never_touch_the_kept_definitions(catalog):
    offers_for(PARIS_ADULT)
    Campaign.objects.filter(pk="sportmax-launch").update(bonus_spent=Decimal("999.00"))
    offer = find_offer("sportmax", "sportmax-launch", PARIS_ADULT)
    assert offer.campaign.bonus_spent == Decimal("999.00")

    kept = next(c for c in snapshot._definitions() if c.pk == "sportmax-launch")
    assert kept.bonus_spent == Decimal("0.00") and kept is not offer.campaign


def test_an_edit_saved_in_this_process_is_seen_at_once(catalog):
    assert "mixte" in stores()
    store = Store.objects.get(pk="mixte")
    store.enabled = False
    store.save()
    assert "mixte" not in stores()

    campaign = Campaign.objects.get(pk="bookly-min")
    campaign.target_gender = "F"
    campaign.save()
    assert "bookly" not in stores()


def test_an_edit_no_signal_reports_is_seen_when_the_copy_expires(catalog, settings, monkeypatch):
    settings.JACKPOT_CATALOGUE_CACHE_SECONDS = 0.2
    clock = Clock()
    monkeypatch.setattr(snapshot, "time", clock)
    assert "bookly" in stores()
    Campaign.objects.filter(pk="bookly-min").update(target_gender="F")  # as another process would

    clock.advance(0.15)
    assert "bookly" in stores()  # this process's copy, for at most 0.2 s
    clock.advance(0.1)
    assert "bookly" not in stores()


def test_dates_are_checked_on_every_request(catalog):
    later = timezone.now() + timezone.timedelta(hours=1)
    Campaign.objects.filter(pk="bookly-min").update(end=later)
    snapshot.forget()

    assert "bookly" in stores()
    assert "bookly" not in {o.store.id for o in offers_for(PARIS_ADULT, now=later)}
