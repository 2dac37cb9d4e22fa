"""Vouchers and the journal of every state change they went through."""

import uuid

from django.db import models
from django.utils import timezone

from jackpot.catalog.models import Campaign, Store
from jackpot.partners.models import Partner
from jackpot.tokens.models import Session


class State(models.TextChoices):
    RESERVED = "RESERVED"
    CONFIRMED = "CONFIRMED"
    READY = "READY"
    SENT = "SENT"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    REFUNDING = "REFUNDING"
    REFUNDED = "REFUNDED"
    REFUND_REJECTED = "REFUND_REJECTED"


class PaymentState(models.TextChoices):
    DUE = "DUE"
    WAITING = "WAITING"
    PAID = "PAID"


class Statement(models.Model):
    """What a partner owes for a period: its DUE vouchers, which become WAITING until paid."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="statements")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    currency = models.CharField(max_length=3, default="EUR")
    total = models.DecimalField(max_digits=14, decimal_places=2)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.CharField(max_length=100, default="system")
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=200, blank=True, default="")
    transaction_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [
            # The portal's statements list, a page at a time (`portal.paging`).
            models.Index(fields=["partner", "-issued_at", "-id"], name="statement_partner_newest")
        ]

    def __str__(self) -> str:
        return f"statement {self.pk} of {self.partner_id}: {self.total} {self.currency}"


# The order of a partner's vouchers in every list: newest reservation first, ties by id.
NEWEST = ["-reservation_date", "-id"]
# The states the portal's refunds list shows.
REFUND_STATES = [State.REFUNDING, State.REFUNDED, State.REFUND_REJECTED]


class Voucher(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    coupon_id = models.CharField(max_length=10, unique=True)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="vouchers")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="vouchers")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="vouchers")
    session = models.OneToOneField(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="voucher"
    )
    offer_id = models.CharField(max_length=80)
    mode = models.CharField(max_length=16)
    state = models.CharField(max_length=16, choices=State.choices, db_index=True)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    rate = models.DecimalField(max_digits=6, decimal_places=4)
    currency = models.CharField(max_length=3, default="EUR")
    notification_key = models.CharField(max_length=128)
    user_id = models.CharField(max_length=128, blank=True, default="")
    custom_transaction_id = models.CharField(max_length=128, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    reservation_date = models.DateTimeField(default=timezone.now)
    resa_expire_date = models.DateTimeField(db_index=True)
    validity_date = models.DateTimeField()
    confirm_date = models.DateTimeField(null=True, blank=True)
    canceled_date = models.DateTimeField(null=True, blank=True)
    expired_date = models.DateTimeField(null=True, blank=True)
    send_date = models.DateTimeField(null=True, blank=True)
    ready_date = models.DateTimeField(null=True, blank=True)  # its PDF was made (READY)
    payment_state = models.CharField(
        max_length=8, choices=PaymentState.choices, blank=True, default=""
    )
    wallet_operation_id = models.CharField(max_length=64, blank=True, default="")
    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, null=True, blank=True, related_name="vouchers"
    )

    class Meta:
        ordering = ["-reservation_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "notification_key"], name="voucher_notification_key_once"
            ),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="voucher_price_positive"),
            models.CheckConstraint(
                condition=models.Q(value__gte=models.F("price")), name="voucher_value_covers_price"
            ),
        ]
        # A partner's list, newest first (`portal.paging`, the API's cursor): one index per
        # filter the portal offers, each ending with the list's order, so that a page is one
        # index range however far back it is and however few rows the filter keeps. The partial
        # ones are small: the refunds list, and the search by customTransactionId (portal.search).
        indexes = [
            models.Index(fields=["partner", *NEWEST], name="voucher_partner_newest"),
            models.Index(fields=["partner", "state", *NEWEST], name="voucher_partner_state"),
            models.Index(fields=["store", "partner", *NEWEST], name="voucher_store_partner"),
            models.Index(
                fields=["partner", "payment_state", *NEWEST], name="voucher_partner_payment"
            ),
            models.Index(
                fields=["partner", *NEWEST],
                condition=models.Q(state__in=REFUND_STATES),
                name="voucher_partner_refunds",
            ),
            models.Index(
                fields=["partner", "custom_transaction_id"],
                condition=~models.Q(custom_transaction_id=""),
                name="voucher_partner_transaction",
            ),
            # The operator admin's list, newest first (`backoffice.lists`).
            models.Index(fields=["reservation_date", "id"], name="voucher_reservation"),
            # A userId among a partner's vouchers (the admin's and the portal's searches); most
            # are blank.
            models.Index(
                fields=["partner", "user_id"],
                name="voucher_partner_user",
                condition=~models.Q(user_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coupon_id} {self.value} {self.currency} at {self.store_id} ({self.state})"

    @property
    def bonus(self):
        return self.value - self.price


class VoucherEvent(models.Model):
    """One state change: who did it, when, from which state to which, and why."""

    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=100)
    from_state = models.CharField(max_length=16, blank=True, default="")
    to_state = models.CharField(max_length=16)
    reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.voucher_id}: {self.from_state or '∅'} → {self.to_state} by {self.actor}"


class DailyTotal(models.Model):
    """What a partner's vouchers confirmed on one day at one store add up to (`vouchers.rollup`).

    Derived from the vouchers, never edited by hand: the lifecycle moves a row in the
    transaction of each change that makes a voucher count or stop counting (a confirmation, an
    accepted refund), so the portal's dashboard reads a few rows a day instead of summing the
    partner's vouchers. The day is the confirmation's, in the platform's `TIME_ZONE`.
    """

    # Indexed by `daily_total_once`, which starts with it.
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="daily_totals", db_index=False
    )
    day = models.DateField()
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="daily_totals")
    currency = models.CharField(max_length=3, default="EUR")
    vouchers = models.IntegerField(default=0)
    value = models.DecimalField(max_digits=14, decimal_places=2, default=0)  # what they are worth
    price = models.DecimalField(max_digits=14, decimal_places=2, default=0)  # what users paid

    class Meta:
        ordering = ["partner_id", "day", "store_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "day", "store", "currency"], name="daily_total_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.day} {self.store_id}: {self.vouchers} ({self.price})"


# --- codes, merchant keys and delivery (vouchers.codes, vouchers.jobs, vouchers.delivery) -------


class CodeState(models.TextChoices):
    AVAILABLE = "available", "In the pool, not handed out"
    ISSUED = "issued", "Carried by a voucher"
    VOID = "void", "Voided (refund accepted): never valid again"


class Code(models.Model):
    """A store code a voucher carries: taken from an imported pool, or generated for it.

    Pool codes arrive `available` and are taken (`issued`) at confirmation; generated codes are
    minted `issued`. A code is never handed out twice: it moves away from `available` once, under
    the row lock of the transaction that takes it, and is unique in its store (generated codes
    are unique everywhere).
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="codes")
    source = models.CharField(max_length=16, default="pool")  # catalog.models.CodeSource
    code = models.CharField(max_length=64)
    pin = models.CharField(max_length=32, blank=True, default="")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    expiry = models.DateField(null=True, blank=True)
    state = models.CharField(
        max_length=10, choices=CodeState.choices, default=CodeState.AVAILABLE, db_index=True
    )
    voucher = models.ForeignKey(
        Voucher, on_delete=models.PROTECT, null=True, blank=True, related_name="codes"
    )
    created_at = models.DateTimeField(default=timezone.now)
    issued_at = models.DateTimeField(null=True, blank=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.CharField(max_length=100, blank=True, default="")
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["store_id", "value", "id"]
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
        return f"{self.store_id} code …{self.code[-4:]} {self.value} ({self.state})"


class MerchantKey(models.Model):
    """A store's key for the merchant API (check and redeem codes); only its digest is kept."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="merchant_keys")
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["store_id", "-created_at"]

    def __str__(self) -> str:
        return f"merchant key {self.hint}… of {self.store_id}"


class VoucherDocument(models.Model):
    """A voucher's PDF, made once by the worker; kept in the database so that every app server
    behind a load balancer can serve it (no shared file system needed)."""

    voucher = models.OneToOneField(
        Voucher, on_delete=models.CASCADE, primary_key=True, related_name="document"
    )
    pdf = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"PDF of {self.voucher_id}"


class JobKind(models.TextChoices):
    PDF = "pdf", "Make the PDF (codes first), then READY"
    MAIL = "mail", "Mail the PDF, then SENT"


class JobStatus(models.TextChoices):
    PENDING = "pending", "Waiting for its next attempt"
    DONE = "done", "Done"
    FAILED = "failed", "Failed: retries used up"


class DeliveryJob(models.Model):
    """The voucher-delivery outbox: written in the transaction of the change that calls for it,
    drained by `jackpot worker` (`vouchers.delivery.process_due_jobs`)."""

    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="delivery_jobs")
    kind = models.CharField(max_length=8, choices=JobKind.choices)
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)  # failed attempts so far
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # The worker's lease (`core.leases`): who holds the job, and until when.
    locked_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    # The id of the request that wrote the row (`core.request_context`), for following it in
    # the logs to what the worker did; null when written outside a request.
    request_id = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["next_attempt_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["voucher", "kind"], name="one_job_per_voucher_kind")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_job_due"),
            # The jobs a request wrote (the admin's search by the id in the logs).
            models.Index(
                fields=["request_id"],
                name="delivery_job_request",
                condition=models.Q(request_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} job of {self.voucher_id}: {self.status}"
