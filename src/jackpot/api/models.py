"""What the API remembers of requests: responses kept for Idempotency-Key replays."""

from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    """The first response to a state-changing request sent with an `Idempotency-Key`.

    `scope` is a digest of the credential that sent it, so two partners (or two sessions) never
    share keys. A record without `status_code` is a request still in flight.
    """

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # method, path and body of the first request
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True, default="")
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once")
        ]

    def __str__(self) -> str:
        state = self.status_code or "in flight"
        return f"Idempotency-Key {self.key} ({state})"
