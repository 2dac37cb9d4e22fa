# ruff: noqa: S608  (SQL made of this schema's own table and column names and ids it wrote)
"""Build a database of any size for `data_growth.py`: real rows, copied by SQL.

    .venv/bin/python bench/growth_data.py postgres://postgres@127.0.0.1:5432/jackpot_growth \
        --vouchers 1000000 [--partners 20] [--whale-share 60] [--days 730]

Writing millions of vouchers through the API would take days, and rows written by hand would
drift from what the code writes. So the application makes one voucher of each kind the normal
way (token exchange, reservation, confirmation, the worker's READY job and webhook deliveries
against a local receiver), and SQL copies every row those vouchers left, in every table, once
per planned voucher (`generate_series`): new ids, the voucher's partner, store, user, dates,
everything else as the application wrote it. A column added tomorrow is copied too.

The plan spreads vouchers over two years (`--days`), one "whale" partner holding `--whale-share`
per cent of them and paying from its wallet (a ledger transaction per voucher, monthly top-ups),
the others billed by monthly statements. Work tables (sessions, token burns, outbox events,
deliveries, attempts, READY jobs) are filled only for the last `--recent-days`: what the worker's
pruning keeps (README, "Data kept and for how long"); vouchers, their journal, codes and money
are kept for ever. Voucher PDFs are not stored (drawn on request since `vouchers` 0013): there is
no PDF table to fill.
"""

import argparse
import http.server
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scratch  # noqa: E402

WHALE = "whale"
SIGNATURE = scratch.SIGNATURE
API_KEY = scratch.API_KEY
PASSWORD = "growth-bench-password"  # the whale's portal user and the operator
STEP = 16  # bigint ids: (g + 100) * STEP + rank of the template row (at most STEP rows a voucher)

# Tables filled per voucher, in foreign-key order, and whether only recent vouchers keep them.
PER_VOUCHER = [
    ("tokens_session", True),
    ("tokens_tokenburn", True),
    ("vouchers_voucher", False),
    ("vouchers_voucherevent", False),
    ("vouchers_code", False),
    ("ledger_transaction", False),
    ("ledger_entry", False),
    ("vouchers_deliveryjob", True),
    ("webhooks_outboxevent", True),
    ("webhooks_delivery", True),
    ("webhooks_attempt", True),
]


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def templates(receiver_url: str) -> dict[str, str]:
    """One voucher made by the application for the whale (wallet) and one for a billed partner;
    their ids by kind."""
    from decimal import Decimal

    import jwt
    from django.contrib.auth.models import User
    from django.test import Client

    from jackpot.catalog import importer
    from jackpot.catalog.models import Campaign
    from jackpot.ledger import services as ledger
    from jackpot.partners import credentials
    from jackpot.partners.models import PartnerUser
    from jackpot.vouchers import catalogue_import, delivery
    from jackpot.webhooks import delivery as webhook_delivery

    catalogue_import.import_catalog(importer.load_file(importer.DEMO_CATALOG))
    Campaign.objects.update(budget=None, max_vouchers=None)
    whale, _ = credentials.create_partner(
        "Whale", partner_id=WHALE, domains=["whale.example"], confirmation_mode="manual",
        api_signature=SIGNATURE, api_key=API_KEY, notification_url=receiver_url,
    )  # fmt: skip
    ledger.credit_wallet(whale, Decimal("1000"), reference="growth:opening", created_by="bench")
    billed, _ = credentials.create_partner(
        "Billed 01", partner_id="billed-01", domains=["billed-01.example"],
        confirmation_mode="manual", api_signature=SIGNATURE + "-b", api_key=API_KEY + "-b",
        notification_url=receiver_url,
    )  # fmt: skip
    user = User.objects.create_user("whale-staff", password=PASSWORD)
    PartnerUser.objects.create(user=user, partner=whale)
    User.objects.create_superuser("operator", "operator@example.com", PASSWORD)

    made = {}
    for kind, partner_id, signature, key in (
        ("wallet", WHALE, SIGNATURE, API_KEY),
        ("billed", "billed-01", SIGNATURE + "-b", API_KEY + "-b"),
    ):
        client = Client()
        claims = {"amount": 100, "cp": "75000", "age": 40, "gender": "M", "iat": int(time.time()),
                  "userId": "template-user", "notificationKey": f"template-{kind}"}  # fmt: skip
        exchanged = client.post(
            "/v2/token",
            {"client_id": partner_id, "assertion": jwt.encode(claims, signature, "HS256")},
            content_type="application/json",
        )
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {exchanged.json()['access_token']}"}
        store = client.get("/v2/stores", **bearer).json()["items"][0]
        offer = store["bestOffer"]
        voucher = client.post(
            f"/v2/stores/{store['id']}/offers/{offer['offerId']}/reserve-voucher-by-price",
            {"price": offer["price"]},
            content_type="application/json",
            **bearer,
        ).json()
        confirmed = client.put(f"/v2/voucher/{voucher['id']}/confirm", HTTP_APIKEY=key)
        assert confirmed.status_code == 200, confirmed.content
        made[kind] = voucher["id"]
    for _ in range(5):  # READY, then the webhooks of every step
        delivery.process_due_jobs()
        webhook_delivery.deliver_due()
    return made


