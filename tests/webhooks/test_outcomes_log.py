"""The worker's line for each webhook delivery: what it did, for which request."""

import logging

from prometheus_client import REGISTRY

from jackpot.core import request_context
from jackpot.webhooks.delivery import deliver_due
from jackpot.webhooks.models import Delivery


def test_each_delivery_is_logged_and_counted_with_the_id_of_the_request_that_wrote_it(
    hooked_partner, store_event, receiver, caplog
):
    token = request_context.request_id.set("req-webhook-1")
    try:
        store_event(hooked_partner)
    finally:
        request_context.request_id.reset(token)
    delivery = Delivery.objects.get()
    assert delivery.request_id == "req-webhook-1"
    labels = {"kind": "webhook", "outcome": "delivered"}
    before = REGISTRY.get_sample_value("jackpot_worker_jobs_total", labels) or 0

    caplog.set_level(logging.INFO, "jackpot.webhooks")
    assert deliver_due() == 1

    (line,) = [r for r in caplog.records if getattr(r, "kind", None) == "webhook"]
    assert (line.id, line.outcome, line.request_id) == (delivery.pk, "delivered", "req-webhook-1")
    assert line.status_code == 200 and line.duration_ms >= 0
    assert REGISTRY.get_sample_value("jackpot_worker_jobs_total", labels) == before + 1
