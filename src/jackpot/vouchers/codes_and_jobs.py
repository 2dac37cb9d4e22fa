"""Store codes, merchant keys and the delivery jobs of vouchers (`vouchers.codes`,
`vouchers.jobs`, `vouchers.delivery`): the stock a voucher draws on and the work the worker does
for it, beside the voucher itself (`vouchers.models`, which re-exports them for Django)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jackpot.catalog.models import CodeSource, Store
from jackpot.core.formatting import money


class CodeState(models.TextChoices):
    AVAILABLE = "available", _("In the pool, not handed out")
    ISSUED = "issued", _("Carried by a voucher")
    VOID = "void", _("Voided (refund accepted): never valid again")


class Code(models.Model):
    """A store code a voucher carries: taken from an imported pool, or generated for it.

    Pool codes arrive `available` and are taken (`issued`) at confirmation; generated codes are
    minted `issued`. A code is never handed out twice: it moves away from `available` once, under
    the row lock of the transaction that takes it, and is unique in its store (generated codes
    are unique everywhere).
    """

    # Indexed by `code_once_per_store` and `code_stock`, which lead with it.
    store = models.ForeignKey(
        Store,
        on_delete=models.CASCADE,
        related_name="codes",
        db_index=False,
        verbose_name=_("store"),
    )
    source = models.CharField(  # catalog.models.CodeSource
        _("source"), max_length=16, choices=CodeSource.choices, default=CodeSource.POOL
    )
    code = models.CharField(_("code"), max_length=64)
    pin = models.CharField(_("PIN"), max_length=32, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    expiry = models.DateField(_("expiry"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=CodeState.choices,
        default=CodeState.AVAILABLE,
        db_index=True,
    )
    voucher = models.ForeignKey(
        "vouchers.Voucher",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="codes",
        verbose_name=_("voucher"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)
    redeemed_by = models.CharField(_("redeemed by"), max_length=100, blank=True, default="")
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        ordering = ["store_id", "value", "id"]
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        constraints = [
            models.UniqueConstraint(fields=["store", "code"], name="code_once_per_store"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(source="generated"),
                name="generated_code_once",
            ),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="code_value_positive"),
            models.CheckConstraint(
                condition=models.Q(state="available", voucher__isnull=True)
                | ~models.Q(state="available"),
                name="available_code_has_no_voucher",
            ),
        ]
        indexes = [models.Index(fields=["store", "state", "value"], name="code_stock")]

    def __str__(self) -> str:
        return gettext("code …%(end)s of %(store)s, %(value)s (%(state)s)") % {
            "end": self.code[-4:],
            "store": self.store_id,
            "value": money(self.value, self.currency),
            "state": self.get_state_display(),
        }


class MerchantKey(models.Model):
    """A store's key for the merchant API (check and redeem codes); only its digest is kept."""

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="merchant_keys", verbose_name=_("store")
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    hint = models.CharField(_("key (start)"), max_length=12, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["store_id", "-created_at"]
        verbose_name = _("merchant key")
        verbose_name_plural = _("merchant keys")

    def __str__(self) -> str:
        return gettext("merchant key %(hint)s… of %(store)s") % {
            "hint": self.hint,
            "store": self.store_id,
        }


class JobKind(models.TextChoices):
    PDF = "pdf", _("Codes (if still missing), then READY")
    MAIL = "mail", _("Mail the PDF, then SENT")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for its next attempt")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed: retries used up")


class DeliveryJob(models.Model):
    """The voucher-delivery outbox: written in the transaction of the change that calls for it,
    drained by `jackpot worker` (`vouchers.delivery.process_due_jobs`)."""

    # Indexed by the unique (voucher, kind) constraint, whose first column it is.
    voucher = models.ForeignKey(
        "vouchers.Voucher",
        on_delete=models.CASCADE,
        related_name="delivery_jobs",
        db_index=False,
        verbose_name=_("voucher"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=JobKind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    # failed attempts so far
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # The worker's lease (`core.leases`): who holds the job, and until when.
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    lease_token = models.UUIDField(_("lease token"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # The id of the request that wrote the row (`core.request_context`), for following it in
    # the logs to what the worker did; null when written outside a request.
    request_id = models.CharField(  # noqa: DJ001
        _("request id"), max_length=128, null=True, blank=True
    )

    class Meta:
        ordering = ["next_attempt_at", "id"]
        verbose_name = _("delivery job")
        verbose_name_plural = _("delivery jobs")
        constraints = [
            models.UniqueConstraint(fields=["voucher", "kind"], name="one_job_per_voucher_kind")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_job_due"),
            # The worker's claim, in its order, read from the first due row whatever the (stale
            # by nature) statistics of a queue say (as webhooks' `delivery_pending`).
            models.Index(
                fields=["next_attempt_at", "id"],
                name="delivery_job_pending",
                condition=models.Q(status="pending"),
            ),
            # The jobs a request wrote (the admin's search by the id in the logs).
            models.Index(
                fields=["request_id"],
                name="delivery_job_request",
                condition=models.Q(request_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.voucher_id}: {self.get_status_display()}"
