"""The voucher state machine (SPEC §6.1): the one place that decides whether a change may happen.

Every change runs in a transaction holding the voucher's row lock, sets the state's date, writes a
`VoucherEvent` and the partner's notification to the outbox, so the three never disagree. A
confirmation also takes the voucher's codes and queues its PDF job (`vouchers.jobs`), which the
worker runs (`vouchers.delivery`, which calls back here to move the voucher on).
"""

import uuid

from django.db import transaction
from django.utils import timezone

from jackpot.catalog import budget
from jackpot.core.compiled import CompiledQuery, insert, save
from jackpot.core.metrics import VOUCHER_TRANSITIONS
from jackpot.core.problems import Problem, voucher_not_found
from jackpot.vouchers import jobs, journal, payments, rollup
from jackpot.vouchers.codes import pool
from jackpot.vouchers.models import JobKind, State, Voucher, VoucherEvent
from jackpot.vouchers.representation import voucher_object
from jackpot.webhooks import outbox

# action -> (states it may start from, state it leads to, notification event)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "confirm": (frozenset({State.RESERVED}), State.CONFIRMED, "coupon/confirmed"),
    "cancel": (frozenset({State.RESERVED}), State.CANCELED, "coupon/canceled"),
    "expire": (frozenset({State.RESERVED}), State.EXPIRED, "coupon/expired"),
    "deliver": (frozenset({State.CONFIRMED}), State.READY, "coupon/ready"),
    "send": (frozenset({State.READY}), State.SENT, "coupon/sent"),
    "refund": (frozenset({State.READY, State.SENT}), State.REFUNDING, "coupon/refunding"),
    "accept_refund": (frozenset({State.REFUNDING}), State.REFUNDED, "coupon/refunded"),
    "reject_refund": (
        frozenset({State.REFUNDING}),
        State.REFUND_REJECTED,
        "coupon/refund_rejected",
    ),
}
# Leaving RESERVED without being confirmed gives the campaign its budget and cap back.
RELEASES_BUDGET = {"cancel", "expire"}


def state_conflict(voucher: Voucher, action: str) -> Problem:
    return Problem(
        "voucher-state-conflict",
        "The voucher cannot change that way",
        409,
        f"'{action}' is not possible for a {voucher.state} voucher.",
        extra={"state": voucher.state, "action": action},
    )


def record(
    voucher: Voucher,
    from_state: str,
    actor: str,
    code: str,
    params: dict | None = None,
    reason: str = "",
    event: str | None = None,
):
    """Journal a change and notify the partner, inside the caller's transaction.

    `code` and `params` say what happened (`vouchers.journal` words them in the reader's
    language); `reason` is what a person typed, if anything.
    """
    # Counted once the change commits: a rolled-back change did not happen.
    transition_count = VOUCHER_TRANSITIONS.labels(from_state or "NEW", voucher.state)
    transaction.on_commit(transition_count.inc)
    insert(
        VoucherEvent(
            voucher=voucher,
            at=timezone.now(),
            actor=actor,
            from_state=from_state,
            to_state=voucher.state,
            code=code,
            params=params or {},
            reason=reason[:300],
        )
    )
    if event:
        outbox.enqueue(
            voucher.partner,
            event,
            store_id=voucher.store_id,
            data=voucher_object(voucher),
            coupon_id=voucher.coupon_id,
            notification_key=voucher.notification_key,
        )


def release_budget(voucher: Voucher) -> None:
    """Give a campaign what the voucher's reservation took: nothing for a test voucher."""
    if voucher.partner.livemode:
        budget.give_back(voucher.campaign_id, voucher.bonus)


