"""What a partner token becomes: a burn record (it is spent) and a session (what it opened)."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jackpot.core.formatting import money
from jackpot.partners.models import Partner


class TokenBurn(models.Model):
    """A token already exchanged, keyed on the digest of its signed input (`header.payload`).

    Keying on the signed input, not on the token string, makes a token whose signature is
    re-encoded (padding, unused base64 bits) count as the same token.
    """

    # Indexed by the unique (partner, digest) constraint, whose first column it is.
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("partner"),
    )
    digest = models.CharField(_("digest"), max_length=64)
    burned_at = models.DateTimeField(_("used at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("used token")
        verbose_name_plural = _("used tokens")
        constraints = [
            models.UniqueConstraint(fields=["partner", "digest"], name="token_burned_once")
        ]

    def __str__(self) -> str:
        return gettext("token %(digest)s… of %(partner)s used %(date)s") % {
            "digest": self.digest[:12],
            "partner": self.partner_id,
            "date": f"{self.burned_at:%Y-%m-%d}",
        }


class Session(models.Model):
    """A conversion session: the token's claims and budget, usable for one reservation."""

    id = models.UUIDField(_("id"), primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: `session_partner_key` (partner, notification_key) starts with it.
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="sessions",
        db_index=False,
        verbose_name=_("partner"),
    )
    # SHA-256 of the opaque bearer credential handed back; the credential itself is never stored.
    credential_digest = models.CharField(_("credential digest"), max_length=64, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    claims = models.JSONField(_("claims"))
    notification_key = models.CharField(_("notificationKey"), max_length=128)
    user_id = models.CharField(_("userId"), max_length=128, blank=True, default="")
    postcode = models.CharField(_("postcode"), max_length=5, blank=True, default="")
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, blank=True, default="")
    force_manual_confirm = models.BooleanField(_("forceManualConfirm"), default=False)
    email = models.EmailField(_("e-mail"), blank=True, default="")
    custom_transaction_id = models.CharField(
        _("customTransactionId"), max_length=128, blank=True, default=""
    )
    origin = models.CharField(_("origin"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [
            # The operator admin's list, newest first, and its search by notificationKey.
            models.Index(fields=["created_at", "id"], name="session_created"),
            models.Index(fields=["partner", "notification_key"], name="session_partner_key"),
            # What is held about a user (`vouchers.personal_data`): the partner's sessions that
            # carry that userId; most carry none.
            models.Index(
                fields=["partner", "user_id"],
                condition=~models.Q(user_id=""),
                name="session_partner_user",
            ),
        ]

    def __str__(self) -> str:
        return gettext("session %(id)s of %(partner)s for %(amount)s") % {
            "id": self.id,
            "partner": self.partner_id,
            "amount": money(self.amount, self.currency),
        }

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.closed_at is None and self.expires_at > now
