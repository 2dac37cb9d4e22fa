"""A partner user never sees nor changes another partner's data, on any page or action.

alice belongs to acme; beta (bob's partner) has vouchers in every state a page can act on, a
statement, notifications, keys. Every page alice can open is checked for beta's traces, every
action alice can post is aimed at beta's objects: the answer is a 404 or a list without them,
and beta's data is byte for byte what it was.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jackpot.ledger import services as ledger
from jackpot.partners.models import ApiSignature, LegalInformation, Partner
from jackpot.portal.templatetags.portal import mask
from jackpot.vouchers import lifecycle, payments
from jackpot.vouchers.models import State, Voucher
from jackpot.webhooks.models import Delivery, Endpoint
from support.tokens import partner_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(acme, beta, alice, bob, make_voucher):
    mine = make_voucher(acme, 30)
    reserved = make_voucher(beta, 30)
    ready = make_voucher(beta, 40)
    lifecycle.transition(ready.pk, "confirm", "test")
    Voucher.objects.filter(pk=ready.pk).update(state=State.READY)
    billed = make_voucher(beta, 50)
    lifecycle.transition(billed.pk, "confirm", "test")
    statement = payments.issue_statement(
        beta, timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1), "test"
    )
    LegalInformation.objects.create(partner=beta, company_name="Beta Secret Holdings")
    Endpoint.objects.create(partner=beta, disabled_at=timezone.now(), disabled_reason="410 Gone")
    delivery = Delivery.objects.filter(partner=beta).first()
    Delivery.objects.filter(partner=beta).update(status="failed")
    return {
        "mine": mine,
        "reserved": reserved,
        "ready": ready,
        "billed": billed,
        "statement": statement,
        "delivery": delivery,
        "beta": beta,
    }


def snapshot(partner_id="beta"):
    """Everything of beta's that a portal action could change."""
    partner = Partner.objects.get(pk=partner_id)
    wallet = ledger.wallet_account(partner)
    return {
        "partner": {f.attname: getattr(partner, f.attname) for f in Partner._meta.concrete_fields},
        "vouchers": sorted(
            Voucher.objects.filter(partner_id=partner_id).values_list(
                "pk", "state", "payment_state", "statement_id"
            )
        ),
        "signatures": sorted(
            ApiSignature.objects.filter(partner_id=partner_id).values_list(
                "pk", "secret", "valid_until"
            )
        ),
        "deliveries": sorted(
            Delivery.objects.filter(partner_id=partner_id).values_list(
                "pk", "status", "schedule_step", "next_attempt_at", "url"
            )
        ),
        "endpoint": list(Endpoint.objects.filter(partner_id=partner_id).values()),
        "legal": list(LegalInformation.objects.filter(partner_id=partner_id).values()),
        "threshold": wallet.low_balance_threshold,
        "events": Voucher.objects.filter(partner_id=partner_id)
        .values_list("events__pk", flat=True)
        .count(),
    }


def traces(world) -> list[str]:
    beta = Partner.objects.get(pk="beta")
    signature = ApiSignature.objects.filter(partner=beta).first().secret
    return [
        world["reserved"].coupon_id,
        world["ready"].coupon_id,
        world["billed"].coupon_id,
        world["reserved"].notification_key,
        str(world["reserved"].pk),
        "bob@beta.example",
        "Beta Secret Holdings",
        "hooks.beta.example",
        mask(signature),
        mask(beta.webhook_secret, 10),
        beta.webhook_secret,
        f"statement-{world['statement'].pk}",
    ]


LIST_PAGES = [
    ("portal:dashboard", {}),
    ("portal:dashboard", {"days": 90}),
    ("portal:coupons", {}),
    ("portal:coupons", {"state": "READY"}),
    ("portal:pending", {}),
    ("portal:refunds", {}),
    ("portal:wallet", {}),
    ("portal:security", {}),
    ("portal:account", {}),
    ("portal:legal", {}),
    ("portal:token", {}),
    ("portal:personal", {}),
    ("portal:personal", {"userId": "user-42"}),
]


@pytest.mark.parametrize(("name", "query"), LIST_PAGES)
def test_pages_show_only_the_users_partner(alice_client, world, name, query):
    response = alice_client.get(reverse(name), query)
    assert response.status_code == 200
    body = response.content.decode()
    for trace in traces(world):
        assert trace not in body, (name, trace)


