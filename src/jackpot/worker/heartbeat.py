"""Evidence that a worker runs: each pass stamps its row (`beat`), `jackpot check --deploy`
reads the freshest (`latest`).

One UPDATE (or INSERT, the first time) per pass; rows of processes gone for a day are deleted,
so the table holds about one row per live worker process.
"""

import os
import socket
from datetime import datetime, timedelta

from django.utils import timezone

from jackpot.worker.models import Heartbeat

FORGET_AFTER = timedelta(days=1)


def name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat() -> None:
    now = timezone.now()
    if not Heartbeat.objects.filter(worker=name()).update(seen_at=now):
        Heartbeat.objects.create(worker=name(), seen_at=now)
        Heartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def latest() -> datetime | None:
    """When a worker last finished a pass, or None if none ever did (or for a day)."""
    return Heartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
