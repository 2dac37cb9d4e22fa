"""What the portal and the admin both do to a partner beyond its credentials: its logins, its
legal information, and switching it on or off. One place for each, whichever screen asks."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from jackpot.partners.models import LegalInformation, Partner, PartnerUser


@transaction.atomic
def create_partner_user(
    partner: Partner, username: str, *, password: str | None = None, email: str = ""
) -> tuple[PartnerUser, str]:
    """A portal login for the partner; returns it and its password (generated when not given)."""
    password = password or secrets.token_urlsafe(12)
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    return PartnerUser.objects.create(user=user, partner=partner), password


def legal_information(partner: Partner) -> LegalInformation:
    """The partner's legal information, or an unsaved empty one when none was given yet."""
    return LegalInformation.objects.filter(partner=partner).first() or LegalInformation(
        partner=partner
    )


def save_legal_information(info: LegalInformation, actor: str) -> LegalInformation:
    """Save it stamped with who changed it and when (the portal shows both)."""
    info.updated_at = timezone.now()
    info.updated_by = actor[:150]
    info.save()
    return info


def set_enabled(partner: Partner, enabled: bool) -> None:
    """Switch a partner on or off: a disabled partner's API calls, widget and portal stop.

    Partners with history are disabled, never deleted.
    """
    partner.enabled = enabled
    partner.save(update_fields=["enabled"])
