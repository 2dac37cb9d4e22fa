"""Webhook deliveries in the operator admin: a failed delivery is resent from the start."""

import pytest
from django.urls import reverse

from jackpot.webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def test_resend_a_delivery(ops_client, data):
    reserved, _ = data
    delivery = Delivery.objects.filter(event__notification_key=reserved.notification_key).first()
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", schedule_step=4)
    ops_client.post(
        reverse("admin:webhooks_delivery_changelist"),
        {"action": "resend", "_selected_action": [delivery.pk], "index": 0},
    )
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.schedule_step == 0
