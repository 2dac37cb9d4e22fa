"""The ledger under random sequences of everything that moves money (SPEC §7).

A hypothesis state machine tops wallets up, reserves, confirms, cancels, expires, delivers,
sends and refunds vouchers, issues and pays statements. After every step:

* the books balance: every transaction's entries, and all entries together, sum to zero;
* no wallet is negative, and each equals a model kept beside the machine (top-ups − wallet
  payments + refunds of paid vouchers); every kept (running) balance is its entries' sum;
* every voucher's `paymentState` agrees with the ledger: PAID and not refunded ⇔ the money the
  platform received for it (`voucher:<id>` transactions plus its share of a paid statement)
  equals its price; DUE / WAITING ⇔ nothing moved for it; REFUNDED ⇒ in the end the partner
  paid nothing for it (and the platform kept nothing).

Each example runs in a savepoint rolled back by `teardown`, so examples never see each other.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from jackpot.core.problems import Problem
from jackpot.ledger import balances
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Account, AccountKind, Entry, Transaction, TransactionKind
from jackpot.partners.models import ConfirmationMode, Partner
from jackpot.vouchers import lifecycle, payments, reservation
from jackpot.vouchers.models import PaymentState, State, Statement, Voucher
from support.reservations import new_session

MANUAL, AUTO = "acme", "beta"
PARTNERS = [MANUAL, AUTO]
# (store, offer, value): prices 9.52, 28.57, 47.62 at SportMax (+5 %), 9, 18, 45 at Bookly (−10 %).
OFFERS = [("sportmax", "sportmax-launch", Decimal(v)) for v in (10, 30, 50)] + [
    ("bookly", "bookly-min", Decimal(v)) for v in (10, 20, 50)
]
# Hypothesis favours the first of a list: a top-up that pays a voucher or two comes first.
TOP_UPS = [Decimal(a) for a in ("50.00", "28.57", "9.00", "100.01", "18.00")]
# Who a statement bills: vouchers issued and not refunded. A voucher awaiting the refund decision
# is still owed for; an accepted refund later takes it back off its unpaid statement.
BILLABLE = [State.CONFIRMED, State.READY, State.SENT, State.REFUNDING, State.REFUND_REJECTED]
EVER = datetime(2000, 1, 1, tzinfo=UTC)
ZERO = Decimal("0")


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.partners = {p.pk: p for p in Partner.objects.filter(pk__in=PARTNERS)}
        self.wallet = {pk: Decimal("0.00") for pk in PARTNERS}  # the model
        self.voucher_ids: list = []  # in creation order, so draws replay identically
        self.keyed_top_ups: list[tuple] = []
        self.steps = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # -- helpers ------------------------------------------------------------------------------

    def candidates(self, states, exclude_payment=()) -> list:
        """The machine's vouchers in `states`, in creation order (so draws replay identically)."""
        found = set(
            Voucher.objects.filter(pk__in=self.voucher_ids, state__in=states)
            .exclude(payment_state__in=exclude_payment)
            .values_list("pk", flat=True)
        )
        return [pk for pk in self.voucher_ids if pk in found]

    def pick(self, data, states, exclude_payment=()):
        return data.draw(st.sampled_from(self.candidates(states, exclude_payment)))

    def paid_at_confirmation(self, voucher: Voucher, balance_before: Decimal) -> None:
        """The wallet pays exactly when it covers the price (the model decides, not the code)."""
        assert voucher.state == State.CONFIRMED and voucher.confirm_date is not None
        if balance_before >= voucher.price:
            assert voucher.payment_state == PaymentState.PAID, (balance_before, voucher.price)
            payment = Transaction.objects.get(pk=voucher.wallet_operation_id)
            assert payment.kind == TransactionKind.VOUCHER_PAYMENT
            self.wallet[voucher.partner_id] -= voucher.price
        else:
            assert voucher.payment_state == PaymentState.DUE, (balance_before, voucher.price)
            assert voucher.wallet_operation_id == ""

    def move(self, data, states, action, exclude_payment=()):
        voucher_id = self.pick(data, states, exclude_payment)
        before = Voucher.objects.get(pk=voucher_id)
        after = lifecycle.transition(voucher_id, action, "machine")
        assert after.state == lifecycle.TRANSITIONS[action][1]
        return before, after

    # -- money in -----------------------------------------------------------------------------

    @rule(partner=st.sampled_from(PARTNERS), amount=st.sampled_from(TOP_UPS), keyed=st.booleans())
    def top_up(self, partner, amount, keyed):
        self.steps += 1
        key = f"top-up-{self.steps}" if keyed else None
        reference = f"VIR-{self.steps}"
        txn = ledger.credit_wallet(
            self.partners[partner],
            amount,
            reference=reference,
            created_by="machine",
            idempotency_key=key,
        )
        self.wallet[partner] += amount
        if key:
            self.keyed_top_ups.append((partner, amount, reference, key, txn.pk))

    @precondition(lambda self: self.keyed_top_ups)
    @rule(data=st.data())
    def retry_a_top_up(self, data):
        partner, amount, reference, key, txn_id = data.draw(st.sampled_from(self.keyed_top_ups))
        again = ledger.credit_wallet(
            self.partners[partner],
            amount,
            reference=reference,
            created_by="machine",
            idempotency_key=key,
        )
        assert again.pk == txn_id  # moved once
        with pytest.raises(Problem) as refused:
            ledger.credit_wallet(
                self.partners[partner],
                amount + Decimal("0.01"),
                reference=reference,
                created_by="machine",
                idempotency_key=key,
            )
        assert refused.value.code == "idempotency-key-reused"

    # -- vouchers -----------------------------------------------------------------------------

    @rule(partner=st.sampled_from(PARTNERS), offer=st.sampled_from(OFFERS))
    def reserve(self, partner, offer):
        store, offer_id, value = offer
        owner = self.partners[partner]
        balance_before = self.wallet[partner]
        voucher = reservation.reserve(
            new_session(owner), store, offer_id, by="value", amount=value
        ).voucher
        self.voucher_ids.append(voucher.pk)
        if owner.confirmation_mode == ConfirmationMode.AUTO:
            self.paid_at_confirmation(voucher, balance_before)
        else:
            assert voucher.state == State.RESERVED and voucher.payment_state == ""

    @precondition(lambda self: self.candidates([State.RESERVED]))
    @rule(data=st.data())
    def confirm(self, data):
        voucher_id = self.pick(data, [State.RESERVED])
        partner_id = Voucher.objects.get(pk=voucher_id).partner_id
        balance_before = self.wallet[partner_id]
        voucher = lifecycle.transition(voucher_id, "confirm", f"partner:{partner_id}")
        self.paid_at_confirmation(voucher, balance_before)

    @precondition(lambda self: self.candidates([State.RESERVED]))
    @rule(data=st.data())
    def cancel(self, data):
        self.move(data, [State.RESERVED], "cancel")

    @precondition(lambda self: self.candidates([State.RESERVED]))
    @rule(data=st.data())
    def expire(self, data):
        self.move(data, [State.RESERVED], "expire")

    @precondition(lambda self: self.candidates([State.CONFIRMED]))
    @rule(data=st.data())
    def deliver(self, data):
        self.move(data, [State.CONFIRMED], "deliver")

    @precondition(lambda self: self.candidates([State.READY]))
    @rule(data=st.data())
    def send(self, data):
        self.move(data, [State.READY], "send")

    @precondition(lambda self: self.candidates([State.READY, State.SENT]))
    @rule(data=st.data())
    def ask_refund(self, data):
        self.move(data, [State.READY, State.SENT], "refund")

    @precondition(lambda self: self.candidates([State.REFUNDING]))
    @rule(data=st.data())
    def accept_refund(self, data):
        before, after = self.move(data, [State.REFUNDING], "accept_refund")
        if before.payment_state == PaymentState.PAID:
            self.wallet[before.partner_id] += before.price
            refund = Transaction.objects.get(
                kind=TransactionKind.REFUND, reference=f"voucher:{before.pk}"
            )
            if before.wallet_operation_id:
                assert str(refund.reverses_id) == before.wallet_operation_id

    @precondition(lambda self: self.candidates([State.REFUNDING]))
    @rule(data=st.data())
    def reject_refund(self, data):
        self.move(data, [State.REFUNDING], "reject_refund")

    # -- statements ---------------------------------------------------------------------------

    @precondition(lambda self: self.candidates(BILLABLE, exclude_payment=["", "WAITING", "PAID"]))
    @rule(partner=st.sampled_from(PARTNERS), data=st.data())
    def issue_statement(self, partner, data):
        owner = self.partners[partner]
        confirmed = sorted(
            Voucher.objects.filter(partner=owner, confirm_date__isnull=False).values_list(
                "confirm_date", flat=True
            )
        )
        bounds = [EVER, *confirmed, timezone.now() + timedelta(days=1)]
        start = data.draw(st.sampled_from(bounds[:-1]), label="start")
        end = data.draw(st.sampled_from([b for b in bounds if b > start]), label="end")
        expected = {
            v.pk: v.price
            for v in Voucher.objects.filter(
                partner=owner,
                payment_state=PaymentState.DUE,
                state__in=BILLABLE,
                confirm_date__gte=start,
                confirm_date__lt=end,
            )
        }
        if not expected:
            with pytest.raises(Problem) as refused:
                payments.issue_statement(owner, start, end, "machine")
            assert refused.value.code == "nothing-due"
            return
        statement = payments.issue_statement(owner, start, end, "machine")
        assert set(statement.vouchers.values_list("pk", flat=True)) == set(expected)
        assert statement.total == sum(expected.values())

    def statement_ids(self, paid: bool) -> list[int]:
        return list(
            Statement.objects.filter(paid_at__isnull=not paid)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    @precondition(lambda self: self.statement_ids(paid=False))
    @rule(data=st.data())
    def pay_statement(self, data):
        statement = Statement.objects.get(pk=data.draw(st.sampled_from(self.statement_ids(False))))
        listed = set(statement.vouchers.values_list("pk", flat=True))
        if not listed:  # every voucher it billed was refunded: nothing to pay
            with pytest.raises(Problem) as refused:
                payments.record_statement_payment(statement, payment_reference="x", actor="machine")
            assert refused.value.code == "statement-empty"
            return
        paid = payments.record_statement_payment(
            statement,
            payment_reference=f"VIR-S{statement.pk}",
            actor="machine",
            idempotency_key=f"statement-{statement.pk}",
        )
        assert paid.paid_at is not None
        now_paid = Voucher.objects.filter(statement=statement, payment_state=PaymentState.PAID)
        assert set(now_paid.values_list("pk", flat=True)) == listed

    @precondition(lambda self: self.statement_ids(paid=True))
    @rule(data=st.data())
    def pay_a_paid_statement_again(self, data):
        statement = Statement.objects.get(pk=data.draw(st.sampled_from(self.statement_ids(True))))
        transactions = Transaction.objects.count()
        with pytest.raises(Problem) as refused:
            payments.record_statement_payment(statement, payment_reference="again", actor="machine")
        assert refused.value.code == "statement-already-paid"
        assert Transaction.objects.count() == transactions

    # -- invariants ---------------------------------------------------------------------------

    @invariant()
    def the_books_balance(self):
        assert ledger.total_of_all_entries() == 0
        per_transaction = defaultdict(Decimal)
        for transaction_id, amount in Entry.objects.values_list("transaction_id", "amount"):
            per_transaction[transaction_id] += amount
        assert all(total == 0 for total in per_transaction.values()), per_transaction

    @invariant()
    def wallets_are_never_negative_and_match_the_model(self):
        for partner_id, partner in self.partners.items():
            balance = ledger.wallet_balance(partner)
            assert balance >= 0, (partner_id, balance)
            assert balance == self.wallet[partner_id], (partner_id, balance)

    @invariant()
    def kept_balances_are_the_sums_of_the_entries(self):
        summed = defaultdict(Decimal)
        for account_id, amount in Entry.objects.values_list("account_id", "amount"):
            summed[account_id] += amount
        for account in Account.objects.all():
            assert ledger.balance(account) == summed[account.pk], account.code
        assert balances.mismatches() == []

    @invariant()
    def payment_states_agree_with_the_ledger(self):
        platform_net, wallet_net, kinds = (
            defaultdict(Decimal),
            defaultdict(Decimal),
            defaultdict(set),
        )
        for reference, kind, account_kind, amount in Entry.objects.values_list(
            "transaction__reference", "transaction__kind", "account__kind", "amount"
        ):
            kinds[reference].add(kind)
            if account_kind == AccountKind.PLATFORM:
                platform_net[reference] += amount
            elif account_kind == AccountKind.PARTNER_WALLET:
                wallet_net[reference] += amount
        statements = {s.pk: s for s in Statement.objects.all()}
        for v in Voucher.objects.all():
            reference = f"voucher:{v.pk}"
            statement = statements.get(v.statement_id)
            share = v.price if statement is not None and statement.paid_at is not None else ZERO
            # What the platform received for the voucher, and what the partner paid for it (by
            # transfer, or from its wallet): the same, as voucher movements are wallet↔platform.
            received = platform_net[reference] + share
            outlay = share - wallet_net[reference]
            assert received == outlay, (v.state, v.payment_state, received, outlay)
            if v.confirm_date is None:  # RESERVED, CANCELED, EXPIRED: never paid
                assert v.payment_state == "" and reference not in kinds, v.state
                continue
            if v.state == State.REFUNDED:  # nothing owed, nothing left paid: no payment state
                assert v.payment_state == "" and received == 0, (v.payment_state, received)
                if v.wallet_operation_id:  # paid from the wallet: that payment is reversed
                    payment = Transaction.objects.get(pk=v.wallet_operation_id)
                    assert getattr(payment, "reversed_by", None) is not None
                continue
            assert v.payment_state in PaymentState.values
            assert (v.payment_state == PaymentState.PAID) == (received == v.price), (
                v.state,
                v.payment_state,
                received,
                v.price,
            )
            if v.payment_state in (PaymentState.DUE, PaymentState.WAITING):
                assert reference not in kinds, (v.state, v.payment_state, kinds[reference])
                assert (statement is None) == (v.payment_state == PaymentState.DUE)
                assert statement is None or statement.paid_at is None
            elif v.wallet_operation_id:  # PAID from the wallet at confirmation
                payment = Transaction.objects.get(pk=v.wallet_operation_id)
                assert (payment.kind, payment.reference) == (
                    TransactionKind.VOUCHER_PAYMENT,
                    reference,
                )
                assert statement is None
                assert getattr(payment, "reversed_by", None) is None  # not refunded
            else:  # PAID by its statement
                assert statement is not None and statement.paid_at is not None
                assert TransactionKind.VOUCHER_PAYMENT not in kinds[reference]

    @invariant()
    def statements_agree_with_their_vouchers_and_transfers(self):
        for statement in Statement.objects.all():
            vouchers = list(statement.vouchers.all())
            assert statement.total == sum(v.price for v in vouchers)
            # Only an accepted refund empties a statement, and only one not paid yet.
            assert vouchers or statement.paid_at is None
            transfers = list(Transaction.objects.filter(reference=f"statement:{statement.pk}"))
            if statement.paid_at is None:
                assert transfers == [] and statement.transaction_id == ""
                assert {v.payment_state for v in vouchers} <= {PaymentState.WAITING}
            else:
                (transfer,) = transfers
                assert transfer.kind == TransactionKind.STATEMENT_PAYMENT
                assert str(transfer.pk) == statement.transaction_id
                assert transfer.entries.get(account__kind=AccountKind.PLATFORM).amount == (
                    statement.total
                )
                # PAID, but for a voucher refunded since: its price went back to the wallet
                for v in vouchers:
                    refunded = v.state == State.REFUNDED
                    assert v.payment_state == ("" if refunded else PaymentState.PAID), v.state


@pytest.mark.django_db
def test_money_stays_consistent_under_any_sequence_of_operations(make_partner, catalog):
    make_partner(MANUAL, confirmation_mode="manual")
    make_partner(AUTO, domains=["beta.example"])
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=60,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
