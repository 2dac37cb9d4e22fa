"""Vouchers and the journal of every state change they went through."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jackpot.catalog.models import Campaign, CampaignMode, Store
from jackpot.core.formatting import money
from jackpot.core.periods import days_of
from jackpot.partners.models import Partner
from jackpot.tokens.models import Session


class State(models.TextChoices):
    RESERVED = "RESERVED", _("Reserved")
    CONFIRMED = "CONFIRMED", _("Confirmed")
    READY = "READY", _("Ready")
    SENT = "SENT", _("Sent")
    CANCELED = "CANCELED", _("Canceled")
    EXPIRED = "EXPIRED", _("Expired")
    REFUNDING = "REFUNDING", _("Refund requested")
    REFUNDED = "REFUNDED", _("Refunded")
    REFUND_REJECTED = "REFUND_REJECTED", _("Refund rejected")


class PaymentState(models.TextChoices):
    DUE = "DUE", _("Due")
    WAITING = "WAITING", _("Awaiting payment")
    PAID = "PAID", _("Paid")


class Statement(models.Model):
    """What a partner owes for a period: its DUE vouchers, which become WAITING until paid."""

    # Indexed by `statement_partner_newest` below, whose first column it is.
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="statements",
        db_index=False,
        verbose_name=_("partner"),
    )
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.CharField(_("issued by"), max_length=100, default="system")
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(
        _("payment reference"), max_length=200, blank=True, default=""
    )
    transaction_id = models.CharField(
        _("ledger transaction"), max_length=64, blank=True, default=""
    )
    # The vouchers it lists, kept beside `total` and moved with it (issue, refund before
    # payment): a list of statements shows each one's count without counting thousands of
    # vouchers per statement on every page.
    voucher_count = models.PositiveIntegerField(_("vouchers"), default=0, db_default=0)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        indexes = [  # the partner's statements, newest first (GET /v2/statements, the portal)
            models.Index(fields=["partner", "-issued_at", "-id"], name="statement_partner_newest")
        ]

    def __str__(self) -> str:
        return gettext("statement %(id)s of %(partner)s: %(total)s") % {
            "id": self.pk,
            "partner": self.partner_id,
            "total": money(self.total, self.currency),
        }

    @property
    def first_day(self):
        """The period's first day, included (`core.periods`)."""
        return days_of(self.period_start, self.period_end)[0]

    @property
    def last_day(self):
        """The period's last day, included: the day before `period_end`'s midnight."""
        return days_of(self.period_start, self.period_end)[1]


# The order of a partner's vouchers in every list: newest reservation first, ties by id.
NEWEST = ["-reservation_date", "-id"]
# The states the portal's refunds list shows.
REFUND_STATES = [State.REFUNDING, State.REFUNDED, State.REFUND_REJECTED]


