"""The portal's own small service: running one lifecycle action over several vouchers. Business
rules stay in their apps (logins and legal information in `partners.services`); this only calls
them and reports each outcome."""

from dataclasses import dataclass, field

from jackpot.core.problems import Problem
from jackpot.partners.models import Partner
from jackpot.vouchers import lifecycle
from jackpot.vouchers.models import Voucher


@dataclass
class BulkOutcome:
    done: list[Voucher] = field(default_factory=list)
    refused: list[tuple[str, Problem]] = field(default_factory=list)


def apply_to_many(
    partner: Partner, voucher_ids: list[str], action: str, actor: str, reason: str = ""
) -> BulkOutcome:
    """Run one lifecycle action on each voucher in its own transaction; one refusal does not
    undo the others. Vouchers of other partners are refused as not found by the lifecycle."""
    outcome = BulkOutcome()
    for voucher_id in dict.fromkeys(voucher_ids):  # each once, in the order given
        try:
            outcome.done.append(
                lifecycle.transition(
                    voucher_id, action, actor, partner_id=partner.pk, reason=reason
                )
            )
        except Problem as problem:
            outcome.refused.append((voucher_id, problem))
    return outcome
