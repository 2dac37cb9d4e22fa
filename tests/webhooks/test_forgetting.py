"""`webhooks.forgetting`: the personal fields named are nulled in the envelopes of the keys named,
of the partner named, and nowhere else; the erased values leave the kept answers and errors."""

import pytest
from django.db import transaction
from django.utils import timezone

from jackpot.webhooks import forgetting, outbox
from jackpot.webhooks.models import Attempt, Delivery, OutboxEvent

pytestmark = pytest.mark.django_db


def notify(partner, key, user_id="user-42"):
    with transaction.atomic():
        return outbox.enqueue(
            partner,
            "coupon/confirmed",
            store_id="sportmax",
            data={"couponId": "ABCDEFGHIJ", "userId": user_id, "value": 110},
            coupon_id="ABCDEFGHIJ",
            notification_key=key,
        )


@pytest.fixture
def hooked(make_partner):
    return make_partner("acme", notification_url="https://acme.example/hooks")


def test_only_the_named_partners_envelopes_of_the_named_keys_change(hooked, make_partner):
    other = make_partner("other", domains=["other.example"])
    mine = notify(hooked, "k-1")
    kept = notify(hooked, "k-2")
    theirs = notify(other, "k-1")

    assert forgetting.forget("acme", ["k-1"], ["userId"], ["user-42"]) == 1

    assert OutboxEvent.objects.get(pk=mine.pk).payload["message"]["data"] == {
        "couponId": "ABCDEFGHIJ",
        "userId": None,
        "value": 110,
    }
    assert OutboxEvent.objects.get(pk=kept.pk).payload["message"]["data"]["userId"] == "user-42"
    assert OutboxEvent.objects.get(pk=theirs.pk).payload["message"]["data"]["userId"] == "user-42"
    # Done once: nothing left to erase.
    assert forgetting.forget("acme", ["k-1"], ["userId"], ["user-42"]) == 0


def test_kept_answers_and_errors_lose_the_values(hooked):
    event = notify(hooked, "k-1")
    delivery = Delivery.objects.get(event=event)
    Delivery.objects.filter(pk=delivery.pk).update(last_error="HTTP 400: user-42 unknown")
    Attempt.objects.create(
        delivery=delivery, number=1, started_at=timezone.now(), response_excerpt="no user-42"
    )

    forgetting.forget("acme", ["k-1"], ["userId"], ["user-42"])

    assert Delivery.objects.get(pk=delivery.pk).last_error == "HTTP 400: [erased] unknown"
    assert Attempt.objects.get(delivery=delivery).response_excerpt == "no [erased]"


def test_no_key_no_change(hooked):
    notify(hooked, "k-1")
    assert forgetting.held("acme", ["", None]) == []
    assert forgetting.forget("acme", [], ["userId"], ["user-42"]) == 0
