"""The operator admin and partners' test modes: a new partner's test credentials are shown with
its live ones; no test twin in the partner list or the tools that move money; a test voucher is
marked as one."""

import pytest
from django.urls import reverse

from jackpot.partners import credentials
from jackpot.partners.models import Partner
from jackpot.vouchers.models import Voucher

pytestmark = pytest.mark.django_db


def test_a_new_partners_test_credentials_are_shown_once_with_its_live_ones(ops_client, catalog):
    response = ops_client.post(
        reverse("admin:partners_partner_add"),
        {
            "name": "Gamma",
            "partner_id": "gamma",
            "domains": "gamma.example",
            "confirmation_mode": "auto",
            "notification_url": "",
            "session_ceiling": "",
        },
    )
    secrets = response.context["secrets"]
    twin = credentials.test_twin(Partner.objects.get(pk="gamma"))
    assert credentials.partner_for_api_key(secrets["testApiKey"]) == twin
    assert secrets["testApiSignature"] in credentials.valid_signatures(twin)


def test_no_twin_in_the_partner_list_nor_its_tools(ops_client, acme):
    page = ops_client.get(reverse("admin:partners_partner_changelist")).content.decode()
    assert "acme~test" not in page
    twin_page = reverse("admin:partners_partner_change", args=["acme~test"])
    assert ops_client.get(twin_page).status_code in (302, 404)
    credit = reverse("admin:partners_partner_credit", args=["acme~test"])
    assert ops_client.post(credit, {"amount": "10.00", "reference": "x"}).status_code == 404
    statement = reverse("admin:vouchers_statement_add")
    page = ops_client.get(statement).content.decode()
    assert "acme~test" not in page


def test_a_test_voucher_is_marked_in_the_voucher_list(ops_client, acme, make_voucher):
    from support.reservations import reserve

    reserve(acme, acme.issued.test["apiSignature"])
    voucher = Voucher.objects.get(partner_id="acme~test")
    page = ops_client.get(reverse("admin:vouchers_voucher_change", args=[voucher.pk]))
    assert "(test mode)" in page.content.decode()
