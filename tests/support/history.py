"""A partner's two years in a few thousand rows, for PostgreSQL's planner to weigh real figures.

On a table of forty rows the planner reads everything and sorts it, index or not, and its plan
says nothing about three million rows; with thousands of rows in a real database's proportions
(most vouchers delivered and paid, a few reserved, due or refunding, one in 25 refunded, users
with a few vouchers each, one store in twenty the second one, a wallet's movements) and
`ANALYZE`, it weighs its choices as it would on millions (tests/portal/test_portal_plans.py).

Each row is a copy of one made by the services (so every column, those added later included, has
a valid value), multiplied by `generate_series` with the columns that tell copies apart rewritten.
PostgreSQL only.
"""

from datetime import UTC, datetime, timedelta

from django.db import connection

from jackpot.ledger import services as ledger
from jackpot.ledger.models import Entry, Transaction
from jackpot.vouchers.models import Voucher
from jackpot.vouchers.rollup import rebuild

START = datetime(2024, 3, 1, tzinfo=UTC)
STEP = "%(start)s + n * %(step)s"
VOUCHER = {
    "id": "md5(%(partner)s || n)::uuid",
    "coupon_id": "upper(left(%(partner)s, 2)) || lpad(n::text, 8, '0')",
    "session_id": "NULL",
    "store_id": "CASE WHEN n %% 20 = 0 THEN 'bookly' ELSE 'sportmax' END",
    "campaign_id": "CASE WHEN n %% 20 = 0 THEN 'bookly-min' ELSE 'sportmax-launch' END",
    "state": "CASE WHEN n %% 100 = 7 THEN 'RESERVED' WHEN n %% 200 = 3 THEN 'REFUNDING' "
    "WHEN n %% 25 = 5 THEN 'REFUNDED' ELSE 'SENT' END",
    "payment_state": "CASE WHEN n %% 100 = 7 THEN '' WHEN n %% 100 = 1 THEN 'DUE' ELSE 'PAID' END",
    "notification_key": "'order-' || n",
    "user_id": "CASE WHEN n %% 3 = 0 THEN '' ELSE 'user-' || n %% 997 END",
    "custom_transaction_id": "CASE WHEN n %% 2 = 0 THEN 'T-' || n ELSE '' END",
    "reservation_date": STEP,
    "resa_expire_date": f"{STEP} + interval '15 minutes'",
    "confirm_date": f"CASE WHEN n %% 100 <> 7 THEN {STEP} + interval '1 minute' END",
}
TOP_UP = {
    "id": "md5('top-up' || %(partner)s || n)::uuid",
    "reference": "'wire-' || n",
    "created_at": STEP,
}
TOP_UP_ENTRY = {"transaction_id": TOP_UP["id"], "created_at": STEP}


def copies(model, template_pk, rewritten: dict, count: int, params: dict) -> None:
    """`count` copies of the template row, columns `rewritten`; the template is deleted."""
    name = connection.ops.quote_name
    table = name(model._meta.db_table)
    columns = [f.column for f in model._meta.concrete_fields if not f.auto_created]
    values = [rewritten.get(column, f"t.{name(column)}") for column in columns]
    sql = (
        f"INSERT INTO {table} ({', '.join(map(name, columns))}) "  # noqa: S608 - model's names
        f"SELECT {', '.join(values)} FROM {table} t, generate_series(1, {int(count)}) n "
        f"WHERE t.{name(model._meta.pk.column)} = %(template)s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "template": template_pk})


def grow(partner, template: Voucher, count: int) -> None:
    """`count` vouchers of the partner over two years, copies of `template` (deleted), and as
    many top-ups of its wallet; the daily roll-up rebuilt; the tables analysed."""
    params = {"partner": partner.pk, "start": START, "step": timedelta(days=730) / count}
    copies(Voucher, template.pk, VOUCHER, count, params)
    Voucher.objects.filter(pk=template.pk).delete()
    top_up = ledger.credit_wallet(partner, "10.00", reference="template", created_by="test")
    copies(Transaction, top_up.pk, TOP_UP, count, params)
    for entry in Entry.objects.filter(transaction=top_up):
        copies(Entry, entry.pk, TOP_UP_ENTRY, count, params)
    Entry.objects.filter(transaction=top_up).delete()
    top_up.delete()
    rebuild()  # the dashboard's daily roll-up
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