def test_search_does_not_reach_other_partners(alice_client, world):
    for q in (world["reserved"].coupon_id, world["reserved"].notification_key, "user-42"):
        response = alice_client.get(reverse("portal:coupons"), {"q": q})
        assert {v.partner_id for v in response.context["page"]} <= {"acme"}
        assert str(world["reserved"].pk) not in response.content.decode()


def test_csv_export_holds_only_the_users_vouchers(alice_client, world):
    response = alice_client.get(reverse("portal:coupons-csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert world["mine"].coupon_id in text
    for key in ("reserved", "ready", "billed"):
        assert world[key].coupon_id not in text


def _objects(world, name):
    return {
        "portal:coupon": [world["reserved"].pk],
        "portal:statement-csv": [world["statement"].pk],
        "portal:statement-pdf": [world["statement"].pk],
        "portal:coupon-confirm": [world["reserved"].pk],
        "portal:coupon-cancel": [world["reserved"].pk],
        "portal:coupon-refund": [world["ready"].pk],
        "portal:coupon-resend": [world["reserved"].pk, world["delivery"].pk],
    }[name]


@pytest.mark.parametrize("name", ["portal:coupon", "portal:statement-csv", "portal:statement-pdf"])
def test_other_partners_objects_are_not_found(alice_client, world, name):
    response = alice_client.get(reverse(name, args=_objects(world, name)))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "portal:coupon-confirm",
        "portal:coupon-cancel",
        "portal:coupon-refund",
        "portal:coupon-resend",
    ],
)
def test_actions_on_other_partners_objects_are_not_found(alice_client, world, name):
    before = snapshot()
    response = alice_client.post(reverse(name, args=_objects(world, name)), {"reason": "x"})
    assert response.status_code == 404
    assert snapshot() == before


def test_resending_another_partners_delivery_through_own_voucher(alice_client, world):
    before = snapshot()
    url = reverse("portal:coupon-resend", args=[world["mine"].pk, world["delivery"].pk])
    assert alice_client.post(url).status_code == 404
    assert snapshot() == before


# Actions about the user's own partner (its keys, settings, wallet): they must not touch beta.
OWN_PARTNER_ACTIONS = [
    ("portal:pending", lambda w: {"action": "confirm", "voucher": [w["reserved"].pk]}),
    ("portal:pending", lambda w: {"action": "cancel", "voucher": [w["reserved"].pk, w["mine"].pk]}),
    ("portal:refunds", lambda w: {"coupon_id": w["ready"].coupon_id, "reason": "x"}),
    ("portal:security-integration", lambda w: {"domains": "x.example", "notification_url": ""}),
    ("portal:rotate-signature", lambda w: {"signature-grace": "0"}),
    ("portal:regenerate-api-key", lambda w: {"apikey-confirm": "on"}),
    ("portal:regenerate-client-secret", lambda w: {"client-confirm": "on"}),
    ("portal:rotate-webhook-secret", lambda w: {"webhook-grace": "0"}),
    ("portal:reveal-webhook-secret", lambda w: {}),
    ("portal:enable-endpoint", lambda w: {}),
    ("portal:legal", lambda w: {"company_name": "Changed"}),
    ("portal:wallet", lambda w: {"threshold": "5"}),
    ("portal:token", lambda w: {"token": partner_token(w["beta"].signature)}),
    ("portal:token", lambda w: {"token": partner_token(w["beta"].signature, iss="beta")}),
]


@pytest.mark.parametrize(("name", "payload"), OWN_PARTNER_ACTIONS)
def test_own_partner_actions_never_touch_another_partner(alice_client, world, name, payload):
    before = snapshot()
    response = alice_client.post(reverse(name), payload(world))
    assert response.status_code in (200, 302, 422)
    assert snapshot() == before
    body = response.content.decode()
    echoed = set(map(str, payload(world).values())) if name == "portal:refunds" else set()
    for trace in traces(world):
        assert trace in echoed or trace not in body, trace
    if name == "portal:token":
        report = response.context["report"]
        assert not report["valid"] and report["partner"] in (None, "acme")


def test_bulk_actions_change_only_own_vouchers(alice_client, world):
    alice_client.post(
        reverse("portal:pending"),
        {"action": "confirm", "voucher": [world["reserved"].pk, world["mine"].pk]},
    )
    assert Voucher.objects.get(pk=world["mine"].pk).state == State.CONFIRMED
    assert Voucher.objects.get(pk=world["reserved"].pk).state == State.RESERVED
