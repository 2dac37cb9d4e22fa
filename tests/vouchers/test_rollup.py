"""The dashboard's daily roll-up (vouchers.rollup) adds up to the vouchers, whatever happens.

A hypothesis state machine reserves vouchers for a partner confirming by hand and one confirming
automatically, at two stores, confirms, cancels, expires, delivers, sends and refunds them
(accepted or rejected) while the clock moves on by hours (days change, in a time zone whose
midnight is not UTC's); after every step the roll-up's rows are what the vouchers add up to
(support.rollup's oracle reads them one by one). `rollup.rebuild`, which the migration that made
the table ran, writes the same rows from the same vouchers.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from jackpot.core.problems import Problem
from jackpot.partners.models import Partner
from jackpot.vouchers import lifecycle, reservation
from jackpot.vouchers.models import DailyTotal, State, Voucher
from jackpot.vouchers.rollup import rebuild
from support import rollup
from support.reservations import new_session

MANUAL, AUTO = "acme", "beta"
OFFERS = [("sportmax", "sportmax-launch", Decimal(v)) for v in (10, 30, 50)] + [
    ("bookly", "bookly-min", Decimal(v)) for v in (10, 20)
]
# The lifecycle's actions and the states each starts from.
MOVES = {
    action: sorted(sources)
    for action, (sources, _, _) in lifecycle.TRANSITIONS.items()
    if action != "confirm"
}


class Clock:
    """`timezone.now` for the whole test: the real time, moved on by the machine."""

    def __init__(self):
        self.real, self.offset = timezone.now, timedelta(0)

    def now(self):
        return self.real() + self.offset


class RollupMachine(RuleBasedStateMachine):
    clock: Clock

    def __init__(self):
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.partners = {p.pk: p for p in Partner.objects.filter(pk__in=[MANUAL, AUTO])}
        self.voucher_ids: list = []  # in creation order, so that draws replay identically

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)
        self.clock.offset = timedelta(0)

    def candidates(self, states) -> list:
        found = set(
            Voucher.objects.filter(pk__in=self.voucher_ids, state__in=states).values_list(
                "pk", flat=True
            )
        )
        return [pk for pk in self.voucher_ids if pk in found]

    @rule(partner=st.sampled_from([MANUAL, AUTO]), offer=st.sampled_from(OFFERS))
    def reserve(self, partner, offer):
        store, offer_id, value = offer
        session = new_session(self.partners[partner])
        voucher = reservation.reserve(session, store, offer_id, by="value", amount=value).voucher
        self.voucher_ids.append(voucher.pk)

    @rule(hours=st.sampled_from([1, 5, 11, 23, 30]))
    def time_passes(self, hours):
        self.clock.offset += timedelta(hours=hours)

    @precondition(lambda self: self.candidates([State.RESERVED]))
    @rule(data=st.data())
    def confirm(self, data):
        voucher_id = data.draw(st.sampled_from(self.candidates([State.RESERVED])))
        try:
            lifecycle.transition(voucher_id, "confirm", "machine")
        except Problem as problem:  # its reservation ran out while time passed: now EXPIRED
            assert problem.code == "reservation-expired"

    @precondition(lambda self: self.candidates(State.values))
    @rule(data=st.data(), action=st.sampled_from(sorted(MOVES)))
    def move(self, data, action):
        movable = self.candidates(MOVES[action])
        if not movable:
            return
        voucher_id = data.draw(st.sampled_from(movable))
        try:
            lifecycle.transition(voucher_id, action, "machine")
        except Problem as problem:
            assert problem.code == "reservation-expired"

    @invariant()
    def the_rollup_adds_up_to_the_vouchers(self):
        assert rollup.rollup_problems() == []
        # A row fallen to zero counts nothing: no amount left over in it.
        assert not DailyTotal.objects.filter(vouchers=0).exclude(value=0, price=0).exists()


@pytest.mark.django_db
def test_the_rollup_adds_up_under_any_sequence_of_operations(
    make_partner, catalog, monkeypatch, settings
):
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: most confirmations change day there
    make_partner(MANUAL, confirmation_mode="manual")
    make_partner(AUTO, domains=["beta.example"])
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock.now)
    RollupMachine.clock = clock
    run_state_machine_as_test(
        RollupMachine,
        settings=hypothesis_settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_the_migration_backfill_writes_what_the_lifecycle_kept(db, make_partner, catalog):
    make_partner(MANUAL, confirmation_mode="manual")
    make_partner(AUTO, domains=["beta.example"])
    partners = {p.pk: p for p in Partner.objects.all()}
    vouchers = [
        reservation.reserve(new_session(partners[p]), s, o, by="value", amount=v).voucher
        for p in (MANUAL, AUTO)
        for s, o, v in OFFERS
    ]
    lifecycle.transition(vouchers[0].pk, "confirm", "test")
    lifecycle.transition(vouchers[1].pk, "cancel", "test")
    for action in ("deliver", "refund", "accept_refund"):  # counted, then not
        lifecycle.transition(vouchers[-1].pk, action, "test")
    kept = rollup.held()
    assert kept and rollup.rollup_problems() == []
    rebuild()  # as the migration that made the table filled it
    assert rollup.held() == kept