def apply(
    voucher: Voucher,
    action: str,
    actor: str,
    reason: str = "",
    now=None,
    *,
    code: str | None = None,
    params: dict | None = None,
) -> Voucher:
    """Move a voucher already locked by the caller; raise `voucher-state-conflict` if refused.

    The journal's code is the action's own (`journal.ACTION_CODES`) unless the caller names a
    more precise one (an automatic confirmation, a confirmation by notification).
    """
    sources, target, event = TRANSITIONS[action]
    if voucher.state not in sources:
        raise state_conflict(voucher, action)
    now = now or timezone.now()
    before = voucher.state
    voucher.state = target
    if action == "confirm":
        voucher.confirm_date = now
        payments.pay_at_confirmation(voucher)
    elif action == "cancel":
        voucher.canceled_date = now
    elif action == "expire":
        voucher.expired_date = now
    elif action == "deliver":
        voucher.ready_date = now
    elif action == "send":
        voucher.send_date = now
    elif action == "accept_refund":
        pool.void_for(voucher, now)  # refused (409) if a code was already redeemed
        payments.reverse_payment(voucher, actor)
    if action in RELEASES_BUDGET:
        release_budget(voucher)
    save(voucher)
    record(voucher, before, actor, code or journal.ACTION_CODES[action], params, reason, event)
    if action == "confirm":
        on_confirmed(voucher)
    rollup.follow(voucher, before)  # last: its row lock is held for the shortest time
    return voucher


def on_confirmed(voucher: Voucher) -> None:
    """Take the voucher's codes and queue its PDF, in the confirmation's transaction.

    A voucher is confirmed once (its row lock and state machine see to it), so it has neither
    codes nor jobs yet: both are written without looking for earlier ones.
    """
    pool.take_for(voucher, first_time=True)
    jobs.enqueue(voucher, JobKind.PDF, first_time=True)


def _locked_vouchers():
    # of=("self",): lock the voucher's row only, not its partner's and store's rows that
    # select_related joins (PostgreSQL would lock those too, serialising a store's vouchers).
    return Voucher.objects.select_for_update(of=("self",)).select_related("partner", "store")


_lock_any = CompiledQuery(lambda pk: _locked_vouchers().filter(pk=pk), uuid.UUID(int=0))
_lock_partners = CompiledQuery(
    lambda pk, partner_id: _locked_vouchers().filter(pk=pk, partner_id=partner_id),
    uuid.UUID(int=0),
    "partner-example",
)


def lock(voucher_id, partner_id: str | None = None) -> Voucher:
    """Take the voucher's row lock (PostgreSQL; SQLite serialises writers by its IMMEDIATE mode)."""
    try:
        voucher_id = uuid.UUID(str(voucher_id))
    except ValueError:
        voucher_id = None
    if voucher_id is None:
        voucher = None
    elif partner_id is None:
        voucher = _lock_any.first(voucher_id)
    else:
        voucher = _lock_partners.first(voucher_id, partner_id)
    if voucher is None:
        raise voucher_not_found()
    return voucher


def _expired_before(voucher: Voucher, now) -> bool:
    return voucher.state == State.RESERVED and voucher.resa_expire_date <= now


def transition(
    voucher_id,
    action: str,
    actor: str,
    *,
    partner_id: str | None = None,
    reason: str = "",
    code: str | None = None,
    params: dict | None = None,
) -> Voucher:
    """Apply `action` to a voucher in its own transaction.

    A reservation whose `resaExpireDate` passed is expired on the spot (and the change refused)
    rather than confirmed late: the worker's sweep is only the backstop.
    """
    now = timezone.now()
    expired = None
    with transaction.atomic():
        voucher = lock(voucher_id, partner_id)
        if action != "expire" and _expired_before(voucher, now):
            apply(voucher, "expire", "system", now=now)
            expired = voucher
        else:
            return apply(voucher, action, actor, reason, now, code=code, params=params)
    raise Problem(
        "reservation-expired",
        "The reservation has expired",
        409,
        f"The voucher's reservation expired at its resaExpireDate; it is now {expired.state}.",
        extra={"state": expired.state, "action": action},
    )


def due_to_expire(now, batch: int):
    """The ids of RESERVED vouchers past their resaExpireDate, soonest first: read from
    `voucher_reserved_expiry`, which holds the RESERVED vouchers only."""
    return (
        Voucher.objects.filter(state=State.RESERVED, resa_expire_date__lte=now)
        .order_by("resa_expire_date")
        .values_list("pk", flat=True)[:batch]
    )


def expire_due(now=None, batch: int = 200) -> int:
    """Expire reservations past their resaExpireDate; returns how many. Run by the worker."""
    now = now or timezone.now()
    done = 0
    for voucher_id in list(due_to_expire(now, batch)):
        with transaction.atomic():
            voucher = lock(voucher_id)
            if _expired_before(voucher, now):
                apply(voucher, "expire", "worker", now=now)
                done += 1
    return done
