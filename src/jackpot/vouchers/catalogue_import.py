"""Importing the catalogue file (`jackpot catalog import`, the demo): stores, campaigns, pool
codes, and what partners hear of it, all in one transaction.

Each part lives in its own layer: `catalog.importer` reads the file and applies stores and
campaigns, `vouchers.codes.importing` adds the pool codes the file carries (voucher data, SPEC
§4), and `webhooks.store_events` tells partners about stores that appeared, changed or were taken
out. This use case sits above all three so that the catalogue imports neither codes nor webhooks.
A file that fails anywhere changes nothing and tells nobody.
"""

from django.db import transaction

from jackpot.catalog import importer, pricing
from jackpot.catalog.models import Store
from jackpot.vouchers.codes import importing, pool
from jackpot.webhooks import store_events


@transaction.atomic
def import_catalog(data: dict) -> importer.ImportReport:
    """Upsert the file's stores and campaigns, add its pool codes; announce store changes."""
    catalog = importer.parse(data)
    report = importer.ImportReport()
    for s in catalog.stores:
        with store_events.announcing(s.id):
            store = importer.apply_store(s, report)
        importer.apply_campaigns(s, report)
        _import_codes(store, s, report)
    return report


def _import_codes(store: Store, s: importer.StoreIn, report: importer.ImportReport) -> None:
    """Add the file's pool codes (those already there are skipped) and re-check the stock."""
    if not s.codes:
        pool.refresh_stock(store)  # a pool store without codes is out of the catalogue
        return
    rows = [importing.PoolCode(c.code, c.pin, pricing.money(c.value), c.expiry) for c in s.codes]
    try:
        result = importing.add_pool_codes(store, rows, skip_existing=True)
    except importing.CodeImportError as exc:
        raise importer.CatalogError(f"store {s.id}: {exc}") from None
    if result.added:
        report.codes[s.id] = result.added
