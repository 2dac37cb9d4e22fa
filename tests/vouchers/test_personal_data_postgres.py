"""Personal data on PostgreSQL: concurrent erasures of one user erase each record once (their
counts add up to what was held), an erasure racing a confirmation leaves both done, and the
worker's and the access report's queries read through their indexes."""

import httpx
import pytest
from django.utils import timezone

from jackpot.core.pruning import batch
from jackpot.tokens.models import Session
from jackpot.vouchers import personal_data
from jackpot.vouchers.models import PersonalDataErasure, State, Voucher
from support.concurrency import simultaneously
from support.explain import assert_uses_index
from support.reservations import reserve

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def erase_over_http(base_url: str, apikey: str) -> httpx.Response:
    return httpx.post(f"{base_url}/v2/users/user-42/erase", headers={"apikey": apikey}, timeout=30)


def test_concurrent_erasures_erase_each_record_once(live_server, make_partner, catalog, settings):
    settings.JACKPOT_RATE_LIMIT = 0
    acme = make_partner("acme", confirmation_mode="manual")
    held = [reserve(acme) for _ in range(4)]

    answers = simultaneously(6, lambda _: erase_over_http(live_server.url, acme.issued.apiKey))

    assert [a.status_code for a in answers] == [200] * 6
    counts = [a.json()["erased"] for a in answers]
    assert sum(c["vouchers"] for c in counts) == len(held)
    assert sum(c["sessions"] for c in counts) == len(held)
    assert not Voucher.objects.exclude(user_id="").exists()
    assert PersonalDataErasure.objects.count() == 6


def test_an_erasure_racing_a_confirmation_leaves_both_done(
    live_server, make_partner, catalog, settings
):
    settings.JACKPOT_RATE_LIMIT = 0
    acme = make_partner("acme", confirmation_mode="manual")
    voucher = reserve(acme)
    key = acme.issued.apiKey

    def work(i):
        if i == 0:
            return erase_over_http(live_server.url, key)
        return httpx.put(
            f"{live_server.url}/v2/voucher/{voucher.pk}/confirm",
            headers={"apikey": key},
            timeout=30,
        )

    erased, confirmed = simultaneously(2, work)

    assert (erased.status_code, confirmed.status_code) == (200, 200)
    after = Voucher.objects.get(pk=voucher.pk)
    assert after.state == State.CONFIRMED and after.user_id == ""
    assert after.personal_data_erased_at is not None


@pytest.mark.django_db  # in a transaction: the batch's SELECT … FOR UPDATE needs one
def test_the_retention_and_the_report_read_through_their_indexes():
    now = timezone.now()
    assert_uses_index(batch(personal_data.closed_before(now), 1000), "voucher_personal_data_kept")
    assert_uses_index(
        Voucher.objects.filter(partner_id="acme", user_id="user-42"), "voucher_partner_user"
    )
    assert_uses_index(
        Session.objects.filter(partner_id="acme", user_id="user-42"), "session_partner_user"
    )
