"""The operator admin's lists of growing tables (`backoffice.lists`): every page opens, the
search finds a row by its exact key however the operator types its case, the list never asks
the database for a `DISTINCT` over its rows nor an unbounded count, sorts only by what an index
reads in order, and past its bound says so and refuses to act on rows it never counted."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jackpot.api.models import IdempotencyRecord
from jackpot.backoffice import lists
from jackpot.ledger.models import Entry, Transaction
from jackpot.tokens.models import Session, TokenBurn
from jackpot.vouchers.models import (
    Code,
    DeliveryJob,
    State,
    Voucher,
    VoucherEvent,
)
from jackpot.webhooks.models import Attempt, Delivery, OutboxEvent
from support.admin import changelist

pytestmark = pytest.mark.django_db

BIG = [Voucher, VoucherEvent, DeliveryJob, Code, Delivery, OutboxEvent, Transaction, Session]
BIG += [TokenBurn]
# Growing tables shown only inside another row's page (or not at all).
UNLISTED = [Attempt, Entry, IdempotencyRecord]


def url(model, **params) -> str:
    opts = model._meta
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def found(model, user, term) -> set:
    return {row.pk for row in changelist(model, user, q=term).result_list}


def test_every_growing_table_is_listed_as_a_big_list():
    for model in BIG:
        assert isinstance(admin.site._registry[model], lists.BigList), model
    for model in UNLISTED:
        assert model not in admin.site._registry, model


def test_big_lists_open_searched_filtered_and_by_date(ops_client, grown):
    for model in BIG:
        model_admin = admin.site._registry[model]
        assert ops_client.get(url(model)).status_code == 200, model
        assert ops_client.get(url(model, q="nothing-like-this")).status_code == 200, model
        field = model_admin.date_hierarchy
        if field:
            moment = getattr(model.objects.order_by("-pk").first(), field)
            day = {f"{field}__{p}": getattr(moment, p) for p in ("year", "month", "day")}
            response = ops_client.get(url(model, **day))
            assert response.status_code == 200, model
            assert len(response.context["cl"].result_list) >= 1, model


def test_no_distinct_and_no_unbounded_count(ops_client, grown):
    """Django's date hierarchy and its filters over columns without choices read every row."""
    for model in BIG:
        field = admin.site._registry[model].date_hierarchy
        pages = [url(model), url(model, q="ABCDEFGHIJ")]
        if field:
            year = getattr(model.objects.first(), field).year
            pages += [url(model, **{f"{field}__year": year})]
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                assert ops_client.get(page).status_code == 200
            for query in queries.captured_queries:
                sql = query["sql"].upper()
                assert "DISTINCT" not in sql, (page, sql)
                assert "COUNT(" not in sql or "LIMIT" in sql, (page, sql)


def test_vouchers_are_found_by_exact_keys(operator, grown):
    reserved, confirmed = grown
    assert found(Voucher, operator, confirmed.coupon_id.lower()) == {confirmed.pk}
    assert found(Voucher, operator, str(confirmed.pk).upper()) == {confirmed.pk}
    assert found(Voucher, operator, confirmed.notification_key) == {confirmed.pk}
    assert found(Voucher, operator, confirmed.notification_key[:-1]) == set()
    assert found(Voucher, operator, confirmed.notification_key.upper()) == set()
    assert found(Voucher, operator, "user-42") == {reserved.pk, confirmed.pk}
    both = f'{reserved.coupon_id} "{confirmed.coupon_id}"'
    assert found(Voucher, operator, both) == {reserved.pk, confirmed.pk}
    assert found(Voucher, operator, confirmed.coupon_id[:5]) == set()


def test_journal_jobs_and_codes_are_found_by_their_voucher(operator, grown):
    reserved, confirmed = grown
    coupon = confirmed.coupon_id.lower()
    assert found(VoucherEvent, operator, coupon) == set(
        confirmed.events.values_list("pk", flat=True)
    )
    jobs = set(DeliveryJob.objects.filter(voucher=confirmed).values_list("pk", flat=True))
    assert jobs and found(DeliveryJob, operator, coupon) == jobs
    assert found(DeliveryJob, operator, "req-confirmed") == jobs
    code = Code.objects.get(voucher=confirmed)
    assert found(Code, operator, coupon) == {code.pk}
    assert found(Code, operator, code.code) == {code.pk}
    assert found(Code, operator, reserved.coupon_id) == set()


def test_notifications_are_found_by_id_key_and_request(operator, grown):
    _, confirmed = grown
    events = OutboxEvent.objects.filter(notification_key=confirmed.notification_key)
    deliveries = Delivery.objects.filter(event__in=events)
    event, delivery = events.first(), deliveries.first()
    every_event, every_delivery = (
        set(events.values_list("pk", flat=True)),
        set(deliveries.values_list("pk", flat=True)),
    )
    assert found(OutboxEvent, operator, str(event.pk)) == {event.pk}
    assert found(OutboxEvent, operator, confirmed.notification_key) == every_event
    assert found(OutboxEvent, operator, "req-confirmed") == every_event
    assert found(Delivery, operator, str(delivery.pk)) == {delivery.pk}
    assert found(Delivery, operator, str(event.pk)) == set(
        event.deliveries.values_list("pk", flat=True)
    )
    assert found(Delivery, operator, confirmed.notification_key) == every_delivery
    assert found(Delivery, operator, "req-confirmed") == every_delivery


