"""Vouchers' indexes: one for each query the API, the statements and the worker ask (issue 18).

Added (built without stopping writes on PostgreSQL, `core/schema_changes.py`):
- `voucher_partner_newest` (partner, reservation_date DESC, id DESC) replaces
  `vouchers_vo_partner_accf9c_idx` (partner, reservation_date DESC): `GET /v2/vouchers` orders
  by both columns, so the index now gives the whole order and a cursor's bound
  `reservation_date <= m` is a range of it, whatever the page's depth.
- `voucher_partner_user`, `voucher_partner_state`, `voucher_partner_payment`: the same order
  within one `userId` (none was indexed: a scan of every voucher), one `state`, one
  `paymentState`, the list's other filters.
- `voucher_store_partner` (store, partner, reservation_date DESC, id DESC): the `storeId`
  filter; the store first, so that it also serves the store's foreign key.
- `voucher_statement_lines` (statement, confirm_date, id) where a statement is set: a
  statement's vouchers in the CSV's order, their count in `GET /v2/statements`, the statement's
  foreign key; unbilled vouchers (most) stay out of it.
- `voucher_due_by_confirmation` (partner, confirm_date) where `payment_state = 'DUE'`: what a
  statement issue locks (the partner's DUE vouchers confirmed in the period), read from the few
  DUE rows instead of a scan of every voucher.
- `voucher_reserved_expiry` (resa_expire_date) where `state = 'RESERVED'`: the worker's expiry
  and the portal's waiting list ask only for RESERVED vouchers.

Dropped (the column and its constraints stay; each query keeps an index):
- `partner_id` (and its `_like`): every index above that starts with the partner serves its
  lookups and the foreign key.
- `store_id` (and `_like`) on vouchers: `voucher_store_partner` starts with it; on codes:
  `code_once_per_store` and `code_stock` do.
- `statement_id` on vouchers: `voucher_statement_lines` (the null rows never match a statement).
- `resa_expire_date`: asked only together with `state = 'RESERVED'` (`voucher_reserved_expiry`).
- `state` (and `_like`) on vouchers: nine values over millions of rows. The lists ask for one
  partner's vouchers in a state (`voucher_partner_state`, in the list's order), the worker and
  the portal's waiting list for RESERVED ones (`voucher_reserved_expiry`); the index on the
  state alone only competed with those, answering in the wrong order. The operator's list,
  filtered by state across partners, needs an index in its own order (the admin's part of
  issue 18), which an index on the state alone never gave.
- `voucher_id` on delivery jobs: the unique (voucher, kind) constraint starts with it.
- `partner_id` (and `_like`) on statements: `statement_partner_newest` starts with it.
- `_like` (`varchar_pattern_ops`) beside `coupon_id`, `campaign_id` (vouchers),
  `state` (codes), `digest` and `store_id` (merchant keys): they serve only case-sensitive
  `LIKE 'prefix%'`, which nothing runs (searches compare exactly, or ignore case, where a
  pattern index on the raw column cannot help); the plain or unique index stays.
Kept as they are: the primary keys, `coupon_id` and `session_id` unique, (partner,
notification_key) unique (the `notificationKey` filter), `campaign_id` (a campaign's vouchers,
its foreign key), the code and job indexes of earlier migrations.
"""

import django.db.models.deletion
from django.db import migrations, models

from jackpot.core.schema_changes import AddIndexOnline, DropFieldIndexes


def unindexed(model_name, name, field):
    """The field's index is dropped by name; its declaration says `db_index=False`."""
    return migrations.SeparateDatabaseAndState(
        database_operations=[DropFieldIndexes(model_name, name)],
        state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
    )


class Migration(migrations.Migration):
    atomic = False  # PostgreSQL builds and drops indexes concurrently outside a transaction

    dependencies = [
        ("catalog", "0002_store_code_stock"),
        ("partners", "0004_legalinformation"),
        ("vouchers", "0007_refunded_payment_state"),
    ]

    operations = [
        AddIndexOnline(
            model_name="statement",
            index=models.Index(
                fields=["partner", "-issued_at", "-id"], name="statement_partner_newest"
            ),
        ),
        AddIndexOnline(
            model_name="voucher",
            index=models.Index(
                fields=["partner", "-reservation_date", "-id"], name="voucher_partner_newest"
            ),
        ),
        AddIndexOnline(
            model_name="voucher",
            index=models.Index(
                fields=["partner", "user_id", "-reservation_date", "-id"],
                name="voucher_partner_user",
            ),
        ),
        AddIndexOnline(
            model_name="voucher",
            index=models.Index(
                fields=["partner", "state", "-reservation_date", "-id"],
                name="voucher_partner_state",
            ),
        ),
        AddIndexOnline(
            model_name="voucher",
            index=models.Index(
                fields=["partner", "payment_state", "-reservation_date", "-id"],
                name="voucher_partner_payment",
            ),
        ),
        AddIndexOnline(
            model_name="voucher",
            index=models.Index(
                fields=["store", "partner", "-reservation_date", "-id"],
                name="voucher_store_partner",
            ),
        ),
        AddIndexOnline(
            model_name="voucher",
            index=models.Index(
                condition=models.Q(("statement__isnull", False)),
                fields=["statement", "confirm_date", "id"],
                name="voucher_statement_lines",
            ),
        ),
        AddIndexOnline(
            model_name="voucher",
            index=models.Index(
                condition=models.Q(("payment_state", "DUE")),
                fields=["partner", "confirm_date"],
                name="voucher_due_by_confirmation",
            ),
        ),
        AddIndexOnline(
            model_name="voucher",
            index=models.Index(
                condition=models.Q(("state", "RESERVED")),
                fields=["resa_expire_date"],
                name="voucher_reserved_expiry",
            ),
        ),
        # The new indexes exist: the ones they make redundant go.
        migrations.RemoveIndex(model_name="voucher", name="vouchers_vo_partner_accf9c_idx"),
        unindexed(
            "voucher",
            "partner",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="vouchers",
                to="partners.partner",
            ),
        ),
        unindexed(
            "voucher",
            "store",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="vouchers",
                to="catalog.store",
            ),
        ),
        unindexed(
            "voucher",
            "statement",
            models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="vouchers",
                to="vouchers.statement",
            ),
        ),
        unindexed("voucher", "resa_expire_date", models.DateTimeField()),
        unindexed(
            "voucher",
            "state",
            models.CharField(
                choices=[
                    ("RESERVED", "Reserved"),
                    ("CONFIRMED", "Confirmed"),
                    ("READY", "Ready"),
                    ("SENT", "Sent"),
                    ("CANCELED", "Canceled"),
                    ("EXPIRED", "Expired"),
                    ("REFUNDING", "Refunding"),
                    ("REFUNDED", "Refunded"),
                    ("REFUND_REJECTED", "Refund Rejected"),
                ],
                max_length=16,
            ),
        ),
        unindexed(
            "statement",
            "partner",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="statements",
                to="partners.partner",
            ),
        ),
        unindexed(
            "code",
            "store",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="codes",
                to="catalog.store",
            ),
        ),
        unindexed(
            "deliveryjob",
            "voucher",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="delivery_jobs",
                to="vouchers.voucher",
            ),
        ),
        DropFieldIndexes("voucher", "coupon_id", pattern_only=True),
        DropFieldIndexes("voucher", "campaign", pattern_only=True),
        DropFieldIndexes("code", "state", pattern_only=True),
        DropFieldIndexes("merchantkey", "digest", pattern_only=True),
        DropFieldIndexes("merchantkey", "store", pattern_only=True),
    ]
