"""The refunds page: its list of the vouchers being or having been refunded."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_refunds_list_says_no_refund_was_asked_for_yet(alice_client, acme, make_voucher):
    make_voucher(acme, 30)  # a voucher, but no refund
    page = alice_client.get(reverse("portal:refunds"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Aucune demande de remboursement pour l’instant" in page
    assert "Aucun coupon pour l’instant" not in page
