"""Test-mode notifications: sent to the test notification URL, signed with the test webhook
secret, saying `"livemode": false`; live ones go where they always went, `"livemode": true`."""

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from jackpot.partners import credentials
from jackpot.webhooks.delivery import deliver_due
from support.reservations import reserve

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(make_partner, catalog, receiver, other_receiver):
    """acme: live notifications to `receiver`, test ones to `other_receiver`."""
    partner = make_partner("acme", notification_url=receiver.url)
    twin = credentials.test_twin(partner)
    credentials.update_integration(
        twin, domains=partner.domain_list, notification_url=other_receiver.url
    )
    return partner


def test_a_test_voucher_is_notified_at_the_test_url_signed_with_the_test_secret(
    acme, receiver, other_receiver
):
    voucher = reserve(acme, acme.issued.test["apiSignature"])
    deliver_due()
    assert receiver.requests == []
    events = {r.json["event"]: r for r in other_receiver.requests}
    assert set(events) == {"coupon/reserved", "coupon/confirmed"}
    request = events["coupon/confirmed"]
    body = request.verify(acme.issued.test["webhookSecret"])
    assert body["livemode"] is False
    assert body["message"]["data"]["livemode"] is False
    assert body["message"]["data"]["id"] == str(voucher.pk)
    with pytest.raises(WebhookVerificationError):
        request.verify(acme.issued.webhookSecret)


def test_a_live_voucher_is_notified_as_before(acme, receiver, other_receiver):
    reserve(acme, acme.issued.apiSignature)
    deliver_due()
    assert other_receiver.requests == []
    [reserved, confirmed] = sorted(
        receiver.requests, key=lambda r: r.json["event"] != "coupon/reserved"
    )
    body = confirmed.verify(acme.issued.webhookSecret)
    assert body["livemode"] is True and body["message"]["data"]["livemode"] is True


def test_the_test_mode_keeps_the_live_domains_when_its_url_changes(acme, other_receiver):
    twin = credentials.test_twin(acme)
    acme.refresh_from_db()
    twin.refresh_from_db()
    assert twin.domains == acme.domains and twin.notification_url == other_receiver.url
    assert acme.notification_url != other_receiver.url
