"""Personal data past its retention (vouchers/personal_data.py): a closed voucher's userId and
e-mail, and its session's claims, are erased JACKPOT_PERSONAL_DATA_RETENTION_DAYS after it
closed; open vouchers never; the accounts (amounts, dates, states, store, ids, journal, ledger)
always stay. And what an erasure on request takes out of the text kept around a voucher."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jackpot.ledger.models import Entry, Transaction
from jackpot.tokens import sessions
from jackpot.tokens.models import Session
from jackpot.vouchers import lifecycle, personal_data
from jackpot.vouchers.delivery import process_due_jobs
from jackpot.vouchers.models import PersonalDataErasure, State, Voucher, VoucherEvent
from jackpot.webhooks.models import Attempt, Delivery, OutboxEvent
from support.reservations import reserve
from support.tokens import partner_token

pytestmark = pytest.mark.django_db

ACCOUNTS = (
    "state", "value", "price", "rate", "currency", "store_id", "partner_id", "coupon_id",
    "notification_key", "custom_transaction_id", "reservation_date", "confirm_date",
    "canceled_date", "validity_date", "payment_state", "wallet_operation_id", "statement_id",
)  # fmt: skip


def days_on(days: float):
    return timezone.now() + timedelta(days=days)


@pytest.fixture
def manual(make_partner, catalog):
    return make_partner("acme", confirmation_mode="manual")


def canceled(partner, **claims):
    voucher = reserve(partner, email="jeanne@example.com", **claims)
    return lifecycle.transition(voucher.pk, "cancel", "test", reason="user-42 changed her mind")


def test_a_canceled_voucher_is_erased_a_retention_period_after_it_closed(manual):
    voucher = canceled(manual)
    before = Voucher.objects.get(pk=voucher.pk)
    books = (Transaction.objects.count(), Entry.objects.count())
    journal = VoucherEvent.objects.filter(voucher=voucher).count()

    assert personal_data.erase_closed(days_on(364)) == 0
    assert Voucher.objects.get(pk=voucher.pk).user_id == "user-42"
    assert personal_data.erase_closed(days_on(366)) == 1

    after = Voucher.objects.get(pk=voucher.pk)
    assert (after.user_id, after.email) == ("", "")
    assert after.personal_data_erased_at is not None
    assert all(getattr(after, f) == getattr(before, f) for f in ACCOUNTS)
    session = Session.objects.get(pk=voucher.session_id)
    assert (session.user_id, session.postcode, session.age, session.gender) == ("", "", None, "")
    assert session.amount == before.session.amount
    assert (Transaction.objects.count(), Entry.objects.count()) == books
    assert VoucherEvent.objects.filter(voucher=voucher).count() == journal
    assert VoucherEvent.objects.get(voucher=voucher, to_state=State.CANCELED).reason == (
        "[erased] changed her mind"
    )
    for event in OutboxEvent.objects.filter(notification_key=voucher.notification_key):
        assert event.payload["message"]["data"]["userId"] is None
    (audit,) = PersonalDataErasure.objects.all()
    assert (audit.partner_id, audit.actor, audit.reason, audit.vouchers, audit.sessions) == (
        "acme", "worker", "retention", 1, 1)  # fmt: skip
    assert audit.subject_digest == ""
    # Done once: the next run finds nothing.
    assert personal_data.erase_closed(days_on(800)) == 0


def test_open_vouchers_are_never_erased_by_retention(manual):
    reserved = reserve(manual)
    confirmed = lifecycle.transition(reserve(manual).pk, "confirm", "test")
    assert (reserved.state, confirmed.state) == (State.RESERVED, State.CONFIRMED)

    assert personal_data.erase_closed(days_on(3000)) == 0
    assert set(Voucher.objects.values_list("user_id", flat=True)) == {"user-42"}
    assert not PersonalDataErasure.objects.exists()


def test_a_delivered_voucher_is_erased_only_once_it_can_no_longer_be_spent(partner, catalog):
    voucher = reserve(partner)  # confirmed at once
    process_due_jobs()
    voucher = Voucher.objects.get(pk=voucher.pk)
    assert voucher.state == State.READY
    valid_for = (voucher.validity_date - timezone.now()).days

    assert personal_data.erase_closed(days_on(366)) == 0
    assert personal_data.erase_closed(days_on(valid_for + 364)) == 0
    assert personal_data.erase_closed(days_on(valid_for + 367)) == 1
    assert Voucher.objects.get(pk=voucher.pk).user_id == ""


def test_a_change_after_closing_starts_the_period_again(manual):
    voucher = canceled(manual)
    VoucherEvent.objects.create(
        voucher=voucher, at=days_on(200), actor="test", from_state="CANCELED", to_state="CANCELED"
    )
    assert personal_data.erase_closed(days_on(366)) == 0
    assert personal_data.erase_closed(days_on(566)) == 1


def test_a_session_that_reserved_nothing_loses_its_personal_claims_after_the_period(partner):
    token = partner_token(partner.issued.apiSignature, userId="u-9", cp="75011", age=40)
    opened = sessions.exchange(token, client_id=partner.pk)

    assert personal_data.erase_expired_sessions(days_on(364)) == 0
    assert personal_data.erase_expired_sessions(days_on(366)) == 1
    session = Session.objects.get(pk=opened.session.pk)
    assert (session.user_id, session.postcode, session.age) == ("", "", None)
    assert "userId" not in session.claims and "amount" in session.claims
    assert personal_data.erase_expired_sessions(days_on(900)) == 0


def test_the_retention_setting_must_be_whole_days(settings):
    from django.core.exceptions import ImproperlyConfigured

    for wrong in (0, -1, 1.5, "365", True):
        settings.JACKPOT_PERSONAL_DATA_RETENTION_DAYS = wrong
        with pytest.raises(ImproperlyConfigured):
            personal_data.erase_closed(timezone.now())


def test_an_erasure_takes_the_values_out_of_the_partners_answers_kept(make_partner, catalog):
    acme = make_partner("acme", notification_url="https://acme.example/hooks")
    voucher = reserve(acme)
    delivery = Delivery.objects.filter(event__notification_key=voucher.notification_key).first()
    Attempt.objects.create(
        delivery=delivery,
        number=1,
        started_at=timezone.now(),
        status_code=400,
        response_excerpt='{"error": "unknown user user-42", "ref": "user-421"}',
    )

    erased = personal_data.erase_user(acme, "user-42", "partner:acme")

    assert erased.vouchers == 1
    excerpt = Attempt.objects.get(delivery=delivery).response_excerpt
    assert excerpt == '{"error": "unknown user [erased]", "ref": "user-421"}'


def test_erasing_a_blank_user_id_is_refused(partner):
    from jackpot.core.problems import Problem

    with pytest.raises(Problem):
        personal_data.erase_user(partner, "", "test")
