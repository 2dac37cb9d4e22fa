"""Migration 0009: journal rows written as English sentences become codes; a person's words stay.

The rows are made at today's schema, the vouchers app is migrated back to 0008 (the reverse
writes the sentences back), the reasons are set as the old code wrote them, and the app is
migrated forward again.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jackpot.vouchers import lifecycle
from jackpot.vouchers.models import Voucher, VoucherEvent

BEFORE = [("vouchers", "0008_indexes_match_queries")]
AFTER = [("vouchers", "0009_voucher_event_codes")]

# (to_state, reason as the old code wrote it) -> (code, params, reason) after the migration
OLD_ROWS = {
    ("RESERVED", "reserved by value"): ("reserved", {"by": "value"}, ""),
    ("RESERVED", "reserved by price"): ("reserved", {"by": "price"}, ""),
    ("CONFIRMED", "automatic confirmation"): ("auto_confirmed", {}, ""),
    ("CONFIRMED", "the notification endpoint answered 204"): (
        "notification_confirmed",
        {"status": 204},
        "",
    ),
    ("CONFIRMED", ""): ("confirmed", {}, ""),
    ("EXPIRED", "reservation expired"): ("expired", {}, ""),
    ("READY", "codes taken and PDF made"): ("delivered", {}, ""),
    ("SENT", "PDF mailed to the user"): ("mailed", {}, ""),
    ("CANCELED", "canceled by the partner"): ("canceled", {}, ""),
    ("CANCELED", "canceled in the portal"): ("canceled", {}, ""),
    ("CANCELED", "le client a changé d'avis"): ("canceled", {}, "le client a changé d'avis"),
    ("REFUNDING", "refund requested in the portal"): ("refund_requested", {}, ""),
    ("REFUNDING", "refund requested by the partner"): ("refund_requested", {}, ""),
    ("REFUNDED", "refund accepted by the store"): ("refund_accepted", {}, ""),
    ("REFUND_REJECTED", "refund refused by the store"): ("refund_rejected", {}, ""),
    ("REFUND_REJECTED", "code used"): ("refund_rejected", {}, "code used"),
}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_sentences_become_codes_and_peoples_words_stay(acme, make_voucher):
    voucher = make_voucher(acme)
    lifecycle.transition(voucher.pk, "confirm", "test")
    template = VoucherEvent.objects.filter(voucher=voucher).first()
    ids = {}
    for key in OLD_ROWS:
        template.pk = None
        template.to_state = key[0]
        template.save()
        ids[key] = template.pk
    try:
        old_apps = migrate(BEFORE)
        old_events = old_apps.get_model("vouchers", "VoucherEvent").objects
        for (_state, reason), pk in ids.items():
            old_events.filter(pk=pk).update(reason=reason)

        new_apps = migrate(AFTER)
        new_events = new_apps.get_model("vouchers", "VoucherEvent").objects
        for key, expected in OLD_ROWS.items():
            row = new_events.get(pk=ids[key])
            assert (row.code, row.params, row.reason) == expected, key
        # Every row has a code, the ones written before the test too.
        assert not new_events.filter(voucher_id=voucher.pk, code="").exists()

        # And back: the platform's sentences are written again, people's words untouched.
        old_events = migrate(BEFORE).get_model("vouchers", "VoucherEvent").objects
        assert old_events.get(pk=ids[("CONFIRMED", "automatic confirmation")]).reason == (
            "automatic confirmation"
        )
        assert old_events.get(pk=ids[("RESERVED", "reserved by price")]).reason == (
            "reserved by price"
        )
        assert old_events.get(pk=ids[("CANCELED", "le client a changé d'avis")]).reason == (
            "le client a changé d'avis"
        )
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    assert Voucher.objects.filter(pk=voucher.pk).exists()