def build(url: str, vouchers: int, partners: int, whale_share: int, days: int, recent: int):
    scratch.recreate(url)
    os.environ["JACKPOT_DEMO"] = "1"  # the templates' webhooks go to a receiver on loopback
    scratch.django_here(url)
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    made = templates(f"http://127.0.0.1:{receiver.server_port}/hooks")
    receiver.shutdown()

    from django.db import connection

    from jackpot.partners import credentials

    for n in range(2, partners):
        credentials.create_partner(
            f"Billed {n:02}", partner_id=f"billed-{n:02}", domains=[f"billed-{n:02}.example"],
            confirmation_mode="manual", api_key=f"{API_KEY}-{n}",
        )  # fmt: skip
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK triggers while copying
        plan(cur, vouchers, partners, whale_share, days, recent)
        statements(cur)
        for table, recent_only in PER_VOUCHER:
            started = time.perf_counter()
            for kind, template in made.items():
                copy(cur, table, kind, template, recent_only)
            if table == "vouchers_voucher":
                top_ups(cur)  # before the payments: the running balances never go below zero
            print(f"  {table}: {time.perf_counter() - started:.1f} s", flush=True)
        derived(cur)
        cur.execute("SET session_replication_role = origin")
        cur.execute("DROP TABLE growth_plan")
    from jackpot.vouchers import rollup

    started = time.perf_counter()
    rollup.rebuild()  # the dashboard's daily roll-up, from the copied vouchers
    print(f"  vouchers_dailytotal: {time.perf_counter() - started:.1f} s", flush=True)
    connection.close()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def plan(cur, vouchers: int, partners: int, whale_share: int, days: int, recent: int) -> None:
    """One row per voucher to make: its number, ids, partner, store, moment."""
    cur.execute(
        "SELECT array_agg(id ORDER BY id), array_agg(store_id ORDER BY id) FROM catalog_campaign"
    )
    campaigns, stores = cur.fetchone()
    billed = [f"billed-{n:02}" for n in range(1, partners)]
    cur.execute(
        """
        CREATE UNLOGGED TABLE growth_plan AS
        SELECT g,
               md5('v' || g)::uuid AS vid,
               md5('s' || g)::uuid AS sid,
               g %% 100 < %(share)s AS wallet,
               CASE WHEN g %% 100 < %(share)s THEN %(whale)s
                    ELSE (%(billed)s::text[])[1 + g %% %(nbilled)s] END AS partner_id,
               (%(campaigns)s::text[])[1 + g %% %(ncampaigns)s] AS campaign_id,
               (%(stores)s::text[])[1 + g %% %(ncampaigns)s] AS store_id,
               'user-' || (g %% greatest(%(n)s / 4, 1)) AS user_id,
               now() - make_interval(secs => (%(n)s - g)::float8 * %(days)s * 86400 / %(n)s)
                   - interval '1 hour' AS ts
        FROM generate_series(1, %(n)s) AS g
        """,
        {"share": whale_share, "whale": WHALE, "billed": billed, "nbilled": len(billed),
         "campaigns": campaigns, "stores": stores, "ncampaigns": len(campaigns),
         "n": vouchers, "days": days},
    )  # fmt: skip
    cur.execute(
        "ALTER TABLE growth_plan ADD COLUMN recent boolean, ADD COLUMN month integer, "
        "ADD COLUMN statement_id bigint"
    )
    cur.execute(
        "UPDATE growth_plan SET recent = ts > now() - make_interval(days => %s), "
        "month = floor(extract(epoch FROM now() - ts) / (30 * 86400))",
        [recent],
    )
    cur.execute("CREATE INDEX ON growth_plan (wallet, recent)")
    cur.execute("ANALYZE growth_plan")


def statements(cur) -> None:
    """A paid statement per billed partner and past month; their vouchers are PAID by it."""
    cur.execute(
        """
        INSERT INTO vouchers_statement (id, partner_id, period_start, period_end, currency, total,
                                        issued_at, issued_by, paid_at, payment_reference,
                                        transaction_id)
        SELECT 1000000 + row_number() OVER (), partner_id, min(ts), max(ts), 'EUR', 0,
               max(ts) + interval '1 day', 'bench', max(ts) + interval '20 days', 'transfer', ''
        FROM growth_plan WHERE NOT wallet AND month >= 1 GROUP BY partner_id, month
        """
    )
    cur.execute(
        """
        UPDATE growth_plan p SET statement_id = s.id FROM vouchers_statement s
        WHERE NOT p.wallet AND p.month >= 1 AND s.partner_id = p.partner_id
          AND p.ts BETWEEN s.period_start AND s.period_end
        """
    )


