"""The voucher journal in words: what each event says happened and who did it, in the reader's
language.

An event (`VoucherEvent`) is stored as a code with parameters (`code`, `params`) and an actor
written `kind` or `kind:name` (`system`, `worker`, `webhook`, `session:<uuid>`,
`partner:<id>`, `portal:<username>`, `operator:<username>`, `store:<id>`); the sentence is
chosen when a page shows it, so the French portal and the English admin read the same row each
in its own language. `reason` holds only what a person typed (a partner's or an operator's own
words): it is shown as written, never translated.

Rows written before the codes existed were converted by the migration that added them
(`0009_voucher_event_codes`: every English sentence the platform wrote is recognised;
any other text was a person's words and stays in `reason`). An event whose code this module
does not know still shows its states, actor and reason.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

# What happened (VoucherEvent.code)
RESERVED = "reserved"  # params: {"by": "price" | "value"}
AUTO_CONFIRMED = "auto_confirmed"
CONFIRMED = "confirmed"
NOTIFICATION_CONFIRMED = "notification_confirmed"  # params: {"status": <HTTP status>}
CANCELED = "canceled"
EXPIRED = "expired"
DELIVERED = "delivered"
MAILED = "mailed"
REFUND_REQUESTED = "refund_requested"
REFUND_ACCEPTED = "refund_accepted"
REFUND_REJECTED = "refund_rejected"

# The code of a lifecycle action when its caller names no more precise one.
ACTION_CODES = {
    "confirm": CONFIRMED,
    "cancel": CANCELED,
    "expire": EXPIRED,
    "deliver": DELIVERED,
    "send": MAILED,
    "refund": REFUND_REQUESTED,
    "accept_refund": REFUND_ACCEPTED,
    "reject_refund": REFUND_REJECTED,
}

# What a code adds to the two states an entry shows; a plain confirmation, cancellation or refund
# request adds nothing (its states say it all, and its actor who did it).
SAYS_NOTHING_MORE = frozenset({CONFIRMED, CANCELED, REFUND_REQUESTED})
MESSAGES = {
    AUTO_CONFIRMED: _("Automatic confirmation"),
    NOTIFICATION_CONFIRMED: _(
        "Confirmed by the answer %(status)s to the coupon/reserved notification"
    ),
    EXPIRED: _("Reservation expired (not confirmed in time)"),
    DELIVERED: _("Codes assigned and PDF made"),
    MAILED: _("PDF sent to the user by e-mail"),
    REFUND_ACCEPTED: _("Refund accepted by the store"),
    REFUND_REJECTED: _("Refund refused by the store"),
}
RESERVED_BY = {
    "price": _("Reserved (the user chose the price to pay)"),
    "value": _("Reserved (the user chose the voucher's value)"),
}

# Who reads the journal: the partner (the portal says "your server") or the operator (the admin).
PARTNER = "partner"
OPERATOR = "operator"

ACTORS = {
    "system": _("Jackpot (automatic)"),
    "worker": _("Jackpot (background task)"),
    "session": _("The customer's session"),
    "store": _("The store (merchant API)"),
    "cli": _("Jackpot operator (command line)"),
}
# Actors the partner reads as its own ("your server"), the operator as the partner's.
PARTNER_ACTORS = {
    PARTNER: {
        "partner": _("Your server (API key)"),
        "webhook": _("Your notification URL"),
    },
    OPERATOR: {
        "partner": _("The partner's server (API key)"),
        "webhook": _("The partner's notification URL"),
    },
}
NAMED_ACTORS = {
    "portal": _("%(name)s (partner portal)"),
    "operator": _("Jackpot operator %(name)s"),
}


def message(code: str, params: dict | None = None) -> str:
    """The sentence for an event code, in the active language ("" when it adds nothing to the
    entry's states, and for a code this module does not know)."""
    params = params or {}
    if code == RESERVED:
        return str(RESERVED_BY.get(params.get("by"), _("Reserved")))
    text = MESSAGES.get(code)
    if text is None:
        return ""
    if code == NOTIFICATION_CONFIRMED:
        return str(text) % {"status": params.get("status", "?")}
    return str(text)


def actor_label(actor: str, audience: str = PARTNER) -> str:
    """Who did it, named for a person reading the journal, in the active language."""
    kind, _sep, name = actor.partition(":")
    if kind == "operator" and name == "cli":
        return str(ACTORS["cli"])
    if kind in PARTNER_ACTORS[audience]:
        return str(PARTNER_ACTORS[audience][kind])
    if kind in NAMED_ACTORS and name:
        return str(NAMED_ACTORS[kind]) % {"name": name}
    if kind in ACTORS:
        return str(ACTORS[kind])
    return actor  # an actor this module does not know (a test's, a script's): as written


@dataclass(frozen=True)
class Entry:
    """One journal line as a page shows it."""

    at: datetime
    from_state: str
    to_state: str
    who: str
    what: str
    note: str  # a person's own words, as written
    actor: str  # the stored actor, for a tooltip or a search


def entry(event, audience: str = PARTNER) -> Entry:
    return Entry(
        at=event.at,
        from_state=event.from_state,
        to_state=event.to_state,
        who=actor_label(event.actor, audience),
        what=message(event.code, event.params),
        note=event.reason,
        actor=event.actor,
    )


def entries(events, audience: str = PARTNER) -> list[Entry]:
    return [entry(event, audience) for event in events]