class Voucher(models.Model):
    id = models.UUIDField(_("id"), primary_key=True, default=uuid.uuid4, editable=False)
    coupon_id = models.CharField(_("couponId"), max_length=10, unique=True)
    # Partner, store, statement, state and resa_expire_date are indexed by the composite or
    # partial indexes of Meta.indexes (vouchers/migrations/0008_indexes_…).
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="vouchers",
        db_index=False,
        verbose_name=_("partner"),
    )
    store = models.ForeignKey(
        Store,
        on_delete=models.PROTECT,
        related_name="vouchers",
        db_index=False,
        verbose_name=_("store"),
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("campaign")
    )
    session = models.OneToOneField(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="voucher",
        verbose_name=_("session"),
    )
    offer_id = models.CharField(_("offer"), max_length=80)
    mode = models.CharField(_("mode"), max_length=16, choices=CampaignMode.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    notification_key = models.CharField(_("notificationKey"), max_length=128)
    user_id = models.CharField(_("userId"), max_length=128, blank=True, default="")
    custom_transaction_id = models.CharField(
        _("customTransactionId"), max_length=128, blank=True, default=""
    )
    email = models.EmailField(_("e-mail"), blank=True, default="")
    reservation_date = models.DateTimeField(_("reserved at"), default=timezone.now)
    resa_expire_date = models.DateTimeField(_("reservation expires at"))
    validity_date = models.DateTimeField(_("valid until"))
    confirm_date = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    canceled_date = models.DateTimeField(_("canceled at"), null=True, blank=True)
    expired_date = models.DateTimeField(_("expired at"), null=True, blank=True)
    send_date = models.DateTimeField(_("sent at"), null=True, blank=True)
    # its PDF was made (READY)
    ready_date = models.DateTimeField(_("ready at"), null=True, blank=True)
    payment_state = models.CharField(
        _("paymentState"), max_length=8, choices=PaymentState.choices, blank=True, default=""
    )
    wallet_operation_id = models.CharField(
        _("walletOperationId"), max_length=64, blank=True, default=""
    )
    # Indexed by `voucher_statement_lines` below (a statement's vouchers in confirmation order),
    # not by a column index of its own: that one would only repeat the composite's first column.
    statement = models.ForeignKey(
        Statement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vouchers",
        db_index=False,
        verbose_name=_("statement"),
    )
    # When its user's personal data was erased (`vouchers.personal_data`): on the partner's
    # request, or by the worker once the voucher had been closed for the retention period.
    personal_data_erased_at = models.DateTimeField(
        _("personal data erased at"), null=True, blank=True
    )

    class Meta:
        ordering = ["-reservation_date", "id"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "notification_key"], name="voucher_notification_key_once"
            ),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="voucher_price_positive"),
            models.CheckConstraint(
                condition=models.Q(value__gte=models.F("price")), name="voucher_value_covers_price"
            ),
        ]
        # GET /v2/vouchers: for the list and for each filter it takes, an index that gives the
        # partner's rows in the list's order (newest first, id breaking ties), so that a page,
        # first or deep (the cursor's bound is a range of it), reads its rows and no others.
        # notificationKey has the unique constraint above; a date range is a range of the first.
        indexes = [
            models.Index(
                fields=["partner", "-reservation_date", "-id"], name="voucher_partner_newest"
            ),
            models.Index(
                fields=["partner", "user_id", "-reservation_date", "-id"],
                name="voucher_partner_user",
            ),
            # The operator admin's list, newest first (`backoffice.lists`).
            models.Index(fields=["reservation_date", "id"], name="voucher_reservation"),
            models.Index(
                fields=["partner", "state", "-reservation_date", "-id"],
                name="voucher_partner_state",
            ),
            models.Index(
                fields=["partner", "payment_state", "-reservation_date", "-id"],
                name="voucher_partner_payment",
            ),
            # The store first: it also serves the store's foreign key (a store's vouchers).
            models.Index(
                fields=["store", "partner", "-reservation_date", "-id"],
                name="voucher_store_partner",
            ),
            # A statement's vouchers in the order of its files, walked in chunks (`payments.
            # statement_rows`); only billed vouchers have a statement, so only they are indexed.
            models.Index(
                fields=["statement", "confirm_date", "id"],
                condition=models.Q(statement__isnull=False),
                name="voucher_statement_lines",
            ),
            # What a statement issue locks: the partner's DUE vouchers confirmed in a period.
            models.Index(
                fields=["partner", "confirm_date"],
                condition=models.Q(payment_state="DUE"),
                name="voucher_due_by_confirmation",
            ),
            # The worker's expiry (and the portal's waiting list) read RESERVED vouchers only.
            models.Index(
                fields=["resa_expire_date"],
                condition=models.Q(state="RESERVED"),
                name="voucher_reserved_expiry",
            ),
            # The portal's refunds list (`portal.paging`): the few vouchers in a refund state.
            models.Index(
                fields=["partner", *NEWEST],
                condition=models.Q(state__in=REFUND_STATES),
                name="voucher_partner_refunds",
            ),
            # The worker's erasure of personal data past retention (`vouchers.personal_data`)
            # walks the vouchers not erased yet, oldest first.
            models.Index(
                fields=["reservation_date"],
                condition=models.Q(personal_data_erased_at__isnull=True),
                name="voucher_personal_data_kept",
            ),
            # The portal's search by customTransactionId (`portal.search`); most are blank.
            models.Index(
                fields=["partner", "custom_transaction_id"],
                condition=~models.Q(custom_transaction_id=""),
                name="voucher_partner_transaction",
            ),
        ]

    def __str__(self) -> str:
        value = money(self.value, self.currency)
        return f"{self.coupon_id} · {value} · {self.store_id} ({self.state})"

    @property
    def bonus(self):
        return self.value - self.price


