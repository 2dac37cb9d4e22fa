"""`GET /metrics`: the Prometheus scrape, closed to the public.

Answered only when JACKPOT_METRICS_TOKEN is set and the request carries it as
`Authorization: Bearer <token>`; anything else gets the site's ordinary 404, so the endpoint
does not show. The counters and histograms (`core.metrics`) of every process of the node are
summed from PROMETHEUS_MULTIPROC_DIR when it is set (`jackpot serve`, `jackpot worker`). The
outbox backlog is read from the database at scrape time: pending webhook deliveries and PDF and
mail jobs, and the age of the oldest of each (indexed on their status).
"""

import hmac
import logging
import os

from django.conf import settings
from django.db.models import Count, Min
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from jackpot.vouchers.models import DeliveryJob, JobStatus
from jackpot.webhooks.models import Delivery, DeliveryStatus

log = logging.getLogger("jackpot.metrics")


class OutboxBacklog:
    """What waits for the worker, per queue: how many rows, and how old the oldest is."""

    def collect(self):
        pending = GaugeMetricFamily(
            "jackpot_outbox_pending", "Outbox rows waiting for the worker.", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "jackpot_outbox_oldest_age_seconds",
            "Age of the oldest outbox row waiting for the worker (0 when none).",
            labels=["queue"],
        )
        try:
            queues = {"webhook": (0, None), "pdf": (0, None), "mail": (0, None)}
            webhooks = Delivery.objects.filter(status=DeliveryStatus.PENDING).aggregate(
                n=Count("id"), first=Min("created_at")
            )
            queues["webhook"] = (webhooks["n"], webhooks["first"])
            jobs = (
                DeliveryJob.objects.filter(status=JobStatus.PENDING)
                .values("kind")
                .annotate(n=Count("id"), first=Min("created_at"))
            )
            for row in jobs:
                queues[row["kind"]] = (row["n"], row["first"])
        except Exception as exc:  # noqa: BLE001 - the scrape still gives the other metrics
            log.warning("outbox backlog not read: %s", exc)
            return
        now = timezone.now()
        for queue, (count, first) in queues.items():
            pending.add_metric([queue], count)
            oldest.add_metric([queue], (now - first).total_seconds() if first else 0.0)
        yield pending
        yield oldest


_backlog = CollectorRegistry(auto_describe=True)
_backlog.register(OutboxBacklog())


def _allowed(request) -> bool:
    token = settings.JACKPOT_METRICS_TOKEN
    if not token:
        return False
    sent = request.headers.get("Authorization", "")
    return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


def _processes() -> bytes:
    """Every process's values when the node's processes record to files, else this one's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@never_cache
def scrape(request):
    if not _allowed(request):
        raise Http404
    return HttpResponse(_processes() + generate_latest(_backlog), content_type=CONTENT_TYPE_LATEST)
