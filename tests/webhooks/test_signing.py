"""Webhook signing secrets: while a rotation's grace runs, messages are signed with the previous
secret too and either secret verifies; afterwards only the new one signs; signatures match the
Standard Webhooks reference; the envelope is compact JSON in the spec's order."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from jackpot.webhooks import signing
from jackpot.webhooks.delivery import deliver_due
from jackpot.webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


def test_the_previous_secret_signs_until_its_grace_ends(make_partner):
    partner = make_partner()
    before = partner.webhook_secret
    after = signing.rotate_secret(partner, grace=timedelta(hours=1))
    partner.refresh_from_db()
    endpoint = Endpoint.objects.get(partner=partner)
    now = timezone.now()
    assert signing.previous_secret_signs(endpoint, now)
    assert signing.signing_secrets(partner, endpoint, now) == [after, before]
    ended = endpoint.previous_secret_expires_at
    assert not signing.previous_secret_signs(endpoint, ended)
    assert signing.signing_secrets(partner, endpoint, ended) == [after]
    assert not signing.previous_secret_signs(None, now)


def test_during_a_rotation_both_signatures_are_sent_and_either_secret_verifies(
    hooked_partner, receiver, store_event
):
    old = hooked_partner.webhook_secret
    new = signing.rotate_secret(hooked_partner, grace=timedelta(hours=1))
    assert new != old and new.startswith("whsec_")
    store_event(hooked_partner)

    deliver_due()

    [request] = receiver.requests
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    assert request.verify(new) and request.verify(old)
    for secret, alone in ((new, signatures[0]), (old, signatures[1])):
        headers = {**request.headers, "webhook-signature": alone}
        Webhook(secret).verify(request.body, headers)
    with pytest.raises(WebhookVerificationError):  # each signature is its own secret's
        Webhook(old).verify(request.body, {**request.headers, "webhook-signature": signatures[0]})


def test_after_the_grace_period_only_the_new_secret_signs(hooked_partner, receiver, store_event):
    old = hooked_partner.webhook_secret
    new = signing.rotate_secret(hooked_partner, grace=timedelta(hours=1))
    Endpoint.objects.filter(partner=hooked_partner).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    store_event(hooked_partner)

    deliver_due()

    [request] = receiver.requests
    assert " " not in request.headers["webhook-signature"]
    request.verify(new)
    with pytest.raises(WebhookVerificationError):
        request.verify(old)


def test_signatures_match_the_standard_webhooks_reference():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"test": 2432232314}'
    header = signing.signature_header(
        [secret],
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        datetime.fromtimestamp(1614265330, tz=UTC),
        body,
    )
    # The example of the Standard Webhooks specification.
    assert header == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_envelope_is_sent_as_compact_json_in_the_specs_order(
    hooked_partner, receiver, store_event
):
    event = store_event(hooked_partner)
    deliver_due()
    body = receiver.requests[0].body
    assert json.loads(body) == event.payload
    assert body.startswith(f'{{"event":"store/update","id":"{event.id}","createdAt":'.encode())
    assert body == json.dumps(json.loads(body), ensure_ascii=False, separators=(",", ":")).encode()
