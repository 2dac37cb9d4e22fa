"""The portal's "Personal data" page: partner staff look a userId up, download what is held as
JSON, and erase it after a confirmation step; their own partner's users only."""

import json

import pytest
from django.urls import reverse

from jackpot.vouchers.models import PersonalDataErasure, Voucher

pytestmark = pytest.mark.django_db

PAGE = "portal:personal"


@pytest.fixture
def held(acme, make_voucher):
    return make_voucher(acme, 30, email="jeanne@example.com")


def test_the_page_shows_what_is_held_about_a_user_id(alice_client, held):
    response = alice_client.get(reverse(PAGE), {"userId": "user-42"})
    assert response.status_code == 200
    page = response.content.decode()
    assert held.coupon_id in page and "75011" in page and "jeanne@example.com" in page
    assert '<label for="id_userId">userId</label>' in page
    assert 'aria-current="page"' in page and "Erase…" in page


def test_the_download_is_the_json_the_api_gives(alice_client, held):
    response = alice_client.get(reverse("portal:personal-json"), {"userId": "user-42"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="personal-data.json"'
    report = json.loads(response.content)
    assert [v["id"] for v in report["vouchers"]] == [str(held.pk)]
    assert "no-store" in response["Cache-Control"]


def test_erasing_asks_first_then_erases_and_says_how_much(alice_client, held):
    url = reverse("portal:personal-erase")
    asked = alice_client.post(url, {"userId": "user-42"})
    assert asked.status_code == 200 and asked.context["confirming"]
    assert 'name="confirmed" value="yes"' in asked.content.decode()
    assert Voucher.objects.get(pk=held.pk).user_id == "user-42"  # nothing erased yet

    done = alice_client.post(url, {"userId": "user-42", "confirmed": "yes"}, follow=True)
    assert done.status_code == 200
    assert "Personal data erased: 1 coupon(s), 1 session(s)" in done.content.decode()
    voucher = Voucher.objects.get(pk=held.pk)
    assert (voucher.user_id, voucher.email) == ("", "")
    (audit,) = PersonalDataErasure.objects.all()
    assert (audit.actor, audit.reason, audit.vouchers) == ("portal:alice", "request", 1)
    coupon = alice_client.get(reverse("portal:coupon", args=[held.pk])).content.decode()
    assert "Personal data" in coupon and "Erased" in coupon


def test_the_erasure_is_a_post_with_its_csrf_token(acme, alice, held):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    refused = strict.post(
        reverse("portal:personal-erase"), {"userId": "user-42", "confirmed": "yes"}
    )
    assert refused.status_code == 403
    assert strict.get(reverse("portal:personal-erase")).status_code == 405
    assert Voucher.objects.get(pk=held.pk).user_id == "user-42"


def test_another_partners_user_is_neither_shown_nor_erased(alice_client, acme, beta, make_voucher):
    theirs = make_voucher(beta, 30)
    page = alice_client.get(reverse(PAGE), {"userId": "user-42"}).content.decode()
    assert theirs.coupon_id not in page
    alice_client.post(reverse("portal:personal-erase"), {"userId": "user-42", "confirmed": "yes"})
    assert Voucher.objects.get(pk=theirs.pk).user_id == "user-42"


@pytest.mark.parametrize("user_id", ["", "x" * 129, "tab\there"])
def test_a_bad_user_id_is_refused_with_a_message_and_nothing_erased(alice_client, held, user_id):
    response = alice_client.post(
        reverse("portal:personal-erase"), {"userId": user_id, "confirmed": "yes"}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["userId"]
    assert Voucher.objects.get(pk=held.pk).user_id == "user-42"


def test_the_page_is_in_french(alice_client, held):
    page = alice_client.get(
        reverse(PAGE), {"userId": "user-42"}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Données personnelles" in page and "Télécharger en JSON" in page
