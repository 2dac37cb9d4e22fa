"""What PostgreSQL does with the operator admin's big lists (`backoffice.lists`): each list's
first page reads its rows in order from an index, and each search finds its key through an
index, so both cost the same at ten million rows as at ten (support/explain.py says how a few
rows prove it). The change list is the admin's own, built as its view builds it; every query it
sends to the listed table is explained."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jackpot.backoffice import lists
from jackpot.ledger.models import Transaction
from jackpot.tokens.models import Session, TokenBurn
from jackpot.vouchers.models import Code, DeliveryJob, Voucher, VoucherEvent
from jackpot.webhooks.models import Delivery, OutboxEvent
from support import filler
from support.admin import changelist
from support.explain import assert_uses_index, plan

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# The index each list's default order is read from.
FIRST_PAGE = {
    Voucher: "voucher_reservation",
    VoucherEvent: "vouchers_voucherevent_pkey",
    DeliveryJob: "vouchers_deliveryjob_pkey",
    Code: "vouchers_code_pkey",
    Delivery: "webhooks_delivery_pkey",
    OutboxEvent: "webhooks_outboxevent_created_at",
    Transaction: "ledger_transaction_created_at",
    Session: "session_created",
    TokenBurn: "tokens_tokenburn_burned_at",
}

FULL_SORT = re.compile(r"(?<!Incremental )Sort  \(")
INDEX_SCAN = re.compile(
    r"(?:Index Scan|Index Only Scan)(?: Backward)? using (?P<index>\S+) on (?P<table>\S+)"
    r"|Bitmap Index Scan on (?P<bitmap>\S+)"
)


def searches(grown) -> list:
    """(list, what the operator types, the index that finds it)."""
    reserved, confirmed = grown
    event = OutboxEvent.objects.filter(notification_key=confirmed.notification_key).first()
    code = Code.objects.get(voucher=confirmed)
    top_up = Transaction.objects.get(idempotency_key="top-up-0001")
    burn = TokenBurn.objects.first()
    coupon = confirmed.coupon_id.lower()
    return [
        (Voucher, coupon, "vouchers_voucher_coupon_id"),
        (Voucher, str(confirmed.pk), "vouchers_voucher_pkey"),
        (Voucher, confirmed.notification_key, "voucher_notification_key_once"),
        (Voucher, "user-42", "voucher_partner_user"),
        (VoucherEvent, coupon, "vouchers_voucher_coupon_id"),
        (DeliveryJob, coupon, "vouchers_voucher_coupon_id"),
        (DeliveryJob, "req-confirmed", "delivery_job_request"),
        (Code, code.code, "code_once_per_store"),
        (Code, coupon, "vouchers_voucher_coupon_id"),
        (Delivery, str(event.deliveries.first().pk), "webhooks_delivery_pkey"),
        (Delivery, str(event.pk), "webhooks_delivery_event_id"),
        (Delivery, confirmed.notification_key, "outbox_partner_key"),
        (Delivery, "req-confirmed", "outbox_request"),
        (OutboxEvent, str(event.pk), "webhooks_outboxevent_pkey"),
        (OutboxEvent, confirmed.notification_key, "outbox_partner_key"),
        (OutboxEvent, "req-confirmed", "outbox_request"),
        (Transaction, str(top_up.pk), "ledger_transaction_pkey"),
        (Transaction, "top-up", "ledger_transaction_reference"),
        (Transaction, "top-up-0001", "ledger_transaction_idempotency_key"),
        (Session, str(confirmed.session_id), "tokens_session_pkey"),
        (Session, confirmed.notification_key, "session_partner_key"),
        (TokenBurn, burn.digest.upper(), "token_burned_once"),
    ]


@pytest.fixture(autouse=True)
def _thousands_of_rows(grown):
    filler.fill()


def unanchored_scans(text: str) -> list[str]:
    """The scans of a big table's index not entered by the index's first column: PostgreSQL
    reads such an index whole, even when its plan names a condition on a later column."""
    big = {model._meta.db_table for model in FIRST_PAGE}
    lines = text.splitlines()
    unanchored = []
    for number, line in enumerate(lines):
        scan = INDEX_SCAN.search(line)
        if not scan or (scan["table"] and scan["table"] not in big):
            continue
        details = []
        for detail in lines[number + 1 :]:
            if "->" in detail:
                break
            details.append(detail)
        condition = " ".join(d for d in details if "Index Cond" in d)
        column = re.escape(leading_column(scan["index"] or scan["bitmap"]))
        if not re.search(rf"\(+{column}\)?(::[\w ]+)? (=|<|>|<=|>=|IS) ", condition):
            unanchored.append(line.strip())
    return unanchored


def leading_column(index: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
            " WHERE c.relname = %s",
            [index],
        )
        return cursor.fetchone()[0]


def explained(model, operator, **params) -> tuple[list[str], str]:
    """The plans of the queries a change list sends to `model`'s table, and its page's plan."""
    with CaptureQueriesContext(connection) as queries:
        cl = changelist(model, operator, **params)
        if cl.date_hierarchy:
            lists.calendar_hierarchy(cl)
    table = f'"{model._meta.db_table}"'
    plans = [plan(q["sql"]) for q in queries.captured_queries if table in q["sql"]]
    return plans, plan(cl.result_list)


def test_first_pages_read_their_order_from_an_index(operator, grown):
    for model, index in FIRST_PAGE.items():
        plans, page = explained(model, operator)
        assert_uses_index(changelist(model, operator).result_list, index)
        for text in plans:
            assert "Seq Scan" not in text, f"{model.__name__}:\n{text}"
        # Rows come in the index's order: at most the ties of its first column are sorted.
        assert not FULL_SORT.search(page), f"{model.__name__}:\n{page}"


def test_a_day_of_a_list_is_a_range_of_its_index(operator, grown):
    for model, index in FIRST_PAGE.items():
        field = changelist(model, operator).date_hierarchy
        if not field:
            continue
        moment = getattr(model.objects.first(), field)
        day = {f"{field}__{part}": getattr(moment, part) for part in ("year", "month", "day")}
        plans, page = explained(model, operator, **day)
        assert index in page and not unanchored_scans(page), f"{model.__name__}:\n{page}"
        for text in plans:
            assert "Seq Scan" not in text, f"{model.__name__}:\n{text}"


def test_searches_find_their_key_through_its_index(operator, grown):
    for model, term, index in searches(grown):
        plans, page = explained(model, operator, q=term)
        assert len(changelist(model, operator, q=term).result_list) >= 1, (model, term)
        assert any(index in text for text in plans), f"{model.__name__} {term}:\n" + "\n".join(
            plans
        )
        for text in [*plans, page]:
            assert "Seq Scan" not in text, f"{model.__name__} {term}:\n{text}"
            assert not unanchored_scans(text), f"{model.__name__} {term}:\n{text}"


def test_the_home_page_shortcuts_read_an_index(operator, grown):
    """ "Refunds to decide" and "Failed notifications": few rows among millions, newest first."""
    reserved, _ = grown
    Voucher.objects.filter(pk=reserved.pk).update(state="REFUNDING")
    Delivery.objects.filter(event__notification_key=reserved.notification_key).update(
        status="failed"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    shortcuts = [
        # The refund states' partial index (the portal's refunds page), or each partner's
        # state index: the planner weighs the two on its statistics, both hold few rows here.
        (
            Voucher,
            {"state__exact": "REFUNDING"},
            ("voucher_partner_refunds", "voucher_partner_state"),
        ),
        (Delivery, {"status__exact": "failed"}, ("delivery_failed",)),
    ]
    for model, params, indexes in shortcuts:
        plans, page = explained(model, operator, **params)
        assert len(changelist(model, operator, **params).result_list) >= 1, model
        assert any(index in page for index in indexes), f"{model.__name__}:\n{page}"
        for text in [*plans, page]:
            assert "Seq Scan" not in text, f"{model.__name__}:\n{text}"
