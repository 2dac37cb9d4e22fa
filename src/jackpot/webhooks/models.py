"""The notification outbox: envelopes written in the transaction of the change they report."""

import uuid

from django.db import models
from django.utils import timezone

from jackpot.partners.models import Partner


class OutboxEvent(models.Model):
    """One notification to one partner, in the envelope of SPEC §8.

    Rows are written by the service that makes the change, inside its transaction, so a change
    that committed always has its notification and a rolled-back change never has one.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="outbox")
    event = models.CharField(max_length=40)
    notification_key = models.CharField(max_length=128, blank=True, default="")
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.event} for {self.partner_id} at {self.created_at:%Y-%m-%d %H:%M:%S}"
