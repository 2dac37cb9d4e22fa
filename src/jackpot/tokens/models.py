"""What a partner token becomes: a burn record (it is spent) and a session (what it opened)."""

import uuid

from django.db import models
from django.utils import timezone

from jackpot.partners.models import Partner


class TokenBurn(models.Model):
    """A token already exchanged, keyed on the digest of its signed input (`header.payload`).

    Keying on the signed input, not on the token string, makes a token whose signature is
    re-encoded (padding, unused base64 bits) count as the same token.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    burned_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "digest"], name="token_burned_once")
        ]

    def __str__(self) -> str:
        return f"token {self.digest[:12]}… of {self.partner_id} burned {self.burned_at:%Y-%m-%d}"


class Session(models.Model):
    """A conversion session: the token's claims and budget, usable for one reservation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="sessions")
    # SHA-256 of the opaque bearer credential handed back; the credential itself is never stored.
    credential_digest = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    claims = models.JSONField()
    notification_key = models.CharField(max_length=128)
    user_id = models.CharField(max_length=128, blank=True, default="")
    postcode = models.CharField(max_length=5, blank=True, default="")
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=1, blank=True, default="")
    force_manual_confirm = models.BooleanField(default=False)
    email = models.EmailField(blank=True, default="")
    custom_transaction_id = models.CharField(max_length=128, blank=True, default="")
    origin = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The operator admin's list, newest first, and its search by notificationKey.
            models.Index(fields=["created_at", "id"], name="session_created"),
            models.Index(fields=["partner", "notification_key"], name="session_partner_key"),
        ]

    def __str__(self) -> str:
        return f"session {self.id} of {self.partner_id} for {self.amount} {self.currency}"

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.closed_at is None and self.expires_at > now
