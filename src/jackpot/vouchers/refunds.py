"""Refund decisions (SPEC §6.1): the store accepts or refuses a REFUNDING voucher.

The partner asks (`POST /v2/voucher/{id}/refund`: READY|SENT → REFUNDING); the operator records
the store's answer here, from the CLI (`jackpot refund`) or the admin's refund actions:

- `accept` → REFUNDED: the voucher's codes are voided (never valid again, and not returned to
  the pool: the user has seen them) and a paid voucher's price goes back to the partner's
  wallet, in one transaction. A generated code the store already redeemed makes the refund
  impossible (409 `code-already-redeemed`): the voucher was spent.
- `reject` → REFUND_REJECTED: the voucher and its codes stay good.
"""

from jackpot.vouchers import lifecycle
from jackpot.vouchers.models import Voucher


def accept(voucher_id, actor: str, reason: str = "") -> Voucher:
    return lifecycle.transition(voucher_id, "accept_refund", actor, reason=reason)


def reject(voucher_id, actor: str, reason: str = "") -> Voucher:
    return lifecycle.transition(voucher_id, "reject_refund", actor, reason=reason)
