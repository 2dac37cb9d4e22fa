"""The portal's own small services: partner users, preferences, legal information, and running
one lifecycle action over several vouchers. Business rules stay in their apps; these only call
them and report each outcome."""

import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from jackpot.core.problems import Problem
from jackpot.partners.models import Partner, PartnerUser
from jackpot.portal.models import LegalInformation
from jackpot.vouchers import lifecycle
from jackpot.vouchers.models import Voucher


@transaction.atomic
def create_partner_user(
    partner: Partner, username: str, *, password: str | None = None, email: str = ""
) -> tuple[PartnerUser, str]:
    """A portal login for the partner; returns it and its password (generated when not given)."""
    password = password or secrets.token_urlsafe(12)
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    return PartnerUser.objects.create(user=user, partner=partner), password


def legal_information(partner: Partner) -> LegalInformation:
    return LegalInformation.objects.filter(partner=partner).first() or LegalInformation(
        partner=partner
    )


def save_legal_information(info: LegalInformation, actor: str) -> LegalInformation:
    info.updated_at = timezone.now()
    info.updated_by = actor[:150]
    info.save()
    return info


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