class VoucherEvent(models.Model):
    """One state change: who did it, when, from which state to which, and why."""

    voucher = models.ForeignKey(
        Voucher, on_delete=models.CASCADE, related_name="events", verbose_name=_("voucher")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.CharField(_("actor"), max_length=100)
    from_state = models.CharField(
        _("from"), max_length=16, choices=State.choices, blank=True, default=""
    )
    to_state = models.CharField(_("to"), max_length=16, choices=State.choices)
    # What happened, as a code with its parameters (`vouchers.journal` words it in the
    # reader's language); `reason` is only ever what a person typed, kept as written.
    code = models.CharField(_("event code"), max_length=40, blank=True, default="")
    params = models.JSONField(_("event parameters"), default=dict, blank=True)
    reason = models.CharField(_("reason given"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("voucher event")
        verbose_name_plural = _("voucher events")

    def __str__(self) -> str:
        return f"{self.voucher_id}: {self.from_state or '∅'} → {self.to_state} ({self.actor})"


class ErasureReason(models.TextChoices):
    REQUEST = "request", _("On request")
    RETENTION = "retention", _("Retention period over")


class PersonalDataErasure(models.Model):
    """The audit entry of one erasure of personal data (`vouchers.personal_data`): who asked,
    when, how much went. It holds none of the data erased: the user is named by a keyed digest
    only (HMAC of SECRET_KEY), which lets an operator tell that two requests were about the same
    user without being able to read who it was; blank for the worker's erasures by retention."""

    # Indexed by `erasure_partner_newest`, whose first column it is.
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="personal_data_erasures",
        db_index=False,
        verbose_name=_("partner"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.CharField(_("actor"), max_length=100)
    # the partner's request for its user, or the worker's retention
    reason = models.CharField(_("reason"), max_length=16, choices=ErasureReason.choices)
    subject_digest = models.CharField(_("user (keyed digest)"), max_length=64, blank=True)
    vouchers = models.PositiveIntegerField(_("vouchers"), default=0)
    sessions = models.PositiveIntegerField(_("sessions"), default=0)
    notifications = models.PositiveIntegerField(_("notifications"), default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("personal data erasure")
        verbose_name_plural = _("personal data erasures")
        indexes = [models.Index(fields=["partner", "-at"], name="erasure_partner_newest")]

    def __str__(self) -> str:
        return gettext("erasure of %(partner)s at %(date)s") % {
            "partner": self.partner_id,
            "date": f"{self.at:%Y-%m-%d %H:%M}",
        }


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
    # Not indexed alone: nothing reads a store's rows but the deletion of a store, which its
    # vouchers forbid (and a few rows a day are read whole then).
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="daily_totals", db_index=False
    )
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


# Codes, merchant keys and delivery jobs live in their own module; imported here so that Django
# registers them with the app and callers import every model of the app from one place.
from jackpot.vouchers.codes_and_jobs import (  # noqa: E402
    Code,
    CodeState,
    DeliveryJob,
    JobKind,
    JobStatus,
    MerchantKey,
)

__all__ = [
    "REFUND_STATES", "NEWEST", "Code", "CodeState", "DailyTotal", "DeliveryJob", "ErasureReason",
    "JobKind", "JobStatus", "MerchantKey", "PaymentState", "PersonalDataErasure", "State",
    "Statement", "Voucher", "VoucherEvent",
]  # fmt: skip
