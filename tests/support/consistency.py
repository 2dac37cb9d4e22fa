"""What the database must hold after a fault: every invariant of vouchers, money and tokens."""

from collections import Counter
from decimal import Decimal

from support.rollup import rollup_problems


def database_problems() -> list[str]:
    """Every broken invariant, named; empty when the database is consistent.

    - A voucher's state agrees with its dates, payment, codes, delivery job and journal.
    - Its notifications: one coupon/reserved, and one coupon/confirmed exactly when confirmed;
      no coupon notification without its voucher (a rolled-back reservation leaves none).
    - The ledger balances: every transaction has entries summing to 0; each wallet payment is
      the one of a PAID voucher, and a PAID voucher has exactly that one; the running balances
      are the sums of the entries, and no wallet was ever negative (`ledger.balances`).
    - Each campaign's counters are what its live vouchers took; the dashboard's daily roll-up is
      what the confirmed vouchers add up to.
    - Each exchanged token opened exactly one session; a session is closed exactly when it
      reserved its voucher.
    - No server error was kept as an Idempotency-Key answer.
    """
    from django.db.models import Count, Sum

    from jackpot.api.models import IdempotencyRecord
    from jackpot.catalog.models import Campaign
    from jackpot.ledger import balances
    from jackpot.ledger.models import AccountKind, Transaction, TransactionKind
    from jackpot.partners.models import Partner
    from jackpot.tokens.models import Session, TokenBurn
    from jackpot.vouchers.models import (
        Code,
        CodeState,
        DeliveryJob,
        JobKind,
        PaymentState,
        State,
        Voucher,
        VoucherEvent,
    )
    from jackpot.vouchers.payments import reference as ledger_reference
    from jackpot.webhooks.models import OutboxEvent

    problems: list[str] = []
    vouchers = list(Voucher.objects.all())
    by_id = {str(v.pk): v for v in vouchers}
    confirmed_states = {State.CONFIRMED, State.READY, State.SENT}

    codes = Counter()
    code_values: dict[str, Decimal] = {}
    for voucher_id, state, value in Code.objects.values_list("voucher_id", "state", "value"):
        if voucher_id is None:
            continue
        codes[str(voucher_id)] += 1
        code_values[str(voucher_id)] = code_values.get(str(voucher_id), Decimal(0)) + value
        if state != CodeState.ISSUED:
            problems.append(f"code of voucher {voucher_id} is {state}, not issued")
    pdf_jobs = Counter(
        str(v)
        for v in DeliveryJob.objects.filter(kind=JobKind.PDF).values_list("voucher_id", flat=True)
    )
    journals: dict[str, list[tuple[str, str]]] = {}
    for voucher_id, before, after in VoucherEvent.objects.order_by("at", "id").values_list(
        "voucher_id", "from_state", "to_state"
    ):
        journals.setdefault(str(voucher_id), []).append((before, after))
    payments = {
        str(t.pk): t
        for t in Transaction.objects.filter(kind=TransactionKind.VOUCHER_PAYMENT).prefetch_related(
            "entries__account"
        )
    }

    for v in vouchers:
        name = f"voucher {v.coupon_id} ({v.state})"
        key = str(v.pk)
        confirmed = v.state in confirmed_states
        if v.state not in State.values:
            problems.append(f"{name}: unknown state")
        if confirmed != (v.confirm_date is not None):
            problems.append(f"{name}: confirmDate {v.confirm_date}")
        if (v.state == State.CANCELED) != (v.canceled_date is not None):
            problems.append(f"{name}: canceledDate {v.canceled_date}")
        if (v.state == State.EXPIRED) != (v.expired_date is not None):
            problems.append(f"{name}: expiredDate {v.expired_date}")
        if confirmed:
            if v.payment_state not in (PaymentState.DUE, PaymentState.PAID):
                problems.append(f"{name}: paymentState {v.payment_state!r}")
            if code_values.get(key) != v.value:
                problems.append(f"{name}: codes worth {code_values.get(key)} for {v.value}")
            if pdf_jobs[key] != 1:
                problems.append(f"{name}: {pdf_jobs[key]} PDF jobs")
        else:
            if v.payment_state or v.wallet_operation_id:
                problems.append(f"{name}: payment {v.payment_state!r} {v.wallet_operation_id!r}")
            if codes[key] or pdf_jobs[key]:
                problems.append(f"{name}: {codes[key]} codes, {pdf_jobs[key]} PDF jobs")
        if (v.payment_state == PaymentState.PAID) != bool(v.wallet_operation_id):
            problems.append(f"{name}: {v.payment_state} with operation {v.wallet_operation_id!r}")
        if v.wallet_operation_id:
            payment = payments.get(v.wallet_operation_id)
            legs = {e.account.kind: e.amount for e in payment.entries.all()} if payment else {}
            if payment is None or payment.reference != ledger_reference(v):
                problems.append(f"{name}: no wallet payment {v.wallet_operation_id}")
            elif legs != {AccountKind.PARTNER_WALLET: -v.price, AccountKind.PLATFORM: v.price}:
                problems.append(f"{name}: paid {legs} for a price of {v.price}")
        journal = journals.get(key, [])
        chained = all(a[1] == b[0] for a, b in zip(journal, journal[1:], strict=False))
        if not journal or journal[0] != ("", State.RESERVED) or not chained:
            problems.append(f"{name}: journal {journal}")
        elif journal[-1][1] != v.state:
            problems.append(f"{name}: journal ends in {journal[-1][1]}")
        if v.session_id is None:
            problems.append(f"{name}: no session")

    # Every wallet payment belongs to the PAID voucher that names it.
    paid_by = {v.wallet_operation_id for v in vouchers if v.wallet_operation_id}
    for txn_id, payment in payments.items():
        if txn_id not in paid_by:
            problems.append(f"wallet payment {txn_id} ({payment.reference}) of no voucher")

    # Notifications.
    notified = Counter(
        OutboxEvent.objects.filter(event__startswith="coupon/").values_list(
            "partner_id", "notification_key", "event"
        )
    )
    keys = {(v.partner_id, v.notification_key): v for v in vouchers}
    for (partner_id, key, event), count in notified.items():
        voucher = keys.get((partner_id, key))
        if voucher is None:
            problems.append(f"{event} for {partner_id}/{key}: no such voucher")
            continue
        expected = {
            "coupon/reserved": 1,
            "coupon/confirmed": int(voucher.confirm_date is not None),
        }.get(event, count)
        if count != expected:
            problems.append(f"voucher {voucher.coupon_id}: {count} × {event}")
    for v in vouchers:
        if notified[(v.partner_id, v.notification_key, "coupon/reserved")] == 0:
            problems.append(f"voucher {v.coupon_id}: no coupon/reserved")
        if v.confirm_date and notified[(v.partner_id, v.notification_key, "coupon/confirmed")] == 0:
            problems.append(f"voucher {v.coupon_id}: no coupon/confirmed")

    # The ledger.
    for txn in Transaction.objects.annotate(total=Sum("entries__amount"), legs=Count("entries")):
        if txn.legs < 2 or txn.total != 0:
            problems.append(
                f"transaction {txn.pk} ({txn.kind}): {txn.legs} entries, sum {txn.total}"
            )
    problems += balances.mismatches()

    # Campaign counters: what the vouchers still holding their budget took.
    for campaign in Campaign.objects.all():
        live = [
            v
            for v in vouchers
            if v.campaign_id == campaign.pk and v.state not in (State.CANCELED, State.EXPIRED)
        ]
        bonus = sum((v.value - v.price for v in live), Decimal("0.00"))
        if (campaign.vouchers_issued, campaign.bonus_spent) != (len(live), bonus):
            problems.append(
                f"campaign {campaign.pk}: counters {campaign.vouchers_issued} / "
                f"{campaign.bonus_spent}, vouchers {len(live)} / {bonus}"
            )

    # Tokens and sessions.
    for partner in Partner.objects.all():
        burns = TokenBurn.objects.filter(partner=partner).count()
        sessions = Session.objects.filter(partner=partner).count()
        if burns != sessions:
            problems.append(f"partner {partner.pk}: {burns} tokens burned, {sessions} sessions")
    with_voucher = {v.session_id for v in vouchers}
    for session_id, closed_at in Session.objects.values_list("id", "closed_at"):
        if (closed_at is not None) != (session_id in with_voucher):
            problems.append(
                f"session {session_id}: closed {closed_at}, voucher {session_id in with_voucher}"
            )

    problems += rollup_problems()  # the dashboard's daily roll-up adds up to the vouchers

    kept_errors = IdempotencyRecord.objects.filter(status_code__gte=500).count()
    if kept_errors:
        problems.append(f"{kept_errors} server errors kept as Idempotency-Key answers")
    if not by_id:
        problems.append("no voucher at all: the load did not run")
    return problems
