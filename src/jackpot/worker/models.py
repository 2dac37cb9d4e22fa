"""The one row each worker process keeps fresh, so that `jackpot check --deploy` can tell a
worker is running from any node: the database is the only place every node and worker share
(Redis may be absent on a single node)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    # host:pid of the worker process; a restarted process writes a new row, old rows are pruned.
    worker = models.CharField(_("worker"), max_length=200, primary_key=True)
    seen_at = models.DateTimeField(_("seen at"), default=timezone.now, db_index=True)

    class Meta:
        db_table = "worker_heartbeat"
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker} ({self.seen_at:%Y-%m-%d %H:%M:%S})"
