"""`jackpot webhooks resend [DELIVERY_ID ...] [--failed] [--partner ID] [--enable-endpoint]`."""

import json

import pytest

from jackpot.cli import main
from jackpot.webhooks.delivery import deliver_due
from jackpot.webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_resend_named_deliveries(capsys, hooked_partner, receiver, store_event):
    event = store_event(hooked_partner)
    deliver_due()
    delivery = Delivery.objects.get()

    code, out, _ = run(capsys, "webhooks", "resend", str(delivery.pk), "999999")

    assert code == 1  # one of them could not be re-sent
    report = json.loads(out)
    assert report["queued"] == [delivery.pk]
    assert "no delivery 999999" in report["refused"]["999999"]
    deliver_due()
    assert receiver.ids() == [str(event.id)] * 2


def test_resend_failed_of_one_partner(capsys, failed_twice):
    code, out, _ = run(capsys, "webhooks", "resend", "--failed", "--partner", "acme")

    assert code == 0 and json.loads(out) == {"queuedFailed": 1}
    assert dict(Delivery.objects.values_list("partner_id", "status")) == {
        "acme": "pending",
        "other": "failed",
    }


def test_resend_can_re_enable_a_disabled_endpoint(capsys, hooked_partner, receiver, store_event):
    receiver.answer(410)
    store_event(hooked_partner)
    deliver_due()
    assert Endpoint.objects.get().disabled

    code, out, _ = run(capsys, "webhooks", "resend", "--failed", "--partner", "acme")
    assert (code, json.loads(out)) == (0, {"queuedFailed": 0})

    code, out, _ = run(
        capsys, "webhooks", "resend", "--failed", "--partner", "acme", "--enable-endpoint"
    )
    assert (code, json.loads(out)) == (0, {"queuedFailed": 1})
    assert not Endpoint.objects.get().disabled
    deliver_due()
    assert Delivery.objects.get().status == "delivered"


def test_resend_needs_something_to_resend(capsys, partner):
    code, out, err = run(capsys, "webhooks", "resend")
    assert code == 2 and out == "" and "--failed" in err
    code, _, err = run(capsys, "webhooks", "resend", "--failed", "--partner", "nobody")
    assert code == 2 and "no partner 'nobody'" in err
