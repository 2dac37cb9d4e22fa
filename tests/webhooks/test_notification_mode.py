"""The `notification` confirmation mode (SPEC §6.2), end to end through the API and the worker."""

import pytest

from jackpot.cli import main
from jackpot.vouchers.models import Voucher, VoucherEvent
from jackpot.vouchers.notification_confirmation import on_delivery_outcome
from jackpot.webhooks.delivery import deliver_due
from jackpot.webhooks.models import Delivery
from support.reservations import reserve_via_api


@pytest.fixture
def notifying_partner(make_partner, receiver, catalog):
    """Created after the catalogue: the stores' store/enabled events went to nobody."""
    return make_partner("acme", confirmation_mode="notification", notification_url=receiver.url)


def coupon_requests(receiver) -> list:
    """What the receiver got about vouchers (the catalogue's store/* events aside)."""
    return [r for r in receiver.requests if r.json["event"].startswith("coupon/")]


def events_received(receiver) -> list[str]:
    return [r.json["event"] for r in coupon_requests(receiver)]


@pytest.mark.django_db
def test_a_2xx_answer_to_coupon_reserved_confirms_the_voucher(
    notifying_partner, catalog, api_client, build_token, receiver
):
    voucher = reserve_via_api(api_client, build_token(notificationKey="nk-77"))
    assert voucher["state"] == "RESERVED"

    deliver_due(on_outcome=on_delivery_outcome)

    # The confirmation's own notification is written by the confirming transaction and, being
    # due at once, goes out later in the same pass.
    assert events_received(receiver) == ["coupon/reserved", "coupon/confirmed"]
    request = coupon_requests(receiver)[0]
    envelope = request.verify(notifying_partner.webhook_secret)
    assert envelope["event"] == "coupon/reserved"
    assert envelope["message"]["data"]["id"] == voucher["id"]
    assert envelope["message"]["data"]["state"] == "RESERVED"
    assert request.query == {"notificationKey": "nk-77"}
    stored = Voucher.objects.get(pk=voucher["id"])
    assert stored.state == "CONFIRMED" and stored.confirm_date is not None
    event = VoucherEvent.objects.get(voucher=stored, to_state="CONFIRMED")
    assert (event.from_state, event.actor) == ("RESERVED", "webhook")
    assert (event.code, event.params) == ("notification_confirmed", {"status": 200})

    confirmed = coupon_requests(receiver)[1].verify(notifying_partner.webhook_secret)
    assert confirmed["message"]["data"]["state"] == "CONFIRMED"
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}


@pytest.mark.django_db
def test_a_failed_answer_leaves_the_voucher_reserved(
    notifying_partner, catalog, api_client, build_token, receiver
):
    receiver.answer(500)
    voucher = reserve_via_api(api_client, build_token(notificationKey="nk-77"))

    deliver_due(on_outcome=on_delivery_outcome)

    assert events_received(receiver) == ["coupon/reserved"]
    assert Voucher.objects.get(pk=voucher["id"]).state == "RESERVED"
    assert Delivery.objects.get().status == "pending"


@pytest.mark.django_db
def test_a_voucher_no_longer_reserved_is_left_as_it_is(
    notifying_partner, catalog, api_client, build_token, receiver
):
    voucher = reserve_via_api(api_client, build_token(notificationKey="nk-77"))
    status, cancelled = api_client.put(
        f"/v2/voucher/{voucher['id']}/cancel", apikey=notifying_partner.issued.apiKey
    )
    assert status == 200 and cancelled["state"] == "CANCELED"

    deliver_due(on_outcome=on_delivery_outcome)

    assert Voucher.objects.get(pk=voucher["id"]).state == "CANCELED"
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}


@pytest.mark.django_db
def test_force_manual_confirm_is_respected_in_notification_mode(
    notifying_partner, catalog, api_client, build_token, receiver
):
    voucher = reserve_via_api(
        api_client, build_token(notificationKey="nk-77", forceManualConfirm=True)
    )

    deliver_due(on_outcome=on_delivery_outcome)

    assert len(coupon_requests(receiver)) == 1
    assert Voucher.objects.get(pk=voucher["id"]).state == "RESERVED"


@pytest.mark.django_db
def test_in_other_modes_a_2xx_answer_confirms_nothing(
    make_partner, catalog, api_client, build_token, receiver
):
    make_partner("acme", confirmation_mode="manual", notification_url=receiver.url)
    voucher = reserve_via_api(api_client, build_token(notificationKey="nk-77"))

    deliver_due(on_outcome=on_delivery_outcome)

    assert len(coupon_requests(receiver)) == 1
    assert Voucher.objects.get(pk=voucher["id"]).state == "RESERVED"


# transaction=True: the worker calls close_old_connections(), which would drop a connection held
# in a test's wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_and_confirms(
    notifying_partner, catalog, api_client, build_token, receiver, keep_sigterm_handler
):
    voucher = reserve_via_api(api_client, build_token(notificationKey="nk-77"))

    assert main(["worker", "--once"]) == 0

    confirmation = VoucherEvent.objects.get(voucher_id=voucher["id"], to_state="CONFIRMED")
    assert (confirmation.from_state, confirmation.actor) == ("RESERVED", "webhook")
    # The same pass may go on to make the PDF (READY): only its notification waits.
    assert Voucher.objects.get(pk=voucher["id"]).state in ("CONFIRMED", "READY")

    assert events_received(receiver) == ["coupon/reserved", "coupon/confirmed"]
