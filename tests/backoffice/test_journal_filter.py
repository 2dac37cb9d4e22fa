"""The voucher journal's "from state" filter: the reservation (an event from no state) is a
choice with a name, not a blank link."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_reservation_is_a_named_choice(ops_client, data):
    url = reverse("admin:vouchers_voucherevent_changelist")
    page = ops_client.get(url).content.decode()
    assert "none (the reservation)" in page
    created = ops_client.get(url, {"from_state": "none"}).context["cl"].queryset
    assert {e.from_state for e in created} == {""} and created.count() == 2
    confirmed = ops_client.get(url, {"from_state": "RESERVED"}).context["cl"].queryset
    assert [(e.from_state, e.to_state) for e in confirmed] == [("RESERVED", "CONFIRMED")]
