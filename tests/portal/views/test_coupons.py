"""A voucher's page offers the partner only the actions the lifecycle allows from its state."""

import pytest
from django.urls import reverse

from jackpot.vouchers import lifecycle

pytestmark = pytest.mark.django_db


def test_confirm_and_cancel_are_offered_only_while_reserved(alice_client, acme, make_voucher):
    voucher = make_voucher(acme, 30)
    page = alice_client.get(reverse("portal:coupon", args=[voucher.pk])).content.decode()
    assert reverse("portal:coupon-confirm", args=[voucher.pk]) in page
    assert reverse("portal:coupon-cancel", args=[voucher.pk]) in page
    lifecycle.transition(voucher.pk, "confirm", "test")
    page = alice_client.get(reverse("portal:coupon", args=[voucher.pk])).content.decode()
    assert reverse("portal:coupon-confirm", args=[voucher.pk]) not in page
    assert reverse("portal:coupon-cancel", args=[voucher.pk]) not in page
