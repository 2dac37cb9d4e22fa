"""The partner portal (SPEC §11), one module per section of its menu: pages translate HTTP into
calls of the services, nothing more.

Every view runs under `access.partner_required`: `request.partner` is the user's partner, every
query is filtered by it, and an object of another partner is a 404.
"""

from jackpot.portal import paging

PAGE_SIZE = 25  # rows a page of every list
# The order of the voucher lists (`Voucher.Meta.indexes` end with it): newest reservation first.
NEWEST = paging.Order("reservation_date")