def columns(cur, table: str) -> list[tuple[str, str, bool, int | None]]:
    """(name, type, is an identity, maximum length) of each column of `table`."""
    cur.execute(
        "SELECT column_name, data_type, is_identity = 'YES' OR column_default LIKE 'nextval%%', "
        "character_maximum_length "
        "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return cur.fetchall()


def unique_text_columns(cur, table: str) -> set[str]:
    """Text columns some unique index covers: each copy gets its own value."""
    cur.execute(
        """
        SELECT a.attname FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = %s::regclass AND i.indisunique AND NOT i.indisprimary
          AND a.atttypid IN ('text'::regtype, 'varchar'::regtype)
        """,
        [table],
    )
    return {row[0] for row in cur.fetchall()}


def template_rows(table: str, kind_template: str) -> str:
    """The rows of `table` the template voucher left (a WHERE clause over alias t0)."""
    voucher = f"'{kind_template}'::uuid"
    return {
        "tokens_session": f"t0.id = (SELECT session_id FROM vouchers_voucher WHERE id = {voucher})",
        "tokens_tokenburn": "t0.partner_id = (SELECT partner_id FROM vouchers_voucher "
        f"WHERE id = {voucher})",
        "vouchers_voucher": f"t0.id = {voucher}",
        "ledger_transaction": f"t0.reference = 'voucher:' || {voucher}::text",
        "ledger_entry": "t0.transaction_id IN (SELECT id FROM ledger_transaction "
        f"WHERE reference = 'voucher:' || {voucher}::text)",
        "webhooks_outboxevent": "t0.notification_key = (SELECT notification_key "
        f"FROM vouchers_voucher WHERE id = {voucher})",
        "webhooks_delivery": "t0.event_id IN (SELECT id FROM webhooks_outboxevent "
        f"WHERE notification_key = (SELECT notification_key FROM vouchers_voucher "
        f"WHERE id = {voucher}))",
        "webhooks_attempt": "t0.delivery_id IN (SELECT d.id FROM webhooks_delivery d "
        "JOIN webhooks_outboxevent e ON e.id = d.event_id WHERE e.notification_key = "
        f"(SELECT notification_key FROM vouchers_voucher WHERE id = {voucher}))",
    }.get(table, f"t0.voucher_id = {voucher}")


# How a copy's columns differ from its template's: SQL over p (the plan) and t0 (the template
# row); `new(col)` is the copy of an id the same copy made in another table.
def new_uuid(column: str) -> str:
    return f"md5(p.vid::text || t0.{column}::text)::uuid"


def new_bigint(column: str, base: int) -> str:
    return f"(p.g + 100) * {STEP} + (t0.{column} - {base})"


def shift(column: str) -> str:
    """A moment moved with its voucher: the template's offset from its own reservation kept."""
    return f"p.ts + (t0.{column} - tv.reservation_date)"


# Columns that follow the planned voucher rather than the template, in every table holding them.
FOLLOW_PLAN = {
    "voucher_id": "p.vid",
    "partner_id": "p.partner_id",
    "store_id": "p.store_id",
    "notification_key": "'nk-' || p.g",
}
# And those only some tables take from the plan.
FOLLOW_PLAN_IN = {
    "vouchers_voucher": {
        "id": "p.vid",
        "campaign_id": "p.campaign_id",
        "user_id": "p.user_id",
        "statement_id": "p.statement_id",
        "session_id": "CASE WHEN p.recent THEN p.sid END",  # closed sessions are pruned
        "payment_state": "CASE WHEN p.wallet OR p.statement_id IS NOT NULL THEN 'PAID' "
        "ELSE 'DUE' END",
        "wallet_operation_id": "CASE WHEN t0.wallet_operation_id <> '' THEN "
        "md5(p.vid::text || t0.wallet_operation_id)::uuid::text ELSE '' END",
    },
    "tokens_session": {"id": "p.sid", "user_id": "p.user_id"},
    "ledger_transaction": {"reference": "'voucher:' || p.vid::text"},
    "ledger_entry": {"transaction_id": new_uuid("transaction_id")},
    "webhooks_delivery": {"event_id": new_uuid("event_id")},
}


def copy(cur, table: str, kind: str, template: str, recent_only: bool) -> None:
    """Every row `table` holds for the template voucher, once per planned voucher of its kind."""
    where = template_rows(table, template)
    cols = columns(cur, table)
    base = 0
    if any(name == "id" and identity for name, _, identity, _ in cols):
        cur.execute(f"SELECT count(*), min(t0.id) - 1 FROM {table} t0 WHERE {where}")
        count, base = cur.fetchone()
        if not count:
            return  # the template left no row here (no ledger for a billed voucher)
        assert count <= STEP, f"{table}: {count} rows for one voucher, more than {STEP}"
    uniques = unique_text_columns(cur, table)
    special = FOLLOW_PLAN_IN.get(table, {})
    names, values = [], []
    for name, data_type, identity, length in cols:
        if name in special:
            value = special[name]
        elif name in FOLLOW_PLAN:
            value = FOLLOW_PLAN[name]
        elif name == "id" and identity:
            value = new_bigint("id", base)
        elif name == "id" and data_type == "uuid":
            value = new_uuid("id")
        elif name == "delivery_id":
            value = new_bigint("delivery_id", delivery_base(cur, template))
        elif data_type.startswith("timestamp"):
            value = shift(name)
        elif data_type == "date":
            value = f"(p.ts + (t0.{name} - tv.reservation_date::date) * interval '1 day')::date"
        elif name in uniques:
            keep = max((length or 200) - 8, 0)  # the copy's number in 8 hex digits at the end
            value = f"left(t0.{name}, {keep}) || lpad(upper(to_hex(p.g)), 8, '0')"
        else:
            value = f"t0.{name}"
        names.append(name)
        values.append(value)
    filters = ["p.wallet" if kind == "wallet" else "NOT p.wallet"]
    if recent_only:
        filters.append("p.recent")
    cur.execute(
        f"""
        INSERT INTO {table} ({", ".join(names)})
        SELECT {", ".join(values)}
        FROM growth_plan p, {table} t0, vouchers_voucher tv
        WHERE tv.id = '{template}'::uuid AND {where} AND {" AND ".join(filters)}
        """
    )


def delivery_base(cur, template: str) -> int:
    """What `new_bigint` subtracted from the template's delivery ids."""
    cur.execute(
        f"SELECT min(t0.id) - 1 FROM webhooks_delivery t0 "
        f"WHERE {template_rows('webhooks_delivery', template)}"
    )
    return cur.fetchone()[0] or 0


def top_ups(cur) -> None:
    """The whale tops its wallet up each month with what the month's vouchers cost (plus a
    margin), and the billed partners' statements get their totals and voucher counts."""
    cur.execute(
        """
        UPDATE vouchers_statement s SET total = t.total, voucher_count = t.n
        FROM (SELECT statement_id, sum(price) AS total, count(*) AS n FROM vouchers_voucher
              WHERE statement_id IS NOT NULL GROUP BY statement_id) t
        WHERE s.id = t.statement_id
        """
    )
    cur.execute(
        """
        CREATE TEMP TABLE growth_topups AS
        SELECT md5('topup' || month)::uuid AS id, min(ts) - interval '1 minute' AS at,
               sum(v.price) + 1000 AS amount
        FROM growth_plan p JOIN vouchers_voucher v ON v.id = p.vid
        WHERE p.wallet GROUP BY month
        """
    )
    cur.execute(
        "INSERT INTO ledger_transaction (id, kind, reference, description, idempotency_key, "
        "created_by, created_at, reverses_id) SELECT id, 'top_up', 'growth:' || id, "
        "'monthly top-up', NULL, 'bench', at, NULL FROM growth_topups"
    )
    cur.execute(
        "INSERT INTO ledger_entry (transaction_id, account_id, amount, created_at) "
        "SELECT t.id, a.id, CASE WHEN a.kind = 'bank' THEN -t.amount ELSE t.amount END, t.at "
        "FROM growth_topups t, ledger_account a "
        f"WHERE a.partner_id = '{WHALE}' OR a.kind = 'bank'"
    )


def derived(cur) -> None:
    """What the application keeps beside the rows: running balances (computed by the same SQL
    as the migration that introduced them), and id sequences past the copies' explicit ids."""
    import importlib

    balances = importlib.import_module("jackpot.ledger.migrations.0002_ledger_running_balances")
    cur.execute("DELETE FROM ledger_balance")
    cur.execute(balances.RUNNING_WALLET_BALANCES)
    cur.execute(balances.SUM_ENTRIES_INTO_BALANCES)
    for table, _ in PER_VOUCHER:
        if any(name == "id" and identity for name, _, identity, _ in columns(cur, table)):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--vouchers", type=int, default=5000)
    parser.add_argument("--partners", type=int, default=20)
    parser.add_argument("--whale-share", type=int, default=60, help="per cent of the vouchers")
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--recent-days", type=int, default=30)
    args = parser.parse_args()
    started = time.perf_counter()
    build(args.url, args.vouchers, args.partners, args.whale_share, args.days, args.recent_days)
    print(f"built {args.vouchers} vouchers in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
