"""What the API remembers of requests: responses kept for Idempotency-Key replays."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first response to a state-changing request sent with an `Idempotency-Key`.

    `scope` is a digest of the credential that sent it, so two partners (or two sessions) never
    share keys. A record without `status_code` is a request still in flight.
    """

    scope = models.CharField(_("scope"), max_length=64)
    key = models.CharField(_("key"), max_length=255)
    # method, path and body of the first request
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True, default="")
    body = models.BinaryField(_("body"), default=b"")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once")
        ]

    def __str__(self) -> str:
        state = self.status_code or gettext("in flight")
        return f"Idempotency-Key {self.key} ({state})"
