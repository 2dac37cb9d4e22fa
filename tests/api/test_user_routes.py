"""`GET /v2/users/{userId}/personal-data` and `POST /v2/users/{userId}/erase`: a partner acting
for its users, its own only, at once, idempotently, with an audit entry holding no data."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jackpot.tokens.models import Session
from jackpot.vouchers.models import PersonalDataErasure, Voucher
from jackpot.webhooks.models import OutboxEvent
from support.reservations import reserve

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_partners(make_partner, catalog, settings):
    settings.JACKPOT_RATE_LIMIT = 0
    acme = make_partner("acme")
    other = make_partner("other", domains=["other.example"])
    return acme, other


def held(api_client, partner, user_id="user-42"):
    return api_client.get(f"/v2/users/{user_id}/personal-data", apikey=partner.issued.apiKey)


def erase(api_client, partner, user_id="user-42"):
    return api_client.post(f"/v2/users/{user_id}/erase", apikey=partner.issued.apiKey)


def test_personal_data_lists_the_users_vouchers_sessions_and_notifications(
    api_client, two_partners
):
    acme, _ = two_partners
    voucher = reserve(acme, email="jeanne@example.com")
    reserve(acme, userId="someone-else")

    status, body = held(api_client, acme)

    assert status == 200, body
    assert body["userId"] == "user-42" and body["partnerId"] == "acme"
    raw = api_client.raw.get("/v2/users/user-42/personal-data", HTTP_APIKEY=acme.issued.apiKey)
    assert raw["Cache-Control"] == "no-store, private"
    assert [v["id"] for v in body["vouchers"]] == [str(voucher.pk)]
    assert body["vouchers"][0]["email"] == "jeanne@example.com"
    (session,) = body["sessions"]
    assert {k: session[k] for k in ("userId", "cp", "age", "gender", "email")} == {
        "userId": "user-42",
        "cp": "75011",
        "age": 35,
        "gender": "F",
        "email": "jeanne@example.com",
    }
    assert body["notifications"]
    assert all(n["notificationKey"] == voucher.notification_key for n in body["notifications"])


def test_erase_blanks_the_personal_fields_and_keeps_the_accounts(api_client, two_partners):
    acme, _ = two_partners
    voucher = reserve(acme, email="jeanne@example.com")
    before = Voucher.objects.get(pk=voucher.pk)

    status, body = erase(api_client, acme)

    assert status == 200, body
    assert "user-42" not in str(body)  # nothing personal in an answer an Idempotency-Key keeps
    notified = OutboxEvent.objects.filter(notification_key=voucher.notification_key).count()
    assert notified == 2  # reserved, then confirmed at once (automatic confirmation)
    assert body["erased"] == {"vouchers": 1, "sessions": 1, "notifications": notified}
    after = Voucher.objects.get(pk=voucher.pk)
    assert (after.user_id, after.email) == ("", "")
    assert after.personal_data_erased_at is not None
    for field in (
        "state",
        "value",
        "price",
        "store_id",
        "coupon_id",
        "notification_key",
        "reservation_date",
        "confirm_date",
        "payment_state",
        "partner_id",
    ):
        assert getattr(after, field) == getattr(before, field), field
    session = Session.objects.get(pk=voucher.session_id)
    assert (session.user_id, session.postcode, session.age, session.gender, session.email) == (
        "",
        "",
        None,
        "",
        "",
    )
    assert not {"userId", "cp", "age", "gender", "email"} & set(session.claims)
    assert session.claims["notificationKey"] == voucher.notification_key
    for event in OutboxEvent.objects.filter(notification_key=voucher.notification_key):
        assert event.payload["message"]["data"]["userId"] is None
        assert "user-42" not in str(event.payload)
    # The API shows the voucher as erased.
    status, shown = api_client.get(f"/v2/voucher/{voucher.pk}", apikey=acme.issued.apiKey)
    assert shown["personalDataErasedAt"] is not None and shown["userId"] is None
    # Nothing is held any more.
    status, body = held(api_client, acme)
    assert (body["vouchers"], body["sessions"], body["notifications"]) == ([], [], [])


def test_erase_twice_answers_the_same_shape_with_nothing_more_erased(api_client, two_partners):
    acme, _ = two_partners
    reserve(acme)
    first = erase(api_client, acme)
    second = erase(api_client, acme)

    assert first[0] == second[0] == 200
    assert set(first[1]) == set(second[1])
    assert second[1]["erased"] == {"vouchers": 0, "sessions": 0, "notifications": 0}
    audit = list(PersonalDataErasure.objects.order_by("at", "id"))
    assert [(a.actor, a.reason, a.vouchers) for a in audit] == [
        ("partner:acme", "request", 1),
        ("partner:acme", "request", 0),
    ]
    assert audit[0].subject_digest == audit[1].subject_digest
    assert "user-42" not in audit[0].subject_digest


def test_another_partners_user_of_the_same_user_id_is_untouched(api_client, two_partners):
    acme, other = two_partners
    reserve(acme)
    theirs = reserve(other, signature=other.issued.apiSignature)

    status, body = held(api_client, acme)
    assert all(v["id"] != str(theirs.pk) for v in body["vouchers"])
    erase(api_client, acme)

    kept = Voucher.objects.get(pk=theirs.pk)
    assert kept.user_id == "user-42" and kept.personal_data_erased_at is None
    assert Session.objects.get(pk=theirs.session_id).postcode == "75011"
    status, body = held(api_client, other)
    assert [v["id"] for v in body["vouchers"]] == [str(theirs.pk)]


def test_both_routes_need_the_partners_credential(api_client, two_partners):
    assert api_client.get("/v2/users/user-42/personal-data")[0] == 401
    assert api_client.post("/v2/users/user-42/erase")[0] == 401
    assert api_client.post("/v2/users/user-42/erase", apikey="jpk_wrong")[0] == 401


def test_a_user_id_with_a_slash_is_found(api_client, two_partners):
    acme, _ = two_partners
    reserve(acme, userId="team/7")
    status, body = held(api_client, acme, "team%2F7")
    assert status == 200 and len(body["vouchers"]) == 1


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(user_id=st.text(min_size=1, max_size=200))
def test_any_user_id_in_the_path_gets_an_answer_or_a_problem(api_client, two_partners, user_id):
    from urllib.parse import quote

    acme, _ = two_partners
    status, body = held(api_client, acme, quote(user_id, safe=""))
    if 0 < len(user_id) <= 128 and user_id.isprintable():
        assert status == 200, body
    else:  # a problem document, never a 500
        assert status in (400, 404, 422), body
        expected = {400: "invalid-characters", 422: "invalid-user-id"}.get(status)
        assert expected is None or body["code"] == expected, body
