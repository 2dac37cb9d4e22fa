"""Counters behind the abuse limits (`limits.enforcement`) and the refusals the portal shows.

Counters, not counts: a reservation adds one to its user's day and month rows (and to its
address's hour row when the partner limits addresses) with a guarded upsert, so the limit is
held by the database under concurrency, and the portal finds the users nearest their limits
by reading the largest counters through an index instead of summing vouchers.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jackpot.partners.models import Partner


class Period(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")


class UserUsage(models.Model):
    """What one userId of a partner reserved in one day or one month (UTC calendar periods):
    vouchers reserved in it and neither cancelled nor expired, and their price in cents.

    Kept for every reservation that carries a userId, limits set or not, so that a limit set
    mid-month counts the month's vouchers already made; pruned once its period is over.
    """

    # Indexed by `user_usage_once` and the two ranking indexes, which lead with it.
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+", db_index=False)
    user_id = models.CharField(max_length=128)
    period = models.CharField(max_length=5, choices=Period.choices)
    start = models.DateField()  # the day, or the month's first day
    vouchers = models.PositiveIntegerField(default=0)
    amount_cents = models.BigIntegerField(default=0)  # integer cents: exact on SQLite too

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "user_id", "period", "start"], name="user_usage_once"
            )
        ]
        indexes = [
            # The portal's users nearest their limits: the largest counters of a period.
            models.Index(
                fields=["partner", "period", "start", "vouchers"], name="user_usage_by_count"
            ),
            models.Index(
                fields=["partner", "period", "start", "amount_cents"],
                name="user_usage_by_amount",
            ),
            # The worker's prune: the periods that are over, the oldest first.
            models.Index(fields=["period", "start"], name="user_usage_period"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.user_id} {self.period} {self.start}: {self.vouchers}"


class AddressUsage(models.Model):
    """Reservations made from one client address in one hour, for a partner that limits them.

    The address itself is not kept: `digest` is an HMAC of the partner and the address under
    SECRET_KEY, enough to count and useless to find anyone. Pruned once the hour is over.
    """

    # Indexed by `address_usage_once`, which leads with it.
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+", db_index=False)
    digest = models.CharField(max_length=64)
    hour = models.DateTimeField()
    reservations = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "digest", "hour"], name="address_usage_once")
        ]
        indexes = [models.Index(fields=["hour"], name="address_usage_hour")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.digest[:8]}… {self.hour:%Y-%m-%d %H}h: {self.reservations}"


class RefusalKind(models.TextChoices):
    USER_DAY = "user-day", _("vouchers per userId per day")
    USER_MONTH = "user-month", _("vouchers per userId per month")
    USER_AMOUNT_MONTH = "user-amount-month", _("amount converted per userId per month")
    ADDRESS_HOUR = "address-hour", _("reservations per client address per hour")


class LimitRefusal(models.Model):
    """How many reservations a limit refused on one day (UTC), per partner and kind: what the
    portal's Limits page charts. Upserted outside the refused reservation's transaction;
    pruned after JACKPOT_LIMIT_REFUSAL_RETENTION_DAYS."""

    # Indexed by `limit_refusal_once`, which leads with it.
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    kind = models.CharField(max_length=20, choices=RefusalKind.choices)
    refusals = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "day", "kind"], name="limit_refusal_once")
        ]
        indexes = [models.Index(fields=["day"], name="limit_refusal_day")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.day} {self.kind}: {self.refusals}"
