"""Translated names of states and events, and messages for the problems services raise."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jackpot.core.problems import Problem
from jackpot.vouchers.models import PaymentState, State

# The voucher's states and payment states, worded once by `vouchers.models`.
STATE_LABELS = {**dict(State.choices), **dict(PaymentState.choices)}

DELIVERY_LABELS = {
    "pending": gettext_lazy("Pending"),
    "delivered": gettext_lazy("Delivered"),
    "failed": gettext_lazy("Failed"),
    "disabled": gettext_lazy("Endpoint disabled"),
}

TRANSACTION_LABELS = {
    "top_up": gettext_lazy("Top-up"),
    "voucher_payment": gettext_lazy("Voucher payment"),
    "statement_payment": gettext_lazy("Statement payment"),
    "refund": gettext_lazy("Refund"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def problem_message(problem: Problem) -> str:
    """A sentence for the partner user, in its language, for a problem a service raised."""
    messages = {
        "voucher-state-conflict": _("This voucher cannot do that in its current state (%(state)s).")
        % {"state": state_label(problem.extra.get("state", ""))},
        "reservation-expired": _("The reservation had expired: the voucher is now expired."),
        "voucher-not-found": _("No such voucher."),
        "code-already-redeemed": _("A code of this voucher was already used in the store."),
        "invalid-amount": _("The amount must be positive with at most two decimals."),
        "nothing-due": _("Nothing is due for this period."),
        "statement-already-paid": _("This statement is already paid."),
        "statement-empty": _(
            "Every voucher of this statement was refunded: nothing is left to pay."
        ),
        "invalid-period": _("The period ends before it starts."),
    }
    return messages.get(problem.code) or problem.detail or problem.title
