"""The `notification` confirmation mode (SPEC §6.2): a 2xx answer to `coupon/reserved` confirms.

webhooks knows nothing of vouchers: it reports every delivery outcome to the callback the worker
hands it, and this module is that callback. It runs inside the transaction that records the
outcome (webhooks gives it a savepoint), so "delivered" and "confirmed" commit together: a worker
killed between the two leaves the delivery leased, it is sent again, and the answer confirms then.

Only a voucher still RESERVED, of a partner in `notification` mode, whose token did not ask for
`forceManualConfirm`, is confirmed; anything else (already confirmed or cancelled by the
partner, expired meanwhile, gone) is left as it is.
"""

import logging
import uuid

from jackpot.core.problems import Problem
from jackpot.partners.models import ConfirmationMode
from jackpot.vouchers import journal, lifecycle
from jackpot.vouchers.models import State, Voucher

log = logging.getLogger("jackpot.vouchers")

CONFIRMING_EVENT = "coupon/reserved"


def voucher_id_of(payload: dict) -> str | None:
    message = payload.get("message") if isinstance(payload, dict) else None
    data = message.get("data") if isinstance(message, dict) else None
    try:
        return str(uuid.UUID(data.get("id"))) if isinstance(data, dict) else None
    except (TypeError, ValueError):
        return None


def on_delivery_outcome(outcome) -> None:
    """React to one delivery outcome (a `jackpot.webhooks.outcomes.Outcome`)."""
    if outcome.event != CONFIRMING_EVENT or not outcome.delivered:
        return
    voucher_id = voucher_id_of(outcome.payload)
    if voucher_id is None:
        return
    voucher = (
        Voucher.objects.select_related("partner", "session")
        .filter(pk=voucher_id, partner_id=outcome.partner_id)
        .first()
    )
    if voucher is None or voucher.state != State.RESERVED:
        return
    if voucher.partner.confirmation_mode != ConfirmationMode.NOTIFICATION:
        return
    if voucher.session is not None and voucher.session.force_manual_confirm:
        return
    try:
        lifecycle.transition(
            voucher.pk,
            "confirm",
            "webhook",
            partner_id=outcome.partner_id,
            code=journal.NOTIFICATION_CONFIRMED,
            params={"status": outcome.status_code},
        )
    except Problem as problem:  # confirmed, cancelled or expired meanwhile: nothing to do
        log.info("voucher %s not confirmed by webhook: %s", voucher.pk, problem.code)


def relevant(outcomes: list) -> list:
    """Of a batch of outcomes, those `on_delivery_outcome` may act on: delivered, for a voucher
    still RESERVED of a partner in `notification` mode. One read for the batch, so that the
    outcomes of partners confirming by hand or through the API cost nothing more."""
    candidates = {}
    for outcome in outcomes:
        voucher_id = voucher_id_of(outcome.payload) if outcome.delivered else None
        if outcome.event == CONFIRMING_EVENT and voucher_id is not None:
            candidates[outcome.delivery_id] = (voucher_id, outcome.partner_id)
    if not candidates:
        return []
    waiting = set(
        Voucher.objects.filter(
            pk__in={voucher_id for voucher_id, _ in candidates.values()},
            state=State.RESERVED,
            partner__confirmation_mode=ConfirmationMode.NOTIFICATION,
        ).values_list("pk", "partner_id")
    )
    return [
        o
        for o in outcomes
        if o.delivery_id in candidates
        and (uuid.UUID(candidates[o.delivery_id][0]), candidates[o.delivery_id][1]) in waiting
    ]


# The only event it acts on: webhooks reports it no other, and only the outcomes `relevant`
# keeps (`webhooks.outcomes.OutcomeCallback`).
on_delivery_outcome.events = frozenset({CONFIRMING_EVENT})
on_delivery_outcome.relevant = relevant
