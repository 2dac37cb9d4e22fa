"""Resending webhooks (SPEC §8): the same webhook id again, a partner's failed deliveries
requeued, always to the partner's current URL (none once it removed it)."""

import pytest

from jackpot.webhooks.delivery import deliver_due
from jackpot.webhooks.models import Attempt, Delivery
from jackpot.webhooks.services import ResendError, resend, resend_failed

pytestmark = pytest.mark.django_db


def test_resend_sends_a_delivery_again_with_the_same_id(hooked_partner, receiver, store_event):
    event = store_event(hooked_partner)
    deliver_due()

    delivery = resend(Delivery.objects.get().pk)

    assert delivery.status == "pending"
    deliver_due()
    assert receiver.ids() == [str(event.id)] * 2
    assert Delivery.objects.get().attempts == 2
    with pytest.raises(ResendError, match="no delivery"):
        resend(10**9)


def test_resend_failed_requeues_failed_deliveries_of_one_partner(failed_twice, receiver):
    acme = failed_twice
    assert set(Delivery.objects.values_list("status", flat=True)) == {"failed"}

    receiver.default = (200, {}, b"")
    assert resend_failed(acme) == 1
    deliver_due()

    assert dict(Delivery.objects.values_list("partner_id", "status")) == {
        "acme": "delivered",
        "other": "failed",
    }
    assert resend_failed() == 1


def test_resend_goes_to_the_partners_current_url(hooked_partner, receiver, store_event):
    store_event(hooked_partner, key="nk-1")
    receiver.answer(500)
    deliver_due()
    hooked_partner.notification_url = f"{receiver.base}/new?x=1"
    hooked_partner.save()

    resend(Delivery.objects.get().pk)
    deliver_due()

    assert receiver.requests[-1].path == "/new?x=1&notificationKey=nk-1"


def test_a_retry_follows_the_partners_new_url_and_each_attempt_logs_its_url(
    hooked_partner, receiver, store_event, monkeypatch
):
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "0")
    receiver.answer(404)
    store_event(hooked_partner, key="nk-1")
    deliver_due()
    hooked_partner.notification_url = f"{receiver.base}/fixed"
    hooked_partner.save()

    deliver_due()

    assert [r.path for r in receiver.requests] == [
        "/hooks?notificationKey=nk-1",
        "/fixed?notificationKey=nk-1",
    ]
    assert list(Attempt.objects.values_list("url", "status_code")) == [
        (f"{receiver.url}?notificationKey=nk-1", 404),
        (f"{receiver.base}/fixed?notificationKey=nk-1", 200),
    ]
    assert Delivery.objects.get().url == f"{receiver.base}/fixed?notificationKey=nk-1"


def test_a_partner_that_removed_its_url_gets_nothing_more(hooked_partner, receiver, store_event):
    store_event(hooked_partner)
    hooked_partner.notification_url = ""
    hooked_partner.save()

    deliver_due()

    assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "no notification URL" in delivery.last_error