def test_money_sessions_and_burns_are_found_by_their_keys(operator, grown):
    _, confirmed = grown
    top_up = Transaction.objects.get(idempotency_key="top-up-0001")
    for term in (str(top_up.pk), "top-up", "top-up-0001"):
        assert found(Transaction, operator, term) == {top_up.pk}, term
    assert found(Transaction, operator, "TOP-UP") == set()
    session = confirmed.session
    assert found(Session, operator, str(session.pk)) == {session.pk}
    assert found(Session, operator, session.notification_key) == {session.pk}
    burn = TokenBurn.objects.first()
    assert found(TokenBurn, operator, burn.digest.upper()) == {burn.pk}


def test_sorted_only_by_an_indexed_column(operator, grown):
    columns = changelist(Voucher, operator).list_display  # the actions' checkbox first
    price, reserved_at = columns.index("price_money"), columns.index("reservation_date")
    newest_first = ("-reservation_date", "-pk")
    assert changelist(Voucher, operator).queryset.query.order_by == newest_first
    assert changelist(Voucher, operator, o=str(price)).queryset.query.order_by == newest_first
    assert changelist(Voucher, operator, o=str(reserved_at)).queryset.query.order_by == (
        "reservation_date",
        "pk",
    )
    page = changelist(Voucher, operator, o=f"-{reserved_at}")
    assert page.queryset.query.order_by == ("-reservation_date", "-pk")
    assert [v.pk for v in page.result_list] == [
        v.pk for v in Voucher.objects.order_by("-reservation_date", "-pk")
    ]


def test_dates_come_from_the_calendar(ops_client, grown):
    """A year without any voucher is offered all the same: no query lists the years held."""
    reserved, confirmed = grown
    older = confirmed.reservation_date.replace(year=confirmed.reservation_date.year - 2)
    Voucher.objects.filter(pk=reserved.pk).update(reservation_date=older)
    response = ops_client.get(url(Voucher))
    body = response.content.decode()
    for year in range(older.year, confirmed.reservation_date.year + 1):
        assert f"reservation_date__year={year}" in body
    response = ops_client.get(url(Voucher, reservation_date__year=older.year))
    assert [v.pk for v in response.context["cl"].result_list] == [reserved.pk]
    months = response.content.decode().count("reservation_date__month=")
    assert months == 13 - older.month  # from its first month to December


def test_filters_offer_the_known_values(ops_client, grown):
    response = ops_client.get(url(Delivery))
    body = response.content.decode()
    for event in ("coupon/refund_rejected", "store/disabled"):
        assert f"event__event={event.replace('/', '%2F')}" in body
    confirmed = ops_client.get(url(OutboxEvent, event="coupon/confirmed")).context["cl"]
    assert {e.event for e in confirmed.result_list} == {"coupon/confirmed"}
    journal = ops_client.get(url(VoucherEvent, to_state=State.CONFIRMED)).context["cl"]
    assert {e.to_state for e in journal.result_list} == {State.CONFIRMED}


def test_past_the_bound_the_list_says_so_and_acts_on_the_page_only(ops_client, grown, monkeypatch):
    reserved, confirmed = grown
    Voucher.objects.filter(pk=reserved.pk).update(state=State.REFUNDING)
    monkeypatch.setattr(lists.BoundedPaginator, "bound", 1)
    monkeypatch.setattr(admin.site._registry[Voucher], "list_per_page", 1)
    response = ops_client.get(url(Voucher))
    cl = response.context["cl"]
    assert cl.paginator.capped and cl.paginator.num_pages == 1 and len(cl.result_list) == 1
    body = response.content.decode()
    assert "The first 1 vouchers" in body and 'class="question' not in body
    assert "Show all" not in body
    assert len(ops_client.get(url(Voucher, all="")).context["cl"].result_list) == 1
    assert ops_client.get(url(Voucher, p=2))["Location"].endswith("?e=1")  # past the bound
    response = ops_client.post(
        url(Voucher),
        {
            "action": "accept_refund",
            "select_across": "1",
            "index": "0",
            "_selected_action": [reserved.pk],
            "_confirm": "1",
        },
        follow=True,
    )
    assert "More than 1 rows match" in response.content.decode()
    assert Voucher.objects.get(pk=reserved.pk).state == State.REFUNDING
    monkeypatch.setattr(lists.BoundedPaginator, "bound", 10)
    response = ops_client.get(url(Voucher))
    assert not response.context["cl"].paginator.capped
    assert "2 vouchers" in response.content.decode()
