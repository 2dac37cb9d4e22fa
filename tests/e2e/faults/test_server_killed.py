"""A live server killed with SIGKILL under load, then restarted: nothing is half-written.

`jackpot serve` runs as a subprocess on the PostgreSQL test database. Two partners drive flows
from two threads each: one in auto mode (a reservation confirms at once and is paid from its
wallet while the top-up lasts, DUE after), one in manual mode (it confirms with
`PUT /v2/voucher/{id}/confirm`). The whole process group is killed mid-load (no worker gets to
finish a request or roll anything back itself), a new server starts on the same port, and the
load resumes. Every transaction the kill interrupted must have vanished whole.
"""

import time
from decimal import Decimal

import httpx
import pytest
from django.db import connection

from jackpot.ledger import services as ledger
from jackpot.vouchers.models import PaymentState, State, Voucher
from support.consistency import database_problems
from support.faults import Server, postgres_url, server_environment
from support.load import Load, PartnerKeys, tally
from support.waiting import wait_for

# transaction=True: what the test writes is committed, so the server's connections see it.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TOP_UP = Decimal("100.00")  # three vouchers of 30 €: the auto partner's later ones are DUE


def keys(partner, manual: bool) -> PartnerKeys:
    return PartnerKeys(partner.pk, partner.issued.apiSignature, partner.issued.apiKey, manual)


def exchange(base_url: str, partner_id: str, token: str) -> httpx.Response:
    body = {"client_id": partner_id, "assertion": token}
    return httpx.post(f"{base_url}/v2/token", json=body, timeout=20)


@pytest.fixture
def server(transactional_db, tmp_path):
    environment = server_environment(postgres_url(connection.settings_dict), tmp_path)
    server = Server(environment, tmp_path / "server.log")
    yield server
    server.stop()


def test_a_server_killed_under_load_leaves_every_change_whole_or_absent(
    make_partner, catalog, server
):
    auto = make_partner("acme")
    ledger.credit_wallet(auto, TOP_UP, reference="VIR-1", created_by="test")
    manual = make_partner("beta", domains=["beta.example"], confirmation_mode="manual")
    server.start()
    loads = [
        Load(server.base_url, keys(auto, manual=False), threads=2),
        Load(server.base_url, keys(manual, manual=True), threads=2),
    ]
    try:
        for load in loads:
            load.start()
        wait_for(lambda: all(ld.done_since(0) >= 4 for ld in loads), 20, "flows before the kill")
        wait_for(lambda: sum(ld.in_flight for ld in loads) >= 3, 10, "requests in flight", 0.001)
        kill_at = time.monotonic()
        server.kill()
        server.start()  # the same port
        ready_at = time.monotonic()
        wait_for(
            lambda: all(ld.done_since(ready_at) >= 4 for ld in loads), 20, "flows after restart"
        )
    finally:
        for load in loads:
            load.stop()
        server_log = server.log()
    answers = [a for load in loads for a in load.answers]
    summary = f"{tally(answers)}\n{server_log}"

    # A token whose exchange succeeded stays spent across the crash; one whose exchange the
    # kill cut was spent or not, whole: it opens a session now, or is refused as used.
    replayed = [
        exchange(server.base_url, load.partner.id, token)
        for load in loads
        for token in load.exchanged[-3:]
    ]
    retried = [
        exchange(server.base_url, load.partner.id, token)
        for load in loads
        for token in load.unanswered
    ]
    server.stop()
    assert [r.json()["code"] for r in replayed] == ["token-already-used"] * len(replayed)
    for response in retried:
        assert response.status_code == 200 or response.json()["code"] == "token-already-used"

    # The kill cut requests in flight; before it and after the restart everything succeeded.
    dropped = [a for a in answers if a.status is None]
    assert any(a.sent < kill_at for a in dropped), summary
    assert all(kill_at <= a.at and a.sent < ready_at for a in dropped), summary
    assert all(a.success for a in answers if a.status is not None), summary
    assert "Traceback" not in server_log, server_log

    assert database_problems() == []
    vouchers = {str(v.pk): v for v in Voucher.objects.all()}
    answered = [v for load in loads for v in load.vouchers]
    assert set(vouchers) >= set(answered)
    auto_vouchers = [v for v in vouchers.values() if v.partner_id == "acme"]
    manual_vouchers = [v for v in vouchers.values() if v.partner_id == "beta"]
    # Auto mode confirms in the reservation's transaction: never a reserved voucher.
    assert {v.state for v in auto_vouchers} == {State.CONFIRMED}
    assert {v.state for v in manual_vouchers} <= {State.RESERVED, State.CONFIRMED}
    assert any(v.state == State.CONFIRMED for v in manual_vouchers)
    # The wallet paid exactly the PAID vouchers, then left the rest DUE.
    paid = [v for v in auto_vouchers if v.payment_state == PaymentState.PAID]
    assert paid and any(v.payment_state == PaymentState.DUE for v in auto_vouchers)
    spent = sum((v.price for v in paid), Decimal("0.00"))
    assert ledger.wallet_balance(auto) == TOP_UP - spent >= 0
    assert Voucher.objects.filter(partner=manual, payment_state=PaymentState.PAID).count() == 0
    assert ledger.wallet_balance(manual) == 0
