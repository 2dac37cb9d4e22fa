"""Thousands of rows shaped like a platform's years, for the planner to have figures to weigh.

On an empty table every plan costs the same and the planner's choice among indexes says
nothing; with rows whose proportions are those of a real database (one partner holding most
vouchers over two years, most of them delivered and paid, a few due, billed, reserved or
refunding, users with a few vouchers each, three notifications a voucher) and `ANALYZE`, it
picks what it would pick on millions of rows (tests/vouchers/test_query_plans.py).

PostgreSQL only. `made_once` builds them once for a test module, in a transaction rolled back
after its last test (each test runs inside it, in a savepoint of its own). Each partner's rows
are copies of one voucher and one outbox event made by the ORM (so every column, those added
later included, has a valid value), multiplied by `generate_series` with the columns that tell
them apart rewritten.
"""

import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from jackpot.partners import credentials
from jackpot.vouchers import catalogue_import
from jackpot.vouchers.models import Statement, Voucher
from jackpot.webhooks.models import OutboxEvent
from support.catalogue import sample, second_store

START = datetime(2024, 3, 1, tzinfo=UTC)
TABLES = ["vouchers_voucher", "vouchers_statement", "webhooks_outboxevent"]
STORES = [("sportmax", "sportmax-launch"), ("bookly", "bookly-min")]

# One voucher in 100 is reserved, one due, one billed (WAITING on a statement); one in 200 is
# refunding; the rest were sent and paid. Two years of reservations; a third of the vouchers
# carry no userId, the others belong to one of 997 users. Nineteen in twenty go to the first store.
VOUCHER = {
    "id": "md5(%(partner)s || n)::uuid",
    "coupon_id": "upper(left(%(partner)s, 2)) || lpad(n::text, 8, '0')",
    "store_id": "(%(stores)s::text[])[CASE WHEN n %% 20 = 0 THEN 2 ELSE 1 END]",
    "campaign_id": "(%(campaigns)s::text[])[CASE WHEN n %% 20 = 0 THEN 2 ELSE 1 END]",
    "state": "CASE WHEN n %% 100 = 7 THEN 'RESERVED' WHEN n %% 200 = 3 THEN 'REFUNDING' "
    "ELSE 'SENT' END",
    "payment_state": "CASE WHEN n %% 100 = 7 THEN '' WHEN n %% 100 = 1 THEN 'DUE' "
    "WHEN n %% 100 = 51 THEN 'WAITING' ELSE 'PAID' END",
    "statement_id": "CASE WHEN n %% 100 = 51 THEN (%(statements)s::bigint[])[1 + n %% 24] END",
    "notification_key": "'order-' || n",
    "user_id": "CASE WHEN n %% 3 = 0 THEN '' ELSE 'user-' || n %% 997 END",
    "reservation_date": "%(start)s + n * %(step)s",
    "resa_expire_date": "%(start)s + n * %(step)s + interval '15 minutes'",
    "confirm_date": "CASE WHEN n %% 100 <> 7 THEN %(start)s + n * %(step)s + interval '1 minute' "
    "END",
}
EVENT = {
    "id": "md5(%(partner)s || n || e)::uuid",
    "notification_key": "'order-' || n",
    "created_at": "%(start)s + n * %(step)s + e * interval '1 minute'",
}


def _copies(model, template_pk, rewritten: dict, series: str, params: dict) -> None:
    """Insert copies of the template row, one per row of `series`, columns rewritten."""
    name = connection.ops.quote_name
    table = name(model._meta.db_table)
    columns = [f.column for f in model._meta.concrete_fields]
    values = [rewritten.get(column, f"t.{name(column)}") for column in columns]
    sql = (
        f"INSERT INTO {table} ({', '.join(map(name, columns))}) "  # noqa: S608 - model's names
        f"SELECT {', '.join(values)} FROM {table} t, {series} WHERE t.id = %(template)s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "template": template_pk})
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [template_pk])  # noqa: S608


def _template_voucher(partner_id: str) -> Voucher:
    now = timezone.now()
    store, campaign = STORES[0]
    return Voucher.objects.create(
        coupon_id=uuid.uuid4().hex[:10],
        partner_id=partner_id,
        store_id=store,
        campaign_id=campaign,
        offer_id=campaign,
        mode="majoration",
        state="SENT",
        value=Decimal("105.00"),
        price=Decimal("100.00"),
        rate=Decimal("0.0500"),
        notification_key=f"template-{uuid.uuid4()}",
        resa_expire_date=now,
        validity_date=now + timedelta(days=365),
    )


@contextmanager
def made_once(partners: dict[str, int]):
    """The catalogue's two stores, the partners, and `fill(partners)`; undone on leaving."""
    with transaction.atomic():
        catalogue_import.import_catalog({"stores": [*sample()["stores"], second_store()]})
        for partner_id in partners:
            credentials.create_partner(
                partner_id.title(), partner_id=partner_id, domains=[f"{partner_id}.example"]
            )
        fill(partners)
        # Check the deferred foreign keys of these rows now, once, rather than at the end of
        # every test run inside this transaction (Django's test teardown checks them all).
        connection.check_constraints()
        yield
        transaction.set_rollback(True)


def fill(partners: dict[str, int]) -> None:
    """`partners`: how many vouchers each partner holds (the catalogue's stores must exist)."""
    for partner_id, count in partners.items():
        statements = [
            Statement.objects.create(
                partner_id=partner_id,
                period_start=START + timedelta(days=30 * month),
                period_end=START + timedelta(days=30 * (month + 1)),
                total=Decimal("100.00"),
                issued_at=START + timedelta(days=30 * (month + 1)),
            ).pk
            for month in range(24)
        ]
        params = {
            "partner": partner_id,
            "stores": [s for s, _ in STORES],
            "campaigns": [c for _, c in STORES],
            "statements": statements,
            "start": START,
            "step": timedelta(days=730) / count,
        }
        voucher = _template_voucher(partner_id)
        event = OutboxEvent.objects.create(partner_id=partner_id, event="voucher.sent", payload={})
        series = f"generate_series(1, {int(count)}) n"
        _copies(Voucher, voucher.pk, VOUCHER, series, params)
        _copies(OutboxEvent, event.pk, EVENT, f"{series}, generate_series(1, 3) e", params)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(TABLES)}")
