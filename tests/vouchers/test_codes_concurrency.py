"""Pool codes under real concurrency (PostgreSQL: row locks, SKIP LOCKED, one connection each).

A pool of N codes and 3×N simultaneous confirmations: N vouchers get a code, no code is given
twice, the others stay CONFIRMED awaiting codes, and get codes when the pool is refilled, also
with several workers draining the jobs at once.
"""

import time

import httpx
import pytest

from jackpot.catalog.models import Store
from jackpot.vouchers import catalogue_import
from jackpot.vouchers.codes import importing, pool
from jackpot.vouchers.delivery import process_due_jobs
from jackpot.vouchers.models import Code, CodeState, DeliveryJob, Voucher
from support.catalogue import pool_store
from support.concurrency import simultaneously
from support.reservations import reserve_over_http
from support.tokens import partner_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

N = 5
HALLES = "/v2/stores/halles/offers/halles-saison/reserve-voucher-by-value"
POOL_STORE = pool_store(
    [{"code": f"RACE-{i:03d}", "pin": str(i), "value": 20} for i in range(N)],
    values=[20],
    rate="0.05",
)


def reserved_vouchers(base: str, partners) -> list[dict]:
    """One RESERVED 20 € voucher per partner (each partner confirms its own: the wallets' row
    locks do not serialise the confirmations, only the codes are contended)."""
    vouchers = []
    for i, partner in enumerate(partners):
        token = partner_token(partner.issued.apiSignature, amount=50, notificationKey=f"race-{i}")
        voucher = reserve_over_http(base, token, 20, HALLES, client_id=partner.pk)
        assert voucher["state"] == "RESERVED", voucher
        vouchers.append(voucher)
    return vouchers


def assert_no_code_twice():
    issued = list(Code.objects.exclude(state=CodeState.AVAILABLE).values_list("pk", "voucher_id"))
    assert len({pk for pk, _ in issued}) == len(issued)
    per_voucher = {}
    for pk, voucher_id in issued:
        per_voucher.setdefault(voucher_id, []).append(pk)
    assert all(len(pks) == 1 for pks in per_voucher.values())  # 20 € = one 20 € code
    return per_voucher


def test_n_codes_and_3n_simultaneous_confirmations_give_n_vouchers_their_codes(
    live_server, make_partner, monkeypatch
):
    # Hold each confirmation's transaction open a moment after it took its codes, so that all
    # of them overlap: the later ones meet rows locked by the earlier ones and skip them.
    refresh_stock = pool.refresh_stock

    def slow_refresh(store, taken=0):
        time.sleep(0.3)
        return refresh_stock(store, taken)

    monkeypatch.setattr(pool, "refresh_stock", slow_refresh)
    catalogue_import.import_catalog({"stores": [POOL_STORE]})
    partners = [
        make_partner(f"race{i}", confirmation_mode="manual", domains=[f"race{i}.example"])
        for i in range(3 * N)
    ]
    vouchers = reserved_vouchers(live_server.url, partners)

    def confirm(i):
        return httpx.put(
            f"{live_server.url}/v2/voucher/{vouchers[i]['id']}/confirm",
            headers={"apikey": partners[i].issued.apiKey},
            timeout=30,
        )

    responses = simultaneously(3 * N, confirm)
    assert [r.status_code for r in responses] == [200] * (3 * N)
    assert {r.json()["state"] for r in responses} == {"CONFIRMED"}

    with_codes = assert_no_code_twice()
    assert len(with_codes) == N
    assert Code.objects.filter(state=CodeState.AVAILABLE).count() == 0
    assert Voucher.objects.filter(state="CONFIRMED").count() == 3 * N
    assert DeliveryJob.objects.filter(kind="pdf").count() == 3 * N
    assert Store.objects.get(pk="halles").codes_exhausted
    monkeypatch.setattr(pool, "refresh_stock", refresh_stock)

    assert process_due_jobs() == N
    assert set(Voucher.objects.filter(state="READY").values_list("pk", flat=True)) == set(
        with_codes
    )
    awaiting = Voucher.objects.filter(state="CONFIRMED")
    assert awaiting.count() == 2 * N and not Code.objects.filter(voucher__in=awaiting).exists()
    assert set(
        DeliveryJob.objects.filter(voucher__in=awaiting).values_list("status", "last_error")
    ) == {("pending", "awaiting codes")}

    # The pool is refilled; four workers drain the jobs at once: each voucher once, each code once.
    store = Store.objects.get(pk="halles")
    importing.add_pool_codes(
        store, [importing.pool_code(f"MORE-{i:03d}", "", "20", None) for i in range(2 * N)]
    )
    assert not Store.objects.get(pk="halles").codes_exhausted
    done = simultaneously(4, lambda _: process_due_jobs(limit=3))
    while Voucher.objects.filter(state="CONFIRMED").exists():
        done.append(process_due_jobs())
    assert sum(done) == 2 * N
    assert Voucher.objects.filter(state="READY").count() == 3 * N
    assert len(assert_no_code_twice()) == 3 * N
    for voucher in Voucher.objects.all():
        assert voucher.events.filter(to_state="READY").count() == 1
