"""Taking a campaign out of the catalogue without deleting it.

Vouchers keep a reference to the campaign (and the store) that priced them, so a campaign that
issued one is ended rather than deleted: it leaves the offers at once, its reservations and
vouchers keep their terms, and its history stays readable.
"""

from django.utils import timezone

from jackpot.catalog.models import Campaign


def running(campaign: Campaign, now=None) -> bool:
    """Within its dates (whatever budget it has left)."""
    now = now or timezone.now()
    return campaign.start <= now and (campaign.end is None or campaign.end > now)


def end_campaign(campaign: Campaign, now=None) -> bool:
    """End a running campaign now; False when it is not running (not started, or over).

    Only the end date is written: reservations may be moving the campaign's counters meanwhile.
    A campaign that has not started yet is not ended: it issued nothing, it can be deleted or
    its dates changed.
    """
    now = now or timezone.now()
    if not running(campaign, now) or campaign.start == now:
        return False
    campaign.end = now
    campaign.save(update_fields=["end"])
    return True
